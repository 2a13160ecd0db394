import { Counter, Histogram, register as globalRegistry, type Registry } from 'prom-client';
import type { CacheMetricsSink, CacheOperation } from '../cache-metrics-sink.js';
import { DEFAULT_LATENCY_BUCKETS } from '../latency-buckets.js';
import { PerRegionOperation } from '../per-region-operation.js';

/** Options of {@link PrometheusCacheMetrics}. */
export interface PrometheusCacheMetricsOptions {
  /** The registry the metrics are registered in. Default: prom-client's global `register`. */
  registry?: Registry;
  /** Start of every metric name. Default: `'cache_regions_'`. */
  prefix?: string;
  /** Upper bounds of the latency histogram's buckets, in seconds. Default: {@link DEFAULT_LATENCY_BUCKETS}. */
  buckets?: number[];
}

const LABELS = ['region', 'operation'] as const;

/**
 * A {@link CacheMetricsSink} for Prometheus (prom-client 15): counters of hits, misses, stale
 * reads, store errors, coalesced and bypassed calls and oversize values, and a histogram of store
 * latency, all labelled by `region` and `operation`. Names (with the default prefix):
 *
 * - `cache_regions_hits_total`, `cache_regions_misses_total`, `cache_regions_stale_total`,
 *   `cache_regions_errors_total`, `cache_regions_coalesced_total`,
 *   `cache_regions_bypassed_total`, `cache_regions_oversize_total` (counters)
 * - `cache_regions_store_duration_seconds` (histogram)
 *
 * `CacheRegionsModule.forRoot({ regions, metrics: new PrometheusCacheMetrics({ registry }) })`,
 * then serve `await registry.metrics()` with `registry.contentType` on your `/metrics` route.
 * A second instance on the same registry (another app in the same process) shares the metrics
 * rather than failing on the duplicate names.
 */
export class PrometheusCacheMetrics implements Required<CacheMetricsSink> {
  /** The registry holding the metrics (the given one, or prom-client's global `register`). */
  readonly registry: Registry;
  private readonly hits: PerRegionOperation<Counter.Internal>;
  private readonly misses: PerRegionOperation<Counter.Internal>;
  private readonly stales: PerRegionOperation<Counter.Internal>;
  private readonly errors: PerRegionOperation<Counter.Internal>;
  private readonly coalescedCalls: PerRegionOperation<Counter.Internal>;
  private readonly bypassedCalls: PerRegionOperation<Counter.Internal>;
  private readonly oversizeValues: PerRegionOperation<Counter.Internal>;
  private readonly durations: PerRegionOperation<Histogram.Internal<string>>;

  constructor(options: PrometheusCacheMetricsOptions = {}) {
    this.registry = options.registry ?? globalRegistry;
    const prefix = options.prefix ?? 'cache_regions_';
    const counter = (name: string, help: string) => {
      const metric = this.counter(`${prefix}${name}`, help);
      return new PerRegionOperation((region, operation) => metric.labels(region, operation));
    };
    this.hits = counter('hits_total', 'Cache reads answered with a fresh cached value.');
    this.misses = counter('misses_total', 'Cache reads that found nothing usable (store failures included).');
    this.stales = counter('stale_total', 'Cache reads answered with an expired value inside staleTtl while it is refreshed.');
    this.errors = counter('errors_total', 'Cache store operations that failed or timed out.');
    this.coalescedCalls = counter(
      'coalesced_total',
      "Calls answered with another caller's computation of the same key instead of their own.",
    );
    this.bypassedCalls = counter('bypassed_total', 'Calls run uncached on purpose (condition false, onKeyError bypass).');
    this.oversizeValues = counter('oversize_total', "Values not stored because they exceed the store's limit.");
    const histogram = this.histogram(
      `${prefix}store_duration_seconds`,
      'Time cache store operations took, failed ones included.',
      options.buckets ?? [...DEFAULT_LATENCY_BUCKETS],
    );
    this.durations = new PerRegionOperation((region, operation) => histogram.labels(region, operation));
  }

  hit(region: string, operation: CacheOperation): void {
    this.hits.get(region, operation).inc();
  }

  miss(region: string, operation: CacheOperation): void {
    this.misses.get(region, operation).inc();
  }

  stale(region: string, operation: CacheOperation): void {
    this.stales.get(region, operation).inc();
  }

  error(region: string, operation: CacheOperation): void {
    this.errors.get(region, operation).inc();
  }

  latency(region: string, operation: CacheOperation, ms: number): void {
    this.durations.get(region, operation).observe(ms / 1_000);
  }

  coalesced(region: string, operation: CacheOperation): void {
    this.coalescedCalls.get(region, operation).inc();
  }

  bypassed(region: string, operation: CacheOperation): void {
    this.bypassedCalls.get(region, operation).inc();
  }

  oversize(region: string, operation: CacheOperation): void {
    this.oversizeValues.get(region, operation).inc();
  }

  private counter(name: string, help: string): Counter<string> {
    const existing = this.registry.getSingleMetric(name);
    if (existing instanceof Counter) return existing;
    if (existing !== undefined) throw this.taken(name, 'counter');
    return new Counter({ name, help, labelNames: LABELS, registers: [this.registry] });
  }

  private histogram(name: string, help: string, buckets: number[]): Histogram<string> {
    const existing = this.registry.getSingleMetric(name);
    if (existing instanceof Histogram) return existing;
    if (existing !== undefined) throw this.taken(name, 'histogram');
    return new Histogram({ name, help, labelNames: LABELS, buckets, registers: [this.registry] });
  }

  private taken(name: string, kind: string): Error {
    return new Error(
      `PrometheusCacheMetrics: the registry already has a metric "${name}" that is not a ${kind}. Give PrometheusCacheMetrics another "prefix" or its own registry.`,
    );
  }
}

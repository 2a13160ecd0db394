import { metrics, type Attributes, type Counter, type Histogram, type Meter, type MeterProvider } from '@opentelemetry/api';
import type { CacheMetricsSink, CacheOperation } from '../cache-metrics-sink.js';
import { DEFAULT_LATENCY_BUCKETS } from '../latency-buckets.js';
import { PerRegionOperation } from '../per-region-operation.js';

/** Options of {@link OpenTelemetryCacheMetrics}. */
export interface OpenTelemetryCacheMetricsOptions {
  /**
   * Where the instruments come from: a `Meter`, or a `MeterProvider` to get one from. Default:
   * the global meter provider the app registered (e.g. by starting the OpenTelemetry `NodeSDK`),
   * read when this object is constructed — so construct it after the SDK started.
   */
  meter?: Meter;
  meterProvider?: MeterProvider;
  /** Start of every instrument name. Default: `'cache_regions.'`. */
  prefix?: string;
  /** Boundaries of the latency histogram's buckets, in seconds. Default: {@link DEFAULT_LATENCY_BUCKETS}. */
  buckets?: number[];
}

/** The meter's instrumentation scope: this package. */
const SCOPE = 'nest-cache-regions';

/**
 * A {@link CacheMetricsSink} for OpenTelemetry metrics (`@opentelemetry/api` 1.x): the same
 * counters and latency histogram as the Prometheus adapter, recorded through the app's meter
 * provider, so an app that exports to an OTLP collector (Datadog, Grafana, New Relic…) gets
 * cache metrics without Prometheus. Instruments (with the default prefix), each with the
 * attributes `region` and `operation`:
 *
 * - `cache_regions.hits`, `cache_regions.misses`, `cache_regions.stale`, `cache_regions.errors`,
 *   `cache_regions.coalesced`, `cache_regions.bypassed`, `cache_regions.oversize` (counters)
 * - `cache_regions.store.duration` (histogram, seconds)
 *
 * `CacheRegionsModule.forRoot({ regions, metrics: new OpenTelemetryCacheMetrics() })`.
 */
export class OpenTelemetryCacheMetrics implements Required<CacheMetricsSink> {
  /** One frozen attribute set per (region, operation): recording then allocates nothing. */
  private readonly attributes = new PerRegionOperation<Attributes>((region, operation) => Object.freeze({ region, operation }));
  private readonly hits: Counter;
  private readonly misses: Counter;
  private readonly stales: Counter;
  private readonly errors: Counter;
  private readonly coalescedCalls: Counter;
  private readonly bypassedCalls: Counter;
  private readonly oversizeValues: Counter;
  private readonly durations: Histogram;

  constructor(options: OpenTelemetryCacheMetricsOptions = {}) {
    const meter = options.meter ?? (options.meterProvider ?? metrics).getMeter(SCOPE);
    const prefix = options.prefix ?? 'cache_regions.';
    const counter = (name: string, description: string) =>
      meter.createCounter(`${prefix}${name}`, { description, unit: '{call}' });
    this.hits = counter('hits', 'Cache reads answered with a fresh cached value.');
    this.misses = counter('misses', 'Cache reads that found nothing usable (store failures included).');
    this.stales = counter('stale', 'Cache reads answered with an expired value inside staleTtl while it is refreshed.');
    this.errors = counter('errors', 'Cache store operations that failed or timed out.');
    this.coalescedCalls = counter('coalesced', "Calls answered with another caller's computation of the same key instead of their own.");
    this.bypassedCalls = counter('bypassed', 'Calls run uncached on purpose (condition false, onKeyError bypass).');
    this.oversizeValues = counter('oversize', "Values not stored because they exceed the store's limit.");
    this.durations = meter.createHistogram(`${prefix}store.duration`, {
      description: 'Time cache store operations took, failed ones included.',
      unit: 's',
      advice: { explicitBucketBoundaries: options.buckets ?? [...DEFAULT_LATENCY_BUCKETS] },
    });
  }

  hit(region: string, operation: CacheOperation): void {
    this.hits.add(1, this.attributes.get(region, operation));
  }

  miss(region: string, operation: CacheOperation): void {
    this.misses.add(1, this.attributes.get(region, operation));
  }

  stale(region: string, operation: CacheOperation): void {
    this.stales.add(1, this.attributes.get(region, operation));
  }

  error(region: string, operation: CacheOperation): void {
    this.errors.add(1, this.attributes.get(region, operation));
  }

  latency(region: string, operation: CacheOperation, ms: number): void {
    this.durations.record(ms / 1_000, this.attributes.get(region, operation));
  }

  coalesced(region: string, operation: CacheOperation): void {
    this.coalescedCalls.add(1, this.attributes.get(region, operation));
  }

  bypassed(region: string, operation: CacheOperation): void {
    this.bypassedCalls.add(1, this.attributes.get(region, operation));
  }

  oversize(region: string, operation: CacheOperation): void {
    this.oversizeValues.add(1, this.attributes.get(region, operation));
  }
}

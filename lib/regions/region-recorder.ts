import type { CacheMetricsSink, CacheOperation } from '../observability/cache-metrics-sink.js';
import { RegionCounters } from './region-stats.js';

/**
 * Everything a region counts, in one place: its own counters (`stats()`) and, when the app gave
 * one, the metrics sink. Without a sink nothing reads the clock, so a hit costs one increment.
 */
export class RegionRecorder {
  readonly counters = new RegionCounters();

  constructor(
    private readonly region: string,
    /** Where hits, misses, errors and store latencies go; `undefined` = nowhere, at no cost. */
    private readonly sink: CacheMetricsSink | undefined,
  ) {}

  hit(operation: CacheOperation): void {
    this.counters.hits++;
    if (this.sink !== undefined) this.sink.hit(this.region, operation);
  }

  miss(operation: CacheOperation): void {
    this.counters.misses++;
    if (this.sink !== undefined) this.sink.miss(this.region, operation);
  }

  stale(operation: CacheOperation): void {
    this.counters.stale++;
    if (this.sink !== undefined) this.sink.stale(this.region, operation);
  }

  /** A caller served by another caller's computation. */
  coalesced(): void {
    this.counters.coalesced++;
    if (this.sink !== undefined) this.sink.coalesced?.(this.region, 'get');
  }

  /** A call that ran uncached on purpose (`condition`, or `onKeyError: 'bypass'`). */
  bypassed(): void {
    this.counters.bypassed++;
    if (this.sink !== undefined) this.sink.bypassed?.(this.region, 'get');
  }

  oversize(operation: CacheOperation): void {
    this.counters.oversize++;
    if (this.sink !== undefined) this.sink.oversize?.(this.region, operation);
  }

  error(operation: CacheOperation): void {
    this.counters.errors++;
    if (this.sink !== undefined) this.sink.error(this.region, operation);
  }

  /** When a timed store call starts: `performance.now()`, or 0 when nobody listens. */
  clock(): number {
    return this.sink === undefined ? 0 : performance.now();
  }

  /** A store call that began at `started` (from {@link clock}) has ended. */
  latency(operation: CacheOperation, started: number): void {
    if (this.sink !== undefined) this.sink.latency(this.region, operation, performance.now() - started);
  }
}

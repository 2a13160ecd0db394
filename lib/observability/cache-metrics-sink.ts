/**
 * Store operations a region reports to a {@link CacheMetricsSink}: the `CacheStore` method that
 * ran (`get` also stands for the reads of `@Cached`, `getOrSet` and the interceptor).
 */
export type CacheOperation = 'get' | 'set' | 'delete' | 'has' | 'clear' | 'add' | 'getStream' | 'setStream';

/**
 * Where regions report what they do, for any metrics system (Prometheus, OpenTelemetry, StatsD…).
 * Give one in `CacheRegionsModule.forRoot({ metrics })`; every region calls it. Without one, a
 * cache hit costs nothing extra.
 *
 * Methods are called synchronously on the cache's hot path: keep them cheap (increment a
 * counter, observe a histogram) and do not await anything. An exception thrown by a sink is
 * logged (rate-limited) and otherwise ignored; it never fails a cache call.
 *
 * The counts match `region.stats()`: `hit` ↔ `hits`, `miss` ↔ `misses`, `stale` ↔ `stale`,
 * `error` ↔ `errors` (except corrupt entries a store found on its own, which only `stats()` sees),
 * and the optional `coalesced`, `bypassed` and `oversize` ↔ the counters of the same names.
 */
export interface CacheMetricsSink {
  /** A read answered with a fresh cached value. */
  hit(region: string, operation: CacheOperation): void;
  /** A read that found nothing usable (a store failure is a miss too, and also an `error`). */
  miss(region: string, operation: CacheOperation): void;
  /** A read answered with an expired value inside `staleTtl` while it is refreshed. */
  stale(region: string, operation: CacheOperation): void;
  /** A store operation that failed or timed out. */
  error(region: string, operation: CacheOperation): void;
  /**
   * How long one store operation took, in milliseconds (fractional, from `performance.now()`),
   * failed ones included. Operations skipped by an open circuit breaker are not timed.
   */
  latency(region: string, operation: CacheOperation, ms: number): void;
  /**
   * Optional. A caller that got another caller's value instead of computing it: in this process
   * (single flight) or, with `lock: true`, from another one. `operation` is `get`.
   */
  coalesced?(region: string, operation: CacheOperation): void;
  /**
   * Optional. A call run uncached on purpose (`condition` false, `onKeyError: 'bypass'`).
   * `operation` is `get`.
   */
  bypassed?(region: string, operation: CacheOperation): void;
  /**
   * Optional. A value not stored because it exceeds the store's limit; `operation` is the write
   * (`set`, `add`, `setStream`).
   */
  oversize?(region: string, operation: CacheOperation): void;
}

/** Method names a {@link CacheMetricsSink} must have; used to validate the `metrics` option. */
export const CACHE_METRICS_SINK_METHODS = ['hit', 'miss', 'stale', 'error', 'latency'] as const;

/**
 * Default latency buckets of the metrics adapters, in seconds: 50 µs to 2.5 s, which spans a
 * memory read and a store timing out (memcached's default `timeoutMs` is 0.5 s).
 */
export const DEFAULT_LATENCY_BUCKETS: readonly number[] = [
  0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
];

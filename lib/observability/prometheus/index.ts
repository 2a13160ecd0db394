/**
 * `nest-cache-regions/prometheus`: the Prometheus adapter of the metrics sink. Needs the optional
 * peer dependency `prom-client` 15.
 */
export { PrometheusCacheMetrics, type PrometheusCacheMetricsOptions } from './prometheus-cache-metrics.js';
export { DEFAULT_LATENCY_BUCKETS } from '../latency-buckets.js';
export type { CacheMetricsSink, CacheOperation } from '../cache-metrics-sink.js';

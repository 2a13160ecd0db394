/**
 * `nest-cache-regions/opentelemetry`: the OpenTelemetry metrics adapter of the metrics sink.
 * Needs the optional peer dependency `@opentelemetry/api` 1.x, and an SDK the app configures.
 */
export {
  OpenTelemetryCacheMetrics,
  type OpenTelemetryCacheMetricsOptions,
} from './opentelemetry-cache-metrics.js';
export { DEFAULT_LATENCY_BUCKETS } from '../latency-buckets.js';
export type { CacheMetricsSink, CacheOperation } from '../cache-metrics-sink.js';

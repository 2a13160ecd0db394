import type { RateLimitedLogger } from './rate-limited-logger.js';
import type { CacheMetricsSink, CacheOperation } from './cache-metrics-sink.js';

/**
 * Wraps the app's sink so that a throwing sink (a label clash, a bug in an adapter) is logged
 * rate-limited and ignored: metrics must never turn a cache hit into an error. The optional
 * methods are always there, and call the sink's when it has them.
 */
export class GuardedMetricsSink implements Required<CacheMetricsSink> {
  constructor(
    private readonly sink: CacheMetricsSink,
    private readonly logger: RateLimitedLogger,
  ) {}

  hit(region: string, operation: CacheOperation): void {
    try {
      this.sink.hit(region, operation);
    } catch (error) {
      this.failed('hit', error);
    }
  }

  miss(region: string, operation: CacheOperation): void {
    try {
      this.sink.miss(region, operation);
    } catch (error) {
      this.failed('miss', error);
    }
  }

  stale(region: string, operation: CacheOperation): void {
    try {
      this.sink.stale(region, operation);
    } catch (error) {
      this.failed('stale', error);
    }
  }

  error(region: string, operation: CacheOperation): void {
    try {
      this.sink.error(region, operation);
    } catch (error) {
      this.failed('error', error);
    }
  }

  latency(region: string, operation: CacheOperation, ms: number): void {
    try {
      this.sink.latency(region, operation, ms);
    } catch (error) {
      this.failed('latency', error);
    }
  }

  coalesced(region: string, operation: CacheOperation): void {
    try {
      this.sink.coalesced?.(region, operation);
    } catch (error) {
      this.failed('coalesced', error);
    }
  }

  bypassed(region: string, operation: CacheOperation): void {
    try {
      this.sink.bypassed?.(region, operation);
    } catch (error) {
      this.failed('bypassed', error);
    }
  }

  oversize(region: string, operation: CacheOperation): void {
    try {
      this.sink.oversize?.(region, operation);
    } catch (error) {
      this.failed('oversize', error);
    }
  }

  private failed(method: string, error: unknown): void {
    this.logger.warn(
      'metrics',
      `The metrics sink's ${method}() threw, so this figure was not recorded: ${error instanceof Error ? error.message : String(error)}. Fix the sink given in CacheRegionsModule options "metrics".`,
    );
  }
}

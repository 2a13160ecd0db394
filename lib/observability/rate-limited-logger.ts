import { Logger } from '@nestjs/common';

/** Logger context of every line this package writes. */
export const LOG_CONTEXT = 'CacheRegions';

/**
 * Warns at most once per `intervalMs` for each topic, then reports how many lines it held back,
 * so a dead store produces a few log lines, not one per call.
 */
export class RateLimitedLogger {
  private readonly logger = new Logger(LOG_CONTEXT);
  private readonly lastAt = new Map<string, number>();
  private readonly suppressed = new Map<string, number>();

  constructor(private readonly intervalMs = 10_000) {}

  warn(topic: string, message: string): void {
    const now = Date.now();
    const last = this.lastAt.get(topic);
    if (last !== undefined && now - last < this.intervalMs) {
      this.suppressed.set(topic, (this.suppressed.get(topic) ?? 0) + 1);
      return;
    }
    const held = this.suppressed.get(topic) ?? 0;
    this.suppressed.delete(topic);
    this.lastAt.set(topic, now);
    this.logger.warn(held > 0 ? `${message} (${held} similar warnings suppressed)` : message);
  }

  /** A line that is never rate-limited: bootstrap summaries, breaker state changes. */
  log(message: string): void {
    this.logger.log(message);
  }
}

/** What the breaker reports when its state changes, for logging. */
export type BreakerListener = (state: 'open' | 'closed', failures: number) => void;

/**
 * Keeps a region away from a store that keeps failing: after `threshold` consecutive failures
 * with no success for `quietMs`, it opens for `cooldownMs`, during which `allows()` is false
 * (callers treat the store as a miss at no cost); then it lets one probe through, and closes on
 * the first success. `quietMs` keeps one hung server of several, whose requests time out
 * together, from switching off a region that other servers still serve.
 */
export class CircuitBreaker {
  private failures = 0;
  private openUntil = 0;
  private probing = false;
  private lastSuccessAt = 0;
  /** How often the breaker opened. */
  opened = 0;

  constructor(
    private readonly threshold: number,
    private readonly cooldownMs: number,
    private readonly listener: BreakerListener,
    private readonly quietMs = 0,
  ) {}

  /** Whether the store may be called now. */
  allows(): boolean {
    if (this.openUntil === 0) return true;
    if (this.probing || Date.now() < this.openUntil) return false;
    this.probing = true; // one probe at a time after the cool-down
    return true;
  }

  get isOpen(): boolean {
    return this.openUntil !== 0;
  }

  success(): void {
    // Only a quiet window needs the time; memory hits skip the clock.
    if (this.quietMs !== 0) this.lastSuccessAt = Date.now();
    if (this.openUntil !== 0) {
      this.openUntil = 0;
      this.probing = false;
      this.listener('closed', this.failures);
    }
    this.failures = 0;
  }

  failure(): void {
    this.failures++;
    if (this.openUntil !== 0) {
      // A failed probe: stay open for another cool-down.
      this.probing = false;
      this.openUntil = Date.now() + this.cooldownMs;
      return;
    }
    if (this.failures >= this.threshold && Date.now() - this.lastSuccessAt >= this.quietMs) {
      this.openUntil = Date.now() + this.cooldownMs;
      this.opened++;
      this.listener('open', this.failures);
    }
  }
}

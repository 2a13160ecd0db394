interface Pending {
  deadline: number;
  settled: boolean;
  expire(): void;
}

/**
 * A client-side deadline for every operation, so that none can hang whatever memjs does: an
 * operation not settled `ms` after it started is rejected. All operations get the same `ms`, so
 * deadlines come in order and one timer (armed only while operations are pending) serves them
 * all, which costs far less than a timer per call.
 */
export class Deadlines {
  private readonly queue: Pending[] = [];
  private head = 0;
  private timer: NodeJS.Timeout | undefined;

  /** @param ms milliseconds an operation may take before it is rejected. */
  constructor(private readonly ms: number) {}

  /**
   * Starts the clock for one operation: `expire()` is called once its time is up, unless the
   * caller has set `settled` on the returned handle first (which it must do when it completes).
   */
  start(expire: () => void): { settled: boolean } {
    const pending: Pending = { deadline: Date.now() + this.ms, settled: false, expire };
    this.queue.push(pending);
    this.skipSettled();
    this.timer ??= setTimeout(() => this.sweep(), this.ms);
    return pending;
  }

  /** Forgets every pending deadline and stops the timer (when nothing is in flight any more). */
  clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.queue.length = 0;
    this.head = 0;
  }

  private sweep(): void {
    this.timer = undefined;
    const now = Date.now();
    while (this.head < this.queue.length && this.queue[this.head].deadline <= now) {
      const pending = this.queue[this.head++];
      if (!pending.settled) {
        pending.settled = true;
        pending.expire();
      }
    }
    this.skipSettled();
    if (this.head < this.queue.length) {
      this.timer = setTimeout(() => this.sweep(), this.queue[this.head].deadline - now);
    }
  }

  /** Drops settled entries from the front, compacting now and then so the array stays small. */
  private skipSettled(): void {
    while (this.head < this.queue.length && this.queue[this.head].settled) this.head++;
    if (this.head === this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
    } else if (this.head > 1_024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
  }
}

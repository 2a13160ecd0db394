/** One operation's deadline; the caller sets `settled` when the operation completes. */
export interface Deadline {
  settled: boolean;
}

interface Pending extends Deadline {
  deadline: number;
  expire(): void;
}

/**
 * Deadlines of one fixed length for many operations, so that none can hang: an operation not
 * settled `ms` after it started has its `expire` called. All deadlines have the same length, so
 * they come due in the order they started, and one timer serves them all: it is armed when an
 * operation starts and none is armed, and on firing re-arms itself for the oldest operation
 * still pending, or not at all. Starting an operation costs an array push; settling it, setting
 * a flag. A timer per operation (set, then cleared on its answer) cost a few µs of each memcached
 * hit.
 */
export class Deadlines {
  private readonly queue: Pending[] = [];
  private head = 0;
  private timer: NodeJS.Timeout | undefined;

  /**
   * @param ms milliseconds an operation may take.
   * @param keepAlive whether a pending deadline keeps the process running (it does not once
   *   {@link idle} is called, until the next `start`). Default: false.
   */
  constructor(
    private readonly ms: number,
    private readonly keepAlive = false,
  ) {}

  /**
   * Starts the clock for one operation: `expire()` is called once its time is up, unless the
   * caller has set `settled` on the returned handle first (which it must do when it completes).
   */
  start(expire: () => void): Deadline {
    const pending: Pending = { deadline: Date.now() + this.ms, settled: false, expire };
    this.skipSettled();
    this.queue.push(pending);
    if (this.timer === undefined) {
      this.timer = setTimeout(() => this.sweep(), this.ms);
      if (!this.keepAlive) this.timer.unref();
    } else if (this.keepAlive && !this.timer.hasRef()) {
      this.timer.ref();
    }
    return pending;
  }

  /** Nothing is pending any more: a timer still armed no longer keeps the process running. */
  idle(): void {
    this.timer?.unref();
  }

  /** Forgets every pending deadline and stops the timer. */
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
    // An expire() that started another operation armed a timer for it; the oldest pending one is due first.
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.head < this.queue.length) {
      this.timer = setTimeout(() => this.sweep(), this.queue[this.head].deadline - now);
      if (!this.keepAlive) this.timer.unref();
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

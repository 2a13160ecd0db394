/**
 * The parts of a memjs 1.3 `Server` that {@link RequestTimer} works on: `write()` sends a request
 * and pushes its deadline (ms on memjs's monotonic clock) onto `requestTimeouts`, oldest first;
 * each answer shifts one off; `error()` fails every waiting request and drops the connection.
 */
export interface MemjsTimedServer {
  requestTimeouts: number[];
  write(blob: Buffer): void;
  error(reason: unknown): void;
}

/**
 * Gives memjs 1.3 a real per-request timeout.
 *
 * memjs checks its deadlines from `socket.setTimeout()`, an *idle* timer that every write resets.
 * Under steady load to a hung (e.g. SIGSTOPed) server the kernel keeps accepting the writes, so
 * the timer never fires: requests pile up unanswered, and the store only learns of the failure from
 * its own, much later, backstop deadline. This timer checks the oldest request's deadline on time,
 * whatever the traffic, and fails the connection as memjs's own timeout would, so memjs retries
 * (on another server, when the store has left this one out) and the store fails over at once.
 */
export class RequestTimer {
  private readonly timers = new Map<MemjsTimedServer, NodeJS.Timeout>();

  /** @param timeoutMs milliseconds a request may wait for its answer (memjs's `timeout`). */
  constructor(private readonly timeoutMs: number) {}

  /** Installs the timer on one memjs server. */
  watch(server: MemjsTimedServer): void {
    const write = server.write;
    server.write = (blob) => {
      write.call(server, blob);
      if (!this.timers.has(server)) this.arm(server, this.timeoutMs);
    };
  }

  /** Stops every timer (when the client is closed). */
  stop(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  private arm(server: MemjsTimedServer, ms: number): void {
    const timer = setTimeout(() => this.check(server), Math.max(1, ms));
    // Never what keeps a process alive: the store's close() stops it, and an idle server needs none.
    timer.unref();
    this.timers.set(server, timer);
  }

  private check(server: MemjsTimedServer): void {
    this.timers.delete(server);
    // Deadlines are pushed in order, so the first one is the oldest request still waiting.
    const oldest = server.requestTimeouts[0];
    if (oldest === undefined) return;
    const now = memjsNow();
    if (oldest <= now) {
      server.error(new Error('socket timed out waiting on response.'));
      return;
    }
    this.arm(server, oldest - now);
  }
}

/** memjs's clock for request deadlines: monotonic milliseconds (its `utils.timestamp()`). */
function memjsNow(): number {
  const [seconds, nanoseconds] = process.hrtime();
  return seconds * 1_000 + Math.round(nanoseconds / 1_000_000);
}

import type { Socket } from 'node:net';
import { Deadlines, type Deadline } from '../../deadlines.js';

/**
 * The parts of a memjs 1.3 `Server` that {@link RequestDeadlines} works on: `write()` sends a
 * request once `sock()` has a connected socket; `respond()` hands an answer to the callback
 * registered under its `opaque` in `responseCallbacks` (answers come in the order of the
 * requests); `error()` fails every waiting request and drops the connection.
 */
export interface MemjsTimedServer {
  responseCallbacks: Record<number, { quiet?: boolean } | undefined>;
  sock(sasl: boolean, go: (socket: Socket) => void): void;
  write(blob: Buffer): void;
  respond(response: { header: { opaque: number; totalBodyLength: number } }): void;
  error(reason: unknown): void;
}

/** memjs's own message for a request that timed out: the store recognises a hung server by it. */
const TIMED_OUT = 'socket timed out waiting on response.';

/**
 * Gives every memjs 1.3 request a real time-out, at the cost of one entry in a shared deadline
 * queue (one timer for all requests of all servers; see deadlines.ts).
 *
 * memjs times requests with `socket.setTimeout()`, an *idle* timer that every write and read
 * refreshes: under steady load to a hung (e.g. SIGSTOPed) server the kernel keeps accepting the
 * writes, so it never fires and requests pile up unanswered. This replaces memjs's `write()`:
 * a request's deadline starts when it is written to the connected socket, as memjs's did, and
 * when the oldest request still waiting on a server passes it, the connection fails as memjs's
 * own time-out would fail it (every request waiting on it, with memjs's message), so the store
 * leaves the server out at once and retries elsewhere. memjs's socket timer then runs only while
 * connecting (its `conntimeout`), never per request.
 */
export class RequestDeadlines {
  private readonly deadlines: Deadlines;

  /** @param timeoutMs milliseconds a request may wait for its answer (memjs's `timeout`). */
  constructor(timeoutMs: number) {
    this.deadlines = new Deadlines(timeoutMs);
  }

  /** Takes over the request timing of one memjs server. */
  watch(server: MemjsTimedServer): void {
    /** Deadlines of the requests written on the current connection, oldest first. */
    const waiting: Deadline[] = [];
    const timedOut = () => server.error(new Error(TIMED_OUT));
    const deadlines = this.deadlines;
    const started = (socket: Socket, blob: Buffer) => {
      // Queued first: a write that fails at once fails the connection, which settles it.
      waiting.push(deadlines.start(timedOut));
      socket.write(blob);
    };
    server.write = (blob) => server.sock(false, (socket) => started(socket, blob));
    const respond = server.respond;
    server.respond = (response) => {
      // memjs retires a request (its own `requestTimeouts.shift()`) exactly when this holds.
      const callback = server.responseCallbacks[response.header.opaque];
      if (callback !== undefined && (!callback.quiet || response.header.totalBodyLength === 0)) {
        const oldest = waiting.shift();
        if (oldest !== undefined) oldest.settled = true;
      }
      respond.call(server, response);
    };
    const error = server.error;
    server.error = (reason) => {
      for (const deadline of waiting) deadline.settled = true;
      waiting.length = 0;
      error.call(server, reason);
    };
  }

  /** Forgets every deadline and stops the timer (when the client is closed). */
  stop(): void {
    this.deadlines.clear();
  }
}

import type { Socket } from 'node:net';
import { corkWritesPerTick } from './socket-corking.js';

/**
 * The parts of a memjs 1.3 `Server` that {@link SocketGuard} works on. memjs keeps one socket per
 * server in `_socket`, feeds every chunk it reads into one `responseBuffer`, and fails requests
 * through `error()`.
 */
export interface MemjsServerInternals {
  _socket?: Socket;
  responseBuffer: Buffer;
  responseCallbacks: Record<number, unknown>;
  sock(sasl: boolean, go: (socket: Socket) => void): void;
  error(reason: unknown): void;
}

/** Events memjs listens to on its sockets. */
const MEMJS_EVENTS = new Set<string | symbol>(['connect', 'data', 'error', 'close', 'timeout']);

/**
 * Repairs memjs 1.3's handling of replaced connections, which otherwise hangs requests and keeps
 * sockets open, and tracks every socket so that they can all be destroyed on close.
 *
 * memjs gives up on a socket that timed out with `end()` (not `destroy()`), and its listeners stay
 * attached to that old socket while they act on whatever socket is current. When the old socket
 * finally closes — e.g. when a SIGSTOPed server resumes — its `close` listener clears the *new*
 * socket and cancels its timeout, so the requests waiting on it never settle; its late `data` is
 * mixed into the new connection's byte stream; and a half-closed socket to a dead host may never
 * close at all. Also, a connection that the server closes while requests wait on it leaves them
 * without a timeout. The guard:
 * - ignores every memjs event of a socket that is no longer the server's current one, and
 *   destroys such sockets as soon as memjs abandons them;
 * - starts each new connection with an empty response buffer;
 * - fails the waiting requests (memjs then retries them) when the current connection closes.
 * It also batches each socket's writes per tick ({@link corkWritesPerTick}).
 */
export class SocketGuard {
  private readonly sockets = new Map<Socket, MemjsServerInternals>();
  /** Resolves when each adopted socket has emitted `close` (its handle is released). */
  private readonly closed = new WeakMap<Socket, Promise<void>>();

  /**
   * Installs the guard on one memjs server. `onFailure` hears every failure memjs reports on the
   * server's connection (refused, reset, timed out, closed), as it happens: before memjs retries
   * the requests it failed, so a caller can steer those retries elsewhere.
   */
  watch(server: MemjsServerInternals, onFailure?: (reason: unknown) => void): void {
    const sock = server.sock;
    const error = server.error;
    server.sock = (sasl, go) => {
      const before = server._socket;
      sock.call(server, sasl, go);
      const created = server._socket;
      if (created && created !== before) this.adopt(server, created);
    };
    server.error = (reason) => {
      onFailure?.(reason);
      error.call(server, reason);
      this.destroyAbandoned(server);
    };
  }

  /**
   * Destroys every socket still open and resolves once their handles are released, so a closed
   * store leaves nothing behind. Call when no request is in flight.
   */
  async destroyAll(): Promise<void> {
    const closing = [...this.sockets.keys()].map((socket) => {
      socket.destroy();
      return this.closed.get(socket);
    });
    this.sockets.clear();
    await Promise.all(closing);
  }

  /** How many sockets are open (for tests and stats). */
  get openSockets(): number {
    return this.sockets.size;
  }

  private adopt(server: MemjsServerInternals, socket: Socket): void {
    server.responseBuffer = Buffer.alloc(0);
    this.sockets.set(socket, server);
    corkWritesPerTick(socket);
    let markClosed!: () => void;
    this.closed.set(socket, new Promise<void>((resolve) => (markClosed = resolve)));
    const emit = socket.emit as (this: Socket, event: string | symbol, ...args: unknown[]) => boolean;
    const guard = this;
    socket.emit = function guardedEmit(this: Socket, event: string | symbol, ...args: unknown[]): boolean {
      if (event === 'close') {
        guard.sockets.delete(socket);
        markClosed();
      }
      if (!MEMJS_EVENTS.has(event)) return emit.call(this, event, ...args);
      if (server._socket !== socket) {
        socket.destroy();
        return false;
      }
      const waiting = event === 'close' && Object.keys(server.responseCallbacks).length > 0;
      const handled = emit.call(this, event, ...args);
      if (waiting) server.error(new Error('connection closed by the server'));
      return handled;
    } as Socket['emit'];
  }

  private destroyAbandoned(server: MemjsServerInternals): void {
    for (const [socket, owner] of this.sockets) {
      if (owner === server && socket !== server._socket) {
        socket.destroy();
        this.sockets.delete(socket);
      }
    }
  }
}

import memjs from 'memjs';
import type { Client } from 'memjs';
import type { ServerAddress } from './server-address.js';
import { type MemjsServerInternals, SocketGuard } from './memjs-guard.js';
import { installLeanGet } from './memjs-lean-get.js';
import { type MemjsTimedServer, RequestDeadlines } from './memjs-request-deadlines.js';

/** Options of {@link createMemjsClient}. */
export interface MemjsClientOptions {
  servers: readonly ServerAddress[];
  username?: string;
  password?: string;
  /** Milliseconds memjs waits for a connection, and then for each response. */
  timeoutMs: number;
  /** Attempts per operation (memjs's `retries`; 1 = no retry). */
  attempts: number;
  /** Milliseconds between attempts. */
  retryDelayMs: number;
  /** Receives memjs's log lines (instead of `console`). */
  log(message: string): void;
  /** Index in `servers` of the server for a memcached key (the hash ring). */
  route(key: string): number;
  /**
   * Told when the connection to `servers[index]` fails (refused, reset, timed out), before
   * memjs retries the requests that were waiting on it. Default: nothing.
   */
  onConnectionFailure?(index: number, reason: unknown): void;
}

/** A memjs client and the means to close all of its connections. */
export interface MemjsConnection {
  client: Client;
  /**
   * Destroys every socket at once. Unlike memjs's `quit()`/`close()`, this does not wait for a
   * server that may be stopped or unreachable to answer, so nothing keeps the process alive.
   * Call it only when no operation is in flight (their callbacks would not fire).
   */
  destroy(): Promise<void>;
}

/**
 * A memjs client on `servers`, routed by `route` instead of memjs's modulo, with memjs's own
 * failover off (the store fails over along the ring itself), its console logging redirected, and
 * its connection handling repaired by a {@link SocketGuard}, its requests timed by
 * {@link RequestDeadlines}, and its `get` built in one buffer ({@link installLeanGet}).
 */
export function createMemjsClient(options: MemjsClientOptions): MemjsConnection {
  const guard = new SocketGuard();
  const timer = new RequestDeadlines(options.timeoutMs);
  const seconds = options.timeoutMs / 1_000;
  const servers = options.servers.map((server, index) => {
    // `timeout` is read only by memjs's write(), which RequestDeadlines replaces with the same length.
    const created = new memjs.Server(server.host, server.port, options.username, options.password, {
      timeout: seconds,
      conntimeout: seconds,
    });
    // memjs falls back to MEMCACHIER_*/MEMCACHE_* environment credentials; the region's own
    // options are the only source here, so an unrelated variable cannot switch SASL on.
    const internals = created as unknown as { username?: string; password?: string };
    internals.username = options.username;
    internals.password = options.password;
    guard.watch(created as unknown as MemjsServerInternals, (reason) => options.onConnectionFailure?.(index, reason));
    timer.watch(created as unknown as MemjsTimedServer);
    return created;
  });
  const client = new memjs.Client(servers, {
    retries: options.attempts,
    retry_delay: options.retryDelayMs / 1_000,
    failover: false,
    logger: { log: (...parts: unknown[]) => options.log(parts.map(String).join(' ')) },
  });
  // memjs calls getServer(key) for every attempt and expects an index into `servers`
  // (its typings say string).
  (client as unknown as { getServer(key: string): number }).getServer = options.route;
  installLeanGet(client);
  return {
    client,
    destroy: () => {
      timer.stop();
      return guard.destroyAll();
    },
  };
}

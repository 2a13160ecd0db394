import type { Client } from 'memjs';
import { StoreValueTooLargeError } from '../cache-store.js';
import { MEMCACHED_SIZE_REMEDY } from './entry-codec.js';
import { HashRing } from './hash-ring.js';
import { createMemjsClient, type MemjsConnection } from './memjs-client.js';
import type { ServerAddress } from './server-address.js';
import { routeKey, ServerStates, type Route, type RoutePlan } from './server-routing.js';

/**
 * Milliseconds a failed server is left out (reads and fills of its keys go to their fallback,
 * everything else fails at once) before it is tried again. Also the longest time two processes
 * disagree about where a key is read after its server returns.
 */
export const MEMCACHED_FAILOVER_MS = 5_000;
/** Milliseconds between two attempts of one operation. */
const RETRY_DELAY_MS = 100;

/** memjs's callback: an error, or the result. */
export type Done<T> = (error: unknown, result?: T) => void;

/** Sends one memjs command for `cacheKey` on `client`; `route` says where this attempt goes. */
export type Send<T> = (client: Client, cacheKey: string, done: Done<T>, route: Route) => void;

/** memjs `get`: the item's bytes, or `null` when there is none. */
export const GET: Send<Buffer | null> = (client, cacheKey, done) => client.get(cacheKey, done);
/** memjs `delete`: `true` when the key was there. */
export const DELETE: Send<boolean | null> = (client, cacheKey, done) => client.delete(cacheKey, done);

/** The reason of an operation that no server could take: nothing was sent. */
const NOT_SENT = Symbol('not sent');

/**
 * Whether memjs failed a request in transport (refused, reset, timed out, no answer) rather than
 * with an answer from memcached (its errors start with "MemJS ").
 */
function isTransportFailure(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return !message.startsWith('MemJS ');
}

/** Options of a {@link CommandRouter}. */
export interface CommandRouterOptions {
  /** The region served, for messages. */
  region: string;
  /** The servers, validated (see server-address.ts). */
  servers: readonly ServerAddress[];
  username?: string;
  password?: string;
  /** Milliseconds to connect, then to get each answer, before an attempt fails. */
  timeoutMs: number;
  /** Attempts per operation; 1 = no retry. */
  retries: number;
  /** Largest item the region sends, for the message of a server that refuses one as too large. */
  maxValueBytes: number;
  /** Life of a failover copy in ms, for the message of a server's outage. */
  failoverTtlMs: number;
  /** Where outages and memjs's own lines are told. */
  warn(message: string): void;
}

/**
 * The store's memcached connection: sends each command to the server its route plan allows (see
 * server-routing.ts), retries transport failures, keeps track of which servers are out, and turns
 * every failure into an Error naming the operation, the region and the server.
 */
export class CommandRouter {
  /** The servers, in the order configured; routes index into this list. */
  readonly servers: readonly ServerAddress[];
  /** The hash ring over the servers' names. */
  readonly ring: HashRing;
  /**
   * Upper bound, in ms, of one memcached round trip including retries:
   * attempts × 2 × timeoutMs (connect, then answer) + the delays between attempts.
   */
  readonly maxOperationMs: number;

  private readonly region: string;
  private readonly warn: (message: string) => void;
  private readonly connection: MemjsConnection;
  private readonly maxValueBytes: number;
  private readonly failoverTtlMs: number;
  /** Which servers this process sees failing, and since when. */
  private readonly states: ServerStates;
  /** Attempts per operation (the router retries; memjs makes one attempt per call). */
  private readonly attempts: number;
  /** The server of the request being sent: memjs asks for it synchronously while sending. */
  private pinned = 0;
  private inFlight = 0;
  private onDrained: (() => void) | undefined;
  private closing: Promise<void> | undefined;

  constructor(options: CommandRouterOptions) {
    this.region = options.region;
    this.warn = options.warn;
    this.servers = options.servers;
    this.ring = new HashRing(this.servers.map((server) => server.name));
    this.states = new ServerStates(this.servers.length, MEMCACHED_FAILOVER_MS);
    this.maxValueBytes = options.maxValueBytes;
    this.failoverTtlMs = options.failoverTtlMs;
    const attempts = Math.max(1, Math.floor(options.retries));
    this.attempts = attempts;
    // memjs settles every attempt within 2 × timeoutMs: its connect time-out, then the request's
    // deadline (memjs-request-deadlines.ts), which is the only timer an attempt adds.
    this.maxOperationMs = attempts * 2 * options.timeoutMs + (attempts - 1) * RETRY_DELAY_MS;
    this.connection = createMemjsClient({
      servers: this.servers,
      username: options.username,
      password: options.password,
      timeoutMs: options.timeoutMs,
      // The router retries, routing each attempt itself (a retry may not follow memjs's choice).
      attempts: 1,
      retryDelayMs: RETRY_DELAY_MS,
      log: (line) => this.warn(`memcached region "${this.region}": ${line}`),
      route: () => this.pinned,
      // A server that does not answer in time is left out at its first time-out, so that the retry
      // of the requests it failed, and every new request, go where its keys may (another try would
      // cost another timeoutMs). A refused connection costs nothing to retry: that server is left
      // out once the retries have failed too.
      onConnectionFailure: (index, reason) => {
        const message = reason instanceof Error ? reason.message : String(reason);
        if (/timed out/i.test(message)) this.serverFailed(index, message);
      },
    });
  }

  /**
   * Sends one memjs command for `cacheKey` (callback style: one promise per call), routing each
   * attempt by `plan` (see server-routing.ts) and retrying transport failures after
   * {@link RETRY_DELAY_MS}; counts it in flight so `close()` can wait for it, and turns a failure
   * into an Error naming the operation, the region and the server. Nothing is sent when no server
   * may take the request. memjs answers each attempt once, within its time-outs.
   *
   * @param valueBytes the size of the item sent, for the error of a server that refuses it as too large.
   * @param map turns memjs's answer into the result as it arrives (a hit is decoded without
   *   another promise); what it throws rejects the call.
   */
  call<T, R = T>(
    op: string,
    cacheKey: string,
    plan: RoutePlan,
    send: Send<T>,
    valueBytes?: number,
    map?: (answer: T, cacheKey: string) => R,
  ): Promise<R> {
    if (this.closing) {
      return Promise.reject(new Error(`memcached region "${this.region}": the store is closed; ${op} was not sent.`));
    }
    return new Promise<R>((resolve, reject) => {
      let attempt = 0;
      let route: Route | undefined;
      let settled = false;
      const done: Done<T> = (error, answer) => {
        if (settled) return;
        if (error && error !== NOT_SENT && attempt < this.attempts && isTransportFailure(error) && !this.closing) {
          setTimeout(sendOnce, RETRY_DELAY_MS);
          return;
        }
        settled = true;
        if (--this.inFlight === 0) this.onDrained?.();
        if (error) {
          reject(this.failure(op, cacheKey, plan, route, error, valueBytes));
          return;
        }
        this.states.answered(route!.server);
        if (map === undefined) {
          resolve(answer as R);
          return;
        }
        try {
          resolve(map(answer as T, cacheKey));
        } catch (mapError) {
          reject(mapError);
        }
      };
      const sendOnce = () => {
        route = routeKey(this.ring, this.states, cacheKey, plan);
        if (route === undefined) {
          done(NOT_SENT);
          return;
        }
        attempt++;
        this.pinned = route.server;
        try {
          send(this.connection.client, cacheKey, done, route);
        } catch (error) {
          done(error);
        }
      };
      this.inFlight++;
      sendOnce();
    });
  }

  /**
   * Servers out of the ring after failures, or (a lone server included) whose last request failed
   * in transport and that have not answered since.
   */
  downCount(): number {
    return this.states.downCount();
  }

  /**
   * Waits for operations in flight to settle (at most {@link maxOperationMs} + 1 s), then destroys
   * every connection. Later calls reject.
   */
  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private failure(
    op: string,
    cacheKey: string,
    plan: RoutePlan,
    route: Route | undefined,
    reason: unknown,
    valueBytes: number | undefined,
  ): Error {
    if (reason === NOT_SENT || route === undefined) return this.notSent(op, cacheKey, plan);
    const serverIndex = route.server;
    const server = this.servers[serverIndex];
    const message = reason instanceof Error ? reason.message : String(reason);
    if (valueBytes !== undefined && message.endsWith('Value too large')) {
      const error = new StoreValueTooLargeError(valueBytes, this.maxValueBytes, MEMCACHED_SIZE_REMEDY);
      error.message =
        `value of ${valueBytes} bytes was refused by memcached ${server.name} as too large: its item ` +
        `size limit (memcached -I) is below the region's maxValueBytes (${this.maxValueBytes}); ` +
        'lower maxValueBytes or raise -I.';
      return error;
    }
    let hint = '';
    if (/authentication/i.test(message)) {
      hint = ' Check the region options "username" and "password" (SASL).';
    } else if (isTransportFailure(reason)) {
      // Not an answer from memcached but a transport failure: refused, reset, or timed out.
      this.serverFailed(serverIndex, message);
    } else {
      this.states.answered(serverIndex);
    }
    const what = message.replace(/\.$/, '');
    return new Error(`memcached ${op} failed for region "${this.region}" on ${server.name}: ${what}.${hint}`, {
      cause: reason,
    });
  }

  /** The error of an operation that no server could take (see server-routing.ts). */
  private notSent(op: string, cacheKey: string, plan: RoutePlan): Error {
    const owner = this.servers[this.ring.lookup(cacheKey)].name;
    const fallback = this.servers[this.ring.fallback(cacheKey)].name;
    const why =
      plan === 'fallback'
        ? `the key's fallback server ${fallback} is out`
        : `its key's server ${owner} and the fallback ${fallback} are both out`;
    return new Error(`memcached ${op} for region "${this.region}" was not sent: ${why}.`);
  }

  /** Records a transport failure of a server; logs the start of an outage. */
  private serverFailed(serverIndex: number, message: string): void {
    // A lone server has nowhere to fail over to: it is counted down, and every call still tries it.
    const leaveOut = this.servers.length > 1;
    if (!this.states.failed(serverIndex, leaveOut)) return;
    this.warn(
      `memcached region "${this.region}": server ${this.servers[serverIndex].name} failed (${message})` +
        (leaveOut
          ? `; for ${MEMCACHED_FAILOVER_MS / 1_000} s at a time, reads of its keys go to the next server, misses are stored there for at most ${this.failoverTtlMs} ms, and writes, deletes and locks of its keys fail, until it answers again.`
          : '.'),
    );
  }

  private async shutDown(): Promise<void> {
    if (this.inFlight > 0) {
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.onDrained = undefined;
          resolve();
        };
        const timer = setTimeout(done, this.maxOperationMs + 1_000);
        this.onDrained = done;
      });
    }
    await this.connection.destroy();
  }
}

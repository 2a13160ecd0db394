import type { Redis, RedisOptions } from 'ioredis';
import { loadRedisClass } from './client-package.js';
import type { RedisAddress } from './redis-url.js';

/** Options of a {@link RedisConnection}. */
export interface RedisConnectionOptions {
  /** The region served, for messages and the connection's name in `CLIENT LIST`. */
  region: string;
  address: RedisAddress;
  /** Milliseconds to connect, and for each command's answer. */
  timeoutMs: number;
  /** Told when the connection fails (the caller rate-limits). */
  warn(message: string): void;
}

/** Longest pause between reconnection attempts, in ms: caching resumes soon after Redis is back. */
const MAX_RECONNECT_DELAY_MS = 1_000;
/**
 * Milliseconds a connection may stay silent while commands wait before it is dropped and made
 * again: a half-open connection to a host that vanished would otherwise time out every command
 * until TCP keep-alive gives up, minutes later. Long enough not to churn through a short hang.
 */
const DEAD_CONNECTION_MS = 10_000;

/**
 * One region's connection to Redis (ioredis), loaded and opened when the store is made, with the
 * failure behaviour a cache needs:
 *
 * - no offline queue: while the connection is down a command fails at once, it never waits for
 *   a reconnection (the region's breaker then stops calling);
 * - every command fails after `timeoutMs` without an answer, also one already sent to a hung
 *   server; its late answer is ignored;
 * - commands in flight when a connection drops fail, they are never resent on the next one;
 * - reconnection attempts every 100 ms to 1 s, for as long as the store is open.
 *
 * Only the very first commands wait, at most `timeoutMs`, for the first connection to be made.
 */
export class RedisConnection {
  readonly #options: RedisConnectionOptions;
  readonly #opening: Promise<Redis>;
  #client: Redis | undefined;
  /** Settles when the first connection attempt succeeded or failed. */
  #firstAttempt: Promise<void> | undefined;
  #firstAttemptSettled = false;
  #closing: Promise<void> | undefined;

  constructor(options: RedisConnectionOptions) {
    this.#options = options;
    this.#opening = this.#open();
    // Failures are reported to the commands that wait for it (and by the client's error events).
    this.#opening.catch(() => undefined);
  }

  /** Whether the connection is open and ready (a hung server may still not answer: see ping). */
  get connected(): boolean {
    return this.#closing === undefined && this.#client?.status === 'ready';
  }

  /**
   * Runs `command` on the client. Rejects at once when the connection is down or the store is
   * closed, and after at most 2 × `timeoutMs` otherwise (a wait for the first connection, then the
   * command's own time-out).
   */
  run<T>(command: (client: Redis) => Promise<T>): Promise<T> {
    const client = this.#client;
    // The common case, without an extra tick: a hit is one command and one decoding.
    if (client !== undefined && client.status === 'ready' && this.#closing === undefined) return command(client);
    return this.#runOnceOpen(command);
  }

  /**
   * Sends QUIT after the commands in flight (waiting at most `timeoutMs` for its answer), then
   * drops the connection and stops reconnecting. Later commands reject.
   */
  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  async #open(): Promise<Redis> {
    const Redis = await loadRedisClass();
    const { region, address, timeoutMs } = this.#options;
    const options: RedisOptions = {
      host: address.host,
      port: address.port,
      db: address.db,
      username: address.username,
      password: address.password,
      connectionName: `nest-cache-regions:${region}`,
      lazyConnect: true,
      connectTimeout: timeoutMs,
      commandTimeout: timeoutMs,
      socketTimeout: Math.max(DEAD_CONNECTION_MS, 2 * timeoutMs),
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      retryStrategy: (attempt) => Math.min(100 * attempt, MAX_RECONNECT_DELAY_MS),
    };
    const client = new Redis(options);
    // Without a listener, an 'error' event would crash the process.
    client.on('error', (error: Error) =>
      this.#options.warn(
        `redis region "${region}": ${address.shown}: ${error.message}; its calls run uncached until Redis answers again.`,
      ),
    );
    this.#client = client;
    if (this.#closing === undefined) {
      this.#firstAttempt = client.connect().then(
        () => undefined,
        () => undefined,
      );
      void this.#firstAttempt.then(() => (this.#firstAttemptSettled = true));
    }
    return client;
  }

  async #runOnceOpen<T>(command: (client: Redis) => Promise<T>): Promise<T> {
    if (this.#closing !== undefined) throw new Error(`redis region "${this.#options.region}": the store is closed`);
    const client = await this.#opening;
    if (client.status !== 'ready' && !this.#firstAttemptSettled && this.#firstAttempt !== undefined) {
      await within(this.#firstAttempt, this.#options.timeoutMs);
    }
    if (this.#closing !== undefined) throw new Error(`redis region "${this.#options.region}": the store is closed`);
    // Not ready: ioredis rejects at once ("Stream isn't writeable…"), as no offline queue is kept.
    return command(client);
  }

  async #shutdown(): Promise<void> {
    let client: Redis;
    try {
      client = await this.#opening;
    } catch {
      return;
    }
    if (client.status === 'ready') await client.quit().catch(() => undefined);
    client.disconnect();
  }
}

/** Resolves when `promise` settles or after `ms`, whichever comes first. */
function within(promise: Promise<void>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    void promise.then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

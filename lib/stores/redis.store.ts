import type { CacheStore, StoreContext, StoreEntry, StoreKeyLimits } from './cache-store.js';
import { checkClientInstalled } from './redis/client-package.js';
import { RedisEntryCodec } from './redis/entry-codec.js';
import { REDIS_MAX_KEY_BYTES, redisKey, regionKeyPattern } from './redis/key-layout.js';
import { RedisConnection } from './redis/redis-connection.js';
import { parseRedisUrls } from './redis/redis-url.js';

/** Options of a {@link RedisStore}, already validated and with the region's defaults applied. */
export interface RedisStoreOptions {
  /**
   * `redis://[[user]:password@]host[:port][/db]` (port default 6379, db default 0), or a list of
   * one such url. Several nodes (Redis Cluster) are refused for now.
   */
  url: string | readonly string[];
  /** Milliseconds to connect, then to get each answer, before an operation fails. Region default: 500. */
  timeoutMs: number;
  /** Largest value stored, in bytes (encoded value plus an 18-byte header). Region default: 1 MiB. */
  maxValueBytes: number;
}

/** Keys a `clear()` asks for per `SCAN` step (a hint to Redis, which may return more or fewer). */
const CLEAR_SCAN_COUNT = 1_000;

/**
 * A region's store on one Redis server (the `ioredis` client, an optional peer dependency: loaded
 * when the store is made, which fails with a `CacheConfigError` naming the package when it is not
 * installed).
 *
 * - Keys are `<namespace>|<key>`: two regions or apps on one Redis never see each other's entries.
 * - Values keep their types (the shared codec) behind a format marker; bytes another client wrote
 *   under our keys read as misses. Redis expires entries to the millisecond (`PX`).
 * - `clear()` deletes this region's keys (`SCAN` + `UNLINK`), so every process misses them as soon
 *   as it resolves and Redis gets their memory back at once: with Redis's default `noeviction`
 *   policy, entries orphaned by a generation counter would fill it until their ttl.
 * - `add()` is `SET NX PX`: `lock: true` takes a real lock.
 * - Every operation settles: it rejects at once while Redis is unreachable (no command waits for a
 *   reconnection) and after at most {@link maxOperationMs} when it hangs.
 */
export class RedisStore implements CacheStore {
  /** Always `'redis'`. */
  readonly kind = 'redis';
  /** 1,024 bytes of store key after the region's prefix; any character (Redis keys are binary-safe). */
  readonly keyLimits: StoreKeyLimits = {
    maxBytes: REDIS_MAX_KEY_BYTES,
    explain: `the redis store's ${REDIS_MAX_KEY_BYTES}-byte key limit (Redis takes longer keys, but keeps and hashes every byte)`,
  };
  /**
   * Upper bound, in ms, of one operation but `clear()` (which takes one such bound per step):
   * 2 × timeoutMs, a wait for the first connection and the command's own time-out.
   */
  readonly maxOperationMs: number;

  readonly #region: string;
  readonly #namespace: string;
  readonly #maxValueBytes: number;
  readonly #codec: RedisEntryCodec;
  readonly #connection: RedisConnection;

  /**
   * @param options validated options (see {@link RedisStoreOptions}).
   * @param context the region this store serves; `namespace` must be unique per app and region.
   * @throws CacheConfigError for an invalid url, several urls, or when `ioredis` is not installed.
   */
  constructor(options: RedisStoreOptions, context: StoreContext) {
    const region = context.region;
    const where = `region "${region}"`;
    const [address] = parseRedisUrls(options.url, `${where} option "url"`);
    checkClientInstalled(where);
    const warn = (message: string) => context.warn?.(message);
    this.#region = region;
    this.#namespace = context.namespace;
    this.#maxValueBytes = options.maxValueBytes;
    this.maxOperationMs = 2 * options.timeoutMs;
    this.#codec = new RedisEntryCodec(region, options.maxValueBytes, warn);
    this.#connection = new RedisConnection({ region, address, timeoutMs: options.timeoutMs, warn });
  }

  /** The entry, or `undefined` when missing, expired, or not written by this store (another type included). */
  get(key: string): Promise<StoreEntry | undefined> {
    // Not async: a hit is one command and one decoding, no extra tick.
    let cacheKey: string;
    try {
      cacheKey = this.#keyFor(key);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#connection.run((client) => client.getBuffer(cacheKey)).then(
      (bytes) => this.#codec.decode(bytes, cacheKey),
      (error: unknown) => {
        // Another client's list or hash under our key: foreign data, a miss like foreign bytes.
        if (error instanceof Error && error.message.startsWith('WRONGTYPE')) return this.#codec.decode(Buffer.alloc(0), cacheKey);
        throw error;
      },
    );
  }

  /**
   * Stores the entry, to expire at its `expiresAt` (an `expiresAt` already past deletes the key
   * instead). Throws {@link StoreValueTooLargeError} before sending when the encoded value exceeds
   * `maxValueBytes`.
   */
  async set(key: string, entry: StoreEntry): Promise<void> {
    const now = Date.now();
    if (entry.expiresAt !== 0 && entry.expiresAt <= now) {
      await this.delete(key);
      return;
    }
    const cacheKey = this.#keyFor(key);
    const bytes = this.#codec.encode(entry);
    await this.#connection.run((client) =>
      entry.expiresAt === 0 ? client.set(cacheKey, bytes) : client.set(cacheKey, bytes, 'PX', remainingMs(entry, now)),
    );
  }

  /**
   * Stores the entry only when the key holds none (`SET NX PX`); `true` when this call stored it.
   * A lock request sent to a hung server is applied when it resumes, with its whole ttl from then:
   * the region releases such a lock as soon as Redis answers again.
   */
  async add(key: string, entry: StoreEntry): Promise<boolean> {
    const now = Date.now();
    if (entry.expiresAt !== 0 && entry.expiresAt <= now) return false;
    const cacheKey = this.#keyFor(key);
    const bytes = this.#codec.encode(entry);
    const stored = await this.#connection.run((client) =>
      entry.expiresAt === 0
        ? client.set(cacheKey, bytes, 'NX')
        : client.set(cacheKey, bytes, 'PX', remainingMs(entry, now), 'NX'),
    );
    return stored === 'OK';
  }

  /** Removes the key (`UNLINK`: Redis frees a large value in the background); `true` when it was there. */
  async delete(key: string): Promise<boolean> {
    const cacheKey = this.#keyFor(key);
    return (await this.#connection.run((client) => client.unlink(cacheKey))) > 0;
  }

  /** Whether a live entry of this store's format is there (one `GET`: foreign bytes are no entry). */
  async has(key: string): Promise<boolean> {
    return (await this.get(key)) !== undefined;
  }

  /**
   * Deletes every key of this region, and only of it: `SCAN` for the region's prefix, `UNLINK` of
   * each batch found. Every process misses the region's old entries once it resolves; an entry
   * written while it runs may survive it. Takes a step per 1,000 keys of the whole database (SCAN
   * walks them all), each bounded by `timeoutMs`; Redis serves other commands between steps.
   */
  async clear(): Promise<void> {
    const pattern = regionKeyPattern(this.#namespace);
    let cursor = '0';
    do {
      const [next, keys] = await this.#connection.run((client) =>
        client.scanBuffer(cursor, 'MATCH', pattern, 'COUNT', CLEAR_SCAN_COUNT),
      );
      if (keys.length > 0) await this.#connection.run((client) => client.unlink(...keys));
      cursor = next.toString();
    } while (cursor !== '0');
  }

  /** A `PING`: rejects when Redis is unreachable or does not answer within `timeoutMs`. */
  async ping(): Promise<void> {
    await this.#connection.run((client) => client.ping());
  }

  /**
   * Whether the connection is open and ready (1) or not (0) — a hung server still counts as
   * connected: its operations time out, and `ping()` fails — and `maxValueBytes`.
   */
  describe(): Record<string, number> {
    return { connected: this.#connection.connected ? 1 : 0, maxValueBytes: this.#maxValueBytes };
  }

  /**
   * Waits for the commands in flight (at most `timeoutMs`), then closes the connection and stops
   * reconnecting. Later calls reject. No socket or timer of this store remains afterwards.
   */
  close(): Promise<void> {
    return this.#connection.close();
  }

  /** The Redis key that `key` maps to. For debugging and tests. */
  cacheKey(key: string): string {
    return this.#keyFor(key);
  }

  #keyFor(key: string): string {
    // A UTF-16 code unit takes at most 3 UTF-8 bytes: short keys need no byte count.
    const bytes = key.length * 3 <= REDIS_MAX_KEY_BYTES ? 0 : Buffer.byteLength(key);
    if (bytes > REDIS_MAX_KEY_BYTES) {
      throw new RangeError(
        `redis region "${this.#region}": key of ${bytes} bytes exceeds the store's limit of ` +
          `${REDIS_MAX_KEY_BYTES} bytes (${this.keyLimits.explain}); keys must be fitted to keyLimits first.`,
      );
    }
    return redisKey(this.#namespace, key);
  }
}

/** Milliseconds until `entry` expires, for `PX`, which takes a positive integer. */
function remainingMs(entry: StoreEntry, now: number): number {
  return Math.max(1, Math.ceil(entry.expiresAt - now));
}

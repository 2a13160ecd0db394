import { isInternalSpaceKey } from '../keys/key-space.js';
import type { CacheStore, StoreContext, StoreEntry, StoreKeyLimits, StoreSetOptions } from './cache-store.js';
import { CommandRouter, DELETE, GET, MEMCACHED_FAILOVER_MS } from './memcached/command-router.js';
import { EntryCodec } from './memcached/entry-codec.js';
import { MEMCACHED_MAX_EXPIRY_S, toAbsoluteMemcachedExpiry, toMemcachedExpiry } from './memcached/expiry.js';
import {
  MEMCACHED_FORBIDDEN_KEY_CHARS,
  MEMCACHED_MAX_KEY_BYTES,
  entryKey,
  keyOverheadBytes,
  namespacePart,
  pingKeys,
} from './memcached/key-layout.js';
import { MEMCACHED_GENERATION_MAX_AGE_MS, RegionGeneration } from './memcached/region-generation.js';
import { parseServerList } from './memcached/server-address.js';
import { failoverCopy, type RoutePlan } from './memcached/server-routing.js';

export { MEMCACHED_FAILOVER_MS, MEMCACHED_GENERATION_MAX_AGE_MS };

/** Options of a {@link MemcachedStore}, already validated and with the region's defaults applied. */
export interface MemcachedStoreOptions {
  /** `host:port` of each server (port default 11211). Keys are spread by a consistent hash ring. */
  servers: string[];
  /** SASL user name. Default: none (no authentication). */
  username?: string;
  /** SASL password. Default: none. */
  password?: string;
  /** Milliseconds to connect, then to get each answer, before an attempt fails. Region default: 500. */
  timeoutMs: number;
  /** Attempts per operation; 1 = no retry. Region default: 2. */
  retries: number;
  /**
   * Largest item sent, in bytes (encoded value plus 23 bytes of header, 39 when signed). Region
   * default: 1 MiB.
   */
  maxValueBytes: number;
  /**
   * HMAC keys (at least 16 bytes each): items are signed with the first and read only when signed
   * with one of them. Default: none (items are not signed).
   */
  signingKeys?: readonly string[];
  /**
   * Milliseconds a failover copy lives: the value a miss stores on a key's fallback server while
   * its own server is out. 0 = no failover copies. Default: {@link MEMCACHED_DEFAULT_FAILOVER_TTL_MS}.
   */
  failoverTtlMs?: number;
}

/** Default life of a failover copy, in ms: short, so an old copy cannot come back at a later outage. */
export const MEMCACHED_DEFAULT_FAILOVER_TTL_MS = 10_000;

/**
 * A region's store on one or more memcached servers (memjs).
 *
 * - Keys are `<namespace>|<generation>|<key>`; `clear()` writes a new generation to memcached, so
 *   it drops this region's entries only, and other processes see it within
 *   {@link MEMCACHED_GENERATION_MAX_AGE_MS}.
 * - Servers are chosen by a ketama-style hash ring. A key lives on its owner. A server that times
 *   out or refuses is left out for {@link MEMCACHED_FAILOVER_MS}, then tried again; meanwhile only
 *   reads and fills of its keys go elsewhere — to the key's fallback (the next server on the
 *   ring), where fills are short-lived failover copies (`failoverTtlMs`). Direct writes, deletes,
 *   locks and the generation go to the owner or fail, so a returning server never undoes an
 *   acknowledged invalidation (see server-routing.ts); deletes also remove a failover copy.
 * - Values keep their types (the shared v8-based codec); `expiresAt` is enforced to the
 *   millisecond on read, and any ttl works, including over 30 days.
 * - Every operation settles: it rejects after at most {@link maxOperationMs} per memcached round
 *   trip (a store operation makes one, plus the generation read at most once a second).
 */
export class MemcachedStore implements CacheStore {
  /** Always `'memcached'`. */
  readonly kind = 'memcached';
  /** 250 bytes minus the namespace and generation prefix; no whitespace or control characters. */
  readonly keyLimits: StoreKeyLimits;
  /**
   * Longest lifetime of an entry written now: memcached keeps expiry times as 32-bit Unix seconds,
   * so every entry ends by 2106-02-07T06:28:15Z. Shrinks as time passes.
   */
  get maxTtlMs(): number {
    return MEMCACHED_MAX_EXPIRY_S * 1_000 - Date.now();
  }
  /**
   * Upper bound, in ms, of one memcached round trip including retries:
   * attempts × 2 × timeoutMs (connect, then answer) + the delays between attempts.
   */
  readonly maxOperationMs: number;

  private readonly region: string;
  private readonly warn: (message: string) => void;
  private readonly router: CommandRouter;
  private readonly codec: EntryCodec;
  private readonly generation: RegionGeneration;
  private readonly maxValueBytes: number;
  private readonly nsPart: string;
  private readonly pingKeys: readonly string[];
  private readonly failoverTtlMs: number;
  /** The entry in an item read under a memcached key, or `undefined` (made once: the hit path). */
  private readonly decodeItem = (item: Buffer | null, cacheKey: string): StoreEntry | undefined =>
    item ? this.codec.decode(item, cacheKey) : undefined;
  private closing: Promise<void> | undefined;

  /**
   * @param options validated options (see {@link MemcachedStoreOptions}).
   * @param context the region this store serves; `namespace` must be unique per app and region.
   */
  constructor(options: MemcachedStoreOptions, context: StoreContext) {
    const region = context.region;
    this.region = region;
    const warn = (message: string) => context.warn?.(message);
    this.warn = warn;
    const servers = parseServerList(options.servers, `region "${region}" option "servers"`);
    this.failoverTtlMs = options.failoverTtlMs ?? MEMCACHED_DEFAULT_FAILOVER_TTL_MS;
    this.maxValueBytes = options.maxValueBytes;
    this.router = new CommandRouter({
      region,
      servers,
      username: options.username,
      password: options.password,
      timeoutMs: options.timeoutMs,
      retries: options.retries,
      maxValueBytes: options.maxValueBytes,
      failoverTtlMs: this.failoverTtlMs,
      warn,
    });
    this.maxOperationMs = this.router.maxOperationMs;
    this.codec = new EntryCodec({ region, maxValueBytes: options.maxValueBytes, signingKeys: options.signingKeys, warn });

    this.nsPart = namespacePart(context.namespace);
    this.generation = new RegionGeneration(this.router, { region, nsPart: this.nsPart, timeoutMs: options.timeoutMs, warn });
    this.pingKeys = pingKeys(this.nsPart, servers.length, (key) => this.router.ring.lookup(key));
    const overhead = keyOverheadBytes(this.nsPart);
    this.keyLimits = {
      maxBytes: MEMCACHED_MAX_KEY_BYTES - overhead,
      forbidden: MEMCACHED_FORBIDDEN_KEY_CHARS,
      explain:
        `memcached's ${MEMCACHED_MAX_KEY_BYTES}-byte key limit less ${overhead} bytes of this region's ` +
        `prefix "${this.nsPart}|<generation>|"`,
    };
  }

  /** The entry, or `undefined` when missing, expired, or not written by this store's format. */
  get(key: string): Promise<StoreEntry | undefined> {
    // Not async: a hit is one promise, decoded as its answer arrives (see CommandRouter.call).
    let cacheKey: string | Promise<string>;
    try {
      cacheKey = this.keyFor(key);
    } catch (error) {
      return Promise.reject(error);
    }
    // Locks are read where they are taken: on their key's own server only.
    const plan: RoutePlan = isInternalSpaceKey(key) ? 'owner' : 'read';
    return typeof cacheKey === 'string'
      ? this.router.call('get', cacheKey, plan, GET, undefined, this.decodeItem)
      : cacheKey.then((current) => this.router.call('get', current, plan, GET, undefined, this.decodeItem));
  }

  /**
   * Stores the entry (an `expiresAt` already past deletes the key instead) on the key's server. A
   * fill (`options.fill`) whose server is out goes to the key's fallback as a failover copy that
   * lives at most `failoverTtlMs`; any other write fails then. Throws
   * {@link StoreValueTooLargeError} before sending when the item would exceed `maxValueBytes`, or
   * when the server refuses it as too large.
   */
  async set(key: string, entry: StoreEntry, options?: StoreSetOptions): Promise<void> {
    const now = Date.now();
    if (entry.expiresAt !== 0 && entry.expiresAt <= now) {
      await this.delete(key);
      return;
    }
    const cacheKey = await this.keyFor(key);
    const bytes = this.codec.encode(entry, cacheKey);
    const expires = toMemcachedExpiry(entry.expiresAt, now);
    const fill = options?.fill === true && this.failoverTtlMs > 0;
    const written = this.router.call<boolean | null>(
      'set',
      cacheKey,
      fill ? 'fill' : 'owner',
      (client, _key, done, route) => {
        if (!route.failover) {
          client.set(cacheKey, bytes, { expires }, done);
          return;
        }
        const copy = failoverCopy(entry, Date.now(), this.failoverTtlMs);
        client.set(cacheKey, this.codec.encode(copy, cacheKey), { expires: toMemcachedExpiry(copy.expiresAt, Date.now()) }, done);
      },
      bytes.length,
    );
    // A direct write replaces the value: a failover copy from an earlier outage must not come back
    // at the next one.
    await Promise.all(fill ? [written] : [written, this.removeFailoverCopy(cacheKey)]);
  }

  /** Deletes a failover copy of `cacheKey` on its fallback, best effort (a copy lives at most failoverTtlMs). */
  private async removeFailoverCopy(cacheKey: string): Promise<void> {
    if (this.failoverTtlMs === 0 || this.router.servers.length === 1) return;
    await this.router
      .call('delete', cacheKey, 'fallback', DELETE)
      .catch((error: unknown) =>
        this.warn(
          `memcached region "${this.region}": could not remove a possible failover copy (${(error as Error).message}); ` +
            `such a copy is read only while its key's server is out, and lives at most ${this.failoverTtlMs} ms.`,
        ),
      );
  }

  /**
   * Stores the entry only when the key holds none; `true` when this call stored it. For locks: on
   * the key's own server only (never a fallback, where another process would not look), and with
   * an absolute expiry, so that a request a hung server runs when it resumes expires when it was
   * meant to, not a whole ttl later.
   */
  async add(key: string, entry: StoreEntry): Promise<boolean> {
    const now = Date.now();
    if (entry.expiresAt !== 0 && entry.expiresAt <= now) return false;
    const cacheKey = await this.keyFor(key);
    const bytes = this.codec.encode(entry, cacheKey);
    const expires = toAbsoluteMemcachedExpiry(entry.expiresAt);
    const added = await this.router.call<boolean | null>(
      'add',
      cacheKey,
      'owner',
      (client, _key, done) => client.add(cacheKey, bytes, { expires }, done),
      bytes.length,
    );
    return added === true;
  }

  /**
   * Deletes the key on its own server — rejecting when that server fails, since a delete that did
   * not reach it would be undone when it returns — and a failover copy on the key's fallback (best
   * effort: a copy left there lives at most `failoverTtlMs`). `true` when the key's server had it.
   */
  async delete(key: string): Promise<boolean> {
    const cacheKey = await this.keyFor(key);
    const owner = this.router.call('delete', cacheKey, 'owner', DELETE);
    const [removed] = await Promise.all([owner, this.removeFailoverCopy(cacheKey)]);
    return removed === true;
  }

  /** Whether a live entry of this store's format is there (one `get`). */
  async has(key: string): Promise<boolean> {
    return (await this.get(key)) !== undefined;
  }

  /**
   * Drops every entry of this region, and only of it, by writing a new generation. This process
   * sees it at once, others within {@link MEMCACHED_GENERATION_MAX_AGE_MS}. The old entries stay in
   * memcached, unreachable, until they expire or are evicted.
   */
  async clear(): Promise<void> {
    await this.generation.renew();
  }

  /** One `get` to every server; rejects naming each server that did not answer. */
  async ping(): Promise<void> {
    const results = await Promise.allSettled(
      this.pingKeys.map((key) => this.router.call('ping', key, 'owner', GET)),
    );
    const failed = results.flatMap((result) =>
      result.status === 'rejected' ? [(result.reason as Error).message] : [],
    );
    if (failed.length > 0) throw new Error(failed.join('; '));
  }

  /**
   * Server count, and how many are down: left out of the ring after failures, or (a lone server
   * included) whose last request failed in transport — refused, reset or timed out — and that has
   * not answered since.
   */
  describe(): Record<string, number> {
    return {
      servers: this.router.servers.length,
      serversDown: this.router.downCount(),
      maxValueBytes: this.maxValueBytes,
    };
  }

  /**
   * Waits for operations in flight to settle (at most {@link maxOperationMs} + 1 s), then destroys
   * every connection. Later calls reject. No socket or timer of this store remains afterwards.
   */
  close(): Promise<void> {
    this.closing ??= this.router.close();
    return this.closing;
  }

  /** The memcached key that `key` maps to now (current generation). For debugging and tests. */
  async cacheKey(key: string): Promise<string> {
    return this.keyFor(key);
  }

  /** `cacheKey`, synchronously when the generation is cached (the common case: no extra tick). */
  private keyFor(key: string): string | Promise<string> {
    // A UTF-16 code unit takes at most 3 UTF-8 bytes: short keys need no byte count.
    const bytes = key.length * 3 <= this.keyLimits.maxBytes ? 0 : Buffer.byteLength(key);
    if (bytes > this.keyLimits.maxBytes) {
      throw new RangeError(
        `memcached region "${this.region}": key of ${bytes} bytes exceeds the store's limit of ` +
          `${this.keyLimits.maxBytes} bytes (${this.keyLimits.explain}); keys must be fitted to keyLimits first.`,
      );
    }
    const generation = this.generation.current();
    return typeof generation === 'string'
      ? entryKey(this.nsPart, generation, key)
      : generation.then((current) => entryKey(this.nsPart, current, key));
  }
}

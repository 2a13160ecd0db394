import type { Readable } from 'node:stream';
import { CacheRegionsError } from '../errors.js';
import type { StoreKeyLimits } from '../keys/key-limits.js';

/** A value, or a promise of it. Stores may answer synchronously where they can (memory). */
export type MaybePromise<T> = T | Promise<T>;

/** What a store keeps for one key. */
export interface StoreEntry {
  /** The cached value, exactly as given to `set` (stores that serialize must round-trip types). */
  value: unknown;
  /** Epoch milliseconds after which the entry is gone; 0 = never. */
  expiresAt: number;
  /**
   * Epoch milliseconds until which the entry is fresh, when the region serves stale values
   * (`staleTtl`); 0 = fresh until `expiresAt`. Stores keep it as given and return it unchanged.
   */
  freshUntil: number;
}

/** How a value is written (the region tells the store). */
export interface StoreSetOptions {
  /**
   * The value of a miss (cache-aside): a store may keep it somewhere less lasting while the key's
   * own place is out — memcached writes a short-lived copy on the next server, read there until
   * the key's server is back. Without it the write must replace the value where the key is read
   * from, or fail: a direct `set()` never leaves a copy that a returning server would contradict.
   */
  fill?: boolean;
}

// The key builder owns key limits (keys must not depend on stores); stores and users import them from here.
export type { StoreKeyLimits } from '../keys/key-limits.js';

/**
 * The contract every store implements, built-in or your own (`store: new MyStore()` in a region's
 * options). A store only stores: the region decides ttl, keys, hashing, fail-open and stats.
 *
 * Keys reach the store already fitted to {@link CacheStore.keyLimits}; each store instance serves
 * one region, so `clear()` drops that region's entries only. Stores throw on backend failures;
 * the region turns them into misses (fail-open).
 */
export interface CacheStore {
  /** Short name of the store kind, shown in logs and stats: `'memory'`, `'memcached'`, … */
  readonly kind: string;
  /** Key limits of this store. */
  readonly keyLimits: StoreKeyLimits;
  /**
   * Longest lifetime, in ms, that an entry written now can have in this backend, when it has a
   * limit (memcached: expiry times are 32-bit Unix seconds, so entries end by 2106-02-07). The
   * region refuses longer ttls (configured ones at bootstrap, the ttl of a `set()`, `getOrSet()`
   * or `setStream()` before the store is called) with a `CacheConfigError`, so `set` is never given an expiry it cannot
   * hold. May be a getter when the limit is an absolute time. Optional; absent = no limit beyond
   * the `Ttl` type's own (100,000 days).
   */
  readonly maxTtlMs?: number;
  /** The entry, or `undefined` when missing or expired. */
  get(key: string): MaybePromise<StoreEntry | undefined>;
  /**
   * The value of `key`'s entry, answered synchronously and without building a {@link StoreEntry},
   * when the entry is there and fresh: before its `expiresAt` and, when set, its `freshUntil`.
   * `undefined` otherwise (missing, expired or stale); the region then reads the key with `get`,
   * so a store may answer `undefined` whenever it cannot tell cheaply. A found entry counts as read
   * as with `get` (an LRU store makes it the most recent). The region never stores `undefined`, so
   * `undefined` is never a value. Optional; for stores that answer synchronously (memory), where
   * the region's cache-aside hits (`@Cached`, `getOrSet`) use it.
   */
  peekFresh?(key: string): unknown;
  /** Stores an entry, replacing any previous one. */
  set(key: string, entry: StoreEntry, options?: StoreSetOptions): MaybePromise<void>;
  /** Removes an entry; resolves `true` when one was there (best effort for remote stores). */
  delete(key: string): MaybePromise<boolean>;
  /** Whether an unexpired entry exists. */
  has(key: string): MaybePromise<boolean>;
  /** Drops every entry of this store's region, and only of it. */
  clear(): MaybePromise<void>;
  /**
   * Stores an entry only when none exists; resolves `true` when this call stored it.
   * Used for cross-process locks (`lock: true`). Optional.
   */
  add?(key: string, entry: StoreEntry): Promise<boolean>;
  /** A cheap round trip to the backend, for health checks. Optional; local stores omit it. */
  ping?(): Promise<void>;
  /** Store figures for `stats()` (entries, bytes…), where cheap. Optional. */
  describe?(): Record<string, number | string>;
  /** A readable stream of a stored value, or `undefined` on a miss. File store only. */
  getStream?(key: string): Promise<Readable | undefined>;
  /** Stores a value from a stream without holding it in memory. File store only. */
  setStream?(key: string, source: Readable, expiresAt: number): Promise<void>;
  /** Releases connections, timers and handles. Called on `app.close()`. */
  close?(): Promise<void>;
}

/** What every built-in store is told about the region it serves. */
export interface StoreContext {
  /** The region name. */
  region: string;
  /** App and region key prefixes joined with the region name: unique per region and app. */
  namespace: string;
  /** Called when a store notices something an operator should know (rate-limited by the caller). */
  warn?(message: string): void;
}

/**
 * Thrown by a store's `set` when a value exceeds what the backend can hold (memcached's item
 * size). The region counts it in `stats().oversize`, logs it once and returns the result uncached.
 */
export class StoreValueTooLargeError extends CacheRegionsError {
  constructor(
    /** Size of the value in bytes, as the store measures it; `Infinity` when too large to measure. */
    readonly byteLength: number,
    /** The store's limit in bytes. */
    readonly maxBytes: number,
    /** What raises the limit, for the region's log line, e.g. `raise the region's maxBytes`. */
    readonly remedy?: string,
  ) {
    super(
      `value of ${Number.isFinite(byteLength) ? `${byteLength} bytes` : 'a size too large to measure'} exceeds the store's limit of ${maxBytes} bytes`,
    );
  }
}

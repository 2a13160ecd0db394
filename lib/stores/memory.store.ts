import { deserialize, serialize } from 'node:v8';
import { LRUCache } from 'lru-cache';
import { StoreValueTooLargeError, type CacheStore, type StoreEntry, type StoreKeyLimits } from './cache-store.js';
import { estimateBytes } from './estimate-bytes.js';

/** Options of {@link MemoryStore} (validated values). */
export interface MemoryStoreOptions {
  /** Maximum number of entries; least recently used are evicted first. */
  maxEntries: number;
  /**
   * Maximum estimated size in bytes (see {@link estimateBytes}: the values never take more than
   * twice their estimate); `undefined` = bounded by `maxEntries` only.
   */
  maxBytes?: number;
  /** Keep structured clones instead of references. */
  clone: boolean;
}

/**
 * Heap an entry costs besides its key and value: the entry record with its two times (boxed
 * numbers: 80 bytes), and its place in lru-cache's key `Map` (28 bytes a slot, in a table up to
 * four times the live entries between resizes, deleted slots included). Measured: after 400,000
 * sets, a store held 158,275 entries of a number under 15-character keys in 244 bytes each, key
 * and value included. (lru-cache's arrays are allocated for `maxEntries` up front.) Entries without
 * expiry, held bare (see {@link TimedEntry}), take less; the bound stays an upper one.
 */
const ENTRY_OVERHEAD_BYTES = 192;

/**
 * What the LRU holds for an entry that expires or turns stale. An entry that does neither (no ttl,
 * the default) is held as its bare value: a million small entries then cost no object each
 * (24 bytes apiece, a quarter of the heap a plain `Map` of the same keys and values takes), and
 * `get` builds the entry, a short-lived object, on each hit. Module-private, so no cached value
 * can be mistaken for one.
 */
class TimedEntry implements StoreEntry {
  constructor(
    readonly value: unknown,
    readonly expiresAt: number,
    readonly freshUntil: number,
  ) {}
}

/**
 * A deep copy that keeps Buffers as Buffers (structuredClone turns them into Uint8Arrays).
 * Class instances come back as plain objects, as with any structured clone.
 */
function cloneValue(value: unknown): unknown {
  return typeof value === 'object' && value !== null ? deserialize(serialize(value)) : value;
}

/**
 * In-process LRU store on `lru-cache` (well kept, O(1), size-aware eviction), so the project
 * does not maintain its own linked list. Values are kept by reference unless `clone` is set:
 * a caller that mutates a returned object mutates the cached one.
 */
export class MemoryStore implements CacheStore {
  readonly kind = 'memory';
  /** Keys are held in memory: long ones are hashed rather than kept whole. */
  readonly keyLimits: StoreKeyLimits = { maxBytes: 1_024 };
  private readonly lru: LRUCache<string, {}>;
  /**
   * Whether {@link peekFresh} answers: not in a subclass that overrides `get` (to count, log or
   * fail reads) and not `peekFresh`, whose reads must all go through its `get`.
   */
  private readonly peeks: boolean;

  constructor(private readonly options: MemoryStoreOptions) {
    this.lru = new LRUCache<string, {}>({
      max: options.maxEntries,
      ...(options.maxBytes === undefined ? {} : { maxSize: options.maxBytes }),
    });
    this.peeks = this.get === MemoryStore.prototype.get || this.peekFresh !== MemoryStore.prototype.peekFresh;
  }

  get(key: string): StoreEntry | undefined {
    const held = this.lru.get(key);
    if (held === undefined) return undefined;
    if (!(held instanceof TimedEntry)) {
      return { value: this.options.clone ? cloneValue(held) : held, expiresAt: 0, freshUntil: 0 };
    }
    if (held.expiresAt !== 0 && held.expiresAt <= Date.now()) {
      this.lru.delete(key);
      return undefined;
    }
    return this.options.clone ? new TimedEntry(cloneValue(held.value), held.expiresAt, held.freshUntil) : held;
  }

  /**
   * The value of a fresh entry with no entry object built, the hit path of `@Cached`; an expired
   * entry is left for `get`, which the region calls next, to drop.
   */
  peekFresh(key: string): unknown {
    if (!this.peeks) return undefined;
    const held = this.lru.get(key);
    if (held === undefined) return undefined;
    let value: unknown = held;
    if (held instanceof TimedEntry) {
      const now = Date.now();
      if ((held.expiresAt !== 0 && held.expiresAt <= now) || (held.freshUntil !== 0 && held.freshUntil <= now)) {
        return undefined;
      }
      value = held.value;
    }
    return this.options.clone ? cloneValue(value) : value;
  }

  /**
   * Stores the entry; with `maxBytes`, throws {@link StoreValueTooLargeError} (after dropping the
   * key's previous entry, which the caller meant to replace) when its estimate exceeds `maxBytes`,
   * or when the value has too many objects to measure (`byteLength` is then `Infinity`).
   */
  set(key: string, entry: StoreEntry): void {
    const value = this.options.clone ? cloneValue(entry.value) : entry.value;
    // undefined is never stored (the region does not cache it), and would read as a miss.
    const held =
      entry.expiresAt === 0 && entry.freshUntil === 0 && value !== undefined
        ? (value as {})
        : new TimedEntry(value, entry.expiresAt, entry.freshUntil);
    const { maxBytes } = this.options;
    if (maxBytes === undefined) {
      this.lru.set(key, held);
      return;
    }
    const fixed = ENTRY_OVERHEAD_BYTES + estimateBytes(key);
    // The estimate stops early past the limit: an oversized value costs no more than a fitting one.
    const size = fixed + estimateBytes(value, maxBytes - fixed);
    if (size > maxBytes) {
      this.lru.delete(key);
      throw new StoreValueTooLargeError(size, maxBytes, "raise the region's maxBytes");
    }
    this.lru.set(key, held, { size });
  }

  delete(key: string): boolean {
    return this.lru.delete(key);
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  add(key: string, entry: StoreEntry): Promise<boolean> {
    if (this.get(key) !== undefined) return Promise.resolve(false);
    try {
      this.set(key, entry);
    } catch (error) {
      return Promise.reject(error as Error);
    }
    return Promise.resolve(true);
  }

  clear(): void {
    this.lru.clear();
  }

  describe(): Record<string, number> {
    return {
      entries: this.lru.size,
      ...(this.options.maxBytes === undefined ? {} : { bytes: this.lru.calculatedSize }),
    };
  }
}

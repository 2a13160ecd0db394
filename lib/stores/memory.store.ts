import { deserialize, serialize } from 'node:v8';
import { LRUCache } from 'lru-cache';
import type { CacheStore, StoreEntry, StoreKeyLimits } from './cache-store.js';
import { estimateBytes } from './estimate-bytes.js';

/** Options of {@link MemoryStore} (validated values). */
export interface MemoryStoreOptions {
  /** Maximum number of entries; least recently used are evicted first. */
  maxEntries: number;
  /** Maximum estimated size in bytes; `undefined` = bounded by `maxEntries` only. */
  maxBytes?: number;
  /** Keep structured clones instead of references. */
  clone: boolean;
}

/**
 * Heap an entry costs besides its key and value: the LRU's slots, the entry object and the
 * key string's header. Measured: 1 M small entries took 105 MiB of heap where keys and values
 * alone were estimated at 38 MiB.
 */
const ENTRY_OVERHEAD_BYTES = 72;

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
  private readonly lru: LRUCache<string, StoreEntry>;

  constructor(private readonly options: MemoryStoreOptions) {
    this.lru = new LRUCache<string, StoreEntry>({
      max: options.maxEntries,
      ...(options.maxBytes === undefined
        ? {}
        : {
            maxSize: options.maxBytes,
            sizeCalculation: (entry, key) => ENTRY_OVERHEAD_BYTES + key.length * 2 + estimateBytes(entry.value),
          }),
    });
  }

  get(key: string): StoreEntry | undefined {
    const entry = this.lru.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt !== 0 && entry.expiresAt <= Date.now()) {
      this.lru.delete(key);
      return undefined;
    }
    return this.options.clone ? { ...entry, value: cloneValue(entry.value) } : entry;
  }

  set(key: string, entry: StoreEntry): void {
    const stored = this.options.clone ? { ...entry, value: cloneValue(entry.value) } : entry;
    // lru-cache refuses (silently) an entry larger than maxSize: it is simply not cached.
    this.lru.set(key, stored);
  }

  delete(key: string): boolean {
    return this.lru.delete(key);
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  add(key: string, entry: StoreEntry): Promise<boolean> {
    if (this.get(key) !== undefined) return Promise.resolve(false);
    this.set(key, entry);
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

import type { CacheStore, StoreEntry, StoreKeyLimits } from './cache-store.js';

/**
 * Caches nothing: every read misses. For tests, and for switching a region off by configuration
 * without touching the code that uses it.
 */
export class NoneStore implements CacheStore {
  readonly kind = 'none';
  readonly keyLimits: StoreKeyLimits = { maxBytes: 1_024 };

  get(): undefined {
    return undefined;
  }
  set(_key: string, _entry: StoreEntry): void {}
  delete(): boolean {
    return false;
  }
  has(): boolean {
    return false;
  }
  clear(): void {}
}

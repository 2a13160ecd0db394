import type { StoreName } from '../cache-regions.options.js';
import type { CacheMetricsSink } from '../observability/cache-metrics-sink.js';
import type { CacheStore } from '../stores/cache-store.js';
import type { FileStoreOptions } from '../stores/file.store.js';
import type { MemcachedStoreOptions } from '../stores/memcached.store.js';
import type { MemoryStoreOptions } from '../stores/memory.store.js';
import type { RedisStoreOptions } from '../stores/redis.store.js';

/** A region's options after validation, inheritance and defaults: what the region runs on. */
export interface ResolvedRegionConfig {
  name: string;
  /** App prefix, region prefix and region name, joined with ':'. Unique per app and region. */
  namespace: string;
  store: StoreName | CacheStore;
  ttlMs: number;
  staleTtlMs: number;
  onLongKey: 'hash' | 'error';
  onKeyError: 'throw' | 'bypass';
  failOpen: boolean;
  lock: boolean;
  lockTtlMs: number;
  lockWaitMs: number;
  breakerThreshold: number;
  breakerCooldownMs: number;
  /** Longest wait for a store read before it counts as failed (memcached, redis: `timeoutMs`); 0 = none. */
  readTimeoutMs: number;
  /** The app's metrics sink (`metrics`, one for every region), or none. */
  metrics?: CacheMetricsSink;
  memory: MemoryStoreOptions;
  memcached: MemcachedStoreOptions;
  redis: RedisStoreOptions;
  file: FileStoreOptions;
}

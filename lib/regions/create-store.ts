import type { ResolvedRegionConfig } from '../config/resolved-region-config.js';
import type { CacheStore, StoreContext } from '../stores/cache-store.js';
import { FileStore } from '../stores/file.store.js';
import { MemcachedStore } from '../stores/memcached.store.js';
import { MemoryStore } from '../stores/memory.store.js';
import { NoneStore } from '../stores/none.store.js';
import { RedisStore } from '../stores/redis.store.js';

/** The store a region runs on: a built-in one made from its options, or the user's own instance. */
export function createStore(config: ResolvedRegionConfig, context: StoreContext): CacheStore {
  switch (config.store) {
    case 'memory':
      return new MemoryStore(config.memory);
    case 'none':
      return new NoneStore();
    case 'memcached':
      return new MemcachedStore(config.memcached, context);
    case 'redis':
      return new RedisStore(config.redis, context);
    case 'file':
      return new FileStore(config.file, context);
    default:
      return config.store;
  }
}

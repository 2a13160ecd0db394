/** The peers' set-up, where it takes more than one line. */
import KeyvMemcache from '@keyv/memcache';
import type KeyvRedis from '@keyv/redis';
import { createKeyv } from '@keyv/redis';
import { createCache, type Cache } from 'cache-manager';
import { Keyv } from 'keyv';

/** cache-manager 7 on Keyv + `@keyv/memcache`, and how to close its memjs connection. */
export interface MemcachedCacheManager {
  cache: Cache;
  /** Disconnects cache-manager and closes the memjs client (which `disconnect()` leaves open). */
  close(): Promise<void>;
}

/** `createCache({ stores: [new Keyv({ store: new KeyvMemcache(address) })] })`, as its README shows. */
export function memcachedCacheManager(address: string, ttlMs?: number): MemcachedCacheManager {
  const store = new KeyvMemcache(address, { logger: { log: () => undefined } });
  const cache = createCache({ stores: [new Keyv({ store })], ...(ttlMs === undefined ? {} : { ttl: ttlMs }) });
  return {
    cache,
    close: async () => {
      await cache.disconnect();
      store.client.close();
    },
  };
}

/** cache-manager 7 on Keyv + `@keyv/redis` (a node-redis client), and how to close it. */
export interface RedisCacheManager {
  cache: Cache;
  /**
   * Disconnects: `QUIT` after the commands in flight, or with `force` drops the connection at once
   * (a `QUIT` to a dead or hung Redis would wait for it).
   */
  close(force?: boolean): Promise<void>;
}

/**
 * `createCache({ stores: [createKeyv(url)] })`, as cache-manager's README sets up Redis: the
 * adapter's defaults (node-redis with its offline queue, reconnection with back-off).
 */
export function redisCacheManager(url: string, ttlMs?: number): RedisCacheManager {
  const keyv = createKeyv(url);
  const cache = createCache({ stores: [keyv], ...(ttlMs === undefined ? {} : { ttl: ttlMs }) });
  return {
    cache,
    close: async (force = false) => {
      if (force) await (keyv.store as KeyvRedis<unknown>).disconnect(true);
      else await cache.disconnect();
    },
  };
}

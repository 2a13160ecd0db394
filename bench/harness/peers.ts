/** The peers' set-up, where it takes more than one line. */
import KeyvMemcache from '@keyv/memcache';
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

import { describe, expect, it } from 'vitest';
import { resolveRegionsOptions } from '../../lib/config/resolve-regions-options.js';
import { CacheRegion } from '../../lib/regions/cache-region.js';
import { MemoryStore } from '../../lib/stores/memory.store.js';

describe('region.options', () => {
  const [config] = resolveRegionsOptions({
    regions: {
      functions: {
        store: 'memcached',
        servers: ['127.0.0.1:11211'],
        username: 'app',
        password: 'hunter2-the-password',
        signingKeys: ['0123456789abcdef-first-key', 'fedcba9876543210-old-key'],
      },
    },
  });
  // The store is beside the point here: what the region shows of its configuration is.
  const region = new CacheRegion(config, new MemoryStore({ maxEntries: 10, clone: false }));

  it('shows no secret: password and signing keys read [redacted], in any serialization', () => {
    expect(region.options.memcached.password).toBe('[redacted]');
    expect(region.options.memcached.signingKeys).toEqual(['[redacted]', '[redacted]']);
    expect(region.options.memcached.username).toBe('app');
    const shown = JSON.stringify(region.options);
    expect(shown).not.toContain('hunter2');
    expect(shown).not.toContain('first-key');
    expect(shown).not.toContain('old-key');
  });

  it('keeps everything else, is frozen, and leaves the configuration the store runs on as it was', () => {
    expect(region.options.memcached.servers).toEqual(['127.0.0.1:11211']);
    expect(region.options.failOpen).toBe(true);
    expect(Object.isFrozen(region.options)).toBe(true);
    expect(Object.isFrozen(region.options.memcached)).toBe(true);
    expect(config.memcached.password).toBe('hunter2-the-password');
    expect(region.options).toBe(region.options);
  });

  it.each([
    ['redis://app:s3cret-pass@10.0.0.7:6379/2', 'redis://app:[redacted]@10.0.0.7:6379/2'],
    ['redis://:s3cret-pass@10.0.0.7', 'redis://:[redacted]@10.0.0.7'],
    ['redis://10.0.0.7:6379', 'redis://10.0.0.7:6379'],
  ])('shows a Redis url %s as %s', (url, shown) => {
    const [redis] = resolveRegionsOptions({ regions: { sessions: { store: 'redis', url } } });
    const redisRegion = new CacheRegion(redis, new MemoryStore({ maxEntries: 10, clone: false }));
    expect(redisRegion.options.redis.url).toEqual([shown]);
    expect(JSON.stringify(redisRegion.options)).not.toContain('s3cret');
    expect(redis.redis.url).toEqual([url]);
  });
});

/**
 * Memcached configuration on a real memcached. Ttls a memcached region cannot represent are
 * refused at startup, and a bad ttl given to one write rejects with a typed error before the store
 * is called, so it is never counted as a store failure and never opens the circuit breaker.
 * `servers` may be one comma-separated string.
 */
import { Injectable, type Type } from '@nestjs/common';
import {
  Cached,
  CacheConfigError,
  CacheRegions,
  CacheRegionsModule,
  type CacheRegion,
  type RegionOptions,
} from '../../lib/index.js';
import { MemcachedStore } from '../../lib/stores/memcached.store.js';
import { bootstrapError, closeRegionsApps, createRegionsApp } from '../support/regions-app.js';
import { describeMemcached, useMemcached } from '../support/memcached.js';

/** The error an app with these regions and providers fails to start with. */
const startupError = (regions: Record<string, RegionOptions>, providers: Type[] = []) =>
  bootstrapError({ imports: [CacheRegionsModule.forRoot({ regions })], providers });

@Injectable()
class AbsurdTtlService {
  @Cached('functions', { ttl: 1e20 })
  async compute(): Promise<string> {
    return 'value';
  }
}

@Injectable()
class TinyTtlService {
  @Cached('functions', { ttl: '0.4ms' })
  async compute(): Promise<string> {
    return 'value';
  }
}

describeMemcached('ttl limits of a memcached region', () => {
  const memcached = useMemcached();
  const functions = (extra: RegionOptions = {}): RegionOptions => ({
    store: 'memcached',
    servers: [memcached().address],
    timeoutMs: 500,
    breakerThreshold: 3,
    ...extra,
  });

  afterEach(async () => {
    await closeRegionsApps();
  });

  describe('at startup', () => {
    it.each([
      [1e20, 'Invalid ttl 100000000000000000000 for region "functions" option "ttl": it is longer than any store keeps an entry'],
      ['99999999999d', 'Invalid ttl "99999999999d" for region "functions" option "ttl": it is longer than any store keeps an entry'],
    ])('refuses ttl %j', async (ttl, message) => {
      const error = await startupError({ functions: functions({ ttl }) });
      expect(error).toBeInstanceOf(CacheConfigError);
      expect(error.message).toContain(message);
    });

    it("refuses a ttl past memcached's last expiry time (2106-02-07), which another store would keep", async () => {
      const error = await startupError({ functions: functions({ ttl: '36500d' }) });
      expect(error).toBeInstanceOf(CacheConfigError);
      expect(error.message).toMatch(
        /^Invalid ttl 3153600000 s for region "functions" option "ttl": an entry written now would live beyond what the memcached store can keep, which is until 2106-02-07T06:28:15Z \(\d+ days from now\)\. Use a shorter ttl, or 0 for no expiry\.$/,
      );
      // The same ttl on a store without such a limit starts.
      const app = await createRegionsApp({ regions: { functions: { store: 'memory', ttl: '36500d' } } });
      expect(app.get(CacheRegions).get('functions').options.ttlMs).toBe(36_500 * 86_400_000);
    });

    it('counts staleTtl into the lifetime, and checks lockTtl of a locking region', async () => {
      const stale = await startupError({ functions: functions({ ttl: '20000d', staleTtl: '20000d' }) });
      expect(stale.message).toMatch(
        /^Invalid ttl 1728000000 s for region "functions" option "ttl": an entry written now would live, plus the region's staleTtl of 1728000000 s, beyond what the memcached store can keep/,
      );
      const lock = await startupError({ functions: functions({ ttl: '1h', lock: true, lockTtl: '36500d' }) });
      expect(lock.message).toMatch(/^Invalid ttl 3153600000 s for region "functions" option "lockTtl"/);
    });

    it('refuses tiny ttls, also in @Cached options', async () => {
      const config = await startupError({ functions: functions({ ttl: 0.0004 }) });
      expect(config.message).toMatch(/^Invalid ttl 0\.0004 for region "functions" option "ttl": it rounds to 0 ms/);
      const cached = await startupError({ functions: functions() }, [TinyTtlService]);
      expect(cached).toBeInstanceOf(CacheConfigError);
      expect(cached.message).toMatch(/^Invalid ttl "0\.4ms" for @Cached\('functions'\) option "ttl" on TinyTtlService\.compute\(\): it rounds to 0 ms/);
    });

    it('refuses an absurd ttl in @Cached options', async () => {
      const error = await startupError({ functions: functions() }, [AbsurdTtlService]);
      expect(error).toBeInstanceOf(CacheConfigError);
      expect(error.message).toMatch(/^Invalid ttl 100000000000000000000 for @Cached\('functions'\) option "ttl" on AbsurdTtlService\.compute\(\)/);
    });
  });

  it("accepts servers as one comma-separated string (an environment variable's form)", async () => {
    const app = await createRegionsApp({
      keyPrefix: `servers-${Date.now()}`,
      regions: { functions: { store: 'memcached', servers: ` ${memcached().address} ,`, ttl: '1h' } },
    });
    const region = app.get(CacheRegions).get('functions');
    expect(region.options.memcached.servers).toEqual([memcached().address]);
    await region.set('k', 'through the string');
    expect(await region.get('k')).toBe('through the string');
    expect(region.stats()).toMatchObject({ errors: 0, sets: 1, hits: 1 });
  });

  it('stores an entry whose expiry is past 2106 until 2106 instead of failing the write (memjs RangeError)', async () => {
    // The region refuses such ttls before the store; this is the store's own guard for an expiry
    // that crosses the limit between that check and the write.
    const store = new MemcachedStore(
      { servers: [memcached().address], timeoutMs: 500, retries: 1, maxValueBytes: 1_024 },
      { region: 'r', namespace: `clamp-${Date.now()}` },
    );
    try {
      const expiresAt = Date.UTC(2200, 0, 1);
      await store.set('k', { value: 'kept', expiresAt, freshUntil: 0 });
      expect(await store.get('k')).toEqual({ value: 'kept', expiresAt, freshUntil: 0 });
    } finally {
      await store.close();
    }
  });

  describe('at run time', () => {
    let region: CacheRegion;
    beforeEach(async () => {
      const app = await createRegionsApp({ keyPrefix: `ttl-${Date.now()}`, regions: { functions: functions({ ttl: '1h' }) } });
      region = app.get(CacheRegions).get('functions');
    });

    it.each([1e20, '99999999999d', '36500d', 0.0004, '0ms'])(
      'set() with ttl %j rejects with CacheConfigError; no store error, the breaker stays closed',
      async (ttl) => {
        // More calls than breakerThreshold: were they store failures, the breaker would open.
        for (let i = 0; i < 5; i++) {
          await expect(region.set('k', 'v', { ttl })).rejects.toBeInstanceOf(CacheConfigError);
        }
        await expect(region.set('k', 'v', { ttl })).rejects.toThrow(/for region "functions" set\(\) option "ttl"/);
        expect(region.stats()).toMatchObject({ errors: 0, sets: 0, breakerOpen: false, breakerOpened: 0 });

        // The store was never disturbed: it answers as before.
        await region.set('k', 'stored', { ttl: '1h' });
        expect(await region.get('k')).toBe('stored');
        expect(region.stats()).toMatchObject({ errors: 0, sets: 1, hits: 1, breakerOpen: false });
      },
    );

    it('getOrSet() with an absurd ttl rejects (never throws synchronously) and does not run create', async () => {
      let runs = 0;
      const create = async () => ++runs;
      const outcome = region.getOrSet('g', create, { ttl: 1e20 });
      expect(outcome).toBeInstanceOf(Promise);
      await expect(outcome).rejects.toThrow(/^Invalid ttl 100000000000000000000 for region "functions" getOrSet\(\) option "ttl"/);
      await expect(region.getOrSet('g', create, { ttl: '36500d' })).rejects.toThrow(
        /^Invalid ttl "36500d" for region "functions" getOrSet\(\) option "ttl": an entry written now would live beyond what the memcached store can keep/,
      );
      expect(runs).toBe(0);
      expect(region.stats()).toMatchObject({ errors: 0, breakerOpen: false });
      expect(await region.getOrSet('g', create, { ttl: '1h' })).toBe(1);
    });
  });
});

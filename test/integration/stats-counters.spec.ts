/**
 * `stats()` counts exactly: known numbers of hits, misses, stale reads, coalesced waiters, errors,
 * oversize values and bypasses, driven concurrently, against real stores.
 */
import { Injectable } from '@nestjs/common';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Cached, CacheRegions } from '../../lib/index.js';
import { describeMemcached, useMemcached } from '../support/memcached.js';
import { closeRegionsApps, createRegionsApp } from '../support/regions-app.js';

/** Calls of `fn(i)` for i in [0, n), all started before any settles. */
const concurrently = <T>(n: number, fn: (i: number) => Promise<T>): Promise<T[]> =>
  Promise.all(Array.from({ length: n }, (_, i) => fn(i)));

const runs = { count: 0 };

@Injectable()
class SquareService {
  /** Slow enough that every concurrent caller arrives while the first computes. */
  @Cached('hot')
  async square(n: number): Promise<number> {
    runs.count++;
    await sleep(30);
    return n * n;
  }

  @Cached('hot', { condition: (n: number) => n >= 0 })
  async nonNegative(n: number): Promise<number> {
    return n;
  }

  @Cached('lenient')
  async describeFn(fn: () => void): Promise<string> {
    return fn.name;
  }

}

/** When set, RemoteService.square runs until it resolves (the test decides when runs end). */
const remoteGate: { until?: Promise<void> } = {};

@Injectable()
class RemoteService {
  @Cached('remote')
  async square(n: number): Promise<number> {
    runs.count++;
    await (remoteGate.until ?? sleep(100));
    return n * n;
  }

  @Cached('remote')
  async big(n: number): Promise<string> {
    return String(n).repeat(5_000);
  }
}

const createApp = createRegionsApp;

afterEach(async () => {
  await closeRegionsApps();
  runs.count = 0;
});

const ZERO = {
  hits: 0,
  misses: 0,
  stale: 0,
  refreshErrors: 0,
  sets: 0,
  deletes: 0,
  errors: 0,
  coalesced: 0,
  oversize: 0,
  bypassed: 0,
  breakerOpen: false,
  breakerOpened: 0,
};

describe('stats() on memory regions', () => {
  it('counts misses, coalesced waiters, hits, bypasses, sets and deletes exactly under concurrency', async () => {
    const app = await createApp(
      { regions: { hot: { store: 'memory' }, lenient: { store: 'memory', onKeyError: 'bypass' } } },
      [SquareService],
    );
    const service = app.get(SquareService);
    const regions = app.get(CacheRegions);

    // 10 keys × 30 callers, all in flight at once: one run per key, the other 29 wait for it.
    const cold = await concurrently(300, (i) => service.square(i % 10));
    expect(cold).toEqual(Array.from({ length: 300 }, (_, i) => (i % 10) ** 2));
    expect(runs.count).toBe(10);
    // 10 keys × 5 callers once the values are stored.
    await concurrently(50, (i) => service.square(i % 10));
    // condition false: 7 calls; a function argument cannot form a key (onKeyError: 'bypass'): 4 calls.
    await concurrently(7, (i) => service.nonNegative(-1 - i));
    await concurrently(4, () => service.describeFn(() => undefined));
    const hot = regions.get('hot');
    await Promise.all([hot.delete('a'), hot.delete('b'), hot.delete('c')]);

    expect(hot.stats()).toEqual({
      ...ZERO,
      misses: 10,
      coalesced: 290,
      hits: 50,
      sets: 10,
      deletes: 3,
      bypassed: 7,
      store: 'memory',
      storeInfo: { entries: 10 },
    });
    expect(regions.get('lenient').stats()).toEqual({ ...ZERO, bypassed: 4, store: 'memory', storeInfo: { entries: 0 } });
    expect(runs.count).toBe(10);
  });

  it('counts every caller served a stale value while one refresh runs', async () => {
    const app = await createApp({ regions: { hot: { store: 'memory', ttl: '100ms', staleTtl: '1h' } } });
    const region = app.get(CacheRegions).get('hot');
    let computed = 0;
    const create = async () => {
      computed++;
      await sleep(30);
      return computed;
    };
    expect(await region.getOrSet('k', create)).toBe(1);
    await sleep(150);

    // 25 callers after expiry: all get the stale value; one background refresh runs.
    expect(await concurrently(25, () => region.getOrSet('k', create))).toEqual(Array(25).fill(1));
    await vi.waitFor(() => expect(region.stats().sets).toBe(2), { timeout: 15_000 }); // the refresh stored 2
    expect(await region.getOrSet('k', create)).toBe(2);
    expect(computed).toBe(2);
    expect(region.stats()).toMatchObject({ misses: 1, stale: 25, hits: 1, sets: 2, coalesced: 0, errors: 0 });
  });

  it('reports estimated entries and bytes of a memory region bounded by maxBytes', async () => {
    const app = await createApp({ regions: { sized: { store: 'memory', maxBytes: 1_000_000 } } });
    const region = app.get(CacheRegions).get('sized');
    await Promise.all(Array.from({ length: 4 }, (_, i) => region.set(`k${i}`, 'x'.repeat(1_000))));
    const info = region.stats().storeInfo!;
    expect(info.entries).toBe(4);
    // Each value is at least its characters; the estimate may add overhead, not lose size.
    expect(info.bytes).toBeGreaterThanOrEqual(4_000);
  });
});

describe('stats() on file regions', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ncr-stats-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reports the entries and bytes on disk, with exact hit and miss counts', async () => {
    const app = await createApp({ regions: { files: { store: 'file', dir, ttl: '1h' } } });
    const region = app.get(CacheRegions).get('files');
    await concurrently(5, (i) => region.set(`file-${i}`, Buffer.alloc(10_000, i)));
    await concurrently(20, (i) => region.get(`file-${i % 5}`));
    await concurrently(6, (i) => region.get(`absent-${i}`));

    const stats = region.stats();
    expect(stats).toMatchObject({ ...ZERO, hits: 20, misses: 6, sets: 5, store: 'file' });
    expect(stats.storeInfo).toMatchObject({ entries: 5, corrupt: 0, evicted: 0 });
    // On disk each entry is its value plus a small header.
    expect(stats.storeInfo!.bytes).toBeGreaterThanOrEqual(50_000);
    expect(stats.storeInfo!.bytes).toBeLessThan(60_000);
  });
});

describeMemcached('stats() on memcached regions', () => {
  const memcached = useMemcached({ perTest: true });

  it('counts misses and coalesced waiters exactly when every caller reads the store first', async () => {
    const app = await createApp({ regions: { remote: { store: 'memcached', servers: [memcached().address], ttl: '1h' } } }, [
      RemoteService,
    ]);
    const service = app.get(RemoteService);
    const region = app.get(CacheRegions).get('remote');

    // 20 keys × 10 callers: each caller's store read misses; the first to get its answer runs
    // the method, the 9 others of its key wait for that run. The runs end once every read was
    // answered, however slow the machine.
    let endRuns = () => {};
    remoteGate.until = new Promise((resolve) => {
      endRuns = resolve;
    });
    const calls = concurrently(200, (i) => service.square(i % 20));
    await vi.waitFor(() => expect(region.stats().misses + region.stats().coalesced).toBe(200), { timeout: 15_000 });
    endRuns();
    remoteGate.until = undefined;
    await calls;
    expect(runs.count).toBe(20);
    await sleep(50); // writes are not awaited by callers
    await concurrently(200, (i) => service.square(i % 20));
    expect(runs.count).toBe(20);
    expect(region.stats()).toMatchObject({ ...ZERO, misses: 20, coalesced: 180, hits: 200, sets: 20, store: 'memcached' });
  });

  it('counts values over maxValueBytes as oversize, not as sets or errors', async () => {
    const app = await createApp({ regions: { remote: { store: 'memcached', servers: [memcached().address], maxValueBytes: 1_000 } } }, [
      RemoteService,
    ]);
    const service = app.get(RemoteService);
    // One at a time, so no caller waits for another: each finds nothing, since nothing could be stored.
    for (let i = 0; i < 6; i++) {
      await service.big(i % 3);
      await sleep(10); // the write is not awaited by the caller
    }
    expect(app.get(CacheRegions).get('remote').stats()).toMatchObject({ ...ZERO, misses: 6, oversize: 6, sets: 0 });
  });

  it('counts each failed store call as an error and a miss, and stops counting errors once the breaker opens', async () => {
    const servers = [memcached().address];
    const app = await createApp({
      regions: {
        // Never opens within this test: every one of the 40 concurrent reads reaches the dead server.
        wide: { store: 'memcached', servers, timeoutMs: 200, retries: 1, breakerThreshold: 1_000 },
        narrow: { store: 'memcached', servers, timeoutMs: 200, retries: 1, breakerThreshold: 5, breakerCooldownMs: 60_000 },
      },
    });
    await memcached().kill();
    const regions = app.get(CacheRegions);

    expect(await concurrently(40, (i) => regions.get('wide').get(`k${i}`))).toEqual(Array(40).fill(undefined));
    expect(regions.get('wide').stats()).toMatchObject({ ...ZERO, errors: 40, misses: 40 });

    // One at a time: 5 failures open the breaker; the next 20 reads do not reach the store.
    for (let i = 0; i < 25; i++) await regions.get('narrow').get(`k${i}`);
    expect(regions.get('narrow').stats()).toMatchObject({
      ...ZERO,
      errors: 5,
      misses: 25,
      breakerOpen: true,
      breakerOpened: 1,
    });
  });
});

describe('CacheRegions.stats()', () => {
  it('returns every region by name, each as its own stats()', async () => {
    const app = await createApp({ regions: { a: { store: 'memory' }, b: { store: 'none' } } });
    const regions = app.get(CacheRegions);
    await regions.get('a').set('k', 1);
    await regions.get('a').get('k');
    await regions.get('b').get('k');
    const all = regions.stats();
    expect(Object.keys(all)).toEqual(['a', 'b']);
    expect(all.a).toEqual(regions.get('a').stats());
    expect(all.a).toMatchObject({ hits: 1, sets: 1, store: 'memory' });
    expect(all.b).toEqual({ ...ZERO, misses: 1, store: 'none' });
  });
});

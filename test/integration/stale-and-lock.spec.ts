import { Injectable, Module } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { setTimeout as sleep } from 'node:timers/promises';
import { Cached, CacheRegions, CacheRegionsModule, type RegionOptions } from '../../lib/index.js';
import { fitKey } from '../../lib/keys/key-builder.js';
import { lockSpaceKey } from '../../lib/keys/key-space.js';
import { MemoryStore } from '../../lib/stores/memory.store.js';

/** Counts runs across every app of the test, as a shared database would. */
const runs = { count: 0, fail: false };

@Injectable()
class PriceService {
  @Cached('prices')
  async price(symbol: string): Promise<string> {
    runs.count++;
    await sleep(80);
    if (runs.fail) throw new Error('upstream down');
    return `${symbol}@${runs.count}`;
  }
}

@Module({ providers: [PriceService] })
class PriceModule {}

async function createApp(prices: RegionOptions): Promise<TestingModule> {
  const app = await Test.createTestingModule({
    imports: [CacheRegionsModule.forRoot({ regions: { prices } }), PriceModule],
  }).compile();
  await app.init();
  return app;
}

beforeEach(() => {
  runs.count = 0;
  runs.fail = false;
});

/** Waits for what happens in the background, however slow the machine (the test's timeout bounds it). */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await sleep(10);
}

describe('staleTtl', () => {
  it('serves an expired value while one caller refreshes it in the background', async () => {
    const app = await createApp({ store: 'memory', ttl: '300ms', staleTtl: '60s' });
    const prices = app.get(PriceService);
    const region = app.get(CacheRegions).get('prices');
    expect(await prices.price('ACME')).toBe('ACME@1');
    await sleep(350);
    // Stale now: every caller gets the old value at once, and exactly one refresh starts.
    const stale = await Promise.all(Array.from({ length: 20 }, () => prices.price('ACME')));
    expect(new Set(stale)).toEqual(new Set(['ACME@1']));
    expect(region.stats().stale).toBe(20);
    await until(() => region.stats().sets === 2); // the refresh stored its value
    expect(runs.count).toBe(2);
    expect(await prices.price('ACME')).toBe('ACME@2');
    await app.close();
  });

  it('keeps serving the stale value when the refresh fails', async () => {
    const app = await createApp({ store: 'memory', ttl: '200ms', staleTtl: '60s' });
    const prices = app.get(PriceService);
    const region = app.get(CacheRegions).get('prices');
    expect(await prices.price('ACME')).toBe('ACME@1');
    await sleep(250);
    runs.fail = true;
    expect(await prices.price('ACME')).toBe('ACME@1');
    await until(() => region.stats().refreshErrors === 1); // that refresh failed and is over
    expect(await prices.price('ACME')).toBe('ACME@1');
    expect(runs.count).toBe(3);
    await app.close();
  });

  it('misses once staleTtl has passed too', async () => {
    const app = await createApp({ store: 'memory', ttl: '100ms', staleTtl: '100ms' });
    const prices = app.get(PriceService);
    await prices.price('ACME');
    await sleep(250);
    expect(await prices.price('ACME')).toBe('ACME@2');
    await app.close();
  });
});

describe('lock: true', () => {
  it('runs the method once across apps that share one store', async () => {
    // One store, several apps: each app has its own in-process single flight, as separate
    // processes would; only the lock in the store can make them compute once.
    const shared = new MemoryStore({ maxEntries: 100, clone: false });
    const apps = await Promise.all(
      // lockWaitMs far above the holder's 80 ms: waiters must not give up on a slow machine.
      Array.from({ length: 4 }, () => createApp({ store: shared, ttl: 60, lock: true, lockWaitMs: 15_000 })),
    );
    const results = await Promise.all(apps.flatMap((app) => Array.from({ length: 5 }, () => app.get(PriceService).price('ACME'))));
    expect(new Set(results)).toEqual(new Set(['ACME@1']));
    expect(runs.count).toBe(1);
    await Promise.all(apps.map((app) => app.close()));
  });

  it('without the lock, each app computes on its own', async () => {
    const shared = new MemoryStore({ maxEntries: 100, clone: false });
    const apps = await Promise.all(Array.from({ length: 4 }, () => createApp({ store: shared, ttl: 60 })));
    await Promise.all(apps.map((app) => app.get(PriceService).price('ACME')));
    expect(runs.count).toBe(4);
    await Promise.all(apps.map((app) => app.close()));
  });

  it('computes after lockWaitMs when the holder never stores a value', async () => {
    const shared = new MemoryStore({ maxEntries: 100, clone: false });
    // A lock left by a crashed process, under the key the region will use.
    const app = await createApp({ store: shared, ttl: 60, lock: true, lockWaitMs: 200, lockTtl: 30 });
    const region = app.get(CacheRegions).get('prices');
    const key = fitKey(lockSpaceKey(region.fit(region.keyFor(PriceService, 'price', ['ACME']))), shared.keyLimits, 'hash', {
      region: 'prices',
    });
    shared.set(key, { value: 'someone-else', expiresAt: Date.now() + 30_000, freshUntil: 0 });
    const started = Date.now();
    expect(await app.get(PriceService).price('ACME')).toBe('ACME@1');
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
    await app.close();
  });
});

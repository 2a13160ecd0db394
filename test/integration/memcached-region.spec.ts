import { Injectable, Module } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { setTimeout as sleep } from 'node:timers/promises';
import { Cached, CacheRegions, CacheRegionsModule, type RegionOptions } from '../../lib/index.js';
import { describeMemcached, useMemcached } from '../support/memcached.js';

/** Counts runs across every app of a test, as a shared database would. */
const runs = { count: 0 };

@Injectable()
class LeaseService {
  @Cached('functions')
  async expiration(user: { id: number }, leaseDate: string): Promise<string> {
    runs.count++;
    return `${user.id}:${leaseDate}:${runs.count}`;
  }

  @Cached('functions')
  async document(size: number): Promise<string> {
    runs.count++;
    return 'x'.repeat(size);
  }
}

@Module({ providers: [LeaseService] })
class LeaseModule {}

const apps: TestingModule[] = [];

async function createApp(functions: RegionOptions, keyPrefix?: string, extra: Record<string, RegionOptions> = {}) {
  const app = await Test.createTestingModule({
    imports: [CacheRegionsModule.forRoot({ keyPrefix, regions: { functions, ...extra } }), LeaseModule],
  }).compile();
  app.useLogger(false);
  await app.init();
  apps.push(app);
  return { app, leases: app.get(LeaseService), region: app.get(CacheRegions).get('functions') };
}

/** Wall time of one call, and its result. */
async function timed<T>(call: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await call();
  return { value, ms: performance.now() - started };
}

describeMemcached('memcached regions', () => {
  const memcached = useMemcached({ perTest: true });
  const user = { id: 7 };

  beforeEach(async () => {
    runs.count = 0;
  });
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });

  const options = (): RegionOptions => ({
    store: 'memcached',
    servers: [memcached().address],
    ttl: '1h',
    timeoutMs: 200,
    breakerThreshold: 3,
    breakerCooldownMs: 500,
  });

  it('shares entries between app instances on one memcached', async () => {
    const one = await createApp(options(), 'app');
    const two = await createApp(options(), 'app');
    const first = await one.leases.expiration(user, '2026-01-01');
    await sleep(20); // the write is not awaited by callers
    expect(await two.leases.expiration({ id: 7 }, '2026-01-01')).toBe(first);
    expect(runs.count).toBe(1);
    expect(two.region.stats()).toMatchObject({ hits: 1, misses: 0 });
  });

  it('shares signed entries between apps with the same signingKeys, and not with an app without them', async () => {
    const signingKeys = ['shared-secret-0123456789abcdef'];
    const one = await createApp({ ...options(), signingKeys }, 'app');
    const two = await createApp({ ...options(), signingKeys }, 'app');
    const unsigned = await createApp(options(), 'app');
    const first = await one.leases.expiration(user, '2026-02-01');
    await sleep(20); // the write is not awaited by callers
    expect(await two.leases.expiration({ id: 7 }, '2026-02-01')).toBe(first);
    expect(runs.count).toBe(1);
    expect(await unsigned.leases.expiration({ id: 7 }, '2026-02-01')).not.toBe(first);
    expect(runs.count).toBe(2);
    expect(two.region.stats()).toMatchObject({ hits: 1, misses: 0 });
  });

  it('keeps apps with different key prefixes, and regions with the same key, apart', async () => {
    const one = await createApp(options(), 'one');
    const two = await createApp(options(), 'two');
    const other = await createApp(options(), 'one', {}); // same prefix, same region: shared
    expect(await one.leases.expiration(user, 'd')).toBe('7:d:1');
    await sleep(20);
    expect(await two.leases.expiration(user, 'd')).toBe('7:d:2');
    expect(await other.leases.expiration(user, 'd')).toBe('7:d:1');

    const regions = (await createApp(options(), 'one', { notes: { ...options() } })).app.get(CacheRegions);
    await regions.get('functions').set('same-key', 'functions');
    await regions.get('notes').set('same-key', 'notes');
    expect(await regions.get('functions').get('same-key')).toBe('functions');
    expect(await regions.get('notes').get('same-key')).toBe('notes');
    await regions.get('notes').clear();
    expect(await regions.get('notes').get('same-key')).toBeUndefined();
    expect(await regions.get('functions').get('same-key')).toBe('functions');
  });

  it('clear() on one instance reaches the other within about a second', async () => {
    const one = await createApp(options(), 'app');
    const two = await createApp(options(), 'app');
    const first = await one.leases.expiration(user, 'c');
    await sleep(20);
    expect(await two.leases.expiration(user, 'c')).toBe(first);
    await one.region.clear();
    await sleep(1_100);
    expect(await two.leases.expiration(user, 'c')).not.toBe(first);
  });

  it('does not store values over maxValueBytes, counts them, and still returns them', async () => {
    const { leases, region } = await createApp({ ...options(), maxValueBytes: 1_000 });
    expect((await leases.document(5_000)).length).toBe(5_000);
    await sleep(20);
    expect((await leases.document(5_000)).length).toBe(5_000);
    expect(runs.count).toBe(2);
    expect(await leases.document(10)).toBe('x'.repeat(10));
    await sleep(20);
    await leases.document(10);
    expect(runs.count).toBe(3);
    expect(region.stats()).toMatchObject({ oversize: 2, errors: 0 });
  });

  it('fails open when memcached is killed, opens the breaker, and resumes after a restart', async () => {
    const { leases, region } = await createApp(options());
    await leases.expiration(user, 'k');
    await memcached().kill();
    const during: number[] = [];
    for (let i = 0; i < 10; i++) {
      const { value, ms } = await timed(() => leases.expiration(user, `down-${i}`));
      expect(value).toBe(`7:down-${i}:${runs.count}`);
      during.push(ms);
    }
    const stats = region.stats();
    expect(stats.errors).toBeGreaterThanOrEqual(3);
    expect(stats.breakerOpen).toBe(true);
    // Once the breaker is open no call waits for the store (timeoutMs is 200); the margin is for
    // a busy machine.
    expect(Math.max(...during.slice(5))).toBeLessThan(200);

    await memcached().restart();
    // Caching resumes by itself after the cool-down (spec: within 10 s by default).
    let resumed = false;
    for (let i = 0; i < 100 && !resumed; i++) {
      await sleep(100);
      const before = runs.count;
      await leases.expiration(user, 'back');
      await sleep(20);
      await leases.expiration(user, 'back');
      resumed = runs.count === before + 1 || runs.count === before;
    }
    expect(resumed).toBe(true);
    expect(region.stats().breakerOpen).toBe(false);
  });

  it('bounds the delay of a hung (SIGSTOPed) memcached by timeoutMs, then recovers', async () => {
    const { leases, region } = await createApp({ ...options(), breakerThreshold: 100 });
    await leases.expiration(user, 'h');
    memcached().pause();
    try {
      for (let i = 0; i < 5; i++) {
        const { value, ms } = await timed(() => leases.expiration(user, `hung-${i}`));
        expect(value).toBe(`7:hung-${i}:${runs.count}`);
        // timeoutMs is 200: a read, then the write of the result, each give up after it. A hung
        // store would hold the caller until SIGCONT; the rest is margin for a busy machine.
        expect(ms).toBeLessThan(2 * 200 + 1_500);
      }
      expect(region.stats().errors).toBeGreaterThanOrEqual(5);
    } finally {
      memcached().resume();
    }
    // Caching resumes once memcached answers again: the value computed next is served next.
    let resumed = false;
    for (let i = 0; i < 100 && !resumed; i++) {
      await sleep(100);
      await leases.expiration(user, 'after');
      const before = runs.count;
      await leases.expiration(user, 'after');
      resumed = runs.count === before;
    }
    expect(resumed).toBe(true);
  });
});

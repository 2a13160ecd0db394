import { Injectable, Module } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Cached, CacheRegions, CacheRegionsModule, parseCacheConfigOptions } from '../../lib/index.js';
import { resolveRegionsOptions } from '../../lib/config/resolve-regions-options.js';
import { CacheConfigError } from '../../lib/errors.js';
import { StoreValueTooLargeError, type StoreEntry } from '../../lib/stores/cache-store.js';
import { RedisStore, type RedisStoreOptions } from '../../lib/stores/redis.store.js';
import { checkClientInstalled } from '../../lib/stores/redis/client-package.js';
import { encodeRedisEntry } from '../../lib/stores/redis/entry-format.js';
import { parseRedisUrl } from '../../lib/stores/redis/redis-url.js';
import { describeRedis, startRedis, stopAllRedis, useRedis } from '../support/redis.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const entry = (value: unknown, expiresAt = 0, freshUntil = 0): StoreEntry => ({ value, expiresAt, freshUntil });

const stores: RedisStore[] = [];
const inspectors: Redis[] = [];
const apps: TestingModule[] = [];

function makeStore(
  url: string,
  options: Partial<RedisStoreOptions> & { namespace?: string; warnings?: string[] } = {},
): RedisStore {
  const { namespace = `test:${randomUUID().slice(0, 8)}`, warnings, ...rest } = options;
  const store = new RedisStore(
    { url, timeoutMs: 300, maxValueBytes: 1024 * 1024, ...rest },
    { region: 'r', namespace, warn: (message) => warnings?.push(message) },
  );
  stores.push(store);
  return store;
}

/** A plain ioredis client, to look at or tamper with what the store wrote. */
function inspector(url: string): Redis {
  const client = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 1 });
  inspectors.push(client);
  return client;
}

afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close()));
  await Promise.all(apps.splice(0).map((app) => app.close()));
  for (const client of inspectors.splice(0)) client.disconnect();
});

describe('Redis urls and configuration (no server)', () => {
  it('reads redis:// urls, with credentials, port and database', () => {
    expect(parseRedisUrl('redis://127.0.0.1')).toMatchObject({ host: '127.0.0.1', port: 6379, db: 0, shown: 'redis://127.0.0.1:6379/0' });
    expect(parseRedisUrl('redis://app:s%40cret@cache.internal:6380/3')).toMatchObject({
      host: 'cache.internal',
      port: 6380,
      db: 3,
      username: 'app',
      password: 's@cret',
      shown: 'redis://cache.internal:6380/3',
    });
    expect(parseRedisUrl('redis://:pw@[::1]:7000')).toMatchObject({ host: '::1', port: 7000, password: 'pw', username: undefined });
    for (const bad of ['127.0.0.1:6379', 'rediss://h:6379', 'http://h', 'redis://h:0', 'redis://h/x', 'redis://h?db=1', 'redis://']) {
      expect(parseRedisUrl(bad), bad).toBeUndefined();
    }
  });

  it('refuses a redis region without url, several urls, a bad url (never showing its password) and url off redis', () => {
    const resolve = (region: Record<string, unknown>) => () => resolveRegionsOptions({ regions: { s: region } });
    expect(resolve({ store: 'redis' })).toThrow(/Missing option "url" in region "s": a redis region needs/);
    expect(resolve({ store: 'redis', url: ['redis://a:6379', 'redis://b:6379'] })).toThrow(
      /2 Redis urls in region "s" option "url".*Redis Cluster.*not supported yet/,
    );
    const bad = resolve({ store: 'redis', url: 'redis://:hunter2@host:6379?tls=true' });
    expect(bad).toThrow(CacheConfigError);
    expect(bad).toThrow(/Invalid Redis url "redis:\/\/:\*\*\*@host:6379\?tls=true" in region "s" option "url"/);
    expect(bad).not.toThrow(/hunter2/);
    expect(resolve({ store: 'memcached', servers: ['h:11211'], url: 'redis://h' })).toThrow(/Option "url" in region "s" applies to redis regions/);
    const [config] = resolveRegionsOptions({ regions: { s: { store: 'redis', url: 'redis://h:1/2', timeoutMs: 50 } } });
    expect(config.redis).toEqual({ url: ['redis://h:1/2'], timeoutMs: 50, maxValueBytes: 1_048_576 });
    expect(config.readTimeoutMs).toBe(50);
  });

  it('reads Beaker and environment configuration: type redis or ext:redis, url (default the local Redis)', () => {
    expect(
      parseCacheConfigOptions({
        'cache.regions': 'sessions, functions',
        'cache.sessions.type': 'ext:redis',
        'cache.sessions.url': 'redis://10.0.0.5:6379/1',
        'cache.sessions.timeout_ms': '200',
        'cache.functions.type': 'memcached',
        'cache.functions.url': '10.0.0.6:11211',
      }).regions,
    ).toEqual({
      sessions: { store: 'redis', url: 'redis://10.0.0.5:6379/1', timeoutMs: 200 },
      functions: { store: 'memcached', servers: ['10.0.0.6:11211'] },
    });
    expect(parseCacheConfigOptions({ CACHE_REGIONS: 'sessions', CACHE_SESSIONS_TYPE: 'redis' }, { prefix: 'CACHE_' }).regions).toEqual({
      sessions: { store: 'redis', url: 'redis://127.0.0.1:6379' },
    });
    expect(() =>
      parseCacheConfigOptions({ 'cache.regions': 's', 'cache.s.type': 'redis', 'cache.s.url': 'redis://:pw@a:1,redis://b:2' }),
    ).toThrow(/2 Redis urls in "cache.s.url"/);
    expect(() => parseCacheConfigOptions({ 'cache.regions': 's', 'cache.s.type': 'redis', 'cache.s.url': 'redis://:pw@a:1?x' })).toThrow(
      /Invalid Redis url "redis:\/\/:\*\*\*@a:1\?x" in "cache.s.url"/,
    );
  });

  it('names the package to install when the client is missing', () => {
    expect(() => checkClientInstalled('region "s"', 'no-such-redis-client-package')).toThrow(
      /region "s" uses the redis store, which needs the "no-such-redis-client-package" package: install it with `npm install no-such-redis-client-package`/,
    );
    expect(() => checkClientInstalled('region "s"')).not.toThrow();
  });
});

describeRedis('RedisStore', () => {
  const server = useRedis();
  // The servers some tests start for themselves.
  afterAll(async () => {
    await stopAllRedis();
  });

  it('keeps regions and apps apart on one Redis: keys, values and clear()', async () => {
    const a = makeStore(server().url, { namespace: 'app1:functions' });
    const b = makeStore(server().url, { namespace: 'app2:functions' });
    const c = makeStore(server().url, { namespace: 'app1:functions2' });
    expect(a.cacheKey('k')).toBe('app1:functions|k');
    await Promise.all([a.set('k', entry('a')), b.set('k', entry('b')), c.set('k', entry('c'))]);
    expect((await a.get('k'))?.value).toBe('a');
    expect((await b.get('k'))?.value).toBe('b');
    expect((await c.get('k'))?.value).toBe('c');
    await a.clear();
    expect(await a.get('k')).toBeUndefined();
    expect((await b.get('k'))?.value).toBe('b');
    expect((await c.get('k'))?.value).toBe('c');
  });

  it('clears a region of thousands of keys in several SCAN steps, and only that region', async () => {
    const big = makeStore(server().url, { namespace: `big:${randomUUID().slice(0, 8)}` });
    const other = makeStore(server().url);
    const raw = inspector(server().url);
    await Promise.all(Array.from({ length: 2_500 }, (_, i) => big.set(`k${i}`, entry(i))));
    await Promise.all(Array.from({ length: 50 }, (_, i) => other.set(`k${i}`, entry(i))));
    await raw.set('unrelated', 'x');
    await big.clear();
    expect(await raw.keys(`${big.cacheKey('')}*`)).toEqual([]);
    expect(await other.get('k49')).toMatchObject({ value: 49 });
    expect(await raw.get('unrelated')).toBe('x');
  });

  it('expires entries to the millisecond (PX) and returns expiresAt and freshUntil exactly', async () => {
    const store = makeStore(server().url);
    const raw = inspector(server().url);
    const expiresAt = Date.now() + 250;
    await store.set('short', entry('v', expiresAt, expiresAt - 100));
    const ttl = await raw.pttl(store.cacheKey('short'));
    expect(ttl).toBeGreaterThan(150);
    expect(ttl).toBeLessThanOrEqual(250);
    expect(await store.get('short')).toEqual({ value: 'v', expiresAt, freshUntil: expiresAt - 100 });
    await sleep(300);
    expect(await store.get('short')).toBeUndefined();
    expect(await raw.exists(store.cacheKey('short'))).toBe(0);
    await store.set('forever', entry('v'));
    expect(await raw.pttl(store.cacheKey('forever'))).toBe(-1);
    // An expiry already past deletes the key.
    await store.set('forever', entry('v', Date.now() - 1));
    expect(await raw.exists(store.cacheKey('forever'))).toBe(0);
  });

  it('add() is SET NX PX: one taker across stores until the entry expires', async () => {
    const one = makeStore(server().url, { namespace: 'locks:shared' });
    const two = makeStore(server().url, { namespace: 'locks:shared' });
    const expiresAt = Date.now() + 200;
    const taken = await Promise.all([one.add('lock', entry('a', expiresAt)), two.add('lock', entry('b', expiresAt))]);
    expect(taken.filter(Boolean)).toHaveLength(1);
    expect(await two.add('lock', entry('b', Date.now() + 200))).toBe(false);
    await sleep(250);
    expect(await two.add('lock', entry('b', Date.now() + 200))).toBe(true);
    expect((await one.get('lock'))?.value).toBe('b');
    expect(await one.add('past', entry('x', Date.now() - 1))).toBe(false);
  });

  it('reads foreign and damaged values as misses, and says so once', async () => {
    const warnings: string[] = [];
    const store = makeStore(server().url, { warnings });
    const raw = inspector(server().url);
    const good = encodeRedisEntry(entry({ n: 1 }));
    const damaged: Record<string, Buffer | string> = {
      'plain string': 'hello',
      empty: '',
      truncated: good.subarray(0, 10),
      'wrong version': Buffer.concat([Buffer.of(good[0], 99), good.subarray(2)]),
      'garbled codec bytes': Buffer.concat([good.subarray(0, 18), Buffer.from('NCR\x01\x03[[],{')]),
      'negative expiry': (() => {
        const copy = Buffer.from(good);
        copy.writeDoubleBE(-5, 2);
        return copy;
      })(),
    };
    for (const [name, bytes] of Object.entries(damaged)) await raw.set(store.cacheKey(name), bytes);
    for (const name of Object.keys(damaged)) {
      expect(await store.get(name), name).toBeUndefined();
      expect(await store.has(name), name).toBe(false);
    }
    expect(warnings.filter((w) => w.includes('was not written by this store'))).toHaveLength(1);
    // A value of another Redis type is a miss too, not a store error; set() replaces it.
    await raw.lpush(store.cacheKey('list'), 'x');
    expect(await store.get('list')).toBeUndefined();
    await store.set('list', entry('mine'));
    expect((await store.get('list'))?.value).toBe('mine');
  });

  it('refuses values over maxValueBytes before sending them', async () => {
    const store = makeStore(server().url, { maxValueBytes: 100 });
    const raw = inspector(server().url);
    await expect(store.set('big', entry('x'.repeat(200)))).rejects.toBeInstanceOf(StoreValueTooLargeError);
    expect(await raw.exists(store.cacheKey('big'))).toBe(0);
    await store.set('small', entry('x'.repeat(20)));
    expect((await store.get('small'))?.value).toBe('x'.repeat(20));
  });

  it('pings, describes itself and closes its connection, leaving no socket or timer', async () => {
    const raw = inspector(server().url);
    await raw.ping();
    const handles = () => process.getActiveResourcesInfo().filter((kind) => kind === 'TCPSocketWrap' || kind === 'Timeout');
    const before = handles().length;
    const store = makeStore(server().url, { namespace: 'closing:r' });
    await store.ping();
    await store.get('k');
    expect(store.describe()).toEqual({ connected: 1, maxValueBytes: 1024 * 1024 });
    expect(await raw.client('LIST')).toContain('name=nest-cache-regions:r');
    await store.close();
    expect(store.describe().connected).toBe(0);
    await expect(store.get('k')).rejects.toThrow(/closed/);
    await sleep(50);
    expect(await raw.client('LIST')).not.toContain('name=nest-cache-regions:r');
    expect(handles().length).toBeLessThanOrEqual(before);
  });

  it('fails at once while Redis is down and within timeoutMs while it hangs, then works again', async () => {
    const own = await startRedis();
    const store = makeStore(own.url, { timeoutMs: 200 });
    await store.set('k', entry('v'));
    own.pause();
    let started = Date.now();
    await expect(store.get('k')).rejects.toThrow(/timed out/);
    expect(Date.now() - started).toBeLessThan(600);
    own.resume();
    expect((await store.get('k'))?.value).toBe('v');
    await own.kill();
    await sleep(50);
    started = Date.now();
    const failures = await Promise.allSettled(Array.from({ length: 100 }, () => store.get('k')));
    expect(failures.every((result) => result.status === 'rejected')).toBe(true);
    expect(Date.now() - started).toBeLessThan(200);
    await own.restart();
    for (let tries = 0; tries < 100 && !(await store.ping().then(() => true, () => false)); tries++) await sleep(50);
    expect(await store.get('k')).toBeUndefined(); // a restarted Redis is empty
    await store.set('k', entry('again'));
    expect((await store.get('k'))?.value).toBe('again');
  });

  it('lock: true makes two apps on one Redis compute a cold key once', async () => {
    let runs = 0;
    @Injectable()
    class Slow {
      @Cached('shared')
      async compute(n: number): Promise<number> {
        runs++;
        await sleep(200);
        return n * 2;
      }
    }
    @Module({ providers: [Slow] })
    class SlowModule {}
    // One prefix for both apps: they share the region's keys, as two instances of one app do.
    // Without the lock each would compute (single flight is per process): measured 2 runs.
    const prefix = `lock${randomUUID().slice(0, 8)}`;
    const build = async () => {
      const app = await Test.createTestingModule({
        imports: [
          CacheRegionsModule.forRoot({
            keyPrefix: prefix,
            regions: { shared: { store: 'redis', url: server().url, ttl: '1m', lock: true, lockWaitMs: 5_000 } },
          }),
          SlowModule,
        ],
      }).compile();
      app.useLogger(false);
      await app.init();
      apps.push(app);
      return app.get(Slow);
    };
    const [one, two] = await Promise.all([build(), build()]);
    const results = await Promise.all([one.compute(21), two.compute(21), one.compute(21), two.compute(21)]);
    expect(results).toEqual([42, 42, 42, 42]);
    expect(runs).toBe(1);
  });

  it('serves @Cached methods in an app; app.close() closes the connection', async () => {
    @Injectable()
    class Quotes {
      runs = 0;
      @Cached('sessions')
      async quote(user: { id: number }, at: Date): Promise<{ user: number; at: Date; tags: Map<string, number> }> {
        this.runs++;
        return { user: user.id, at, tags: new Map([['n', this.runs]]) };
      }
    }
    @Module({ providers: [Quotes] })
    class QuotesModule {}

    const app = await Test.createTestingModule({
      imports: [
        CacheRegionsModule.forRoot({
          keyPrefix: 'spec',
          regions: { sessions: { store: 'redis', url: server().url, ttl: '1m', lock: true } },
        }),
        QuotesModule,
      ],
    }).compile();
    app.useLogger(false);
    await app.init();
    apps.push(app);
    const quotes = app.get(Quotes);
    const at = new Date('2026-01-01T00:00:00Z');
    const first = await quotes.quote({ id: 1 }, at);
    const second = await quotes.quote({ id: 1 }, at);
    expect(second).toEqual(first);
    expect(second.at).toBeInstanceOf(Date);
    expect(quotes.runs).toBe(1);
    const region = app.get(CacheRegions).get('sessions');
    expect(region.stats()).toMatchObject({ hits: 1, misses: 1, errors: 0 });
    await region.clear();
    await quotes.quote({ id: 1 }, at);
    expect(quotes.runs).toBe(2);
    const raw = inspector(server().url);
    expect(await raw.client('LIST')).toContain('name=nest-cache-regions:sessions');
    await app.close();
    apps.splice(apps.indexOf(app), 1);
    await sleep(50);
    expect(await raw.client('LIST')).not.toContain('name=nest-cache-regions:sessions');
  });
});

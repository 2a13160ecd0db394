import { randomUUID } from 'node:crypto';
import memjs from 'memjs';
import type { Client } from 'memjs';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { CacheConfigError } from '../../lib/errors.js';
import { StoreValueTooLargeError, type StoreEntry } from '../../lib/stores/cache-store.js';
import {
  MEMCACHED_FAILOVER_MS,
  MEMCACHED_GENERATION_MAX_AGE_MS,
  MemcachedStore,
  type MemcachedStoreOptions,
} from '../../lib/stores/memcached.store.js';
import { HashRing } from '../../lib/stores/memcached/hash-ring.js';
import { describeMemcached, describeSasl, startMemcached, stopAllMemcached, useMemcached } from '../support/memcached.js';

const DAY_MS = 24 * 60 * 60 * 1_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const entry = (value: unknown, expiresAt = 0, freshUntil = 0): StoreEntry => ({ value, expiresAt, freshUntil });

/** Stores made by a test, closed after it. */
const stores: MemcachedStore[] = [];
const rawClients: Client[] = [];

function makeStore(
  servers: string[],
  options: Partial<MemcachedStoreOptions> & { namespace?: string; warnings?: string[] } = {},
): MemcachedStore {
  const { namespace = `test:${randomUUID().slice(0, 8)}`, warnings, ...rest } = options;
  const store = new MemcachedStore(
    { servers, timeoutMs: 300, retries: 2, maxValueBytes: 1024 * 1024, ...rest },
    { region: 'r', namespace, warn: (message) => warnings?.push(message) },
  );
  stores.push(store);
  return store;
}

/** A plain memjs client, to look at or tamper with what the store wrote. */
function rawClient(address: string): Client {
  const client = memjs.Client.create(address, { logger: { log: () => undefined }, retries: 1 });
  rawClients.push(client);
  return client;
}

/** Time a promise takes to settle, and how it settled. */
async function settle(promise: Promise<unknown>): Promise<{ ms: number; ok: boolean; error?: Error }> {
  const started = Date.now();
  try {
    await promise;
    return { ms: Date.now() - started, ok: true };
  } catch (error) {
    return { ms: Date.now() - started, ok: false, error: error as Error };
  }
}

afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close()));
  for (const client of rawClients.splice(0)) client.close();
});

describeMemcached('MemcachedStore', () => {
  const server = useMemcached();
  // The servers some tests start for themselves.
  afterAll(async () => {
    await stopAllMemcached();
  });

  describe('values', () => {
    const values: Record<string, unknown> = {
      'plain object': { a: 1, nested: { b: [true, null, 'x'] } },
      array: [1, 'two', [3, { four: 4 }]],
      string: 'héllo ✓ 🍰',
      'empty string': '',
      integer: 42,
      float: 3.25,
      '-0': -0,
      NaN: Number.NaN,
      Infinity: Number.NEGATIVE_INFINITY,
      true: true,
      false: false,
      null: null,
      Date: new Date(1_700_000_000_123),
      Buffer: Buffer.from([0, 1, 2, 254, 255]),
      Map: new Map<unknown, unknown>([[1, 'one'], ['two', { n: 2 }], [new Date(0), [3]]]),
      Set: new Set<unknown>([1, 'a', 2n]),
      bigint: -(2n ** 100n),
      'everything nested': {
        when: new Date(0),
        bytes: Buffer.from('abc'),
        map: new Map([['k', new Set([1n])]]),
        list: [-0, Number.NaN, null, undefined],
      },
    };

    it.each(Object.entries(values))('round-trips %s with its type', async (label, value) => {
      const store = makeStore([server().address]);
      await store.set('value', entry(value));
      const got = await store.get('value');
      expect(got).toBeDefined();
      expect(got!.value).toStrictEqual(value);
      if (Buffer.isBuffer(value)) expect(Buffer.isBuffer(got!.value)).toBe(true);
      if (label === 'everything nested') {
        expect(Buffer.isBuffer((got!.value as { bytes: unknown }).bytes)).toBe(true);
        expect(Object.is((got!.value as { list: unknown[] }).list[0], -0)).toBe(true);
      }
    });

    it('keeps expiresAt and freshUntil exactly', async () => {
      const store = makeStore([server().address]);
      const expiresAt = Date.now() + 60_000 + 0.5;
      const freshUntil = Date.now() + 30_123;
      await store.set('meta', entry('v', expiresAt, freshUntil));
      expect(await store.get('meta')).toEqual({ value: 'v', expiresAt, freshUntil });
    });

    it('reads bytes written by another client as a miss, never as garbage', async () => {
      const warnings: string[] = [];
      const store = makeStore([server().address], { warnings });
      const raw = rawClient(server().address);
      const key = await store.cacheKey('foreign');
      await raw.set(key, 'hello from another client');
      expect(await store.get('foreign')).toBeUndefined();
      expect(await store.has('foreign')).toBe(false);
      // Our header followed by bytes the codec does not know.
      await raw.set(key, Buffer.concat([Buffer.from([0xe7, 1]), Buffer.alloc(16), Buffer.from('junk!')]));
      expect(await store.get('foreign')).toBeUndefined();
      // A future format version reads as a miss too.
      await store.set('foreign', entry('mine'));
      const mine = (await raw.get(key)).value!;
      mine[1] = 2;
      await raw.set(key, mine);
      expect(await store.get('foreign')).toBeUndefined();
      expect(warnings.some((w) => w.includes('not written by this store'))).toBe(true);
    });
  });

  describe('expiry', () => {
    it('keeps an entry with a ttl over 30 days (sent as an absolute time)', async () => {
      const store = makeStore([server().address]);
      const raw = rawClient(server().address);
      const expiresAt = Date.now() + 40 * DAY_MS;
      await store.set('long', entry('forty days', expiresAt));
      expect((await store.get('long'))?.value).toBe('forty days');
      // Sent as relative seconds, memcached would read 40 days as a 1970 date and drop it at once.
      expect((await raw.get(await store.cacheKey('long'))).value).not.toBeNull();
    });

    it('lets memcached itself drop an entry with a 1 s ttl', async () => {
      const store = makeStore([server().address]);
      const raw = rawClient(server().address);
      await store.set('short', entry('brief', Date.now() + 1_000));
      const key = await store.cacheKey('short');
      expect((await store.get('short'))?.value).toBe('brief');
      await sleep(1_100);
      expect(await store.get('short')).toBeUndefined(); // the store's own check, to the ms
      await sleep(2_000);
      expect((await raw.get(key)).value).toBeNull(); // memcached's expiry (1 s granularity + 1 s)
    });

    it('deletes instead of storing an entry whose expiry is already past', async () => {
      const store = makeStore([server().address]);
      await store.set('past', entry('old'));
      await store.set('past', entry('new', Date.now() - 1));
      expect(await store.get('past')).toBeUndefined();
    });
  });

  describe('keys', () => {
    it('declares limits that leave room for its prefix, in UTF-8 bytes', async () => {
      const store = makeStore([server().address], { namespace: 'app:functions' });
      expect(store.keyLimits.forbidden?.test('a b')).toBe(true);
      expect(store.keyLimits.forbidden?.test('a\u0001b')).toBe(true);
      expect(store.keyLimits.forbidden?.test('a:b|é')).toBe(false);
      // 2-byte characters: a key of exactly maxBytes bytes.
      const max = store.keyLimits.maxBytes;
      const key = 'é'.repeat(Math.floor(max / 2)) + 'k'.repeat(max % 2);
      expect(Buffer.byteLength(key)).toBe(store.keyLimits.maxBytes);
      expect(Buffer.byteLength(await store.cacheKey(key))).toBe(250);
      await store.set(key, entry('at the limit'));
      expect((await store.get(key))?.value).toBe('at the limit');
      await expect(store.get(`${key}x`)).rejects.toThrow(/exceeds the store's limit/);
    });

    it('refuses a bad or repeated server address with a CacheConfigError naming the option', () => {
      const make = (servers: string[]) => () =>
        new MemcachedStore({ servers, timeoutMs: 100, retries: 1, maxValueBytes: 1_000 }, { region: 'r', namespace: 'n' });
      expect(make(['127.0.0.1:99999'])).toThrow(/Invalid memcached server "127.0.0.1:99999" in region "r" option "servers"/);
      expect(make([server().address, server().address])).toThrow(/listed twice/);
      expect(make([])).toThrow(CacheConfigError);
    });

    it('keeps a long or unusual namespace within the limits', async () => {
      const store = makeStore([server().address], { namespace: `my app/${'x'.repeat(300)}` });
      expect(store.keyLimits.maxBytes).toBeGreaterThanOrEqual(200);
      await store.set('k', entry(1));
      expect((await store.get('k'))?.value).toBe(1);
    });

    it('keeps two regions with the same logical key apart on one server', async () => {
      const a = makeStore([server().address], { namespace: 'app:regionA' });
      const b = makeStore([server().address], { namespace: 'app:regionB' });
      await a.set('same', entry('from A'));
      await b.set('same', entry('from B'));
      expect((await a.get('same'))?.value).toBe('from A');
      expect((await b.get('same'))?.value).toBe('from B');
    });

    it('keeps two apps with different key prefixes apart', async () => {
      const one = makeStore([server().address], { namespace: 'app1:functions' });
      const two = makeStore([server().address], { namespace: 'app2:functions' });
      await one.set('user:1', entry('app1'));
      expect(await two.get('user:1')).toBeUndefined();
      await two.set('user:1', entry('app2'));
      expect((await one.get('user:1'))?.value).toBe('app1');
      await one.delete('user:1');
      expect((await two.get('user:1'))?.value).toBe('app2');
    });
  });

  describe('clear()', () => {
    it("drops this region's entries only", async () => {
      const a = makeStore([server().address], { namespace: 'shared:a' });
      const b = makeStore([server().address], { namespace: 'shared:b' });
      await a.set('k', entry('a'));
      await b.set('k', entry('b'));
      await a.clear();
      expect(await a.get('k')).toBeUndefined();
      expect((await b.get('k'))?.value).toBe('b');
      await a.set('k', entry('a again'));
      expect((await a.get('k'))?.value).toBe('a again');
    });

    it(`is seen by another instance of the region within ${MEMCACHED_GENERATION_MAX_AGE_MS} ms`, async () => {
      const namespace = `shared:${randomUUID().slice(0, 8)}`;
      const here = makeStore([server().address], { namespace });
      const elsewhere = makeStore([server().address], { namespace }); // stands for another process
      await here.set('k', entry('v'));
      expect((await elsewhere.get('k'))?.value).toBe('v'); // elsewhere now caches the generation
      await here.clear();
      const cleared = Date.now();
      while ((await elsewhere.get('k')) !== undefined) await sleep(25);
      const seenAfter = Date.now() - cleared;
      // The promise: at most the generation's max age, plus one operation (and a busy machine's
      // slower polling loop).
      expect(seenAfter).toBeLessThanOrEqual(MEMCACHED_GENERATION_MAX_AGE_MS + 1_000);
      // And the other instance writes under the new generation from then on.
      await elsewhere.set('k', entry('after'));
      expect((await here.get('k'))?.value).toBe('after');
    });
  });

  describe('value size', () => {
    it('throws StoreValueTooLargeError over maxValueBytes and stores nothing', async () => {
      const store = makeStore([server().address], { maxValueBytes: 1_000 });
      await store.set('big', entry('small first'));
      const error = await store.set('big', entry('x'.repeat(2_000))).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreValueTooLargeError);
      expect((error as StoreValueTooLargeError).maxBytes).toBe(1_000);
      expect((error as StoreValueTooLargeError).byteLength).toBeGreaterThan(2_000);
      expect((await store.get('big'))?.value).toBe('small first');
    });

    it('maps a refusal by a server with a smaller item size to StoreValueTooLargeError', async () => {
      const small = await startMemcached({ maxItemSize: '64k', extraArgs: ['-o', 'slab_chunk_max=32768'] });
      const store = makeStore([small.address]);
      const error = await store.set('big', entry(Buffer.alloc(100_000, 1))).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreValueTooLargeError);
      expect((error as Error).message).toMatch(/-I/);
      // The connection is still usable.
      await store.set('ok', entry('fits'));
      expect((await store.get('ok'))?.value).toBe('fits');
      await small.kill();
    });
  });

  describe('add()', () => {
    it('stores only when absent', async () => {
      const store = makeStore([server().address]);
      expect(await store.add('lock', entry('one', Date.now() + 5_000))).toBe(true);
      expect(await store.add('lock', entry('two', Date.now() + 5_000))).toBe(false);
      expect((await store.get('lock'))?.value).toBe('one');
      expect(await store.delete('lock')).toBe(true);
      expect(await store.delete('lock')).toBe(false);
      expect(await store.add('lock', entry('three'))).toBe(true);
    });
  });

  describe('failures', () => {
    it("logs through context.warn, never memjs's console logger", async () => {
      const log = vi.spyOn(console, 'log');
      const warnings: string[] = [];
      const dead = await startMemcached();
      const store = makeStore([dead.address], { warnings, timeoutMs: 200 });
      await dead.kill();
      await expect(store.get('k')).rejects.toThrow(/memcached get failed for region "r" on 127\.0\.0\.1:\d+/);
      expect(log).not.toHaveBeenCalled();
      expect(warnings.some((w) => w.includes('failed after'))).toBe(true);
      log.mockRestore();
    });

    it('rejects within about timeoutMs × retries when the server is stopped (SIGSTOP), then recovers', async () => {
      const paused = await startMemcached();
      const timeoutMs = 300;
      const retries = 2;
      const store = makeStore([paused.address], { timeoutMs, retries });
      await store.set('k', entry('v'));
      paused.pause();
      try {
        const results = await Promise.all(Array.from({ length: 20 }, (_, i) => settle(store.get(i ? `k${i}` : 'k'))));
        for (const result of results) {
          expect(result.ok).toBe(false);
          expect(result.error?.message).toMatch(/timed out/);
          expect(result.ms).toBeLessThan(3 * timeoutMs * retries + 1_000);
        }
        const set = await settle(store.set('k', entry('w')));
        expect(set.ok).toBe(false);
        expect(set.ms).toBeLessThan(3 * timeoutMs * retries + 1_000);
      } finally {
        paused.resume();
      }
      // Back by itself: no reconnect call, no new store. (The timed-out set may still have been
      // applied: memcached read it from the socket when it resumed.)
      expect(['v', 'w']).toContain((await store.get('k'))?.value);
      await store.set('k2', entry('after'));
      expect((await store.get('k2'))?.value).toBe('after');
      await paused.kill();
    });

    it('works again by itself after the server is restarted', async () => {
      const flaky = await startMemcached();
      const store = makeStore([flaky.address], { timeoutMs: 200 });
      await store.set('k', entry('v'));
      await flaky.kill();
      await expect(store.get('k')).rejects.toThrow();
      await flaky.restart();
      // A restarted memcached is empty, so this is a miss, not an error...
      expect(await store.get('k')).toBeUndefined();
      // ...and writes work again.
      await store.set('k', entry('again'));
      expect((await store.get('k'))?.value).toBe('again');
      await flaky.kill();
    });

    it('fails over: with one of 3 servers dead, every call settles, the others keep working, and only fills go elsewhere', async () => {
      const three = await Promise.all([startMemcached(), startMemcached(), startMemcached()]);
      const addresses = three.map((s) => s.address);
      const warnings: string[] = [];
      const store = makeStore(addresses, { timeoutMs: 250, retries: 2, warnings });
      const ring = new HashRing(addresses);
      // The victim does not hold the region's generation (its loss is tested on its own below).
      const namespacePart = (await store.cacheKey('x')).split('|')[0];
      const victim = (ring.lookup(`${namespacePart}|!gen`) + 1) % 3;
      const keys = Array.from({ length: 60 }, (_, i) => `key-${i}`);
      for (const key of keys) await store.set(key, entry(key));
      const owner = new Map<string, number>();
      for (const key of keys) owner.set(key, ring.lookup(await store.cacheKey(key)));
      expect([0, 1, 2].map((i) => keys.filter((k) => owner.get(k) === i).length)).not.toContain(0);
      await three[victim].kill();

      const results = await Promise.all(keys.map((key) => settle(store.get(key))));
      keys.forEach((key, i) => {
        expect(results[i].ms).toBeLessThan(store.maxOperationMs + 1_000);
        if (owner.get(key) !== victim) expect(results[i].ok).toBe(true);
      });
      const onVictim = keys.filter((key) => owner.get(key) === victim);
      // Their reads failed or missed; none returned a value.
      for (const key of onVictim) {
        const r = results[keys.indexOf(key)];
        if (r.ok) expect(await store.get(key)).toBeUndefined();
      }
      expect(warnings.some((w) => w.includes(addresses[victim]) && w.includes('go to the next server'))).toBe(true);
      expect(store.describe()).toMatchObject({ servers: 3, serversDown: 1 });

      // A direct write of the dead server's keys is refused (its return would undo it)...
      await expect(store.set(onVictim[0], entry('direct'))).rejects.toThrow(`memcached set failed for region "r" on ${addresses[victim]}`);
      // ...while the value of a miss goes to the key's fallback, as a short-lived copy.
      for (const key of onVictim) await store.set(key, entry(`${key} filled`), { fill: true });
      for (const key of onVictim) expect((await store.get(key))?.value).toBe(`${key} filled`);
      const copy = await rawClient(addresses[ring.fallback(await store.cacheKey(onVictim[0]))]).get(
        await store.cacheKey(onVictim[0]),
      );
      expect(copy.value).not.toBeNull();
      for (const key of keys.filter((k) => owner.get(k) !== victim)) {
        expect((await store.get(key))?.value).toBe(key);
      }
      // A delete of a dead server's key cannot be applied: it rejects.
      await expect(store.delete(onVictim[0])).rejects.toThrow(`memcached delete failed for region "r" on ${addresses[victim]}`);
      await expect(store.ping()).rejects.toThrow(addresses[victim]);
    });

    it('serves nothing, rather than entries a clear() elsewhere dropped, once the generation cannot be read', async () => {
      const two = await Promise.all([startMemcached(), startMemcached()]);
      const addresses = two.map((s) => s.address);
      const warnings: string[] = [];
      const store = makeStore(addresses, { timeoutMs: 250, warnings });
      const ring = new HashRing(addresses);
      const namespacePart = (await store.cacheKey('x')).split('|')[0];
      const holder = ring.lookup(`${namespacePart}|!gen`);
      // A key on the server that survives.
      let key = '';
      for (let i = 0; key === ''; i++) if (ring.lookup(await store.cacheKey(`k${i}`)) !== holder) key = `k${i}`;
      await store.set(key, entry('before'));
      await two[holder].kill();
      // Once the generation read is older than its max age and cannot be renewed: nothing is served.
      await sleep(MEMCACHED_GENERATION_MAX_AGE_MS + 50);
      await expect(store.get(key)).rejects.toThrow(addresses[holder]);
      await expect(store.set(key, entry('after'))).rejects.toThrow();
      expect(warnings.some((w) => w.includes("cannot read the region's generation") && w.includes('serves and stores nothing'))).toBe(true);
      // The survivor still holds the entry: it is not served because its generation may be stale.
      await two[holder].restart();
      await sleep(MEMCACHED_FAILOVER_MS + 100);
      // The restarted server lost the generation: a new one starts, and the old entry is gone for good.
      expect(await store.get(key)).toBeUndefined();
    });

    it('counts a lone server that refuses connections as down until it answers again', async () => {
      const server = await startMemcached();
      const store = makeStore([server.address], { timeoutMs: 250 });
      await store.set('k', entry('v'));
      expect(store.describe()).toMatchObject({ servers: 1, serversDown: 0 });
      await server.kill();
      await expect(store.get('k')).rejects.toThrow(server.address);
      expect(store.describe().serversDown).toBe(1);
      await server.restart();
      await store.get('k');
      expect(store.describe().serversDown).toBe(0);
      await server.kill();
    });

    it(`takes a failed server back after ${MEMCACHED_FAILOVER_MS / 1_000} s`, async () => {
      const two = await Promise.all([startMemcached(), startMemcached()]);
      const addresses = two.map((s) => s.address);
      const store = makeStore(addresses, { timeoutMs: 250 });
      const ring = new HashRing(addresses);
      // The server that fails does not hold the region's generation.
      const namespacePart = (await store.cacheKey('x')).split('|')[0];
      const victim = 1 - ring.lookup(`${namespacePart}|!gen`);
      const keyOnVictim = async () => {
        for (let i = 0; ; i++) {
          if (ring.lookup(await store.cacheKey(`k${i}`)) === victim) return `k${i}`;
        }
      };
      const key = await keyOnVictim();
      await two[victim].kill();
      await expect(store.get(key)).rejects.toThrow(addresses[victim]);
      await store.set(key, entry('on the survivor'), { fill: true });
      expect(store.describe().serversDown).toBe(1);
      await two[victim].restart();
      await sleep(MEMCACHED_FAILOVER_MS + 100);
      // Back in the ring, but counted down until it has answered.
      expect(store.describe().serversDown).toBe(1);
      // Keys are written to their own server again.
      await store.set(key, entry('home again'));
      expect((await store.get(key))?.value).toBe('home again');
      expect(store.describe().serversDown).toBe(0);
      const raw = rawClient(addresses[victim]);
      expect((await raw.get(await store.cacheKey(key))).value).not.toBeNull();
    });
  });

  describe('ping()', () => {
    it('resolves when every server answers', async () => {
      const other = await startMemcached();
      const store = makeStore([server().address, other.address]);
      await expect(store.ping()).resolves.toBeUndefined();
      await other.kill();
      await expect(store.ping()).rejects.toThrow(other.address);
    });
  });

  describe('close()', () => {
    const resources = (type: string) => process.getActiveResourcesInfo().filter((t) => t === type).length;

    it('leaves no socket or timer behind', async () => {
      await sleep(50);
      const sockets = resources('TCPSocketWrap');
      const timers = resources('Timeout');
      const other = await startMemcached();
      const store = makeStore([server().address, other.address]);
      await Promise.all(Array.from({ length: 50 }, (_, i) => store.set(`k${i}`, entry(i))));
      await Promise.all(Array.from({ length: 50 }, (_, i) => store.get(`k${i}`)));
      await store.clear();
      expect(resources('TCPSocketWrap')).toBeGreaterThan(sockets);
      await store.close();
      // Closed sockets leave the list once their 'close' has run: wait for it, however long a
      // busy machine takes (a sleep's own timer is gone when it resolves; vi.waitFor's is not).
      for (let i = 0; i < 500 && (resources('TCPSocketWrap') > sockets || resources('Timeout') > timers); i++) await sleep(20);
      expect(resources('TCPSocketWrap')).toBeLessThanOrEqual(sockets);
      expect(resources('Timeout')).toBeLessThanOrEqual(timers);
      await expect(store.get('k1')).rejects.toThrow(/closed/);
      await other.kill();
    });

    it('settles calls in flight to a stopped server, then closes', async () => {
      const paused = await startMemcached();
      const store = makeStore([paused.address], { timeoutMs: 200 });
      await store.set('k', entry('v'));
      paused.pause();
      try {
        const pending = settle(store.get('k'));
        const closed = await settle(store.close());
        expect(closed.ok).toBe(true);
        expect(closed.ms).toBeLessThan(store.maxOperationMs + 1_000);
        expect((await pending).ok).toBe(false);
      } finally {
        await paused.kill();
      }
    });
  });

  describeSasl('SASL', () => {
    const secured = useMemcached({ sasl: { username: 'alice', password: 's3cret' } });

    it('works with the right credentials', async () => {
      const store = makeStore([secured().address], { username: 'alice', password: 's3cret' });
      await store.set('k', entry('secret value'));
      expect((await store.get('k'))?.value).toBe('secret value');
    });

    it('fails, naming the cause, with wrong or missing credentials', async () => {
      const wrong = makeStore([secured().address], { username: 'alice', password: 'nope', timeoutMs: 200 });
      await expect(wrong.get('k')).rejects.toThrow(/authentication failed.*username/s);
      const none = makeStore([secured().address], { timeoutMs: 200 });
      await expect(none.get('k')).rejects.toThrow(/authentication/);
    });
  });
});

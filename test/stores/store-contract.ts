import type { CacheStore, StoreEntry } from '../../lib/stores/cache-store.js';

/** What a contract run needs: a fresh store (empty region) and a way to dispose of it. */
export interface StoreContractSetup {
  store: CacheStore;
  teardown(): Promise<void>;
}

const entry = (value: unknown, expiresAt = 0, freshUntil = 0): StoreEntry => ({
  value,
  expiresAt,
  freshUntil,
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The conformance suite every store runs against its real backend (memory, memcached, file, a
 * user's own). Each test gets a fresh store from `setup`.
 */
export function runStoreContract(label: string, setup: () => Promise<StoreContractSetup>): void {
  describe(`CacheStore contract: ${label}`, () => {
    let store: CacheStore;
    let teardown: () => Promise<void>;

    beforeEach(async () => {
      ({ store, teardown } = await setup());
    });
    afterEach(async () => {
      await teardown();
    });

    it('declares a kind and key limits', () => {
      expect(typeof store.kind).toBe('string');
      expect(store.keyLimits.maxBytes).toBeGreaterThanOrEqual(64);
    });

    it('misses a key that was never set', async () => {
      expect(await store.get('contract:absent')).toBeUndefined();
      expect(await store.has('contract:absent')).toBe(false);
    });

    it('returns what was set, with expiry metadata', async () => {
      const expiresAt = Date.now() + 60_000;
      const freshUntil = Date.now() + 30_000;
      await store.set('contract:a', entry({ n: 1, s: 'x', list: [1, 2] }, expiresAt, freshUntil));
      const got = await store.get('contract:a');
      expect(got?.value).toEqual({ n: 1, s: 'x', list: [1, 2] });
      // Remote stores may keep expiry to the second; freshUntil is the region's and must be exact.
      expect(Math.abs((got?.expiresAt ?? 0) - expiresAt)).toBeLessThan(1_000);
      expect(got?.freshUntil).toBe(freshUntil);
      expect(await store.has('contract:a')).toBe(true);
    });

    it('keeps entries without expiry (expiresAt 0)', async () => {
      await store.set('contract:forever', entry('v'));
      const got = await store.get('contract:forever');
      expect(got?.value).toBe('v');
      expect(got?.expiresAt).toBe(0);
    });

    it('round-trips null, false, 0 and the empty string as hits', async () => {
      const values: unknown[] = [null, false, 0, ''];
      for (const [i, value] of values.entries()) {
        await store.set(`contract:falsy:${i}`, entry(value));
      }
      for (const [i, value] of values.entries()) {
        const got = await store.get(`contract:falsy:${i}`);
        expect(got).toBeDefined();
        expect(got?.value).toBe(value);
      }
    });

    it('round-trips Buffers as Buffers', async () => {
      const bytes = Buffer.from([0, 1, 2, 250, 255]);
      await store.set('contract:buffer', entry(bytes));
      const got = await store.get('contract:buffer');
      expect(Buffer.isBuffer(got?.value)).toBe(true);
      expect((got?.value as Buffer).equals(bytes)).toBe(true);
    });

    it('replaces an entry on set', async () => {
      await store.set('contract:r', entry(1));
      await store.set('contract:r', entry(2));
      expect((await store.get('contract:r'))?.value).toBe(2);
    });

    it('deletes an entry', async () => {
      await store.set('contract:d', entry('gone'));
      await store.delete('contract:d');
      expect(await store.get('contract:d')).toBeUndefined();
      expect(await store.has('contract:d')).toBe(false);
    });

    it('misses an entry after its expiry', async () => {
      // 2 s to read it back: a window no busy machine misses; then well past it.
      await store.set('contract:short', entry('brief', Date.now() + 2_000));
      expect((await store.get('contract:short'))?.value).toBe('brief');
      await sleep(3_100);
      expect(await store.get('contract:short')).toBeUndefined();
      expect(await store.has('contract:short')).toBe(false);
    });

    it('clears every entry', async () => {
      await store.set('contract:c1', entry(1));
      await store.set('contract:c2', entry(2));
      await store.clear();
      expect(await store.get('contract:c1')).toBeUndefined();
      expect(await store.get('contract:c2')).toBeUndefined();
      await store.set('contract:c3', entry(3));
      expect((await store.get('contract:c3'))?.value).toBe(3);
    });

    it('accepts a key of exactly its byte limit', async () => {
      const key = 'k'.repeat(Math.min(store.keyLimits.maxBytes, 4_096));
      await store.set(key, entry('long'));
      expect((await store.get(key))?.value).toBe('long');
    });

    it('keeps keys that differ only in their tail apart', async () => {
      const head = 'contract:tail:'.padEnd(60, 'x');
      await store.set(`${head}1`, entry('one'));
      await store.set(`${head}2`, entry('two'));
      expect((await store.get(`${head}1`))?.value).toBe('one');
      expect((await store.get(`${head}2`))?.value).toBe('two');
    });

    it('peekFresh() answers a fresh value synchronously, and undefined for anything else', async (ctx) => {
      const peekFresh = store.peekFresh?.bind(store);
      if (!peekFresh) {
        ctx.skip();
        return;
      }
      const now = Date.now();
      const values: unknown[] = [{ n: 1 }, null, false, 0, ''];
      for (const [i, value] of values.entries()) await store.set(`contract:peek:${i}`, entry(value));
      for (const [i, value] of values.entries()) expect(peekFresh(`contract:peek:${i}`)).toEqual(value);
      await store.set('contract:peek:timed', entry('timed', now + 60_000, now + 30_000));
      expect(peekFresh('contract:peek:timed')).toBe('timed');
      expect(peekFresh('contract:absent')).toBeUndefined();
      // Past its freshness, not its expiry: `get` serves it (stale), peekFresh leaves it to `get`.
      await store.set('contract:peek:stale', entry('stale', now + 60_000, now - 1));
      expect(peekFresh('contract:peek:stale')).toBeUndefined();
      expect((await store.get('contract:peek:stale'))?.value).toBe('stale');
      await store.set('contract:peek:expired', entry('expired', now - 1));
      expect(peekFresh('contract:peek:expired')).toBeUndefined();
      expect(await store.get('contract:peek:expired')).toBeUndefined();
    });

    it('add() stores only when no live entry exists', async (ctx) => {
      if (!store.add) {
        ctx.skip();
        return;
      }
      expect(await store.add('contract:add', entry('first', Date.now() + 60_000))).toBe(true);
      expect(await store.add('contract:add', entry('second', Date.now() + 60_000))).toBe(false);
      expect((await store.get('contract:add'))?.value).toBe('first');
    });
  });
}

import { MemoryStore } from '../../lib/stores/memory.store.js';
import { NoneStore } from '../../lib/stores/none.store.js';
import type { StoreEntry } from '../../lib/stores/cache-store.js';

const entry = (value: unknown): StoreEntry => ({ value, expiresAt: 0, freshUntil: 0 });

describe('MemoryStore', () => {
  it('evicts the least recently used entry beyond maxEntries', () => {
    const store = new MemoryStore({ maxEntries: 2, clone: false });
    store.set('a', entry(1));
    store.set('b', entry(2));
    store.get('a'); // a is now more recent than b
    store.set('c', entry(3));
    expect(store.get('a')?.value).toBe(1);
    expect(store.get('b')).toBeUndefined();
    expect(store.get('c')?.value).toBe(3);
    expect(store.describe()).toEqual({ entries: 2 });
  });

  it('bounds the estimated size with maxBytes', () => {
    const store = new MemoryStore({ maxEntries: 1_000, maxBytes: 20_000, clone: false });
    for (let i = 0; i < 100; i++) store.set(`k${i}`, entry('x'.repeat(1_000)));
    const { entries, bytes } = store.describe();
    expect(bytes).toBeLessThanOrEqual(20_000);
    expect(entries).toBeLessThan(100);
    expect(entries).toBeGreaterThan(0);
    expect(store.get('k99')?.value).toBe('x'.repeat(1_000));
    expect(store.get('k0')).toBeUndefined();
  });

  it('keeps values by reference unless clone is set', () => {
    const shared = new MemoryStore({ maxEntries: 10, clone: false });
    const value = { n: 1 };
    shared.set('k', entry(value));
    (shared.get('k')?.value as { n: number }).n = 2;
    expect(value.n).toBe(2);

    const cloning = new MemoryStore({ maxEntries: 10, clone: true });
    const original = { n: 1, when: new Date(5) };
    cloning.set('k', entry(original));
    original.n = 99;
    const first = cloning.get('k')?.value as { n: number; when: Date };
    first.n = 42;
    expect(cloning.get('k')?.value).toEqual({ n: 1, when: new Date(5) });
  });

  it('answers synchronously, so memory hits need no extra await', () => {
    const store = new MemoryStore({ maxEntries: 10, clone: false });
    store.set('k', entry('v'));
    const got = store.get('k');
    expect(got).not.toBeInstanceOf(Promise);
    expect(got?.value).toBe('v');
  });
});

describe('MemoryStore.peekFresh', () => {
  const timed = (value: unknown, expiresAt: number, freshUntil = 0): StoreEntry => ({ value, expiresAt, freshUntil });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('expires to the millisecond, exactly as get does', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const store = new MemoryStore({ maxEntries: 10, clone: false });
    const t0 = Date.now();
    store.set('k', timed('v', t0 + 1_000));
    vi.setSystemTime(t0 + 999);
    expect(store.peekFresh('k')).toBe('v');
    expect(store.get('k')?.value).toBe('v');
    vi.setSystemTime(t0 + 1_000);
    expect(store.peekFresh('k')).toBeUndefined();
    expect(store.get('k')).toBeUndefined();
  });

  it('leaves an entry to get from its freshUntil on, to the millisecond', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const store = new MemoryStore({ maxEntries: 10, clone: false });
    const t0 = Date.now();
    store.set('k', timed('v', t0 + 5_000, t0 + 1_000));
    vi.setSystemTime(t0 + 999);
    expect(store.peekFresh('k')).toBe('v');
    vi.setSystemTime(t0 + 1_000);
    expect(store.peekFresh('k')).toBeUndefined();
    expect(store.get('k')).toEqual({ value: 'v', expiresAt: t0 + 5_000, freshUntil: t0 + 1_000 });
  });

  it('makes the entry the most recently used, as get does', () => {
    const store = new MemoryStore({ maxEntries: 2, clone: false });
    store.set('a', entry(1));
    store.set('b', entry(2));
    expect(store.peekFresh('a')).toBe(1);
    store.set('c', entry(3));
    expect(store.peekFresh('a')).toBe(1);
    expect(store.peekFresh('b')).toBeUndefined();
  });

  it('returns a copy of each value when clone is set', () => {
    const store = new MemoryStore({ maxEntries: 10, clone: true });
    store.set('bare', entry({ n: 1 }));
    store.set('timed', timed({ n: 2 }, Date.now() + 60_000));
    const bare = store.peekFresh('bare') as { n: number };
    bare.n = 42;
    expect(store.peekFresh('bare')).toEqual({ n: 1 });
    const value = store.peekFresh('timed') as { n: number };
    value.n = 42;
    expect(store.peekFresh('timed')).toEqual({ n: 2 });
  });

  it('leaves every read to get in a subclass that overrides get alone', () => {
    class CountingStore extends MemoryStore {
      reads = 0;
      override get(key: string) {
        this.reads++;
        return super.get(key);
      }
    }
    class PeekingStore extends CountingStore {
      override peekFresh(key: string) {
        this.reads++;
        return super.peekFresh(key);
      }
    }
    const counting = new CountingStore({ maxEntries: 10, clone: false });
    counting.set('k', entry('v'));
    expect(counting.peekFresh('k')).toBeUndefined();
    const peeking = new PeekingStore({ maxEntries: 10, clone: false });
    peeking.set('k', entry('v'));
    expect(peeking.peekFresh('k')).toBe('v');
    expect(peeking.reads).toBe(1);
  });
});

describe('NoneStore', () => {
  it('caches nothing', async () => {
    const store = new NoneStore();
    await store.set('k', entry('v'));
    expect(await store.get()).toBeUndefined();
    expect(await store.has()).toBe(false);
    expect(await store.delete()).toBe(false);
  });
  it('returns every kind of value with its times, held bare or with times', () => {
    for (const clone of [false, true]) {
      const store = new MemoryStore({ maxEntries: 100, clone });
      const never = [null, false, 0, -0, '', Number.NaN, 'text', { a: 1 }, [1, 2]];
      never.forEach((value, i) => store.set(`n${i}`, entry(value)));
      never.forEach((value, i) => expect(store.get(`n${i}`)).toEqual({ value, expiresAt: 0, freshUntil: 0 }));
      expect(Object.is(store.get('n3')?.value, -0)).toBe(true);
      const later = Date.now() + 60_000;
      store.set('timed', { value: null, expiresAt: later, freshUntil: 0 });
      store.set('stale', { value: 'v', expiresAt: later + 1, freshUntil: later });
      store.set('gone', { value: 'v', expiresAt: Date.now() - 1, freshUntil: 0 });
      expect(store.get('timed')).toEqual({ value: null, expiresAt: later, freshUntil: 0 });
      expect(store.get('stale')).toEqual({ value: 'v', expiresAt: later + 1, freshUntil: later });
      expect(store.get('gone')).toBeUndefined();
      expect(store.has('timed')).toBe(true);
      expect(store.describe().entries).toBe(never.length + 2);
    }
  });

  it('hands out a fresh entry object per read of a value held bare, so a caller cannot alter the next', () => {
    const store = new MemoryStore({ maxEntries: 10, clone: false });
    store.set('k', entry('v'));
    const first = store.get('k')!;
    first.freshUntil = 1;
    first.value = 'changed';
    expect(store.get('k')).toEqual({ value: 'v', expiresAt: 0, freshUntil: 0 });
  });
});

import { Deadlines } from '../../lib/deadlines.js';
import { decodeEntry, encodeEntry, ENTRY_HEADER_BYTES } from '../../lib/stores/memcached/entry-format.js';
import { EntrySigner, SIGNATURE_BYTES } from '../../lib/stores/memcached/entry-signer.js';
import { CODEC_HEADER_BYTES, encodeValue } from '../../lib/serialization/value-codec.js';
import { MEMCACHED_RELATIVE_EXPIRY_MAX_S, toMemcachedExpiry } from '../../lib/stores/memcached/expiry.js';
import { GenerationCache } from '../../lib/stores/memcached/generation-cache.js';
import {
  entryKey,
  generationKey,
  keyOverheadBytes,
  namespacePart,
  newGeneration,
  parseGeneration,
} from '../../lib/stores/memcached/key-layout.js';

const NOW = 1_800_000_000_000; // a fixed epoch ms
const DAY_MS = 86_400_000;

describe('toMemcachedExpiry', () => {
  it.each([
    ['never', 0, 0],
    ['1 ms ahead: 1 s, never 0', NOW + 1, 2],
    ['already past: still 1, never 0', NOW - 5_000, 1],
    ['exactly 1 s', NOW + 1_000, 2],
    ['1.5 s rounds up', NOW + 1_500, 3],
    ['1 hour', NOW + 3_600_000, 3_601],
    ['30 days minus 1 s stays relative', NOW + 30 * DAY_MS - 1_000, MEMCACHED_RELATIVE_EXPIRY_MAX_S],
    ['40 days becomes absolute Unix seconds', NOW + 40 * DAY_MS, (NOW + 40 * DAY_MS) / 1_000],
    ['absolute times round up', NOW + 40 * DAY_MS + 1, Math.ceil((NOW + 40 * DAY_MS + 1) / 1_000)],
  ])('%s', (_label, expiresAt, expected) => {
    expect(toMemcachedExpiry(expiresAt, NOW)).toBe(expected);
  });
});

describe('memcached key layout', () => {
  it('keeps plain namespaces readable and digests the others to a fixed size', () => {
    expect(namespacePart('app:functions')).toBe('app:functions');
    const odd = namespacePart('my app|functions');
    expect(odd).toMatch(/^#[A-Za-z0-9_-]{22}$/);
    expect(namespacePart('x'.repeat(65))).toMatch(/^#/);
    expect(namespacePart('my app|functions')).toBe(odd); // deterministic
  });

  it('cannot make two namespaces share a key (no namespace contains "|")', () => {
    const generation = 'AAAAAAAA';
    // Without the separator rule, "a" + key "x|y" and "a|x" + key "y" could meet.
    expect(entryKey(namespacePart('a'), generation, 'x|y')).not.toBe(entryKey(namespacePart('a|x'), generation, 'y'));
    expect(generationKey('a')).not.toBe(entryKey('a', generation, '!gen'));
  });

  it('counts the prefix in bytes', () => {
    const ns = namespacePart('app:functions');
    expect(keyOverheadBytes(ns)).toBe(Buffer.byteLength(entryKey(ns, newGeneration(), '')));
  });

  it('accepts only well-formed generations', () => {
    const generation = newGeneration();
    expect(parseGeneration(Buffer.from(generation))).toBe(generation);
    expect(parseGeneration(Buffer.from('short'))).toBeUndefined();
    expect(parseGeneration(Buffer.from('has spac'))).toBeUndefined();
    expect(parseGeneration(null)).toBeUndefined();
  });
});

describe('memcached entry signatures', () => {
  const signer = new EntrySigner(['k'.repeat(16), 'old-key-'.repeat(2)]);
  const sign = (cacheKey: string) => ({ signer, cacheKey });
  const entry = { value: { id: 7, tags: ['a'] }, expiresAt: NOW + 60_000, freshUntil: 0 };

  it('round-trips a signed entry under its own key only', () => {
    const bytes = encodeEntry(entry, sign('ns|gen|user:7'));
    expect(bytes.length).toBe(encodeEntry(entry).length + SIGNATURE_BYTES);
    expect(decodeEntry(bytes, NOW, sign('ns|gen|user:7'))).toEqual(entry);
    expect(decodeEntry(bytes, NOW, sign('ns|gen|user:8'))).toBe('foreign');
    expect(decodeEntry(bytes, NOW)).toBe('foreign');
    expect(decodeEntry(encodeEntry(entry), NOW, sign('ns|gen|user:7'))).toBe('foreign');
  });

  it('keeps the key and the bytes apart in what it signs', () => {
    // The same bytes under keys "ab" and "a" + "b…" must not share a signature.
    const parts = [Buffer.from('bc')];
    expect(signer.sign('ab', parts).equals(signer.sign('a', [Buffer.from('bbc')]))).toBe(false);
    expect(signer.verify('ab', parts, signer.sign('ab', parts))).toBe(true);
    expect(signer.verify('ab', parts, signer.sign('ab', parts).subarray(1))).toBe(false);
  });

  it('verifies with any key and signs with the first', () => {
    const old = new EntrySigner(['old-key-'.repeat(2)]);
    const parts = [Buffer.from('payload')];
    expect(signer.verify('k', parts, old.sign('k', parts))).toBe(true);
    expect(old.verify('k', parts, signer.sign('k', parts))).toBe(false);
    expect(() => new EntrySigner([])).toThrow(RangeError);
  });

  it('checks the signature before the expiry: a forged expired header is foreign, not expired', () => {
    const bytes = encodeEntry({ ...entry, expiresAt: NOW + 1 }, sign('key'));
    expect(decodeEntry(bytes, NOW + 5, sign('key'))).toBe('expired');
    const forged = Buffer.from(bytes);
    forged.writeDoubleBE(NOW - 1, 2);
    expect(decodeEntry(forged, NOW, sign('key'))).toBe('foreign');
  });
});

describe('memcached entry format', () => {
  it('round-trips value, expiresAt and freshUntil', () => {
    const entry = { value: new Map([[1, new Date(5)]]), expiresAt: NOW + 10.5, freshUntil: NOW + 3 };
    expect(decodeEntry(encodeEntry(entry), NOW)).toEqual(entry);
  });

  it('reads expired, foreign, truncated and future-version bytes as misses', () => {
    const bytes = encodeEntry({ value: 'v', expiresAt: NOW + 1_000, freshUntil: 0 });
    expect(decodeEntry(bytes, NOW + 1_000)).toBe('expired');
    expect(decodeEntry(Buffer.from('hello'), NOW)).toBe('foreign');
    expect(decodeEntry(bytes.subarray(0, ENTRY_HEADER_BYTES + 3), NOW)).toBe('foreign');
    const future = Buffer.from(bytes);
    future[1] = 99;
    expect(decodeEntry(future, NOW)).toBe('foreign');
    const nanExpiry = Buffer.from(bytes);
    nanExpiry.writeDoubleBE(Number.NaN, 2);
    expect(decodeEntry(nanExpiry, NOW)).toBe('foreign');
  });

  it('writes JSON-shaped values in the JSON kind, and still reads items of the v8 kind (older versions)', () => {
    const value = { id: 7, name: 'Ann', createdAt: new Date(1_700_000_000_000), tags: ['a'] };
    const entry = { value, expiresAt: NOW + 60_000, freshUntil: NOW + 1_000 };
    const bytes = encodeEntry(entry);
    expect(bytes[ENTRY_HEADER_BYTES + CODEC_HEADER_BYTES - 1]).toBe(0x03);
    expect(decodeEntry(bytes, NOW)).toEqual(entry);
    // As this store wrote every item before the JSON kind: the same header, the value in v8's form.
    const older = Buffer.concat([bytes.subarray(0, ENTRY_HEADER_BYTES), encodeValue(value)]);
    expect(older[ENTRY_HEADER_BYTES + CODEC_HEADER_BYTES - 1]).toBe(0x01);
    expect(decodeEntry(older, NOW)).toEqual(entry);
    const signer = new EntrySigner(['k'.repeat(16)]);
    expect(decodeEntry(encodeEntry(entry, { signer, cacheKey: 'k' }), NOW, { signer, cacheKey: 'k' })).toEqual(entry);
  });

  it('reads a JSON item whose bytes were tampered with as foreign, never as a partial value', () => {
    const bytes = encodeEntry({ value: { a: [1, 2], at: new Date(1) }, expiresAt: 0, freshUntil: 0 });
    const cut = bytes.subarray(0, bytes.length - 2);
    expect(decodeEntry(cut, NOW)).toBe('foreign');
    const text = bytes.toString('latin1').replace('"at"]', '"__proto__"]');
    expect(decodeEntry(Buffer.from(text, 'latin1'), NOW)).toBe('foreign');
  });
});

describe('GenerationCache', () => {
  function setup() {
    let now = 0;
    let stored = 'gen-1';
    let failing = false;
    const loads: number[] = [];
    const unknown: unknown[] = [];
    const cache = new GenerationCache({
      load: async () => {
        loads.push(now);
        if (failing) throw new Error('down');
        return stored;
      },
      maxAgeMs: 1_000,
      onUnknown: (error) => unknown.push(error),
      now: () => now,
    });
    return {
      cache,
      loads,
      unknown,
      tick: (ms: number) => (now += ms),
      store: (generation: string) => (stored = generation),
      fail: (value: boolean) => (failing = value),
    };
  }

  it('reads once, then serves from memory until 80% of the max age', async () => {
    const t = setup();
    expect(await t.cache.current()).toBe('gen-1');
    t.tick(799);
    expect(t.cache.current()).toBe('gen-1');
    expect(t.loads).toEqual([0]);
  });

  it('refreshes in the background near the max age, and waits for a fresh read past it', async () => {
    const t = setup();
    await t.cache.current();
    t.store('gen-2');
    t.tick(850);
    expect(t.cache.current()).toBe('gen-1'); // served at once, refresh started
    await Promise.resolve();
    await Promise.resolve();
    expect(t.cache.current()).toBe('gen-2');
    t.store('gen-3');
    t.tick(1_000);
    const pending = t.cache.current();
    expect(pending).toBeInstanceOf(Promise);
    expect(await pending).toBe('gen-3');
  });

  it('uses the last generation while a refresh fails within the max age', async () => {
    const t = setup();
    await t.cache.current();
    t.fail(true);
    t.tick(850);
    expect(t.cache.current()).toBe('gen-1'); // refresh started in the background, and fails
    await Promise.resolve();
    await Promise.resolve();
    t.tick(100);
    expect(t.cache.current()).toBe('gen-1');
    expect(t.unknown).toHaveLength(0);
  });

  it('past the max age, a generation that cannot be read fails the operation (never a pre-clear one), and says so once', async () => {
    const t = setup();
    await t.cache.current();
    t.fail(true);
    t.tick(5_000);
    await expect(t.cache.current()).rejects.toThrow('down');
    await expect(t.cache.current()).rejects.toThrow('down');
    expect(t.unknown).toHaveLength(1);
    // Readable again: served, and a later failure is told again.
    t.fail(false);
    t.store('gen-2');
    expect(await t.cache.current()).toBe('gen-2');
    t.fail(true);
    t.tick(5_000);
    await expect(t.cache.current()).rejects.toThrow('down');
    expect(t.unknown).toHaveLength(2);
  });

  it('past the max age, a read slower than maxWaitMs fails the operation', async () => {
    let release!: (generation: string) => void;
    let now = 0;
    let loads = 0;
    const cache = new GenerationCache({
      load: () => (++loads === 1 ? Promise.resolve('gen-1') : new Promise<string>((resolve) => (release = resolve))),
      maxAgeMs: 1_000,
      maxWaitMs: 20,
      now: () => now,
    });
    await cache.current();
    now += 2_000;
    await expect(cache.current()).rejects.toThrow('could not be read within 20 ms');
    release('gen-2');
    await Promise.resolve();
    await Promise.resolve();
    expect(cache.current()).toBe('gen-2');
  });

  it('rejects when there is no generation yet and memcached cannot be read', async () => {
    const t = setup();
    t.fail(true);
    await expect(t.cache.current()).rejects.toThrow('down');
  });

  it('does not let a read that started before a local set() undo it', async () => {
    const t = setup();
    const reading = t.cache.current(); // starts a read of 'gen-1'
    t.cache.set('gen-local');
    await reading;
    expect(t.cache.current()).toBe('gen-local');
  });
});

describe('Deadlines', () => {
  it('expires what is not settled in time, and leaves the rest alone', async () => {
    const deadlines = new Deadlines(50);
    const expired: string[] = [];
    const quick = deadlines.start(() => expired.push('quick'));
    deadlines.start(() => expired.push('stuck'));
    quick.settled = true;
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(expired).toEqual(['stuck']);
    deadlines.clear();
  });

  it('serves later deadlines after earlier ones settled', async () => {
    // Fake timers and clock: the second deadline must not pass before the check that it has not,
    // however slow the machine.
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'] });
    onTestFinished(() => {
      vi.useRealTimers();
    });
    const deadlines = new Deadlines(60);
    const expired: number[] = [];
    deadlines.start(() => expired.push(1)).settled = true;
    await vi.advanceTimersByTimeAsync(30);
    deadlines.start(() => expired.push(2));
    await vi.advanceTimersByTimeAsync(45);
    expect(expired).toEqual([]); // the first timer fired for a settled entry and re-armed
    await vi.advanceTimersByTimeAsync(60);
    expect(expired).toEqual([2]);
    deadlines.clear();
  });

  it('serves many operations with one timer, stops it on clear(), and holds the process only while asked to', () => {
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    const kept = new Deadlines(60_000, true);
    for (let i = 0; i < 100; i++) kept.start(() => undefined).settled = i % 2 === 0;
    expect(timers()).toBe(before + 1);
    kept.idle();
    expect(timers()).toBe(before);
    kept.start(() => undefined);
    expect(timers()).toBe(before + 1);
    kept.clear();
    expect(timers()).toBe(before);
    const loose = new Deadlines(60_000);
    loose.start(() => undefined);
    expect(timers()).toBe(before);
    loose.clear();
  });
});

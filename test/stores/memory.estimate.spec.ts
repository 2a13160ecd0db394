import { StoreValueTooLargeError, type StoreEntry } from '../../lib/stores/cache-store.js';
import { estimateBytes, MAX_OBJECTS } from '../../lib/stores/estimate-bytes.js';
import { MemoryStore } from '../../lib/stores/memory.store.js';
import { startFileChild } from '../support/file-children.js';
import type { SizeArgs, SizeReport, StoreReport } from '../support/memory-size.child.js';
import { oneByteString, SHAPES } from '../support/memory-shapes.js';

// The memory store's maxBytes rests on estimateBytes(), which must never undercount a value by
// more than the documented factor, whatever its shape. The real size is measured in a child
// process (node --expose-gc): heap and external memory before and after building copies of a
// value, after full collections.

/** The documented bound: a value never takes more than this many times its estimate. */
const FACTOR = 2;
const MiB = 1024 * 1024;
const entry = (value: unknown): StoreEntry => ({ value, expiresAt: 0, freshUntil: 0 });

async function runSizeChild(args: SizeArgs): Promise<string[]> {
  const child = startFileChild('memory-size.child.ts', args, ['--expose-gc']);
  await child.waitForLine('done');
  const { code } = await child.exited;
  expect(code).toBe(0);
  return child.lines.filter((line) => line !== 'done');
}

describe('estimateBytes', () => {
  it.each([
    ['first', SHAPES['huge string first']],
    ['last', SHAPES['huge string last']],
    ['in the middle', SHAPES['huge string in the middle']],
  ])('counts a 5 MiB string %s among 10,001 small items (a sampled walk missed it)', (_where, build) => {
    expect(estimateBytes(build(1))).toBeGreaterThan(5 * MiB);
  });

  it('counts shared objects once and ends on cycles', () => {
    const shared = { text: oneByteString(100_000, 1) };
    const once = estimateBytes([shared]);
    expect(estimateBytes(Array.from({ length: 1_000 }, () => shared))).toBeLessThan(once + 1_000 * 8 + 100);
    const cycle: Record<string, unknown> = { shared };
    cycle.self = cycle;
    expect(estimateBytes(cycle)).toBeGreaterThan(once);
  });

  it('counts the whole ArrayBuffer a small view keeps alive, once', () => {
    const big = Buffer.alloc(4 * MiB);
    expect(estimateBytes(big.subarray(0, 10))).toBeGreaterThan(4 * MiB);
    expect(estimateBytes([big.subarray(0, 10), big.subarray(10, 20), big])).toBeLessThan(4 * MiB + 4_096);
  });

  it('stops once the total passes the limit: a value too large costs no more to refuse', () => {
    // A chain of 100,000 objects, each counting the reads of one property: the walk reads a
    // property of each object it visits.
    let reads = 0;
    let chain: object | undefined;
    for (let i = 0; i < 100_000; i++) {
      const link = { next: chain };
      Object.defineProperty(link, 'probe', { enumerable: true, get: () => ++reads });
      chain = link;
    }
    const limit = 64 * 1024;
    expect(estimateBytes(chain, limit)).toBeGreaterThan(limit);
    // Every object counts at least 144 bytes: the walk stops within limit / 144 objects.
    expect(reads).toBeGreaterThan(0);
    expect(reads).toBeLessThanOrEqual(limit / 144 + 1);
    reads = 0;
    estimateBytes(chain);
    expect(reads).toBe(100_000);
    // An array's length is counted before its slots are visited: a huge sparse one costs nothing.
    expect(estimateBytes(new Array(2 ** 31), limit)).toBeGreaterThan(limit);
  });

  it(`gives up at ${MAX_OBJECTS} objects: a bounded cost, and a value the store refuses`, () => {
    const many = Array.from({ length: MAX_OBJECTS }, (_, i) => [i]);
    expect(estimateBytes(many)).toBe(Number.POSITIVE_INFINITY); // the outer array is one more
    expect(Number.isFinite(estimateBytes(many.slice(1)))).toBe(true);
    const store = new MemoryStore({ maxEntries: 10, maxBytes: 1024 * MiB, clone: false });
    expect(() => store.set('many', entry(many))).toThrow(StoreValueTooLargeError);
  });

  it(`never undercounts by more than ${FACTOR}x, whatever the shape (measured in a child process)`, async () => {
    const shapes = Object.keys(SHAPES);
    const lines = await runSizeChild({ mode: 'estimate', shapes, minTotalBytes: 4 * MiB });
    const reports = lines.map((line) => JSON.parse(line) as SizeReport);
    expect(reports.map((report) => report.shape)).toEqual(shapes);
    const under = reports
      .filter((report) => report.real > FACTOR * report.estimate)
      .map((report) => `${report.shape}: ${report.real} bytes, estimated ${report.estimate}`);
    expect(under).toEqual([]);
  }, 180_000);
});

describe('MemoryStore maxBytes', () => {
  it('refuses a value whose estimate exceeds maxBytes, and drops the key’s older entry', () => {
    const store = new MemoryStore({ maxEntries: 100, maxBytes: 5 * MiB, clone: false });
    store.set('k', entry('small'));
    for (let i = 0; i < 20; i++) {
      expect(() => store.set('k', entry(SHAPES['huge string first'](i)))).toThrow(StoreValueTooLargeError);
    }
    expect(store.get('k')).toBeUndefined();
    expect(store.describe()).toEqual({ entries: 0, bytes: 0 });
  });

  it('add() rejects an oversized value instead of throwing synchronously', async () => {
    const store = new MemoryStore({ maxEntries: 100, maxBytes: 1 * MiB, clone: false });
    await expect(store.add('k', entry(oneByteString(MiB, 1)))).rejects.toBeInstanceOf(StoreValueTooLargeError);
    await expect(store.add('k', entry('small'))).resolves.toBe(true);
  });

  // The reproduction (20 such values under 5 MiB took 226 MiB), and shapes whose real
  // size is furthest above their estimate, in a full store: the store holds no more than
  // FACTOR × maxBytes, whatever the values.
  it.each([
    ['huge string first', 20, 5 * MiB],
    ['a number', 200_000, 8 * MiB],
    ['a short string', 200_000, 8 * MiB],
    ['objects with 3 properties after a delete (dictionary mode)', 20, 8 * MiB],
    ['string built by concatenation', 60, 8 * MiB],
  ])(`a full store of "%s" values holds at most ${FACTOR}x maxBytes`, async (shape, count, maxBytes) => {
    const [line] = await runSizeChild({ mode: 'store', shape, count, maxBytes });
    const report = JSON.parse(line) as StoreReport;
    expect(report.bytes).toBeLessThanOrEqual(maxBytes);
    expect(report.real).toBeLessThanOrEqual(FACTOR * maxBytes);
  }, 60_000);
});

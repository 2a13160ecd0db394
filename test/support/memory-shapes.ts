/**
 * Values of adversarial shapes for the memory store's size estimate: each builder returns a
 * fresh value that shares nothing with earlier ones (but property names, which V8 shares too).
 */

const MiB = 1024 * 1024;

/** A flat string of `length` characters, 1 byte each in V8 (Latin-1), fresh content per `seed`. */
export function oneByteString(length: number, seed: number): string {
  return Buffer.alloc(length, `${seed % 10}abcdefghij`).toString('latin1');
}

/** A flat string of `length` characters kept 2 bytes each by V8. */
export function twoByteString(length: number, seed: number): string {
  return Buffer.alloc(length * 2, `ж${seed % 10}`, 'utf16le').toString('utf16le');
}

const smallItems = (count: number, seed: number) =>
  Array.from({ length: count }, (_, i) => ({ id: i, name: `item-${seed}-${i}` }));

/** Shape name → builder of one fresh value (`seed` makes its content unique). */
export const SHAPES: Record<string, (seed: number) => unknown> = {
  // Small entries, as most regions hold: the store's per-entry overhead dominates.
  'a number': (seed) => seed * 1.5,
  'a short string': (seed) => `value ${seed}`,
  'a small row': (seed) => ({ id: seed, name: `name ${seed}`, active: seed % 2 === 0 }),
  // The reproduction: a 5 MiB string, then 10,001 small items.
  'huge string first': (seed) => [oneByteString(5 * MiB, seed), ...smallItems(10_001, seed)],
  'huge string last': (seed) => [...smallItems(10_001, seed), oneByteString(5 * MiB, seed)],
  'huge string in the middle': (seed) => [
    ...smallItems(5_000, seed),
    { deep: { text: oneByteString(5 * MiB, seed) } },
    ...smallItems(5_000, seed),
  ],
  'huge two-byte string': (seed) => ({ text: twoByteString(2 * MiB, seed) }),
  'string built by concatenation': (seed) => {
    let text = String(seed);
    for (let i = 0; i < 200_000; i++) text += 'x';
    return text;
  },
  'two-byte string built by repeat': (seed) => `${'жя'.repeat(50_000)}${seed}`,
  'many short strings': (seed) => Array.from({ length: 100_000 }, (_, i) => `s${seed}:${i}`),
  'many small objects': (seed) => smallItems(100_000, seed),
  'rows of mixed fields': (seed) =>
    Array.from({ length: 20_000 }, (_, i) => ({
      id: i,
      price: i + 0.25,
      at: new Date(1_700_000_000_000 + i),
      tags: ['a', 'b'],
      owner: { name: `owner ${seed} ${i}`, active: i % 2 === 0 },
    })),
  'deep nesting (objects)': (seed) => {
    let node: unknown = seed;
    for (let i = 0; i < 50_000; i++) node = { next: node };
    return node;
  },
  'deep nesting (arrays)': (seed) => {
    let node: unknown = seed;
    for (let i = 0; i < 50_000; i++) node = [node];
    return node;
  },
  'empty objects and arrays': () => Array.from({ length: 100_000 }, (_, i) => (i % 2 === 0 ? {} : [])),
  ...Object.fromEntries(
    [1, 3, 5, 10, 11, 30, 50].map((properties) => [
      `objects with ${properties} properties after a delete (dictionary mode)`,
      (seed: number) => Array.from({ length: 10_000 }, (_, i) => afterDelete(properties, seed + i)),
    ]),
  ),
  'null-prototype objects': (seed) =>
    Array.from({ length: 20_000 }, (_, i) => Object.assign(Object.create(null) as object, { a: i, b: seed })),
  'object with 50,000 computed keys': (seed) => {
    const item: Record<string, number> = {};
    for (let i = 0; i < 50_000; i++) item[`k${seed}_${i}`] = i;
    return item;
  },
  'Map of strings to objects': (seed) => new Map(Array.from({ length: 50_000 }, (_, i) => [`key-${seed}-${i}`, { v: i }])),
  'Map with object keys': (seed) => new Map(Array.from({ length: 50_000 }, (_, i) => [{ k: i }, seed])),
  'Set of numbers': (seed) => new Set(Array.from({ length: 100_000 }, (_, i) => i * 1.5 + seed)),
  'many small Maps and Sets': (seed) =>
    Array.from({ length: 20_000 }, (_, i) => (i % 2 === 0 ? new Map([[i, seed]]) : new Set([i]))),
  'one large Buffer': (seed) => Buffer.alloc(8 * MiB, seed),
  'many small pooled Buffers': (seed) => Array.from({ length: 50_000 }, (_, i) => Buffer.from(`b${seed}${i}`)),
  'many small unpooled Buffers': (seed) => Array.from({ length: 50_000 }, () => Buffer.alloc(1, seed)),
  'small views of a large buffer': (seed) => {
    const big = Buffer.alloc(4 * MiB, seed);
    return [big.subarray(0, 10), big.subarray(100, 120)];
  },
  'typed arrays': (seed) => [new Float64Array(500_000).fill(seed), new Int32Array(100_000), new Uint8Array(10)],
  'many tiny typed arrays': () => Array.from({ length: 50_000 }, () => new Uint8Array(4)),
  'ArrayBuffer and a view of it': () => {
    const buffer = new ArrayBuffer(2 * MiB);
    return { buffer, view: new DataView(buffer) };
  },
  'holey array': () => new Array(1_000_000),
  'sparse array': (seed) => {
    const items: number[] = [];
    items[100_000] = seed;
    return items;
  },
  'array of doubles': (seed) => Array.from({ length: 500_000 }, (_, i) => i + 0.5 + seed),
  'array of boxed doubles and objects': (seed) =>
    Array.from({ length: 200_000 }, (_, i) => (i % 2 === 0 ? i + 0.5 + seed : { i })),
  'array grown by push': (seed) => {
    const items: unknown[] = [];
    for (let i = 0; i < 300_000; i++) items.push(i % 3 === 0 ? { i } : i + seed);
    return items;
  },
  'shared references': (seed) => {
    const shared = { text: oneByteString(64 * 1024, seed), list: smallItems(100, seed) };
    return Array.from({ length: 10_000 }, () => shared);
  },
  'a cycle': (seed) => {
    const a: Record<string, unknown> = { seed, items: smallItems(1_000, seed) };
    a.self = a;
    return a;
  },
  Dates: () => Array.from({ length: 50_000 }, (_, i) => new Date(i)),
  bigints: (seed) => Array.from({ length: 50_000 }, (_, i) => 2n ** 200n + BigInt(i + seed)),
  'class instances': (seed) => Array.from({ length: 50_000 }, (_, i) => new Point(i, seed, `p${i}`)),
};

/** An object of `properties` properties that V8 keeps in dictionary mode (a property was deleted). */
function afterDelete(properties: number, seed: number): Record<string, number> {
  const item: Record<string, number> = { gone: seed };
  for (let i = 0; i < properties; i++) item[`p${i}`] = i;
  delete item.gone;
  return item;
}

class Point {
  constructor(
    readonly x: number,
    readonly y: number,
    readonly label: string,
  ) {}
}

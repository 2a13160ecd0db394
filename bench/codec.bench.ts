/**
 * Value codec measurement: v8 serialize vs msgpackr (pure JS) vs JSON with type tags.
 *
 * Run: `npx vitest bench --run bench/codec.bench.ts`
 * (set MSGPACKR_NATIVE_ACCELERATION_DISABLED=true to be sure msgpackr runs without its native
 * string extractor; the file sets it itself before loading msgpackr).
 *
 * Each benchmark is one encode + one decode of the same value. Before the timings, the file
 * prints which required types each candidate round-trips (the codec must keep every one).
 */
import { isDeepStrictEqual } from 'node:util';
import { deserialize, serialize } from 'node:v8';
import { bench, describe } from 'vitest';
import { decodeValue, encodeValue } from '../lib/serialization/value-codec.js';
import { profile } from './harness/fixtures.js';

process.env.MSGPACKR_NATIVE_ACCELERATION_DISABLED = 'true';
const { Packr } = await import('msgpackr');

interface Candidate {
  name: string;
  encode(value: unknown): Buffer;
  decode(bytes: Buffer): unknown;
}

// msgpackr keeps Map and plain object apart only with records. Without shared `structures`,
// each message carries its own record definitions, so another process can read it. (bigints
// round-trip by default; the `useBigInt64` option this file once passed does not exist.)
const packr = new Packr({ moreTypes: true, useRecords: true, mapsAsObjects: false });
const msgpackr: Candidate = {
  name: 'msgpackr',
  encode: (value) => packr.pack(value),
  decode: (bytes) => packr.unpack(bytes),
};

const v8Raw: Candidate = { name: 'v8 serialize', encode: (v) => serialize(v), decode: (b) => deserialize(b) };

const shipped: Candidate = { name: 'value-codec (shipped)', encode: encodeValue, decode: decodeValue };

/** JSON with type tags: `{ "$": tag, "v": payload }`; user keys starting with `$` get one more `$`. */
function toTagged(value: unknown): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      if (Object.is(value, -0)) return { $: 'n', v: '-0' };
      return Number.isFinite(value) ? value : { $: 'n', v: String(value) };
    case 'bigint':
      return { $: 'i', v: value.toString() };
    case 'undefined':
      return { $: 'u' };
  }
  if (value === null) return null;
  if (Array.isArray(value)) return value.map(toTagged);
  if (value instanceof Date) return { $: 'd', v: value.getTime() };
  if (Buffer.isBuffer(value)) return { $: 'b', v: value.toString('base64') };
  if (value instanceof Map) return { $: 'm', v: [...value].map(([k, v]) => [toTagged(k), toTagged(v)]) };
  if (value instanceof Set) return { $: 's', v: [...value].map(toTagged) };
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value as object)) {
    out[key.startsWith('$') ? `$${key}` : key] = toTagged(item);
  }
  return out;
}

function fromTagged(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(fromTagged);
  const record = value as Record<string, unknown>;
  switch (record.$) {
    case 'n':
      return record.v === '-0' ? -0 : Number(record.v);
    case 'i':
      return BigInt(record.v as string);
    case 'u':
      return undefined;
    case 'd':
      return new Date(record.v as number);
    case 'b':
      return Buffer.from(record.v as string, 'base64');
    case 'm':
      return new Map((record.v as [unknown, unknown][]).map(([k, v]) => [fromTagged(k), fromTagged(v)]));
    case 's':
      return new Set((record.v as unknown[]).map(fromTagged));
  }
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(record)) {
    // defineProperty, not assignment: a "__proto__" key must stay a key, not become the prototype.
    Object.defineProperty(out, key.startsWith('$') ? key.slice(1) : key, {
      value: fromTagged(record[key]),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

const jsonTags: Candidate = {
  name: 'JSON + type tags',
  encode: (value) => Buffer.from(JSON.stringify(toTagged(value))),
  decode: (bytes) => fromTagged(JSON.parse(bytes.toString('utf8'))),
};

const candidates = [shipped, v8Raw, msgpackr, jsonTags];

const required: Record<string, unknown> = {
  object: { a: 1, b: 'x', nested: { c: [true, false] } },
  array: [1, 'two', [3]],
  string: 'héllo ✓',
  number: 3.25,
  '-0': -0,
  NaN: Number.NaN,
  Infinity: Number.POSITIVE_INFINITY,
  boolean: true,
  null: null,
  Date: new Date(1_700_000_000_123),
  'Buffer (top level)': Buffer.from([0, 1, 255]),
  'Buffer (nested)': { b: Buffer.from([0, 1, 255]) },
  Map: new Map<unknown, unknown>([[1, { x: 1 }], ['k', new Date(0)]]),
  Set: new Set([1, 'a', 2n]),
  bigint: 2n ** 70n,
  'undefined in object': { u: undefined },
};

function roundTrips(candidate: Candidate, value: unknown): boolean {
  try {
    const back = candidate.decode(candidate.encode(value));
    const nested = (v: unknown): unknown => (v as { b?: unknown } | null)?.b;
    // isDeepStrictEqual tells Buffer from Uint8Array only at the top, so check nested ones too.
    if (Buffer.isBuffer(nested(value)) && !Buffer.isBuffer(nested(back))) return false;
    if (Buffer.isBuffer(value) && !Buffer.isBuffer(back)) return false;
    return isDeepStrictEqual(back, value);
  } catch {
    return false;
  }
}

const matrix = Object.fromEntries(
  Object.entries(required).map(([type, value]) => [
    type,
    Object.fromEntries(candidates.map((c) => [c.name, roundTrips(c, value) ? 'ok' : 'FAILS'])),
  ]),
);
console.log('\nRound-trip of the required types:');
console.table(matrix);

/** The bench's ~200-byte record (see harness/fixtures.ts). */
const record = (i: number) => profile(10_000 + i);

const small = record(1);
const fixtures: Record<string, unknown> = {
  [`~200-byte object (${JSON.stringify(small).length} B as JSON)`]: small,
  '500 records (~100 KB)': Array.from({ length: 500 }, (_, i) => record(i)),
  '64 KiB string': 'x'.repeat(64 * 1024),
  '1 MiB Buffer (top level)': Buffer.alloc(1024 * 1024, 7),
  '{ name, 256 KiB Buffer }': { name: 'file.png', bytes: Buffer.alloc(256 * 1024, 7) },
};

console.log('\nEncoded sizes (bytes):');
console.table(
  Object.fromEntries(
    Object.entries(fixtures).map(([label, value]) => [
      label,
      Object.fromEntries(candidates.map((c) => [c.name, c.encode(value).length])),
    ]),
  ),
);

// A cache hit only decodes, so the small object is also measured that way.
describe(`decode only: ${Object.keys(fixtures)[0]}`, () => {
  for (const candidate of candidates) {
    const bytes = candidate.encode(small);
    bench(candidate.name, () => {
      candidate.decode(bytes);
    });
  }
});

for (const [label, value] of Object.entries(fixtures)) {
  describe(`encode + decode: ${label}`, () => {
    for (const candidate of candidates) {
      bench(candidate.name, () => {
        candidate.decode(candidate.encode(value));
      });
    }
  });
}

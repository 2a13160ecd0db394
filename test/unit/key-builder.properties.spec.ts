import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildCallKey, fitKey } from '../../lib/keys/key-builder.js';
import { serializeArgs, type KeyContext } from '../../lib/keys/key-material.js';
import type { StoreKeyLimits } from '../../lib/stores/cache-store.js';
import { keyableAnything } from '../reliability/key-arbitraries.js';

const ctx: KeyContext = { region: 'functions', className: 'Props', methodName: 'check' };
const MEMCACHED: StoreKeyLimits = { maxBytes: 250, forbidden: /[\s\x00-\x1f\x7f]/ };
const RUNS = { numRuns: 300 };

const buffer = fc.uint8Array({ maxLength: 6 }).map((bytes) => Buffer.from(bytes));

/** Every kind of value a key supports, in fast-check's broad default shapes. */
const anyValue = fc.oneof(
  { weight: 4, arbitrary: keyableAnything(4) },
  { weight: 1, arbitrary: buffer },
  { weight: 1, arbitrary: fc.array(buffer, { maxLength: 3 }) },
);

/**
 * Values from a deliberately small domain full of look-alikes (0/-0, 1/'1'/1n, null/undefined,
 * Buffer/Uint8Array, hole/undefined…), so two independent draws are often structurally equal and
 * often differ by just one look-alike: both sides of "same key ⇔ same value" get exercised.
 */
const { tricky } = fc.letrec<{ tricky: unknown }>((tie) => ({
  tricky: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom<unknown>(0, -0, 1, 11, '1', 1n, '', 'a', '"', '"|"', '","', '|', ',', '~', 'null', null, undefined, NaN, true, 'true'),
    fc.constantFrom(new Date(0), new Date(1)),
    fc.constantFrom<unknown>(Buffer.from([1]), new Uint8Array([1]), Buffer.from([1, 0]), new Uint16Array([1])),
    fc.array(tie('tricky'), { maxLength: 2 }),
    fc.sparseArray(tie('tricky'), { maxLength: 2 }),
    // Null-prototype objects key like plain ones by design; isDeepStrictEqual would tell them apart.
    fc.dictionary(fc.constantFrom('a', 'b', 'a b', '"'), tie('tricky'), { maxKeys: 2, noNullPrototype: true }),
    fc.array(fc.tuple(tie('tricky'), tie('tricky')), { maxLength: 2 }).map((entries) => new Map(entries)),
    fc.array(tie('tricky'), { maxLength: 2 }).map((items) => new Set(items)),
  ),
}));

/** A deep copy with every object's keys, Map entries and Set elements in another order. */
function reshuffled(value: unknown, seed: number): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    const copy = new Array<unknown>(value.length);
    value.forEach((item, i) => (copy[i] = reshuffled(item, seed + i)));
    return copy;
  }
  if (value instanceof Date) return new Date(value.getTime());
  if (Buffer.isBuffer(value)) return Buffer.from(value);
  if (ArrayBuffer.isView(value)) {
    // Same bytes, at another offset of another ArrayBuffer.
    const Ctor = value.constructor as new (buffer: ArrayBuffer, offset: number, length: number) => ArrayBufferView;
    const room = new ArrayBuffer(value.byteLength + 8);
    new Uint8Array(room, 8).set(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
    const perElement = (value as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
    return new Ctor(room, 8, value.byteLength / perElement);
  }
  if (value instanceof Map) {
    return new Map(shuffle([...value], seed).map(([k, v], i) => [reshuffled(k, seed + i), reshuffled(v, seed - i)]));
  }
  if (value instanceof Set) return new Set(shuffle([...value], seed).map((item, i) => reshuffled(item, seed + i)));
  if (value instanceof Number || value instanceof String || value instanceof Boolean || value instanceof BigInt) {
    return Object(value.valueOf());
  }
  const copy = Object.create(Object.getPrototypeOf(value) as object | null) as object;
  for (const key of shuffle(Object.keys(value), seed)) {
    // defineProperty keeps an own "__proto__" key an own property.
    Object.defineProperty(copy, key, {
      value: reshuffled((value as Record<string, unknown>)[key], seed + key.length),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return copy;
}

function shuffle<T>(items: T[], seed: number): T[] {
  let state = (seed >>> 0) | 1;
  for (let i = items.length - 1; i > 0; i--) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    const j = state % (i + 1);
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

describe('key properties', () => {
  it('equal-by-structure argument lists give equal keys (copies in any key order)', () => {
    fc.assert(
      fc.property(fc.array(anyValue, { maxLength: 4 }), fc.integer(), (args, seed) => {
        const copy = reshuffled(args, seed) as unknown[];
        expect(serializeArgs(copy, ctx)).toBe(serializeArgs(args, ctx));
      }),
      RUNS,
    );
  });

  it('two argument lists share a key only when they are structurally equal', () => {
    let equalPairs = 0;
    let differentPairs = 0;
    fc.assert(
      fc.property(fc.array(tricky, { maxLength: 2 }), fc.array(tricky, { maxLength: 2 }), (a, b) => {
        const sameKey = serializeArgs(a, ctx) === serializeArgs(b, ctx);
        const sameValue = isDeepStrictEqual(a, b);
        if (sameValue) equalPairs++;
        else differentPairs++;
        expect(sameKey).toBe(sameValue);
      }),
      { numRuns: 600 },
    );
    // Both directions of the equivalence were actually exercised.
    expect(equalPairs).toBeGreaterThan(10);
    expect(differentPairs).toBeGreaterThan(10);
  });

  it('a value and a one-step look-alike never share a key, at any depth and position', () => {
    const lookAlikes: [unknown, unknown][] = [
      [0, -0],
      [1, '1'],
      [1, 1n],
      [null, undefined],
      [NaN, null],
      ['', undefined],
      ['a,b', ['a', 'b']],
      [Buffer.from([1]), new Uint8Array([1])],
      [new Array<unknown>(1), [undefined]],
      [{}, { a: undefined }],
    ];
    const wrappers: ((value: unknown) => unknown)[] = [
      (value) => value,
      (value) => [value],
      (value) => ({ v: value }),
      (value) => new Map([['k', value]]),
      (value) => ({ a: [1, { b: value }] }),
    ];
    fc.assert(
      fc.property(
        fc.array(tricky, { maxLength: 3 }),
        fc.nat(),
        fc.constantFrom(...lookAlikes),
        fc.constantFrom(...wrappers),
        (args, at, [x, y], wrap) => {
          const position = at % (args.length + 1);
          const withX = [...args.slice(0, position), wrap(x), ...args.slice(position)];
          const withY = [...args.slice(0, position), wrap(y), ...args.slice(position)];
          expect(serializeArgs(withX, ctx)).not.toBe(serializeArgs(withY, ctx));
        },
      ),
      RUNS,
    );
  });

  /** Strings heavy in what memcached rejects or what UTF-8 makes long. */
  const awkwardText = fc.string({
    unit: fc.oneof(
      fc.constantFrom(' ', '\t', '\n', '\u0000', '\u007f', '\u00a0', 'é', '€', '😀', '\uD800', '\uDC00', '#sha256:', '|', '"'),
      fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 20 }),
    ),
    maxLength: 40,
  });

  it('fitted keys always suit memcached: at most 250 bytes, no whitespace or control characters', () => {
    fc.assert(
      fc.property(awkwardText, (text) => {
        const fitted = fitKey(text, MEMCACHED, 'hash', ctx);
        expect(Buffer.byteLength(fitted, 'utf8')).toBeLessThanOrEqual(250);
        expect(fitted).not.toMatch(/[\s\x00-\x1f\x7f]/);
        expect(Buffer.from(fitted, 'utf8').toString('utf8')).toBe(fitted); // no lone surrogates
        expect(fitKey(text, MEMCACHED, 'hash', ctx)).toBe(fitted);
      }),
      RUNS,
    );
  });

  it('fitting keeps distinct keys distinct, also when they share a long head', () => {
    fc.assert(
      fc.property(awkwardText, awkwardText, awkwardText, (head, a, b) => {
        fc.pre(a !== b);
        const long = head + 'h'.repeat(300);
        expect(fitKey(long + a, MEMCACHED, 'hash', ctx)).not.toBe(fitKey(long + b, MEMCACHED, 'hash', ctx));
        expect(fitKey(head + a, MEMCACHED, 'hash', ctx)).not.toBe(fitKey(head + b, MEMCACHED, 'hash', ctx));
      }),
      RUNS,
    );
  });

  it('call keys of any arguments fit memcached after fitting', () => {
    fc.assert(
      fc.property(fc.array(anyValue, { maxLength: 4 }), (args) => {
        const fitted = fitKey(`myapp:functions:${buildCallKey('Props.check', args, ctx)}`, MEMCACHED, 'hash', ctx);
        expect(Buffer.byteLength(fitted, 'utf8')).toBeLessThanOrEqual(250);
        expect(fitted).not.toMatch(/[\s\x00-\x1f\x7f]/);
        expect(fitted.startsWith('myapp:functions:Props.check|')).toBe(true);
      }),
      RUNS,
    );
  });
});

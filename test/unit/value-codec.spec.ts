import { serialize } from 'node:v8';
import { CODEC_HEADER_BYTES, ValueFormatError, decodeValue, encodeValue } from '../../lib/serialization/value-codec.js';

const roundTrip = (value: unknown) => decodeValue(encodeValue(value));

describe('value codec', () => {
  it.each<[string, unknown]>([
    ['plain object', { a: 1, b: { c: ['x', null] } }],
    ['array', [1, 'two', [3]]],
    ['string', 'héllo ✓ 🍰'],
    ['number', 3.25],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['boolean', false],
    ['null', null],
    ['undefined', undefined],
    ['Date', new Date(1_700_000_000_123)],
    ['Map', new Map<unknown, unknown>([[1, 'a'], [{ k: 1 }, new Set([2])]])],
    ['Set', new Set([1, '1', 1n])],
    ['bigint', -(2n ** 90n)],
    ['nested Buffer', { bytes: Buffer.from([0, 255]) }],
  ])('round-trips %s', (_label, value) => {
    expect(roundTrip(value)).toStrictEqual(value);
  });

  it('keeps -0 and Buffers (top level and nested) as such', () => {
    expect(Object.is(roundTrip(-0), -0)).toBe(true);
    const top = roundTrip(Buffer.from([1, 2, 3]));
    expect(Buffer.isBuffer(top)).toBe(true);
    expect(top).toEqual(Buffer.from([1, 2, 3]));
    const nested = roundTrip({ b: Buffer.from([4]) }) as { b: unknown };
    expect(Buffer.isBuffer(nested.b)).toBe(true);
  });

  it('stores a top-level Buffer raw after the header', () => {
    const bytes = encodeValue(Buffer.from('raw'));
    expect(bytes.subarray(CODEC_HEADER_BYTES).toString()).toBe('raw');
  });

  it('leaves the requested headroom in front of the encoding', () => {
    for (const value of [{ a: 1 }, Buffer.from('raw')]) {
      const plain = encodeValue(value);
      const roomy = encodeValue(value, 7);
      expect(roomy.length).toBe(plain.length + 7);
      expect(roomy.subarray(7)).toEqual(plain);
      expect(decodeValue(roomy.subarray(7))).toStrictEqual(value);
    }
  });

  it('never gives a decoded object another prototype', () => {
    const hostile = JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"x": 1}}}');
    const back = roundTrip(hostile) as Record<string, unknown>;
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(Object.hasOwn(back, '__proto__')).toBe(true);
    expect((back as { polluted?: unknown }).polluted).toBeUndefined();
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
  });

  it('rejects foreign, truncated and unknown-kind bytes with ValueFormatError', () => {
    expect(() => decodeValue(Buffer.from('not ours'))).toThrow(ValueFormatError);
    expect(() => decodeValue(serialize({ a: 1 }))).toThrow(ValueFormatError);
    const good = encodeValue({ a: 'long enough to cut' });
    expect(() => decodeValue(good.subarray(0, good.length - 4))).toThrow(ValueFormatError);
    const unknownKind = Buffer.from(good);
    unknownKind[CODEC_HEADER_BYTES - 1] = 0x7f;
    expect(() => decodeValue(unknownKind)).toThrow(ValueFormatError);
    const otherVersion = Buffer.from(good);
    otherVersion[3] = 0x02;
    expect(() => decodeValue(otherVersion)).toThrow(ValueFormatError);
  });

  it('refuses values that cannot be cloned', () => {
    expect(() => encodeValue({ f: () => 1 })).toThrow();
    expect(() => encodeValue(Symbol('s'))).toThrow();
  });
});

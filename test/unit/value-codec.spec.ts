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

  describe('with { json: true }', () => {
    const KIND = CODEC_HEADER_BYTES - 1;
    const JSON_KIND = 0x03;
    const encodeJson = (value: unknown) => encodeValue(value, 0, { json: true });
    const jsonTrip = (value: unknown) => decodeValue(encodeJson(value));

    it.each<[string, unknown]>([
      ['a record with a Date', { id: 1, name: 'Ann', createdAt: new Date(1_700_000_000_123), roles: ['a', 'b'] }],
      ['a Date alone', new Date(-1)],
      ['Dates deep in arrays and objects', [{ at: [new Date(0), { when: new Date(8.64e15) }] }, new Date(5)]],
      ['strings of every kind', ['', 'héllo ✓ 🍰', '\u0000\n"\\', '\ud800 alone', '__proto__']],
      ['numbers JSON keeps', [0, 1e21, -1.5e-300, Number.MAX_SAFE_INTEGER, 2 ** 64]],
      ['empty containers', { a: [], b: {} }],
      ['null, booleans, a bare string', [null, true, false, 'x']],
      ['numeric-looking keys in their order', { b: 1, 2: 'two', a: 3, 1: 'one' }],
    ])('writes %s as JSON and reads it back exactly', (_label, value) => {
      const bytes = encodeJson(value);
      expect(bytes[KIND]).toBe(JSON_KIND);
      const back = decodeValue(bytes);
      expect(back).toStrictEqual(value);
      if (typeof value === 'object' && value !== null) expect(Object.keys(back as object)).toEqual(Object.keys(value));
    });

    it('reads a null-prototype object back as a plain object, as v8 does', () => {
      const value = Object.assign(Object.create(null) as object, { a: 1 });
      expect(encodeJson(value)[KIND]).toBe(JSON_KIND);
      expect(Object.getPrototypeOf(jsonTrip(value))).toBe(Object.prototype);
      expect(Object.getPrototypeOf(roundTrip(value))).toBe(Object.prototype);
    });

    const shared = { n: 1 };
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    const holey = [1, , 3];
    const tagged = Object.assign([1, 2], { extra: true });
    const dated = Object.assign(new Date(0), { tz: 'UTC' });
    class Point {
      constructor(readonly x: number) {}
    }
    let deep: unknown = 'bottom';
    for (let i = 0; i < 80; i++) deep = { deep };
    it.each<[string, unknown]>([
      ['-0', { n: -0 }],
      ['NaN', [Number.NaN]],
      ['Infinity', { n: Number.NEGATIVE_INFINITY }],
      ['undefined in an object', { a: undefined }],
      ['undefined alone', undefined],
      ['a hole', holey],
      ['an array with other properties', tagged],
      ['a bigint', { n: 1n }],
      ['a Map', { m: new Map([[1, 2]]) }],
      ['a Set', new Set([1])],
      ['a Buffer', { b: Buffer.from([1]) }],
      ['an invalid Date', { d: new Date(Number.NaN) }],
      ['a Date with own fields', { d: dated }],
      ['a class instance', { p: new Point(1) }],
      ['a __proto__ key', JSON.parse('{"__proto__": {"x": 1}}')],
      ['a shared object', { a: shared, b: shared }],
      ['a cycle', cyclic],
      ['deep nesting', deep],
    ])('leaves %s to v8, which keeps it', (_label, value) => {
      const bytes = encodeJson(value);
      expect(bytes[KIND]).not.toBe(JSON_KIND);
      expect(decodeValue(bytes)).toStrictEqual(roundTrip(value));
    });

    it('keeps shared references shared (through v8)', () => {
      const back = jsonTrip({ a: shared, b: shared }) as { a: object; b: object };
      expect(back.a).toBe(back.b);
      const loop = jsonTrip(cyclic) as Record<string, unknown>;
      expect(loop.self).toBe(loop);
    });

    it('still reads values written without it (older items), and they read values written with it', () => {
      const value = { a: [1, 'x'], when: new Date(7) };
      expect(decodeValue(encodeValue(value))).toStrictEqual(value);
      expect(decodeValue(encodeJson(value))).toStrictEqual(value);
    });

    const jsonBytes = (text: string) => {
      const bytes = Buffer.alloc(CODEC_HEADER_BYTES + Buffer.byteLength(text));
      encodeJson(0).copy(bytes, 0, 0, CODEC_HEADER_BYTES);
      bytes.write(text, CODEC_HEADER_BYTES);
      return bytes;
    };

    it.each([
      ['not JSON', '{oops'],
      ['not a pair', '{"a":1}'],
      ['dates not a list', '[{},{}]'],
      ['a date path into __proto__', '[[[1,"__proto__","polluted"]],{}]'],
      ['a date path through a missing key', '[[[1,"a","b"]],{"a":{}}]'],
      ['a date path into an inherited property', '[[[1,"toString"]],{}]'],
      ['a date path through a primitive', '[[[1,"a","length"]],{"a":"text"}]'],
      ['a date without its time', '[[["a"]],{"a":1}]'],
    ])('rejects hostile JSON bytes (%s) with ValueFormatError, touching no prototype', (_label, text) => {
      const toString = Object.prototype.toString;
      expect(() => decodeValue(jsonBytes(text))).toThrow(ValueFormatError);
      expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
      expect(Object.prototype.toString).toBe(toString);
    });
  });
});

import { describe, expect, it } from 'vitest';
import { CacheKeyError, CacheRegionsError } from '../../lib/errors.js';
import { serializeArgs, serializeValue, type KeyContext } from '../../lib/keys/key-material.js';

const ctx: KeyContext = { region: 'functions', className: 'LeaseService', methodName: 'expiration' };
const key = (...args: unknown[]): string => serializeArgs(args, ctx);

class Point {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
}
class Vector {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
}
class UserRef {
  constructor(readonly id: string) {}
  toCacheKey(): string {
    return this.id;
  }
}
class TenantRef {
  constructor(readonly id: string) {}
  toCacheKey(): string {
    return this.id;
  }
}

function sparse(length: number): unknown[] {
  return new Array<unknown>(length);
}

describe('serializeArgs', () => {
  describe('keeps apart values that differ', () => {
    const pairs: [string, unknown, unknown][] = [
      ['number and numeric string', 1, '1'],
      ['null and undefined', null, undefined],
      ['NaN and null', NaN, null],
      ['-0 and 0', -0, 0],
      ['array and its joined string', [1, 2], '1,2'],
      ['object and its JSON', { a: 1 }, '{"a":1}'],
      ['object and its own token as a string', { a: 1 }, '{a:1}'],
      ['two Dates', new Date(0), new Date(1)],
      ['Date and its ISO string', new Date(0), new Date(0).toISOString()],
      ['Date and its time', new Date(0), 0],
      ['valid and invalid Date', new Date(0), new Date(NaN)],
      ['two Buffers', Buffer.from([1, 2]), Buffer.from([1, 3])],
      ['Buffers of different lengths', Buffer.from([1]), Buffer.from([1, 0])],
      ['Buffer and Uint8Array of the same bytes', Buffer.from([1, 2]), new Uint8Array([1, 2])],
      ['typed arrays of different types over the same bytes', new Uint8Array([1, 0]), new Uint16Array([1])],
      ['Buffer and its base64', Buffer.from([1, 2]), Buffer.from([1, 2]).toString('base64')],
      ['ArrayBuffer and Uint8Array', new Uint8Array([1]).buffer, new Uint8Array([1])],
      ['Maps with different values', new Map([[1, 2]]), new Map([[1, 3]])],
      ['Maps with different keys', new Map([['a', 1]]), new Map([['b', 1]])],
      ['Map with key 1 and key "1"', new Map([[1, 'x']]), new Map([['1', 'x']])],
      ['Map and plain object', new Map([['a', 1]]), { a: 1 }],
      ['Map and Set', new Map([[1, 1]]), new Set([1])],
      ['Sets with different elements', new Set([1, 2]), new Set([1, 3])],
      ['Set and array', new Set([1]), [1]],
      ['Set with 1 and Set with "1"', new Set([1]), new Set(['1'])],
      ['bigint and number', 1n, 1],
      ['bigint and its string', 1n, '1n'],
      ['nested and flat arrays', [[1, 2]], [1, 2]],
      ['differently nested arrays', [[1], 2], [1, [2]]],
      ['array holding a quote-forging string', ['a","b'], ['a', 'b']],
      ['string with a backslash escape', ['a\\', 'b'], ['a\\",\\"b']],
      ['hole and undefined', sparse(1), [undefined]],
      ['hole and null', sparse(1), [null]],
      ['undefined element and null', [undefined], [null]],
      ['empty array and one hole', [], sparse(1)],
      ['undefined field and no field', { a: undefined }, {}],
      ['nested object and dotted key', { a: { b: 1 } }, { 'a.b': 1 }],
      ['key with a quote', { 'a"': 1 }, { a: 1 }],
      ['empty string and undefined', '', undefined],
      ['empty string and quoted empty string', '', '""'],
      ['true and "true"', true, 'true'],
      ['undefined and "undefined"', undefined, 'undefined'],
      ['Infinity and "Infinity"', Infinity, 'Infinity'],
      ['Infinity and -Infinity', Infinity, -Infinity],
      ['close doubles', 0.1 + 0.2, 0.3],
      ['large integers', Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER - 1],
      ['boxed and primitive number', new Number(1), 1],
      ['boxed and primitive string', new String('a'), 'a'],
      ['boxed and primitive bigint', Object(1n), 1n],
      ['boxed Boolean values', new Boolean(false), new Boolean(true)],
      ['toCacheKey object and its result', new UserRef('x'), 'x'],
      ['toCacheKey objects of different classes', new UserRef('1'), new TenantRef('1')],
      ['toCacheKey objects with different results', new UserRef('1'), new UserRef('2')],
      ['classes with the same fields', new Point(1, 2), new Vector(1, 2)],
      ['class instance and plain object', new Point(1, 2), { x: 1, y: 2 }],
      ['instances with different fields', new Point(1, 2), new Point(2, 1)],
      ['RegExps with different flags', /a/g, /a/i],
      ['RegExp and its source', /a/g, '/a/g'],
      ['Errors with different messages', new Error('a'), new Error('b')],
      ['Errors of different classes', new TypeError('a'), new Error('a')],
      ['URLs', new URL('http://127.0.0.1/a'), new URL('http://127.0.0.1/b')],
      ['URLSearchParams with repeated names in another order', new URLSearchParams('t=a&t=b'), new URLSearchParams('t=b&t=a')],
      ['Errors with different causes', new Error('a', { cause: 1 }), new Error('a', { cause: 2 })],
      ['lone surrogate and replacement character', '\uD800', '\uFFFD'],
      ['NFC and NFD forms', 'é', 'e\u0301'],
      ['control characters', 'a\nb', 'a\\nb'],
    ];

    it.each(pairs)('%s', (_name, a, b) => {
      expect(key(a)).not.toBe(key(b));
      // The difference survives nesting in every container.
      expect(key([a])).not.toBe(key([b]));
      expect(key({ v: a })).not.toBe(key({ v: b }));
      expect(key(new Map([['k', a]]))).not.toBe(key(new Map([['k', b]])));
      // A Set stores -0 as 0 (SameValueZero), so those two Sets are equal and rightly share a key.
      if (!new Set([a]).has(b)) expect(key(new Set([a]))).not.toBe(key(new Set([b])));
      expect(serializeValue(a, ctx)).not.toBe(serializeValue(b, ctx));
    });
  });

  describe('keeps apart argument lists that differ', () => {
    const lists: [string, unknown[], unknown[]][] = [
      ['no arguments and one undefined', [], [undefined]],
      ['no arguments and one empty string', [], ['']],
      ['one undefined and two', [undefined], [undefined, undefined]],
      ['trailing undefined', ['a'], ['a', undefined]],
      ['two strings and one with the separator', ['a', 'b'], ['a|b']],
      ['two strings and a string forging quotes and separator', ['a', 'b'], ['a"|"b']],
      ['two arguments and one array', [1, 2], [[1, 2]]],
      ['swapped arguments', [1, 2], [2, 1]],
      ['two numbers and their digits', [1, 2], [12]],
      ['two empty strings and a quoted separator', ['', ''], ['"|"']],
      ['number and string arguments', [1, 'a'], ['1', 'a']],
    ];

    it.each(lists)('%s', (_name, a, b) => {
      expect(serializeArgs(a, ctx)).not.toBe(serializeArgs(b, ctx));
    });
  });

  describe('gives equal values built separately the same key', () => {
    const userA = new Map<unknown, unknown>([
      ['a', 1],
      [{ id: 1 }, 'obj'],
      [2, [3]],
    ]);
    const userB = new Map<unknown, unknown>([
      [2, [3]],
      [{ id: 1 }, 'obj'],
      ['a', 1],
    ]);
    const bytes = Buffer.from([0, 1, 2, 3, 4, 5]);
    const pairs: [string, unknown, unknown][] = [
      ['objects in different key order', { a: 1, b: 2 }, { b: 2, a: 1 }],
      ['nested objects in different key order', { o: { x: [1, { p: 1, q: 2 }] } }, { o: { x: [1, { q: 2, p: 1 }] } }],
      ['Dates with the same time', new Date(1_700_000_000_000), new Date(1_700_000_000_000)],
      ['Maps with the same entries in a different order', userA, userB],
      ['Sets in a different order', new Set([3, 'a', 1n]), new Set([1n, 'a', 3])],
      ['Buffers with the same bytes', Buffer.from('héllo'), Buffer.from('héllo')],
      ['Buffer views at different offsets', bytes.subarray(1, 3), Buffer.from([1, 2])],
      ['typed arrays at different offsets', new Uint16Array(new Uint8Array([9, 9, 1, 0]).buffer, 2, 1), new Uint16Array([1])],
      ['NaN computed differently', NaN, 0 / 0],
      ['class instances in different field order', Object.assign(new Point(1, 2), {}), new Point(1, 2)],
      ['toCacheKey objects with the same result', new UserRef('7'), new UserRef('7')],
      ['shared references', ((x) => ({ a: x, b: x }))({ n: 1 }), { a: { n: 1 }, b: { n: 1 } }],
      ['integer-like keys in any order', { 2: 'b', 10: 'a', x: 1 }, { x: 1, 10: 'a', 2: 'b' }],
      ['null-prototype and plain objects', Object.assign(Object.create(null) as object, { a: 1 }), { a: 1 }],
    ];

    it.each(pairs)('%s', (_name, a, b) => {
      expect(key(a)).toBe(key(b));
      expect(key([a, 'x'])).toBe(key([b, 'x']));
    });
  });

  describe('reads as documented (stable across versions and processes)', () => {
    const golden: [string, unknown[], string][] = [
      ['primitives', [42, 'abc', true, null, undefined, -0, NaN, 1n], '42|"abc"|true|null|undefined|-0|NaN|1n'],
      ['no arguments', [], ''],
      ['escaped strings', ['a"b\\c\n'], '"a\\"b\\\\c\\n"'],
      ['lone surrogate', ['\uD800'], '"\\ud800"'],
      ['array with hole', [[1, , 3]], '[1,~,3]'],
      ['plain object, sorted, bare and quoted keys', [{ b: 2, a: 1, 'x y': 3 }], '{a:1,b:2,"x y":3}'],
      ['class instance', [new Point(1, 2)], '@Point{x:1,y:2}'],
      ['toCacheKey', [new UserRef('u7')], '@UserRef("u7")'],
      ['Date', [new Date(Date.UTC(2024, 0, 2))], 'Date(2024-01-02T00:00:00.000Z)'],
      ['invalid Date', [new Date(NaN)], 'Date(Invalid)'],
      ['Buffer', [Buffer.from([1, 2, 3])], 'Buffer(AQID)'],
      ['Uint8Array', [new Uint8Array([1, 2, 3])], 'Uint8Array(AQID)'],
      ['Map sorted by entry', [new Map<unknown, unknown>([['b', 2], ['a', 1]])], 'Map{"a":1,"b":2}'],
      ['Set sorted', [new Set([3, 1, 2])], 'Set[1,2,3]'],
      ['RegExp', [/a+/gi], 'RegExp("/a+/gi")'],
      ['Error', [new TypeError('bad')], 'Error("TypeError","bad",{})'],
      ['URL', [new URL('http://127.0.0.1/x')], 'URL("http://127.0.0.1/x")'],
      ['URLSearchParams, pairs in order', [new URLSearchParams('b=2&a=1&b=1')], 'URLSearchParams([["b","2"],["a","1"],["b","1"]])'],
      ['Error with a cause', [new Error('x', { cause: 1 })], 'Error("Error","x",{},cause=1)'],
      ['subclass of a built-in', [Object.assign(new (class Stamp extends Date {})(0), { by: 'a' })], '@Stamp:Date(1970-01-01T00:00:00.000Z){by:"a"}'],
      ['boxed', [new Number(-0), new String('s')], 'Number(-0)|String("s")'],
    ];

    it.each(golden)('%s', (_name, args, expected) => {
      expect(serializeArgs(args, ctx)).toBe(expected);
    });
  });

  describe('rejects what cannot be key material', () => {
    function errorOf(run: () => unknown): CacheKeyError {
      try {
        run();
      } catch (error) {
        expect(error).toBeInstanceOf(CacheKeyError);
        expect(error).toBeInstanceOf(CacheRegionsError);
        return error as CacheKeyError;
      }
      throw new Error('expected a CacheKeyError');
    }

    it('a function, naming region, method, position and every way out', () => {
      const { message } = errorOf(() => key(1, function handler() {}));
      expect(message).toContain('region "functions"');
      expect(message).toContain('LeaseService.expiration()');
      expect(message).toContain('argument #2 is a function (handler)');
      expect(message).toContain('toCacheKey()');
      expect(message).toContain('`key` option of @Cached');
      expect(message).toContain("onKeyError: 'bypass'");
    });

    it('a symbol', () => {
      expect(errorOf(() => key(Symbol('s'))).message).toContain('argument #1 is a symbol (Symbol(s))');
    });

    it('a circular structure', () => {
      const node: { next?: unknown } = {};
      node.next = { back: node };
      expect(errorOf(() => key('a', node)).message).toContain('argument #2 (.next.back) refers back to itself');
    });

    it('a circular array', () => {
      const list: unknown[] = [1];
      list.push(list);
      expect(errorOf(() => key(list)).message).toContain('argument #1 ([1]) refers back to itself');
    });

    it('names the path inside the argument', () => {
      const { message } = errorOf(() => key('x', { user: { tags: [1, 2, 3, () => 0] } }));
      expect(message).toContain('argument #2 (.user.tags[3]) is a function');
    });

    it('quotes keys that are not identifiers in the path', () => {
      expect(errorOf(() => key({ 'a b': Symbol('s') })).message).toContain('argument #1 (["a b"]) is a symbol');
    });

    it('names Map values, Map keys and Set elements', () => {
      expect(errorOf(() => key(new Map([['k', Symbol('s')]]))).message).toContain('argument #1 (.get("k")) is a symbol');
      expect(errorOf(() => key(new Map([[Symbol('s'), 1]]))).message).toContain('argument #1 (<key #1>) is a symbol');
      expect(errorOf(() => key(new Set([1, Symbol('s')]))).message).toContain('argument #1 (<element #2>) is a symbol');
    });

    it('a toCacheKey() that throws, keeping the cause', () => {
      const cause = new Error('no id yet');
      const error = errorOf(() =>
        key({
          toCacheKey() {
            throw cause;
          },
        }),
      );
      expect(error.message).toContain('argument #1 has a toCacheKey() that threw: Error: no id yet');
      expect(error.cause).toBe(cause);
    });

    it('a toCacheKey() that returns undefined, itself, a Promise or a function', () => {
      expect(errorOf(() => key({ toCacheKey: () => undefined })).message).toContain('toCacheKey() that returned undefined');
      const self = {
        toCacheKey(): unknown {
          return self;
        },
      };
      expect(errorOf(() => key(self)).message).toContain('toCacheKey() that returned the object itself');
      expect(errorOf(() => key({ toCacheKey: async () => 'x' })).message).toContain('returned a Promise');
      expect(errorOf(() => key({ toCacheKey: () => () => 1 })).message).toContain('argument #1 (.toCacheKey()) is a function');
    });

    it('objects whose contents cannot be read', () => {
      expect(errorOf(() => key(Promise.resolve(1))).message).toContain('argument #1 is a Promise');
      expect(errorOf(() => key(new WeakMap())).message).toContain('is a WeakMap');
      expect(errorOf(() => key(Object(Symbol('b')))).message).toContain('is a boxed symbol');
    });

    it('a getter that throws', () => {
      const value = {
        get broken(): never {
          throw new RangeError('nope');
        },
      };
      expect(errorOf(() => key(value)).message).toContain('argument #1 (.broken) could not be read: RangeError: nope');
    });

    it('runaway nesting', () => {
      let deep: unknown = 1;
      for (let i = 0; i < 150; i++) deep = [deep];
      expect(errorOf(() => key(deep)).message).toContain('nested more than 100 levels deep');
    });

    it('names the method without a class, or only the region', () => {
      expect(errorOf(() => serializeArgs([Symbol()], { region: 'r', methodName: 'm' })).message).toContain(
        'for m() in region "r"',
      );
      expect(errorOf(() => serializeArgs([Symbol()], { region: 'r' })).message).toContain('for region "r":');
    });

    it('speaks of the key material for a single value', () => {
      const { message } = errorOf(() => serializeValue({ a: [Symbol('s')] }, ctx));
      expect(message).toContain('the key material (.a[0]) is a symbol');
      expect(message).toContain("onKeyError: 'bypass'");
    });
  });
});

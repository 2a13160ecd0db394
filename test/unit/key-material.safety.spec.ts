import Big from 'big.js';
import BigNumber from 'bignumber.js';
import { Decimal128, ObjectId } from 'bson';
import dayjs from 'dayjs';
import 'dayjs/locale/fr.js';
import timezone from 'dayjs/plugin/timezone.js';
import utc from 'dayjs/plugin/utc.js';
import { Decimal } from 'decimal.js';
import { DateTime, Duration, Interval } from 'luxon';
import { describe, expect, it } from 'vitest';
import { CacheKeyError } from '../../lib/errors.js';
import { serializeArgs, type KeyContext } from '../../lib/keys/key-material.js';
import { Account, Admin, Deadline, Registry, Tags, TenantUser, User } from '../fixtures/key-suspects.js';

dayjs.extend(utc);
dayjs.extend(timezone);

const ctx: KeyContext = { region: 'functions', className: 'AccountService', methodName: 'balance' };
const key = (...args: unknown[]): string => serializeArgs(args, ctx);

function refusal(...args: unknown[]): string {
  try {
    key(...args);
  } catch (error) {
    expect(error).toBeInstanceOf(CacheKeyError);
    return (error as Error).message;
  }
  throw new Error(`expected a CacheKeyError, got the key ${key(...args)}`);
}

/** Either two different keys or a refusal: never one key for values a method can tell apart. */
function expectApart(a: unknown, b: unknown): void {
  let keyA: string;
  let keyB: string;
  try {
    keyA = key(a);
    keyB = key(b);
  } catch (error) {
    expect(error).toBeInstanceOf(CacheKeyError);
    return;
  }
  expect(keyA).not.toBe(keyB);
}

class Opaque {
  private readonly secret: () => string;
  constructor(value: string) {
    this.secret = () => value;
  }
}

describe('key safety: the reproductions of the key-safety issue', () => {
  it('an instance whose state is in #private fields is refused, naming the class and the fixes', () => {
    const message = refusal(new User('alice'));
    expect(message).toContain('argument #1 is a User, whose class declares #private fields');
    expect(message).toContain('toCacheKey()');
    expect(message).toContain('`key` option of @Cached');
    expect(message).toContain("onKeyError: 'bypass'");
    expectApart(new User('alice'), new User('bob'));
  });

  it('public fields do not make #private state visible: refused too, also through a subclass', () => {
    expect(refusal(new TenantUser('ann', 'acme'))).toContain('TenantUser, whose class declares #private fields');
    expect(refusal(new Admin('ann', 'acme'))).toContain('Admin, whose base class TenantUser declares #private fields');
  });

  it('URLSearchParams are keyed by every pair, in order', () => {
    const a = new URLSearchParams('tag=user&tag=admin');
    const b = new URLSearchParams('tag=admin&tag=user');
    expect(key(a)).toBe('URLSearchParams([["tag","user"],["tag","admin"]])');
    expect(key(a)).not.toBe(key(b));
    expect(key(new URLSearchParams('q=alice'))).not.toBe(key(new URLSearchParams('q=bob')));
    expect(key(new URLSearchParams('a=1&b=2'))).toBe(key(new URLSearchParams([['a', '1'], ['b', '2']])));
  });

  it('Headers, Blob, FormData and other objects with internal slots are refused', () => {
    for (const [value, name] of [
      [new Headers({ authorization: 'alice' }), 'Headers'],
      [new Blob(['alice']), 'Blob'],
      [new FormData(), 'FormData'],
      [new AbortController().signal, 'AbortSignal'],
    ] as const) {
      // Node's Headers and FormData keep their state in #private fields, Blob in internal slots.
      expect(refusal(value)).toMatch(new RegExp(`is an? ${name}(, whose class declares #private fields| with no own enumerable fields)`));
    }
    expectApart(new Headers({ a: '1' }), new Headers({ a: '2' }));
  });

  it('an instance with no own fields, state in a closure or nothing at all, is refused', () => {
    class Marker {}
    expect(refusal(new Marker())).toContain('is a Marker with no own enumerable fields');
    // A closure field is a function: refused as such.
    expect(refusal(new Opaque('alice'))).toContain('(.secret) is a function');
  });

  it('toJSON() is never used: a class with a trimmed toJSON is keyed by its own fields', () => {
    const alice = new Account('acc-1', 'shared-owner');
    const bob = new Account('acc-2', 'shared-owner');
    expect(JSON.stringify(alice)).toBe(JSON.stringify(bob));
    expect(key(alice)).toBe('@Account{id:"acc-1",owner:"shared-owner"}');
    expect(key(alice)).not.toBe(key(bob));
  });

  it('a plain object holding a toJSON() is refused like any object holding a function', () => {
    const view = { id: 1, toJSON: () => 'same' };
    expect(refusal(view)).toContain('argument #1 (.toJSON) is a function');
    expectApart(view, { id: 2, toJSON: () => 'same' });
  });

  it('subclasses of Date, Map and Array keep their own fields and class', () => {
    expect(key(new Deadline(0, 'soft'))).toBe('@Deadline:Date(1970-01-01T00:00:00.000Z){kind:"soft"}');
    expect(key(new Deadline(0, 'soft'))).not.toBe(key(new Deadline(0, 'hard')));
    expect(key(new Deadline(0, 'soft'))).not.toBe(key(new Date(0)));
    const mine = Object.assign(new Registry([['a', 1]]), { owner: 'alice' });
    const theirs = Object.assign(new Registry([['a', 1]]), { owner: 'bob' });
    expect(key(mine)).toBe('@Registry:Map{"a":1}{owner:"alice"}');
    expect(key(mine)).not.toBe(key(theirs));
    expect(key(mine)).not.toBe(key(new Map([['a', 1]])));
    const tags = Object.assign(Tags.from(['x']), { source: 'alice' });
    expect(key(tags)).toBe('@Tags:["x"]{source:"alice"}');
    expect(key(tags)).not.toBe(key(Object.assign(Tags.from(['x']), { source: 'bob' })));
    expect(key(tags)).not.toBe(key(['x']));
  });

  it('built-ins given fields of their own keep them', () => {
    const date = Object.assign(new Date(0), { tenant: 'a' });
    expect(key(date)).toBe('@Date:Date(1970-01-01T00:00:00.000Z){tenant:"a"}');
    expect(key(date)).not.toBe(key(Object.assign(new Date(0), { tenant: 'b' })));
    expect(key(date)).not.toBe(key(new Date(0)));
    expect(key(Object.assign(new Set([1]), { a: 1 }))).not.toBe(key(new Set([1])));
    expect(key(Object.assign(new String('ab'), { a: 1 }))).toBe('@String:String("ab"){a:1}');
    expect(key(new String('ab'))).toBe('String("ab")');
  });

  it('an Error keeps its cause and an AggregateError its errors', () => {
    const a = new Error('failed', { cause: new Error('disk alice') });
    const b = new Error('failed', { cause: new Error('disk bob') });
    expect(key(a)).toBe('Error("Error","failed",{},cause=Error("Error","disk alice",{}))');
    expect(key(a)).not.toBe(key(b));
    expect(key(a)).not.toBe(key(new Error('failed')));
    expect(key(new Error('x', { cause: undefined }))).not.toBe(key(new Error('x')));
    const many = (names: string[]) => new AggregateError(names.map((n) => new Error(n)), 'all');
    expect(key(many(['a']))).not.toBe(key(many(['b'])));
    const coded = Object.assign(new Error('x'), { code: 'E1' });
    expect(key(coded)).toBe('Error("Error","x",{code:"E1"})');
  });

  it('a RegExp keeps its lastIndex, which exec() and test() start from', () => {
    const moved = /a/g;
    moved.lastIndex = 3;
    expect(key(moved)).toBe('RegExp("/a/g",3)');
    expect(key(moved)).not.toBe(key(/a/g));
  });

  it('objects inheriting from a plain object are refused: their inherited properties would be left out', () => {
    const a = Object.create({ tenant: 'alice' }) as object;
    expect(refusal(a)).toContain('inherits from a prototype that is not a class');
  });

  it('instances of anonymous classes are refused', () => {
    const Anonymous = (() => class {})();
    const value = Object.assign(new Anonymous(), { id: 1 });
    expect(refusal(value)).toContain('anonymous class');
  });

  it('lowered private fields (TypeScript, esbuild helpers) are found too', () => {
    // The shape TypeScript emits for `#id` below ES2022; written by hand so the test needs no compiler.
    const source = `return class Lowered {
      constructor(id) { this.name = 'n'; __classPrivateFieldSet(this, _Lowered_id, id, "f"); }
    }`;
    const Lowered = new Function('__classPrivateFieldSet', '_Lowered_id', source)(
      (self: object, map: WeakMap<object, unknown>, v: unknown) => map.set(self, v),
      new WeakMap(),
    ) as new (id: string) => object;
    expect(refusal(new Lowered('a'))).toContain('Lowered, whose class declares #private fields');
  });

  it('a class whose strings merely mention "#" is not refused', () => {
    class Colour {
      constructor(readonly name: string) {}
      css(): string {
        return '#fff; #000';
      }
    }
    expect(key(new Colour('white'))).toBe('@Colour{name:"white"}');
  });
});

describe('key safety: documented exact encodings of everyday library types', () => {
  it('bson ObjectId by its hex, the same for equal ids and apart for others', () => {
    const hex = '65a1f0c2e4b0a1b2c3d4e5f6';
    expect(key(new ObjectId(hex))).toBe(`ObjectId("${hex}")`);
    expect(key(new ObjectId(hex))).toBe(key(ObjectId.createFromHexString(hex)));
    expect(key(new ObjectId(hex))).not.toBe(key(new ObjectId('65a1f0c2e4b0a1b2c3d4e5f7')));
    expect(key(new ObjectId(hex))).not.toBe(key(hex));
  });

  it('an ObjectId of the older shape (state behind a symbol, _bsontype on the prototype)', () => {
    const ID = Symbol('id');
    class OldObjectId {
      [ID]: Buffer;
      constructor(hex: string) {
        this[ID] = Buffer.from(hex, 'hex');
      }
      get _bsontype(): string {
        return 'ObjectID';
      }
      toHexString(): string {
        return this[ID].toString('hex');
      }
    }
    const hex = '65a1f0c2e4b0a1b2c3d4e5f6';
    expect(key(new OldObjectId(hex))).toBe(key(new ObjectId(hex)));
    expect(key(new OldObjectId(hex))).not.toBe(key(new OldObjectId('000000000000000000000001')));
  });

  it('Decimal-like values by class and exact text', () => {
    expect(key(new Decimal('1.50'))).toBe('Decimal("Decimal","1.5")');
    expect(key(new Decimal('1.50'))).toBe(key(new Decimal('1.5')));
    expect(key(new Decimal('0.1'))).not.toBe(key(new Decimal('0.10000000000000000001')));
    expect(key(new Big('2.5'))).toBe('Decimal("Big","2.5")');
    expect(key(new Big('2.5'))).not.toBe(key(new Big('2.6')));
    expect(key(new BigNumber('1e-30'))).not.toBe(key(new BigNumber('2e-30')));
    expect(key(new BigNumber('3'))).not.toBe(key(new Decimal('3')));
    expect(key(Decimal128.fromString('1.50'))).toBe('Decimal("Decimal128","1.50")');
    expect(key(Decimal128.fromString('1.50'))).not.toBe(key(Decimal128.fromString('1.5')));
  });

  it('Luxon DateTime by instant, zone, locale, numbering system and calendar', () => {
    const paris = DateTime.fromISO('2024-03-01T10:00:00', { zone: 'Europe/Paris' });
    expect(key(paris)).toBe('DateTime("2024-03-01T10:00:00.000+01:00",null,"Europe/Paris","en-US",null,null)');
    // Reading lazily computed fields does not change the key.
    void paris.weekNumber;
    void paris.toLocaleString(DateTime.DATE_FULL);
    expect(key(paris)).toBe('DateTime("2024-03-01T10:00:00.000+01:00",null,"Europe/Paris","en-US",null,null)');
    const sameInstantInBerlin = paris.setZone('Europe/Berlin');
    expect(paris.toMillis()).toBe(sameInstantInBerlin.toMillis());
    expectApart(paris, sameInstantInBerlin);
    expectApart(paris, paris.setLocale('fr'));
    expectApart(paris, paris.plus({ milliseconds: 1 }));
    expectApart(paris, DateTime.invalid('no reason'));
    expect(key(DateTime.invalid('a'))).not.toBe(key(DateTime.invalid('b')));
  });

  it('Luxon Duration and Interval', () => {
    expectApart(Duration.fromObject({ hours: 1 }), Duration.fromObject({ minutes: 60 }));
    expect(key(Duration.fromObject({ hours: 1 }))).toBe(key(Duration.fromObject({ hours: 1 })));
    const start = DateTime.fromISO('2024-01-01T00:00:00Z', { zone: 'utc' });
    const a = Interval.fromDateTimes(start, start.plus({ days: 1 }));
    const b = Interval.fromDateTimes(start, start.plus({ days: 2 }));
    expectApart(a, b);
    expect(key(a)).toBe(key(Interval.fromDateTimes(start, start.plus({ days: 1 }))));
  });

  it('Day.js objects by their own fields: instant, locale, utc flag and zone', () => {
    const a = dayjs('2024-03-01T10:00:00Z');
    expect(key(a)).toBe(key(dayjs('2024-03-01T10:00:00Z')));
    expectApart(a, dayjs('2024-03-01T10:00:01Z'));
    expectApart(a.utc(), a);
    expectApart(a.tz('Europe/Paris'), a.tz('Europe/Berlin'));
    expectApart(a, a.locale('fr'));
  });

  it('URL by its href', () => {
    expect(key(new URL('https://example.com/a?b=1'))).toBe('URL("https://example.com/a?b=1")');
    expect(key(new URL('https://example.com/a'))).not.toBe(key(new URL('https://example.com/b')));
    expect(key(new URL('https://example.com/a'))).not.toBe(key('https://example.com/a'));
  });
});

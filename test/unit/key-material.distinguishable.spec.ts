/**
 * Property tests of "refuse rather than guess": for pairs of argument lists that a method could
 * tell apart — class instances with #private fields, objects with internal slots, trimmed toJSON
 * views, subclasses of built-ins, Errors with causes, repeated query values — the key builder
 * gives two keys or refuses, never one shared key. The observer below reads each value the way
 * a method can (getters, iteration, own fields), so "could tell apart" is decided independently
 * of the key builder.
 */
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { httpKeyMaterial } from '../../lib/cached/http-key-material.js';
import { CacheKeyError } from '../../lib/errors.js';
import { serializeArgs, type KeyContext } from '../../lib/keys/key-material.js';
import { Account, Deadline, Registry, Tags, TenantUser, User } from '../fixtures/key-suspects.js';

const ctx: KeyContext = { region: 'functions', className: 'Props', methodName: 'apart' };
const RUNS = { numRuns: 400 };

/** What a method can read of a value, as plain data compared with isDeepStrictEqual. */
function observe(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (value instanceof User) return ['User', value.id];
  if (value instanceof TenantUser) return ['TenantUser', value.name, value.tenant];
  if (value instanceof Account) return ['Account', value.id, value.owner, value.toJSON()];
  if (value instanceof Deadline) return ['Deadline', value.getTime(), value.kind];
  if (value instanceof Date) return ['Date', value.getTime(), ownFields(value)];
  if (value instanceof Registry) return ['Registry', [...value].map(observe), value.owner];
  if (value instanceof Tags) return ['Tags', [...value].map(observe), value.source];
  if (value instanceof URLSearchParams) return ['URLSearchParams', [...value]];
  if (value instanceof Headers) return ['Headers', [...value]];
  if (value instanceof Error) {
    return [
      'Error',
      value.constructor.name,
      value.message,
      'cause' in value ? ['cause', observe(value.cause)] : 'none',
      value instanceof AggregateError ? observe(value.errors) : 'none',
      ownFields(value),
    ];
  }
  if (Array.isArray(value)) return ['array', value.map(observe)];
  // Plain objects: key order is not part of the key, by design (deterministic keys).
  return ['object', Object.keys(value).sort().map((k) => [k, observe((value as Record<string, unknown>)[k])])];
}

function ownFields(value: object): unknown {
  return Object.keys(value)
    .sort()
    .map((k) => [k, observe((value as Record<string, unknown>)[k])]);
}

/** A key, or `'refused'` for a CacheKeyError (anything else fails the test). */
function keyOrRefusal(args: unknown[]): string {
  try {
    return serializeArgs(args, ctx);
  } catch (error) {
    if (error instanceof CacheKeyError) return 'refused';
    throw error;
  }
}

const small = fc.constantFrom('a', 'b', '');
const primitive = fc.constantFrom<unknown>(0, 1, '1', 'a', null, undefined, true);

/** Values a method could tell apart in ways a naive key builder would miss. */
const deceptive: fc.Arbitrary<unknown> = fc.oneof(
  small.map((id) => new User(id)),
  fc.tuple(small, small).map(([name, tenant]) => new TenantUser(name, tenant)),
  fc.tuple(small, small).map(([id, owner]) => new Account(id, owner)),
  fc.tuple(fc.constantFrom(0, 1), small).map(([time, kind]) => new Deadline(time, kind)),
  fc.tuple(fc.constantFrom(0, 1), fc.option(small, { nil: undefined })).map(([time, tenant]) =>
    tenant === undefined ? new Date(time) : Object.assign(new Date(time), { tenant }),
  ),
  fc.tuple(fc.array(fc.tuple(small, primitive), { maxLength: 2 }), small).map(([entries, owner]) =>
    Object.assign(new Registry(entries), { owner }),
  ),
  fc.tuple(fc.array(primitive, { maxLength: 2 }), small).map(([items, source]) => {
    const tags = new Tags();
    tags.push(...items);
    return Object.assign(tags, { source });
  }),
  fc.array(fc.tuple(fc.constantFrom('tag', 'q'), small), { maxLength: 3 }).map((pairs) => new URLSearchParams(pairs)),
  fc.array(fc.tuple(fc.constantFrom('x-a', 'x-b'), small), { maxLength: 2 }).map((pairs) => new Headers(pairs)),
  fc.tuple(small, fc.option(fc.oneof(primitive, small.map((m) => new Error(m))), { nil: 'none' })).map(([message, cause]) =>
    cause === 'none' ? new Error(message) : new Error(message, { cause }),
  ),
  fc.tuple(small, fc.array(small, { maxLength: 2 })).map(
    ([message, inner]) => new AggregateError(inner.map((m) => new Error(m)), message),
  ),
);

/** A deceptive value alone, or inside an array or a plain object beside primitives. */
const argument: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: deceptive },
  { weight: 1, arbitrary: primitive },
  { weight: 1, arbitrary: fc.tuple(deceptive, primitive).map(([d, p]) => [d, p]) },
  { weight: 1, arbitrary: fc.tuple(deceptive, primitive).map(([d, p]) => ({ v: d, p })) },
);

const argumentList = fc.array(argument, { minLength: 1, maxLength: 2 });

describe('key builder: values a method can tell apart never share a key', () => {
  it('two argument lists with different observations get different keys, or are refused', () => {
    fc.assert(
      fc.property(argumentList, argumentList, (a, b) => {
        if (isDeepStrictEqual(a.map(observe), b.map(observe))) return;
        const keyA = keyOrRefusal(a);
        const keyB = keyOrRefusal(b);
        if (keyA === 'refused' || keyB === 'refused') return;
        expect(keyA).not.toBe(keyB);
      }),
      RUNS,
    );
  });

  it('equal observations of keyable values give one key (the refusals do not hide an unstable key)', () => {
    fc.assert(
      fc.property(argumentList, argumentList, (a, b) => {
        if (!isDeepStrictEqual(a.map(observe), b.map(observe))) return;
        const keyA = keyOrRefusal(a);
        // Refusal depends only on the types involved, and equal observations mean equal types.
        expect(keyOrRefusal(b)).toBe(keyA);
      }),
      RUNS,
    );
  });

  it('the generator yields both refused and keyed values', () => {
    // Sanity of the generator: the deceptive pairs do come up, and some are refused.
    let refused = 0;
    let keyed = 0;
    fc.assert(
      fc.property(deceptive, (value) => {
        if (keyOrRefusal([value]) === 'refused') refused++;
        else keyed++;
      }),
      { numRuns: 200 },
    );
    expect(refused).toBeGreaterThan(0);
    expect(keyed).toBeGreaterThan(0);
  });
});

describe('controller keys: requests a handler can tell apart never share a key', () => {
  /** What a handler sees of the query: each name's values in order (names in any order). */
  function observedQuery(url: string): unknown {
    const params = new URLSearchParams(url.slice(url.indexOf('?') + 1));
    const names = [...new Set(params.keys())].sort();
    return names.map((name) => [name, params.getAll(name)]);
  }

  const pairs = fc.array(fc.tuple(fc.constantFrom('tag', 'q', 'a b'), fc.constantFrom('user', 'admin', '', '1')), {
    maxLength: 4,
  });
  /** Two queries: independent, or the same pairs in another order (where repeated names matter). */
  const twoQueries = fc.oneof(
    fc.tuple(pairs, pairs),
    pairs.chain((a) => fc.shuffledSubarray(a, { minLength: a.length, maxLength: a.length }).map((b) => [a, b] as const)),
  );
  const url = (query: readonly (readonly [string, string])[]) =>
    `/reports?${new URLSearchParams(query.map(([name, value]): [string, string] => [name, value])).toString()}`;

  it('different queries (repeated values in another order included) give different keys', () => {
    fc.assert(
      fc.property(twoQueries, ([pairsA, pairsB]) => {
        const [a, b] = [url(pairsA), url(pairsB)];
        const keyA = serializeArgs(httpKeyMaterial({ method: 'GET', url: a }, []), ctx);
        const keyB = serializeArgs(httpKeyMaterial({ method: 'GET', url: b }, []), ctx);
        if (isDeepStrictEqual(observedQuery(a), observedQuery(b))) expect(keyA).toBe(keyB);
        else expect(keyA).not.toBe(keyB);
      }),
      RUNS,
    );
  });
});

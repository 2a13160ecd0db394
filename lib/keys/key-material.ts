/**
 * Arguments → key material: a deterministic, injective, readable string.
 *
 * The rule: **refuse rather than guess.** Two calls that a method could tell apart must never
 * share a key, so key material is built only from state the key builder can see completely;
 * where it cannot, it throws (the region's `onKeyError: 'bypass'` runs such calls uncached).
 *
 * Grammar (every value token is self-delimiting, so no crafted string can forge structure):
 *
 * | value                         | token                                            |
 * |-------------------------------|--------------------------------------------------|
 * | number                        | `String(n)`, but `-0` for negative zero: `42`, `NaN`, `-Infinity` |
 * | bigint                        | `1n`                                             |
 * | boolean, null, undefined      | `true` `false` `null` `undefined`                |
 * | string                        | JSON-quoted: `"abc"`, `"a\"b"`, `"\n"`, lone surrogates escaped |
 * | array                         | `[1,"a"]`; a hole is `~`                          |
 * | plain object (or null proto)  | `{a:1,"b c":2}` keys sorted, identifier keys bare |
 * | object with `toCacheKey()`    | `@User(<token of its result>)`                    |
 * | other class instance          | `@User{id:1}` class name + own enumerable fields, when that is all its state (see hidden-state.ts) |
 * | Date                          | `Date(2024-01-01T00:00:00.000Z)`, `Date(Invalid)` |
 * | Buffer, typed array, DataView | `Buffer(<base64>)`, `Uint8Array(<base64>)`, … — the bytes of the view |
 * | ArrayBuffer                   | `ArrayBuffer(<base64>)`                           |
 * | Map                           | `Map{<key>:<value>,…}` entries sorted by their token |
 * | Set                           | `Set[<token>,…]` elements sorted                  |
 * | RegExp                        | `RegExp("/a+/g")`, `RegExp("/a/g",3)` with a non-zero `lastIndex` |
 * | Error                         | `Error("TypeError","message",{fields})`, then `,cause=<token>`, `,errors=<token>` |
 * | URL                           | `URL("https://example.com/a?b=1")` (its href)      |
 * | URLSearchParams               | `URLSearchParams([["tag","user"],["tag","admin"]])` — pairs in order |
 * | boxed primitive               | `Number(1)`, `String("a")`, `Boolean(true)`, `BigInt(1n)` |
 * | ObjectId, Decimal, Luxon      | `ObjectId("…")`, `Decimal("Big","1.5")`, `DateTime(…)` — see known-types.ts |
 * | subclass of a built-in, or a built-in with own fields | `@Deadline:Date(…){kind:"soft"}` |
 *
 * Choices worth knowing:
 * - `-0` and `0` differ; so do a hole and `undefined`, `{a: undefined}` and `{}`.
 * - A Buffer and a Uint8Array with the same bytes differ (the tag is the view's type), as do
 *   typed arrays of different types over the same bytes; float arrays compare by bytes.
 * - `toJSON()` is never called (it may drop identity); a plain object holding one is refused
 *   like any object holding a function.
 * - Refused: functions, symbols, circular structures, opaque objects (Promise, WeakMap, WeakSet,
 *   WeakRef), instances whose state cannot be seen (no own enumerable fields: Headers, Blob, a
 *   class with getters over `#fields`), classes declaring `#private` fields, objects inheriting
 *   from a plain object, instances of anonymous classes.
 * - Not key material, as in JSON and structured clone: symbol-keyed and non-enumerable
 *   properties, an Error's stack, and properties other than the elements of a plain array or
 *   typed array (subclasses keep theirs).
 */
import { CacheKeyError } from '../errors.js';
import { encodeBuiltIn, subclassToken } from './built-in-types.js';
import { checkInstanceStateVisible } from './hidden-state.js';
import type { KeyContext } from './key-context.js';
import { asProblem, describeError, KeyMaterialProblem, withSegment } from './key-material-problem.js';
import { classTag, IDENTIFIER, numberToken, quote, type NestedEncoder } from './key-tokens.js';
import { keyMaterialMessage } from './key.messages.js';
import { encodeKnownType } from './known-types.js';

export type { KeyContext } from './key-context.js';

/*
 * The walker: it descends through arrays, plain objects, `toCacheKey()` results and class
 * instances itself, and hands built-ins (built-in-types.ts) and library types (known-types.ts)
 * to their encoders, which reach back through NESTED for what those contain.
 */

/** Deeper nesting is almost certainly a runaway `toCacheKey()`/`toJSON()` chain, not data. */
const MAX_DEPTH = 100;

/** A canonical array index, as own property keys of arrays, typed arrays and boxed strings list them. */
const ARRAY_INDEX = /^(?:0|[1-9]\d*)$/;

/**
 * Serializes a list of arguments to a deterministic, injective string: argument tokens joined by
 * `|` (`42|"abc"`); an empty list gives `''`, so `[]`, `[undefined]` and `['']` all differ.
 * Deterministic across processes: no object identity, plain-object keys sorted.
 * @throws CacheKeyError for a function, a symbol, a circular structure, an opaque object
 *   (Promise, WeakMap…), or an object whose `toCacheKey()`/`toJSON()` throws or returns something
 *   unusable. The message names the region, `Class.method()`, the 1-based argument position and
 *   the path inside it (`argument #2 (.user.tags[3])`), and what to do about it.
 */
export function serializeArgs(args: readonly unknown[], context: KeyContext): string {
  let out = '';
  for (let i = 0; i < args.length; i++) {
    const value = args[i];
    // Fast path: the common primitive arguments skip the generic encoder and its bookkeeping.
    let token: string;
    if (typeof value === 'string') token = quote(value);
    else if (typeof value === 'number') token = numberToken(value);
    else token = encodeTop(value, context, i);
    out = i === 0 ? token : `${out}|${token}`;
  }
  return out;
}

/**
 * Serializes one value with the same grammar as {@link serializeArgs} (used for the `key`
 * option's result and for key material given directly).
 * @throws CacheKeyError as {@link serializeArgs} does; the message speaks of "the key material".
 */
export function serializeValue(value: unknown, context: KeyContext): string {
  if (typeof value === 'string') return quote(value);
  return encodeTop(value, context, undefined);
}

function encodeTop(value: unknown, context: KeyContext, argIndex: number | undefined): string {
  try {
    return encode(value, []);
  } catch (error) {
    const problem = asProblem(error);
    const path = problem.segments.join('');
    throw new CacheKeyError(keyMaterialMessage(context, argIndex, path, problem.message), {
      cause: problem.cause,
    });
  }
}

function encode(value: unknown, ancestors: object[]): string {
  switch (typeof value) {
    case 'string':
      return quote(value);
    case 'number':
      return numberToken(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'undefined':
      return 'undefined';
    case 'bigint':
      return `${value}n`;
    case 'object':
      return value === null ? 'null' : encodeObject(value, ancestors);
    case 'function':
      throw new KeyMaterialProblem(`is a function${value.name ? ` (${value.name})` : ''}`);
    default:
      throw new KeyMaterialProblem(`is a symbol (${String(value)})`);
  }
}

/** The walker as the encoders of built-ins and library types see it. */
const NESTED: NestedEncoder = { value: encode, array: encodeArray, fields: encodeFields };

function encodeObject(obj: object, ancestors: object[]): string {
  if (ancestors.includes(obj)) throw new KeyMaterialProblem('refers back to itself (a circular structure)');
  if (ancestors.length >= MAX_DEPTH) {
    throw new KeyMaterialProblem(`is nested more than ${MAX_DEPTH} levels deep`);
  }
  ancestors.push(obj);
  const token = Array.isArray(obj) ? encodeArrayObject(obj, ancestors) : encodeNonArray(obj, ancestors);
  ancestors.pop();
  return token;
}

function encodeArrayObject(items: readonly unknown[], ancestors: object[]): string {
  const token = encodeArray(items, ancestors);
  // A plain array is its elements. Looking for other own properties would cost a string per
  // index on every call, so only subclasses (rare) pay for it; the README states the limit.
  return Object.getPrototypeOf(items) === Array.prototype ? token : subclassToken(items, token, ancestors, true, NESTED);
}

function encodeArray(items: readonly unknown[], ancestors: object[]): string {
  let out = '[';
  let i = 0;
  try {
    for (; i < items.length; i++) {
      if (i > 0) out += ',';
      const item = items[i];
      out += item === undefined && !(i in items) ? '~' : encode(item, ancestors);
    }
  } catch (error) {
    throw withSegment(error, `[${i}]`);
  }
  return `${out}]`;
}

function encodeNonArray(obj: object, ancestors: object[]): string {
  const record = obj as Record<string, unknown>;
  if (typeof record.toCacheKey === 'function') return encodeCacheKeyOf(obj, ancestors);
  const proto: unknown = Object.getPrototypeOf(obj);
  // Plain data. A toJSON() here is a function-valued field like any other, and refused as one.
  if (proto === Object.prototype || proto === null) return encodeFields(obj, ancestors, false);
  return (
    encodeBuiltIn(obj, ancestors, NESTED) ??
    encodeKnownType(obj, ancestors, NESTED) ??
    encodeInstance(obj, proto as object, ancestors)
  );
}

/**
 * Any other class instance: its class name and own enumerable fields, when those are all of its
 * state (see {@link checkInstanceStateVisible} for what is refused). `toJSON()` is never used: it
 * is a view for JSON output and may drop exactly what tells two objects apart (an id, a tenant).
 */
function encodeInstance(obj: object, proto: object, ancestors: object[]): string {
  checkInstanceStateVisible(obj, proto);
  return `@${classTag(obj)}${encodeFields(obj, ancestors, false)}`;
}

/** Own enumerable string-keyed properties, sorted, so insertion order never matters. */
function encodeFields(obj: object, ancestors: object[], skipIndices: boolean): string {
  const record = obj as Record<string, unknown>;
  let keys = Object.keys(obj);
  if (skipIndices) keys = keys.filter((key) => !ARRAY_INDEX.test(key));
  keys = sortKeys(keys);
  let out = '{';
  let i = 0;
  try {
    for (; i < keys.length; i++) {
      const key = keys[i];
      out += `${i === 0 ? '' : ','}${IDENTIFIER.test(key) ? key : quote(key)}:${encode(record[key], ancestors)}`;
    }
  } catch (error) {
    const key = keys[i];
    throw withSegment(error, IDENTIFIER.test(key) ? `.${key}` : `[${quote(key)}]`);
  }
  return `${out}}`;
}

/**
 * Sorts in code-unit order, as `Array.prototype.sort()` does; insertion sort is about 3× faster
 * for the handful of keys a typical argument object has.
 */
function sortKeys(keys: string[]): string[] {
  if (keys.length > 16) return keys.sort();
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i];
    let j = i - 1;
    for (; j >= 0 && keys[j] > key; j--) keys[j + 1] = keys[j];
    keys[j + 1] = key;
  }
  return keys;
}

/** The object's own choice of key material, tagged with its class so it differs from plain data. */
function encodeCacheKeyOf(obj: object, ancestors: object[]): string {
  let result: unknown;
  try {
    result = (obj as { toCacheKey(): unknown }).toCacheKey();
  } catch (error) {
    throw new KeyMaterialProblem(`has a toCacheKey() that threw: ${describeError(error)}`, { cause: error });
  }
  if (result === undefined) throw new KeyMaterialProblem('has a toCacheKey() that returned undefined');
  if (result === obj) throw new KeyMaterialProblem('has a toCacheKey() that returned the object itself');
  if (result instanceof Promise) {
    throw new KeyMaterialProblem('has a toCacheKey() that returned a Promise; it must return the key material synchronously');
  }
  try {
    return `@${classTag(obj)}(${encode(result, ancestors)})`;
  } catch (error) {
    throw withSegment(error, '.toCacheKey()');
  }
}

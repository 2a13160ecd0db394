/**
 * Arguments → key material: a deterministic, injective, readable string.
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
 * | other object with `toJSON()`  | `@URL(<token of its result>)` (URL, Decimal, Luxon, Mongoose…) |
 * | other class instance          | `@User{id:1}` class name + own enumerable fields   |
 * | Date                          | `Date(2024-01-01T00:00:00.000Z)`, `Date(Invalid)` |
 * | Buffer, typed array, DataView | `Buffer(<base64>)`, `Uint8Array(<base64>)`, … — the bytes of the view |
 * | ArrayBuffer                   | `ArrayBuffer(<base64>)`                           |
 * | Map                           | `Map{<key>:<value>,…}` entries sorted by their token |
 * | Set                           | `Set[<token>,…]` elements sorted                  |
 * | RegExp                        | `RegExp("/a+/g")`                                  |
 * | Error                         | `Error("TypeError","message",{fields})`            |
 * | boxed primitive               | `Number(1)`, `String("a")`, `Boolean(true)`, `BigInt(1n)` |
 *
 * Choices worth knowing:
 * - `-0` and `0` differ; so do a hole and `undefined`, `{a: undefined}` and `{}`.
 * - A Buffer and a Uint8Array with the same bytes differ (the tag is the view's type), as do
 *   typed arrays of different types over the same bytes; float arrays compare by bytes.
 * - Subclasses of Date, Map, Set, Array and typed arrays count as their built-in base.
 * - Objects whose state is invisible (Promise, WeakMap, WeakSet, WeakRef) are rejected: every
 *   instance would otherwise read the same. Symbol-keyed and non-enumerable properties are ignored.
 */
import { CacheKeyError } from '../errors.js';
import { keyMaterialMessage } from './key.messages.js';

/** Where an argument came from, for error messages. */
export interface KeyContext {
  /** Name of the region the key is for. */
  region: string;
  /** Class of the decorated method, when the key is a method call's. */
  className?: string;
  /** Name of the decorated method, when the key is a method call's. */
  methodName?: string;
}

/** Deeper nesting is almost certainly a runaway `toCacheKey()`/`toJSON()` chain, not data. */
const MAX_DEPTH = 100;

/** Characters that make a string need JSON escaping (or are not valid UTF-16 on their own). */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
const OPAQUE = [Promise, WeakMap, WeakSet, WeakRef] as const;

/**
 * Thrown while encoding; each container on the way out prepends its path segment, so the happy
 * path pays nothing for error locations.
 */
class KeyMaterialProblem extends Error {
  readonly segments: string[] = [];
}

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

/** Up to this length a plain loop finds characters to escape faster than {@link NEEDS_ESCAPE}. */
const SHORT_STRING = 32;

/** JSON quoting: injective, and leaves no lone surrogate that a UTF-8 store would mangle. */
function quote(text: string): string {
  return (text.length <= SHORT_STRING ? shortNeedsEscape(text) : NEEDS_ESCAPE.test(text))
    ? JSON.stringify(text)
    : `"${text}"`;
}

/** {@link NEEDS_ESCAPE} as a loop: most arguments are short strings, where a regex costs more. */
function shortNeedsEscape(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x22 || code === 0x5c || (code >= 0xd800 && code <= 0xdfff)) return true;
  }
  return false;
}

/** `String(n)` is exact (shortest round-trip form) but prints -0 as "0". */
function numberToken(n: number): string {
  return n === 0 && 1 / n < 0 ? '-0' : String(n);
}

function encodeObject(obj: object, ancestors: object[]): string {
  if (ancestors.includes(obj)) throw new KeyMaterialProblem('refers back to itself (a circular structure)');
  if (ancestors.length >= MAX_DEPTH) {
    throw new KeyMaterialProblem(`is nested more than ${MAX_DEPTH} levels deep`);
  }
  ancestors.push(obj);
  const token = Array.isArray(obj) ? encodeArray(obj, ancestors) : encodeNonArray(obj, ancestors);
  ancestors.pop();
  return token;
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
  if (typeof record.toCacheKey === 'function') return encodeSelfDescribed(obj, 'toCacheKey', ancestors);
  const proto: unknown = Object.getPrototypeOf(obj);
  if (proto === Object.prototype || proto === null) {
    if (typeof record.toJSON === 'function') return encodeSelfDescribed(obj, 'toJSON', ancestors);
    return encodeFields(obj, ancestors);
  }
  return encodeBuiltIn(obj, ancestors) ?? encodeInstance(obj, ancestors);
}

/** Built-ins whose state is not in own enumerable properties; `undefined` for anything else. */
function encodeBuiltIn(obj: object, ancestors: object[]): string | undefined {
  if (obj instanceof Date) {
    const time = obj.getTime();
    return Number.isNaN(time) ? 'Date(Invalid)' : `Date(${obj.toISOString()})`;
  }
  if (ArrayBuffer.isView(obj)) {
    // The built-in's tag, never a user subclass's name: Buffer apart, a view keys as its base type.
    const tag = Buffer.isBuffer(obj)
      ? 'Buffer'
      : (obj as unknown as { [Symbol.toStringTag]: string })[Symbol.toStringTag];
    return `${tag}(${Buffer.from(obj.buffer, obj.byteOffset, obj.byteLength).toString('base64')})`;
  }
  if (obj instanceof ArrayBuffer || (typeof SharedArrayBuffer === 'function' && obj instanceof SharedArrayBuffer)) {
    return `${obj[Symbol.toStringTag]}(${Buffer.from(obj).toString('base64')})`;
  }
  if (obj instanceof Map) return encodeMap(obj, ancestors);
  if (obj instanceof Set) return encodeSet(obj, ancestors);
  if (obj instanceof RegExp) return `RegExp(${quote(String(obj))})`;
  if (obj instanceof Error) {
    return `Error(${quote(className(obj))},${quote(obj.message)},${encodeFields(obj, ancestors)})`;
  }
  if (obj instanceof Number) return `Number(${numberToken(obj.valueOf())})`;
  if (obj instanceof String) return `String(${quote(obj.valueOf())})`;
  if (obj instanceof Boolean) return `Boolean(${String(obj.valueOf())})`;
  if (obj instanceof BigInt) return `BigInt(${obj.valueOf()}n)`;
  if (obj instanceof Symbol) throw new KeyMaterialProblem(`is a boxed symbol (${String(obj.valueOf())})`);
  for (const opaque of OPAQUE) {
    if (obj instanceof opaque) {
      throw new KeyMaterialProblem(`is a ${opaque.name}, whose contents cannot be read to form a key`);
    }
  }
  return undefined;
}

function encodeInstance(obj: object, ancestors: object[]): string {
  if (typeof (obj as { toJSON?: unknown }).toJSON === 'function') {
    return encodeSelfDescribed(obj, 'toJSON', ancestors);
  }
  return `@${classTag(obj)}${encodeFields(obj, ancestors)}`;
}

/** Own enumerable string-keyed properties, sorted, so insertion order never matters. */
function encodeFields(obj: object, ancestors: object[]): string {
  const record = obj as Record<string, unknown>;
  const keys = sortKeys(Object.keys(obj));
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
function encodeSelfDescribed(obj: object, method: 'toCacheKey' | 'toJSON', ancestors: object[]): string {
  let result: unknown;
  try {
    result =
      method === 'toJSON'
        ? (obj as { toJSON(key: string): unknown }).toJSON('')
        : (obj as { toCacheKey(): unknown }).toCacheKey();
  } catch (error) {
    throw new KeyMaterialProblem(`has a ${method}() that threw: ${describeError(error)}`, { cause: error });
  }
  if (result === undefined) throw new KeyMaterialProblem(`has a ${method}() that returned undefined`);
  if (result === obj) throw new KeyMaterialProblem(`has a ${method}() that returned the object itself`);
  if (result instanceof Promise) {
    throw new KeyMaterialProblem(
      `has a ${method}() that returned a Promise; it must return the key material synchronously`,
    );
  }
  try {
    return `@${classTag(obj)}(${encode(result, ancestors)})`;
  } catch (error) {
    throw withSegment(error, `.${method}()`);
  }
}

function encodeMap(map: ReadonlyMap<unknown, unknown>, ancestors: object[]): string {
  const entries: string[] = [];
  for (const [key, value] of map) {
    let keyToken: string;
    try {
      keyToken = encode(key, ancestors);
    } catch (error) {
      throw withSegment(error, `<key #${entries.length + 1}>`);
    }
    try {
      entries.push(`${keyToken}:${encode(value, ancestors)}`);
    } catch (error) {
      throw withSegment(error, `.get(${keyToken.length > 40 ? `${keyToken.slice(0, 40)}…` : keyToken})`);
    }
  }
  // Sorted by token, so the Map's insertion order does not matter.
  return `Map{${entries.sort().join(',')}}`;
}

function encodeSet(set: ReadonlySet<unknown>, ancestors: object[]): string {
  const items: string[] = [];
  for (const item of set) {
    try {
      items.push(encode(item, ancestors));
    } catch (error) {
      throw withSegment(error, `<element #${items.length + 1}>`);
    }
  }
  return `Set[${items.sort().join(',')}]`;
}

function className(obj: object): string {
  const ctor: unknown = (Object.getPrototypeOf(obj) as { constructor?: unknown } | null)?.constructor;
  return typeof ctor === 'function' ? ctor.name : '';
}

/** The class name bare when it is an identifier, quoted otherwise, so it always ends where it should. */
function classTag(obj: object): string {
  const name = className(obj);
  return IDENTIFIER.test(name) ? name : quote(name);
}

function withSegment(error: unknown, segment: string): KeyMaterialProblem {
  const problem = asProblem(error);
  problem.segments.unshift(segment);
  return problem;
}

/** A getter or a toJSON deep inside may throw anything; report it at the place it surfaced. */
function asProblem(error: unknown): KeyMaterialProblem {
  if (error instanceof KeyMaterialProblem) return error;
  return new KeyMaterialProblem(`could not be read: ${describeError(error)}`, { cause: error });
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

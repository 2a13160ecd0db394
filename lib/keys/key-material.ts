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
 * | other class instance          | `@User{id:1}` class name + own enumerable fields, when that is all its state (see {@link encodeInstance}) |
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
import { classWithPrivateFields } from './hidden-state.js';
import { keyMaterialMessage } from './key.messages.js';
import { knownValue, type KnownValue } from './known-types.js';

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
/** A canonical array index, as own property keys of arrays, typed arrays and boxed strings list them. */
const ARRAY_INDEX = /^(?:0|[1-9]\d*)$/;
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
  const token = Array.isArray(obj) ? encodeArrayObject(obj, ancestors) : encodeNonArray(obj, ancestors);
  ancestors.pop();
  return token;
}

function encodeArrayObject(items: readonly unknown[], ancestors: object[]): string {
  const token = encodeArray(items, ancestors);
  // A plain array is its elements. Looking for other own properties would cost a string per
  // index on every call, so only subclasses (rare) pay for it; the README states the limit.
  return Object.getPrototypeOf(items) === Array.prototype ? token : subclassToken(items, token, ancestors, true);
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
  return encodeBuiltIn(obj, ancestors) ?? encodeKnown(obj, ancestors) ?? encodeInstance(obj, proto as object, ancestors);
}

/**
 * Built-ins whose state is not in own enumerable properties; `undefined` for anything else.
 * A subclass, or a built-in given fields of its own, keeps them: see {@link builtInToken}.
 */
function encodeBuiltIn(obj: object, ancestors: object[]): string | undefined {
  if (obj instanceof Date) {
    const time = obj.getTime();
    return builtInToken(obj, Date.prototype, Number.isNaN(time) ? 'Date(Invalid)' : `Date(${obj.toISOString()})`, ancestors);
  }
  if (ArrayBuffer.isView(obj)) {
    // The built-in's tag, never a user subclass's name: Buffer apart, a view keys as its base type.
    const isBuffer = Buffer.isBuffer(obj);
    const tag = isBuffer ? 'Buffer' : (obj as unknown as { [Symbol.toStringTag]: string })[Symbol.toStringTag];
    const token = `${tag}(${Buffer.from(obj.buffer, obj.byteOffset, obj.byteLength).toString('base64')})`;
    // Own properties of a view include one per element: only subclasses are searched for others.
    const base = isBuffer ? Buffer.prototype : viewPrototype(obj);
    return Object.getPrototypeOf(obj) === base ? token : subclassToken(obj, token, ancestors, true);
  }
  if (obj instanceof ArrayBuffer) {
    return builtInToken(obj, ArrayBuffer.prototype, `ArrayBuffer(${Buffer.from(obj).toString('base64')})`, ancestors);
  }
  if (typeof SharedArrayBuffer === 'function' && obj instanceof SharedArrayBuffer) {
    return builtInToken(obj, SharedArrayBuffer.prototype, `SharedArrayBuffer(${Buffer.from(obj).toString('base64')})`, ancestors);
  }
  if (obj instanceof Map) return builtInToken(obj, Map.prototype, encodeMap(obj, ancestors), ancestors);
  if (obj instanceof Set) return builtInToken(obj, Set.prototype, encodeSet(obj, ancestors), ancestors);
  if (obj instanceof RegExp) {
    // lastIndex is what a global or sticky RegExp's exec() and test() start from.
    const token = obj.lastIndex === 0 ? `RegExp(${quote(String(obj))})` : `RegExp(${quote(String(obj))},${numberToken(obj.lastIndex)})`;
    return builtInToken(obj, RegExp.prototype, token, ancestors);
  }
  if (obj instanceof Error) return encodeError(obj, ancestors);
  if (obj instanceof URL) return builtInToken(obj, URL.prototype, `URL(${quote(obj.href)})`, ancestors);
  if (obj instanceof URLSearchParams) {
    // Every pair in order: a handler sees getAll('tag') in the order the pairs came.
    return builtInToken(obj, URLSearchParams.prototype, `URLSearchParams(${encodeArray([...obj], ancestors)})`, ancestors);
  }
  if (obj instanceof Number) return builtInToken(obj, Number.prototype, `Number(${numberToken(obj.valueOf())})`, ancestors);
  if (obj instanceof String) return encodeBoxedString(obj, ancestors);
  if (obj instanceof Boolean) return builtInToken(obj, Boolean.prototype, `Boolean(${String(obj.valueOf())})`, ancestors);
  if (obj instanceof BigInt) return builtInToken(obj, BigInt.prototype, `BigInt(${obj.valueOf()}n)`, ancestors);
  if (obj instanceof Symbol) throw new KeyMaterialProblem(`is a boxed symbol (${String(obj.valueOf())})`);
  for (const opaque of OPAQUE) {
    if (obj instanceof opaque) {
      throw new KeyMaterialProblem(`is a ${opaque.name}, whose contents cannot be read to form a key`);
    }
  }
  return undefined;
}

/** The built-in prototype of a typed array or DataView (`Uint8Array.prototype`…). */
function viewPrototype(view: ArrayBufferView): object | undefined {
  const tag = (view as unknown as { [Symbol.toStringTag]?: string })[Symbol.toStringTag] ?? 'DataView';
  const ctor = (globalThis as Record<string, unknown>)[tag];
  return typeof ctor === 'function' ? (ctor.prototype as object) : undefined;
}

/**
 * A built-in's token, extended when the object is more than the built-in: a subclass instance,
 * or one given own enumerable fields, reads `@Class:<built-in token>{fields}`.
 */
function builtInToken(obj: object, builtInPrototype: object, token: string, ancestors: object[]): string {
  if (Object.getPrototypeOf(obj) === builtInPrototype && Object.keys(obj).length === 0) return token;
  return subclassToken(obj, token, ancestors, false);
}

/** `@Class:<token>{own enumerable fields}` (indices left out for arrays and typed arrays). */
function subclassToken(obj: object, token: string, ancestors: object[], skipIndices: boolean): string {
  refuseHiddenFields(obj);
  return `@${classTag(obj)}:${token}${encodeFields(obj, ancestors, skipIndices)}`;
}

/** A boxed string's own properties include one per character: only others are fields. */
function encodeBoxedString(obj: String, ancestors: object[]): string {
  const token = `String(${quote(obj.valueOf())})`;
  if (Object.getPrototypeOf(obj) === String.prototype && Object.keys(obj).length === obj.length) return token;
  return subclassToken(obj, token, ancestors, true);
}

/**
 * `Error(<class>,<message>,{fields})`, then `,cause=<token>` and `,errors=<token>` when the error
 * has them as own non-enumerable properties (as `new Error(m, { cause })` and AggregateError
 * create them; enumerable ones are among the fields). The stack is not key material: it differs
 * with every call site.
 */
function encodeError(error: Error, ancestors: object[]): string {
  refuseHiddenFields(error);
  let token = `Error(${quote(className(error))},${quote(error.message)},${encodeFields(error, ancestors, false)}`;
  for (const name of ['cause', 'errors'] as const) {
    const descriptor = Object.getOwnPropertyDescriptor(error, name);
    if (descriptor === undefined || descriptor.enumerable) continue;
    try {
      token += `,${name}=${encode('value' in descriptor ? descriptor.value : (error as unknown as Record<string, unknown>)[name], ancestors)}`;
    } catch (problem) {
      throw withSegment(problem, `.${name}`);
    }
  }
  return `${token})`;
}

/** Library types with a documented exact encoding (see known-types.ts). */
function encodeKnown(obj: object, ancestors: object[]): string | undefined {
  let known: KnownValue | undefined;
  try {
    known = knownValue(obj);
  } catch (error) {
    throw new KeyMaterialProblem(`could not be read: ${describeError(error)}`, { cause: error });
  }
  if (known === undefined) return undefined;
  let out = `${known.tag}(`;
  for (let i = 0; i < known.parts.length; i++) {
    out += `${i === 0 ? '' : ','}${encode(known.parts[i], ancestors)}`;
  }
  return `${out})`;
}

/**
 * Any other class instance: its class name and own enumerable fields — but only when those are
 * all of its state the key builder can tell. Refused (rather than keyed by what little shows):
 * an instance with no own fields (its state sits in internal slots, private fields or closures:
 * Headers, Blob, a class with getters over `#fields`), a class that declares `#private` fields,
 * an object inheriting from a plain object (its inherited properties would be left out), and an
 * anonymous class (two of them could not be told apart).
 * `toJSON()` is never used: it is a view for JSON output and may drop exactly what tells two
 * objects apart (an id, a tenant).
 */
function encodeInstance(obj: object, proto: object, ancestors: object[]): string {
  const ctor = Object.getOwnPropertyDescriptor(proto, 'constructor')?.value as unknown;
  if (typeof ctor !== 'function' || ctor.prototype !== proto) {
    throw new KeyMaterialProblem(
      'inherits from a prototype that is not a class (Object.create(...)); its inherited properties would not be part of the key',
    );
  }
  const name = ctor.name;
  if (name === '') {
    throw new KeyMaterialProblem('is an instance of an anonymous class, which no key can tell apart from another anonymous class');
  }
  refuseHiddenFields(obj);
  if (Object.keys(obj).length === 0) {
    throw new KeyMaterialProblem(
      `is a ${name} with no own enumerable fields: its state (internal slots, private fields or closures) cannot be read to form a key`,
    );
  }
  return `@${classTag(obj)}${encodeFields(obj, ancestors, false)}`;
}

/** Throws when the object's class, or a class it extends, declares `#private` fields. */
function refuseHiddenFields(obj: object): void {
  const proto = Object.getPrototypeOf(obj) as object | null;
  const hiding = proto === null ? undefined : classWithPrivateFields(proto);
  if (hiding === undefined) return;
  const name = className(obj);
  throw new KeyMaterialProblem(
    `is a ${name}${hiding === name ? ', whose class' : `, whose base class ${hiding}`} declares #private fields that the key builder cannot read`,
  );
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

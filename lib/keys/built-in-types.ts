/**
 * Key material of JavaScript's and Node's built-in objects, whose state is not in own enumerable
 * properties: Date, typed arrays and Buffer, ArrayBuffer, Map, Set, RegExp, Error, URL,
 * URLSearchParams and boxed primitives. Opaque ones (Promise, WeakMap, WeakSet, WeakRef) and boxed
 * symbols are refused. Their contents are encoded through the walker's {@link NestedEncoder}.
 */
import { refuseHiddenFields } from './hidden-state.js';
import { KeyMaterialProblem, withSegment } from './key-material-problem.js';
import { classTag, className, numberToken, quote, type NestedEncoder } from './key-tokens.js';

const OPAQUE = [Promise, WeakMap, WeakSet, WeakRef] as const;

/**
 * The token of a built-in; `undefined` for anything else. A subclass, or a built-in given fields
 * of its own, keeps them: see {@link builtInToken}.
 */
export function encodeBuiltIn(obj: object, ancestors: object[], nested: NestedEncoder): string | undefined {
  if (obj instanceof Date) {
    const time = obj.getTime();
    return builtInToken(obj, Date.prototype, Number.isNaN(time) ? 'Date(Invalid)' : `Date(${obj.toISOString()})`, ancestors, nested);
  }
  if (ArrayBuffer.isView(obj)) {
    // The built-in's tag, never a user subclass's name: Buffer apart, a view keys as its base type.
    const isBuffer = Buffer.isBuffer(obj);
    const tag = isBuffer ? 'Buffer' : (obj as unknown as { [Symbol.toStringTag]: string })[Symbol.toStringTag];
    const token = `${tag}(${Buffer.from(obj.buffer, obj.byteOffset, obj.byteLength).toString('base64')})`;
    // Own properties of a view include one per element: only subclasses are searched for others.
    const base = isBuffer ? Buffer.prototype : viewPrototype(obj);
    return Object.getPrototypeOf(obj) === base ? token : subclassToken(obj, token, ancestors, true, nested);
  }
  if (obj instanceof ArrayBuffer) {
    return builtInToken(obj, ArrayBuffer.prototype, `ArrayBuffer(${Buffer.from(obj).toString('base64')})`, ancestors, nested);
  }
  if (typeof SharedArrayBuffer === 'function' && obj instanceof SharedArrayBuffer) {
    return builtInToken(obj, SharedArrayBuffer.prototype, `SharedArrayBuffer(${Buffer.from(obj).toString('base64')})`, ancestors, nested);
  }
  if (obj instanceof Map) return builtInToken(obj, Map.prototype, encodeMap(obj, ancestors, nested), ancestors, nested);
  if (obj instanceof Set) return builtInToken(obj, Set.prototype, encodeSet(obj, ancestors, nested), ancestors, nested);
  if (obj instanceof RegExp) {
    // lastIndex is what a global or sticky RegExp's exec() and test() start from.
    const token = obj.lastIndex === 0 ? `RegExp(${quote(String(obj))})` : `RegExp(${quote(String(obj))},${numberToken(obj.lastIndex)})`;
    return builtInToken(obj, RegExp.prototype, token, ancestors, nested);
  }
  if (obj instanceof Error) return encodeError(obj, ancestors, nested);
  if (obj instanceof URL) return builtInToken(obj, URL.prototype, `URL(${quote(obj.href)})`, ancestors, nested);
  if (obj instanceof URLSearchParams) {
    // Every pair in order: a handler sees getAll('tag') in the order the pairs came.
    return builtInToken(obj, URLSearchParams.prototype, `URLSearchParams(${nested.array([...obj], ancestors)})`, ancestors, nested);
  }
  if (obj instanceof Number) return builtInToken(obj, Number.prototype, `Number(${numberToken(obj.valueOf())})`, ancestors, nested);
  if (obj instanceof String) return encodeBoxedString(obj, ancestors, nested);
  if (obj instanceof Boolean) return builtInToken(obj, Boolean.prototype, `Boolean(${String(obj.valueOf())})`, ancestors, nested);
  if (obj instanceof BigInt) return builtInToken(obj, BigInt.prototype, `BigInt(${obj.valueOf()}n)`, ancestors, nested);
  if (obj instanceof Symbol) throw new KeyMaterialProblem(`is a boxed symbol (${String(obj.valueOf())})`);
  for (const opaque of OPAQUE) {
    if (obj instanceof opaque) {
      throw new KeyMaterialProblem(`is a ${opaque.name}, whose contents cannot be read to form a key`);
    }
  }
  return undefined;
}

/** `@Class:<token>{own enumerable fields}` (indices left out for arrays and typed arrays). */
export function subclassToken(obj: object, token: string, ancestors: object[], skipIndices: boolean, nested: NestedEncoder): string {
  refuseHiddenFields(obj);
  return `@${classTag(obj)}:${token}${nested.fields(obj, ancestors, skipIndices)}`;
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
function builtInToken(obj: object, builtInPrototype: object, token: string, ancestors: object[], nested: NestedEncoder): string {
  if (Object.getPrototypeOf(obj) === builtInPrototype && Object.keys(obj).length === 0) return token;
  return subclassToken(obj, token, ancestors, false, nested);
}

/** A boxed string's own properties include one per character: only others are fields. */
function encodeBoxedString(obj: String, ancestors: object[], nested: NestedEncoder): string {
  const token = `String(${quote(obj.valueOf())})`;
  if (Object.getPrototypeOf(obj) === String.prototype && Object.keys(obj).length === obj.length) return token;
  return subclassToken(obj, token, ancestors, true, nested);
}

/**
 * `Error(<class>,<message>,{fields})`, then `,cause=<token>` and `,errors=<token>` when the error
 * has them as own non-enumerable properties (as `new Error(m, { cause })` and AggregateError
 * create them; enumerable ones are among the fields). The stack is not key material: it differs
 * with every call site.
 */
function encodeError(error: Error, ancestors: object[], nested: NestedEncoder): string {
  refuseHiddenFields(error);
  let token = `Error(${quote(className(error))},${quote(error.message)},${nested.fields(error, ancestors, false)}`;
  for (const name of ['cause', 'errors'] as const) {
    const descriptor = Object.getOwnPropertyDescriptor(error, name);
    if (descriptor === undefined || descriptor.enumerable) continue;
    try {
      token += `,${name}=${nested.value('value' in descriptor ? descriptor.value : (error as unknown as Record<string, unknown>)[name], ancestors)}`;
    } catch (problem) {
      throw withSegment(problem, `.${name}`);
    }
  }
  return `${token})`;
}

function encodeMap(map: ReadonlyMap<unknown, unknown>, ancestors: object[], nested: NestedEncoder): string {
  const entries: string[] = [];
  for (const [key, value] of map) {
    let keyToken: string;
    try {
      keyToken = nested.value(key, ancestors);
    } catch (error) {
      throw withSegment(error, `<key #${entries.length + 1}>`);
    }
    try {
      entries.push(`${keyToken}:${nested.value(value, ancestors)}`);
    } catch (error) {
      throw withSegment(error, `.get(${keyToken.length > 40 ? `${keyToken.slice(0, 40)}…` : keyToken})`);
    }
  }
  // Sorted by token, so the Map's insertion order does not matter.
  return `Map{${entries.sort().join(',')}}`;
}

function encodeSet(set: ReadonlySet<unknown>, ancestors: object[], nested: NestedEncoder): string {
  const items: string[] = [];
  for (const item of set) {
    try {
      items.push(nested.value(item, ancestors));
    } catch (error) {
      throw withSegment(error, `<element #${items.length + 1}>`);
    }
  }
  return `Set[${items.sort().join(',')}]`;
}

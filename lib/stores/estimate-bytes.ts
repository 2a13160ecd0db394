/**
 * The heap a value takes, estimated from above for the memory store's `maxBytes`.
 *
 * Every part of the value is visited (no sampling: a sampled walk misses the one huge string
 * that matters), each shared object once. Costs follow V8 on 64-bit Node (8-byte pointers),
 * rounded towards the larger of the layouts V8 may pick, since JavaScript cannot tell which one
 * it picked:
 *
 * - strings 2 bytes a character (V8 keeps Latin-1 text in 1, other text in 2) plus a header.
 *   A string built by concatenation is a tree of pieces that can take 16 times its flat size;
 *   reading one character makes V8 flatten it in place, once, so the flat size is the real one.
 * - objects a header and, per own enumerable property, a slot and a dictionary-sized share
 *   (objects that had a property deleted or many added by computed names live in hash tables).
 *   Property names count once per value: V8 shares them between objects.
 * - arrays a slot per index up to `length` (holes included: a holey array has them), Maps and
 *   Sets their hash tables, typed arrays and Buffers the whole `ArrayBuffer` they keep alive
 *   unless it is Node's shared 8 KiB pool.
 *
 * The walk stops once the total passes `limit` (the value cannot fit anyway), and after
 * {@link MAX_OBJECTS} objects, answering `Infinity`: so one estimate costs at most about 0.15 s
 * (objects scattered over a large heap take 100 to 300 ns each to visit), a few nanoseconds per
 * number or string in an array, and nothing per character or byte.
 *
 * Not seen, because JavaScript cannot see it: `#private` fields, symbol-keyed and
 * non-enumerable properties, closures, the internals of other built-ins (a `WeakMap`, a
 * `Promise`), and the larger string a short `slice()` of it keeps alive.
 */
export function estimateBytes(value: unknown, limit = Number.POSITIVE_INFINITY): number {
  // A number on its own is boxed (16 bytes) unless it is a small integer.
  if (typeof value === 'number') return primitiveBytes(value) === 0 ? 0 : 2 * HEAP_NUMBER;
  const leaf = primitiveBytes(value);
  if (leaf >= 0) return leaf;
  return walk(value as object, limit);
}

/**
 * Objects (arrays, plain objects, Maps, Sets, Dates, Buffers…) one estimate visits at most; a
 * value with more is too large to measure at a bounded cost, and estimated at `Infinity`.
 */
export const MAX_OBJECTS = 2 ** 19;

/** Header of a sequential string (map, hash, length), with room for a cons or thin wrapper. */
const STRING_HEADER = 32;
/** Strings shorter than this are always flat: V8 copies short concatenations. */
const MIN_CONS_LENGTH = 13;
/**
 * A number outside the small-integer range in a container: in an array of numbers it takes its
 * 8-byte slot alone, elsewhere a 16-byte box as well; counting 8 keeps both within the
 * documented factor.
 */
const HEAP_NUMBER = 8;
const SMI_MIN = -(2 ** 31);
const SMI_MAX = 2 ** 31 - 1;
const BIGINT_HEADER = 24;
/** One pointer in a container. */
const SLOT = 8;
/**
 * An object, and per own property: sized for V8's dictionary mode, which JavaScript cannot tell
 * from the fast one (objects that lost a property to `delete`, null-prototype objects, objects
 * given many computed keys). A dictionary object takes about 280 to 480 bytes up to 8
 * properties, 860 up to 21, then 36 to 72 bytes a property (3 words an entry, a table 1.5 to 3
 * times the entries). Fast objects take 24 bytes plus 8 a property, so they are overcounted.
 */
const OBJECT_HEADER = 144;
const PROPERTY = 40;
const ARRAY_HEADER = 48;
/** A Map's table: 3 words an entry plus buckets, up to twice the entries after a resize. */
const MAP_HEADER = 192;
const MAP_ENTRY = 56;
const SET_HEADER = 160;
const SET_ENTRY = 40;
const DATE = 128;
/** A typed array or ArrayBuffer object, its backing-store record and its extension. */
const BUFFER_HEADER = 256;
/** Buffers from Node's pool share one ArrayBuffer of this size; each counts its own bytes. */
const POOL_BYTES = 8 * 1024;
/** Functions and symbols: the object itself (a closure's captured variables are not seen). */
const OPAQUE = 64;

/** Bytes of a primitive (beyond the slot that holds it); -1 for objects and functions. */
function primitiveBytes(value: unknown): number {
  switch (typeof value) {
    case 'string':
      return stringBytes(value);
    case 'number':
      return Number.isInteger(value) && value >= SMI_MIN && value <= SMI_MAX ? 0 : HEAP_NUMBER;
    case 'boolean':
    case 'undefined':
      return 0;
    case 'bigint':
      return BIGINT_HEADER + Math.ceil(bigintBits(value) / 64) * 8;
    case 'symbol':
      return OPAQUE;
    default:
      return value === null ? 0 : -1;
  }
}

function stringBytes(text: string): number {
  // Flattens a concatenation tree in place (V8 does it on the first character read): the value's
  // memory becomes its flat size, which is what this counts. A no-op on a flat string.
  if (text.length >= MIN_CONS_LENGTH) text.charCodeAt(0);
  return STRING_HEADER + text.length * 2;
}

function bigintBits(value: bigint): number {
  return (value < 0n ? -value : value).toString(16).length * 4;
}

function walk(root: object, limit: number): number {
  return new SizeWalk(root, limit).run();
}

/**
 * One walk over a value's graph. A class with its state in fields (rather than closures over
 * locals) keeps V8's optimized code simple; the sets are made when a second object turns up, so
 * a flat value allocates nothing but this walk.
 */
class SizeWalk {
  private bytes = 0;
  private readonly stack: object[];
  /** Objects met so far (each counted once: shared references and cycles). */
  private seen: Set<object> | undefined;
  /** Property names counted so far: V8 keeps one copy of each, shared by every object. */
  private names: Set<string> | undefined;

  constructor(
    private readonly root: object,
    private readonly limit: number,
  ) {
    this.stack = [root];
  }

  run(): number {
    const { stack, limit } = this;
    while (stack.length > 0 && this.bytes <= limit) this.visit(stack.pop()!);
    return this.bytes;
  }

  private visit(item: object): void {
    if (Array.isArray(item)) {
      const length = item.length;
      this.bytes += ARRAY_HEADER + length * SLOT;
      // A sparse array's length may be huge: its slots alone end the walk before it starts.
      if (this.bytes > this.limit) return;
      for (let index = 0; index < length && this.bytes <= this.limit; index++) this.child(item[index]);
      return;
    }
    if (typeof item === 'function') {
      this.bytes += OPAQUE;
      return;
    }
    const proto: unknown = Object.getPrototypeOf(item);
    if (proto !== Object.prototype && proto !== null && this.builtin(item)) return;
    // A plain object or a class instance: its own enumerable properties.
    const keys = Object.keys(item);
    this.bytes += OBJECT_HEADER + keys.length * PROPERTY;
    if (this.bytes > this.limit) return;
    if (item === this.root) {
      // Names are unique within one object: a lone object needs no set of them.
      for (const key of keys) {
        if (this.bytes > this.limit) return;
        this.bytes += stringBytes(key);
        this.child((item as Record<string, unknown>)[key]);
      }
      return;
    }
    const names = (this.names ??= new Set());
    for (const key of keys) {
      if (this.bytes > this.limit) return;
      if (!names.has(key)) {
        names.add(key);
        this.bytes += stringBytes(key);
      }
      this.child((item as Record<string, unknown>)[key]);
    }
  }

  /**
   * Counts a member of a container: a primitive at once, an object when first met. Past
   * {@link MAX_OBJECTS} objects the total becomes `Infinity`, which ends the walk.
   */
  private child(item: unknown): void {
    const leaf = primitiveBytes(item);
    if (leaf >= 0) {
      this.bytes += leaf;
      return;
    }
    const seen = (this.seen ??= new Set([this.root]));
    if (seen.has(item as object)) return;
    if (seen.size >= MAX_OBJECTS) {
      this.bytes = Number.POSITIVE_INFINITY;
      return;
    }
    seen.add(item as object);
    this.stack.push(item as object);
  }

  /** Counts a built-in object that is not walked as a plain one; `false` for any other. */
  private builtin(item: object): boolean {
    const bytes = builtinBytes(item, (this.seen ??= new Set([this.root])));
    if (bytes < 0) return false;
    this.bytes += bytes;
    if (this.bytes > this.limit) return true;
    if (item instanceof Map) {
      for (const [key, entry] of item) {
        if (this.bytes > this.limit) break;
        this.child(key);
        this.child(entry);
      }
    } else if (item instanceof Set) {
      for (const entry of item) {
        if (this.bytes > this.limit) break;
        this.child(entry);
      }
    }
    return true;
  }
}

/**
 * Bytes of a built-in object's own structure (without the Map's or Set's members, which the
 * walk visits); -1 when `item` is none of these and is walked as a plain object.
 */
function builtinBytes(item: object, seen: Set<object>): number {
  if (ArrayBuffer.isView(item)) {
    const buffer = item.buffer;
    // The view keeps its whole ArrayBuffer alive; several views of one buffer count it once.
    // Node's pool is shared by many small Buffers of the process: each counts its own bytes.
    if (buffer.byteLength <= POOL_BYTES) return BUFFER_HEADER + item.byteLength;
    if (seen.has(buffer)) return BUFFER_HEADER;
    seen.add(buffer);
    return 2 * BUFFER_HEADER + buffer.byteLength;
  }
  if (item instanceof ArrayBuffer || isSharedArrayBuffer(item)) {
    return BUFFER_HEADER + (item as ArrayBuffer).byteLength;
  }
  if (item instanceof Map) return MAP_HEADER + item.size * MAP_ENTRY;
  if (item instanceof Set) return SET_HEADER + item.size * SET_ENTRY;
  if (item instanceof Date) return DATE;
  if (item instanceof String) return OBJECT_HEADER + stringBytes(item.valueOf());
  return -1;
}

function isSharedArrayBuffer(item: object): boolean {
  return typeof SharedArrayBuffer === 'function' && item instanceof SharedArrayBuffer;
}

import { describeError, KeyMaterialProblem } from './key-material-problem.js';
import type { NestedEncoder } from './key-tokens.js';

/**
 * Library types that applications pass as arguments every day, but whose own fields are not a
 * usable key: their state hides behind symbols (older bson ObjectIds), holds functions (decimal.js
 * and big.js keep their constructor in a field) or lazily filled caches (Luxon). Each gets an
 * exact encoding from its public API instead, recognised by duck typing so that any installed
 * version (or two copies of one library) works:
 *
 * | type | recognised by | encoded as |
 * |---|---|---|
 * | bson / MongoDB `ObjectId` | `_bsontype` `'ObjectId'` (`'ObjectID'` in bson 1) and `toHexString()` | `ObjectId("<hex>")` |
 * | decimal.js, Prisma `Decimal`, big.js `Big`, bignumber.js `BigNumber`, bson `Decimal128` | its class (`value.constructor`) has one of those names and a `toString()` of its own | `Decimal("<class>","<toString()>")` |
 * | Luxon `DateTime` | `isLuxonDateTime` | `DateTime(<toISO()>,<invalidReason>,<zoneName>,<locale>,<numberingSystem>,<outputCalendar>)` |
 * | Luxon `Duration` | `isLuxonDuration` | `Duration(<toObject()>,<invalidReason>,<locale>,<numberingSystem>,<conversionAccuracy>)` |
 * | Luxon `Interval` | `isLuxonInterval` | `Interval(<start>,<end>,<invalidReason>)` |
 *
 * Day.js objects need nothing special: all their state is in own fields.
 */

/** A recognised value: its token is `<tag>(<part>,<part>…)`, each part encoded as key material. */
export interface KnownValue {
  tag: string;
  parts: readonly unknown[];
}

const DECIMAL_CLASSES = new Set(['Decimal', 'Big', 'BigNumber', 'Decimal128']);

type Loose = Record<string, unknown> & {
  toHexString?: unknown;
  toISO?: unknown;
  toObject?: unknown;
};

/**
 * `<tag>(<part>,…)` when `obj` is one of the types above, its parts encoded by `nested`;
 * `undefined` for anything else.
 */
export function encodeKnownType(obj: object, ancestors: object[], nested: NestedEncoder): string | undefined {
  let known: KnownValue | undefined;
  try {
    known = knownValue(obj);
  } catch (error) {
    throw new KeyMaterialProblem(`could not be read: ${describeError(error)}`, { cause: error });
  }
  if (known === undefined) return undefined;
  let out = `${known.tag}(`;
  for (let i = 0; i < known.parts.length; i++) {
    out += `${i === 0 ? '' : ','}${nested.value(known.parts[i], ancestors)}`;
  }
  return `${out})`;
}

/** The exact encoding of `obj` when it is one of the types above; `undefined` otherwise. */
export function knownValue(obj: object): KnownValue | undefined {
  const value = obj as Loose;
  const bsonType = value._bsontype;
  if ((bsonType === 'ObjectId' || bsonType === 'ObjectID') && typeof value.toHexString === 'function') {
    return { tag: 'ObjectId', parts: [(value.toHexString as () => unknown).call(obj)] };
  }
  if (value.isLuxonDateTime === true) return luxonDateTime(value);
  if (value.isLuxonDuration === true) return luxonDuration(value);
  if (value.isLuxonInterval === true) {
    return { tag: 'Interval', parts: [value.start ?? null, value.end ?? null, value.invalidReason ?? null] };
  }
  const ctor = value.constructor;
  if (
    typeof ctor === 'function' &&
    DECIMAL_CLASSES.has(ctor.name) &&
    typeof value.toString === 'function' &&
    value.toString !== Object.prototype.toString
  ) {
    return { tag: 'Decimal', parts: [ctor.name, String(value)] };
  }
  return undefined;
}

function luxonDateTime(value: Loose): KnownValue {
  const iso = value.isValid === true && typeof value.toISO === 'function' ? (value.toISO as () => unknown)() : null;
  return {
    tag: 'DateTime',
    parts: [
      iso,
      value.invalidReason ?? null,
      value.zoneName ?? null,
      value.locale ?? null,
      value.numberingSystem ?? null,
      value.outputCalendar ?? null,
    ],
  };
}

function luxonDuration(value: Loose): KnownValue {
  const units = typeof value.toObject === 'function' ? (value.toObject as () => unknown)() : null;
  return {
    tag: 'Duration',
    parts: [
      units,
      value.invalidReason ?? null,
      value.locale ?? null,
      value.numberingSystem ?? null,
      value.conversionAccuracy ?? null,
    ],
  };
}

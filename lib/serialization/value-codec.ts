import { DefaultSerializer, deserialize } from 'node:v8';
import { reviveDates, toJsonForm } from './json-form.js';

/**
 * Typed value codec shared by the remote and disk stores.
 *
 * Layout: 4-byte marker `NCR` + format version, 1 byte of kind, then the payload: the raw bytes
 * of a top-level Buffer, else Node's v8 serialization (structured clone) of the value. A different
 * marker or version reads as "not ours" (a miss), never as garbage.
 *
 * Why v8 serialization (measured by bench/codec.bench.ts): it is the only candidate that keeps
 * every type the stores promise — plain objects, arrays, strings, numbers including -0 and NaN,
 * booleans, null, undefined, Date, Buffer (also nested), Map, Set, bigint — with no dependency,
 * and it never gives a decoded object a foreign prototype (keys such as `__proto__` come back as
 * plain own properties). msgpackr was faster on small objects but turns -0 into 0 and renames
 * `__proto__` keys; JSON with type tags was slower on every value over a few hundred bytes.
 * Class instances come back as plain objects, as with `structuredClone`; functions and symbols
 * cannot be encoded (encodeValue throws).
 *
 * With `{ json: true }` (memcached), a value that JSON carries exactly is written as JSON
 * instead (kind 3, see json-form.ts): `[<dates>,<value>]` in UTF-8, where `<dates>` lists the
 * Dates in the value as `[time, ...path]`. It decodes about three times as fast as v8's form. The
 * kind is new in this version: older versions of this library read such items as foreign (a
 * miss), and this one still reads every item they wrote.
 */
const MARKER = Buffer.from([0x4e, 0x43, 0x52, 0x01]); // 'NCR' + format 1
const KIND_V8 = 0x01;
const KIND_BUFFER = 0x02;
const KIND_JSON = 0x03;
const V8_PREFIX = Buffer.concat([MARKER, Buffer.of(KIND_V8)]);

/** Bytes before the payload of an encoded value. */
export const CODEC_HEADER_BYTES = MARKER.length + 1;

/** Thrown by {@link decodeValue} for bytes that are not a value of this codec's format. */
export class ValueFormatError extends Error {
  override name = 'ValueFormatError';
}

/** Options of {@link encodeValue}. */
export interface EncodeOptions {
  /** Write values that JSON carries exactly as JSON (faster to decode). Default: false. */
  json?: boolean;
}

/**
 * Encodes any structured-clonable value (objects, arrays, Date, Buffer, Map, Set, bigint…).
 * Throws for values that cannot be cloned (functions, symbols).
 *
 * @param headroom bytes to leave free (uninitialised) in front of the encoding, for a caller's
 *   own header, so that it need not copy the whole value once more. Default: 0.
 */
export function encodeValue(value: unknown, headroom = 0, options?: EncodeOptions): Buffer {
  if (options?.json === true) {
    const form = toJsonForm(value);
    if (form !== undefined) {
      const text = `[${JSON.stringify(form.dates)},${form.text}]`;
      const bytes = Buffer.allocUnsafe(headroom + CODEC_HEADER_BYTES + Buffer.byteLength(text));
      MARKER.copy(bytes, headroom);
      bytes[headroom + MARKER.length] = KIND_JSON;
      bytes.write(text, headroom + CODEC_HEADER_BYTES, 'utf8');
      return bytes;
    }
  }
  if (Buffer.isBuffer(value)) {
    const bytes = Buffer.allocUnsafe(headroom + CODEC_HEADER_BYTES + value.length);
    MARKER.copy(bytes, headroom);
    bytes[headroom + MARKER.length] = KIND_BUFFER;
    value.copy(bytes, headroom + CODEC_HEADER_BYTES);
    return bytes;
  }
  // Writing the prefix into the serializer's own buffer saves a copy of the whole payload.
  const serializer = new DefaultSerializer();
  if (headroom > 0) serializer.writeRawBytes(Buffer.alloc(headroom));
  serializer.writeRawBytes(V8_PREFIX);
  serializer.writeHeader();
  serializer.writeValue(value);
  return serializer.releaseBuffer();
}

/**
 * Decodes bytes written by {@link encodeValue}; throws {@link ValueFormatError} otherwise.
 * @param start where the encoding starts in `bytes` (after a caller's own header). Default: 0.
 */
export function decodeValue(bytes: Buffer, start = 0): unknown {
  if (
    bytes.length < start + CODEC_HEADER_BYTES ||
    bytes[start] !== MARKER[0] ||
    bytes[start + 1] !== MARKER[1] ||
    bytes[start + 2] !== MARKER[2] ||
    bytes[start + 3] !== MARKER[3]
  ) {
    throw new ValueFormatError('value was not written by this codec version');
  }
  const kind = bytes[start + MARKER.length];
  if (kind === KIND_JSON) {
    try {
      const parsed: unknown = JSON.parse(bytes.toString('utf8', start + CODEC_HEADER_BYTES));
      if (!Array.isArray(parsed) || parsed.length !== 2) throw new Error('not a [dates, value] pair');
      const [dates, value] = parsed as [unknown, unknown];
      return Array.isArray(dates) && dates.length === 0 ? value : reviveDates(value, dates);
    } catch (error) {
      throw new ValueFormatError(`corrupt JSON value: ${(error as Error).message}`);
    }
  }
  const payload = bytes.subarray(start + CODEC_HEADER_BYTES);
  if (kind === KIND_BUFFER) {
    // A copy, so the value does not pin the (possibly much larger) buffer it was read from.
    return Buffer.from(payload);
  }
  if (kind === KIND_V8) {
    try {
      return deserialize(payload);
    } catch (error) {
      throw new ValueFormatError(`corrupt value payload: ${(error as Error).message}`);
    }
  }
  throw new ValueFormatError(`unknown value kind ${kind}`);
}

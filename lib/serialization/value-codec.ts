import { DefaultSerializer, deserialize } from 'node:v8';

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
 */
const MARKER = Buffer.from([0x4e, 0x43, 0x52, 0x01]); // 'NCR' + format 1
const KIND_V8 = 0x01;
const KIND_BUFFER = 0x02;
const V8_PREFIX = Buffer.concat([MARKER, Buffer.of(KIND_V8)]);

/** Bytes before the payload of an encoded value. */
export const CODEC_HEADER_BYTES = MARKER.length + 1;

/** Thrown by {@link decodeValue} for bytes that are not a value of this codec's format. */
export class ValueFormatError extends Error {
  override name = 'ValueFormatError';
}

/**
 * Encodes any structured-clonable value (objects, arrays, Date, Buffer, Map, Set, bigint…).
 * Throws for values that cannot be cloned (functions, symbols).
 *
 * @param headroom bytes to leave free (uninitialised) in front of the encoding, for a caller's
 *   own header, so that it need not copy the whole value once more. Default: 0.
 */
export function encodeValue(value: unknown, headroom = 0): Buffer {
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

/** Decodes bytes written by {@link encodeValue}; throws {@link ValueFormatError} otherwise. */
export function decodeValue(bytes: Buffer): unknown {
  if (bytes.length < CODEC_HEADER_BYTES || !bytes.subarray(0, MARKER.length).equals(MARKER)) {
    throw new ValueFormatError('value was not written by this codec version');
  }
  const kind = bytes[MARKER.length];
  const payload = bytes.subarray(CODEC_HEADER_BYTES);
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

import { deserialize, serialize } from 'node:v8';

/**
 * Typed value codec shared by the remote and disk stores.
 *
 * Layout: 4-byte marker `NCR` + format version, 1 byte of kind, then the payload.
 * A different marker or version reads as "not ours" (a miss), never as garbage.
 */
const MARKER = Buffer.from([0x4e, 0x43, 0x52, 0x01]); // 'NCR' + format 1
const KIND_V8 = 0x01;
const KIND_BUFFER = 0x02;

/** Bytes before the payload of an encoded value. */
export const CODEC_HEADER_BYTES = MARKER.length + 1;

/** Thrown by {@link decodeValue} for bytes that are not a value of this codec's format. */
export class ValueFormatError extends Error {
  override name = 'ValueFormatError';
}

/** Encodes any structured-clonable value (objects, arrays, Date, Buffer, Map, Set, bigint…). */
export function encodeValue(value: unknown): Buffer {
  if (Buffer.isBuffer(value)) {
    return Buffer.concat([MARKER, Buffer.of(KIND_BUFFER), value]);
  }
  const payload = serialize(value);
  return Buffer.concat([MARKER, Buffer.of(KIND_V8), payload]);
}

/** Decodes bytes written by {@link encodeValue}; throws {@link ValueFormatError} otherwise. */
export function decodeValue(bytes: Buffer): unknown {
  if (bytes.length < CODEC_HEADER_BYTES || !bytes.subarray(0, MARKER.length).equals(MARKER)) {
    throw new ValueFormatError('value was not written by this codec version');
  }
  const kind = bytes[MARKER.length];
  const payload = bytes.subarray(CODEC_HEADER_BYTES);
  if (kind === KIND_BUFFER) {
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

import type { StoreEntry } from '../cache-store.js';
import { decodeValue, encodeValue } from '../../serialization/value-codec.js';

/**
 * Bytes of one memcached item: `0xE7`, a format version, expiresAt and freshUntil as float64
 * (big-endian, epoch ms), then the value in the shared codec's format (which has its own marker).
 * Bumping {@link ENTRY_FORMAT_VERSION} makes every older item read as a miss, never as garbage.
 */
const MAGIC = 0xe7;
/** Version of the item layout. Change it whenever the layout or the codec changes. */
export const ENTRY_FORMAT_VERSION = 1;
/** Bytes this layout adds before the codec's bytes. */
export const ENTRY_HEADER_BYTES = 18;

/** The bytes to store in memcached for `entry`. Throws when the value cannot be serialized. */
export function encodeEntry(entry: StoreEntry): Buffer {
  const bytes = encodeValue(entry.value, ENTRY_HEADER_BYTES);
  bytes[0] = MAGIC;
  bytes[1] = ENTRY_FORMAT_VERSION;
  bytes.writeDoubleBE(entry.expiresAt, 2);
  bytes.writeDoubleBE(entry.freshUntil, 10);
  return bytes;
}

/** Why bytes read from memcached were not an entry. */
export type EntryDecodeFailure = 'foreign' | 'expired';

/**
 * The entry stored in `bytes`, or the reason there is none: `'expired'` when its `expiresAt` is
 * at or before `now` (memcached keeps items up to a second longer), `'foreign'` when the bytes
 * were written by another client, another format version, or are corrupt.
 */
export function decodeEntry(bytes: Buffer, now: number): StoreEntry | EntryDecodeFailure {
  if (bytes.length < ENTRY_HEADER_BYTES || bytes[0] !== MAGIC || bytes[1] !== ENTRY_FORMAT_VERSION) {
    return 'foreign';
  }
  const expiresAt = bytes.readDoubleBE(2);
  const freshUntil = bytes.readDoubleBE(10);
  if (!(expiresAt >= 0) || !(freshUntil >= 0)) return 'foreign';
  if (expiresAt !== 0 && expiresAt <= now) return 'expired';
  try {
    return { value: decodeValue(bytes.subarray(ENTRY_HEADER_BYTES)), expiresAt, freshUntil };
  } catch {
    // The codec throws ValueFormatError for bytes it does not recognise; anything else it might
    // throw on hostile bytes is treated the same way: a miss, never a half-decoded value.
    return 'foreign';
  }
}

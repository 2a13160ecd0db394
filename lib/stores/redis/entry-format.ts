import { decodeValue, encodeValue } from '../../serialization/value-codec.js';
import type { StoreEntry } from '../cache-store.js';

/**
 * Bytes of one Redis value: `0xE9`, a format version, expiresAt and freshUntil as float64
 * (big-endian, epoch ms), then the value in the shared codec's format (which has its own marker).
 * Redis expires the key itself (`PX`); expiresAt is kept so that a read returns it without a
 * second command, and is checked again on read. Bumping the version makes every older value read
 * as a miss, never as garbage.
 *
 * ```
 *  0  0xE9                1 byte
 *  1  version             1 byte
 *  2  expiresAt           float64 BE
 * 10  freshUntil          float64 BE
 * 18  codec bytes
 * ```
 */
const MAGIC = 0xe9;
const JSON_WHERE_EXACT = { json: true } as const;
/** Version of the layout. Change it whenever the layout or the codec changes. */
export const REDIS_ENTRY_FORMAT_VERSION = 1;
/** Bytes this layout adds before the codec's bytes. */
export const REDIS_ENTRY_HEADER_BYTES = 18;

/** The bytes to store in Redis for `entry`. Throws when the value cannot be serialized. */
export function encodeRedisEntry(entry: StoreEntry): Buffer {
  // JSON where it carries the value exactly: hits decode it about three times as fast.
  const bytes = encodeValue(entry.value, REDIS_ENTRY_HEADER_BYTES, JSON_WHERE_EXACT);
  bytes[0] = MAGIC;
  bytes[1] = REDIS_ENTRY_FORMAT_VERSION;
  bytes.writeDoubleBE(entry.expiresAt, 2);
  bytes.writeDoubleBE(entry.freshUntil, 10);
  return bytes;
}

/**
 * The entry stored in `bytes`, or why there is none: `'expired'` when its `expiresAt` is at or
 * before `now` (Redis and this process may disagree by a clock tick), `'foreign'` when another
 * client, another format version or damage made the bytes.
 */
export function decodeRedisEntry(bytes: Buffer, now: number): StoreEntry | 'foreign' | 'expired' {
  if (bytes.length < REDIS_ENTRY_HEADER_BYTES || bytes[0] !== MAGIC || bytes[1] !== REDIS_ENTRY_FORMAT_VERSION) {
    return 'foreign';
  }
  const expiresAt = bytes.readDoubleBE(2);
  const freshUntil = bytes.readDoubleBE(10);
  if (!(expiresAt >= 0) || !(freshUntil >= 0)) return 'foreign';
  if (expiresAt !== 0 && expiresAt <= now) return 'expired';
  try {
    return { value: decodeValue(bytes, REDIS_ENTRY_HEADER_BYTES), expiresAt, freshUntil };
  } catch {
    // ValueFormatError, or anything else hostile bytes make the codec throw: a miss, never a
    // half-decoded value.
    return 'foreign';
  }
}

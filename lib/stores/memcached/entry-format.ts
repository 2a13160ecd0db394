import type { StoreEntry } from '../cache-store.js';
import { decodeValue, encodeValue } from '../../serialization/value-codec.js';
import { SIGNATURE_BYTES, type EntrySigner } from './entry-signer.js';

/**
 * Bytes of one memcached item: `0xE7`, a format version, expiresAt and freshUntil as float64
 * (big-endian, epoch ms), in signed items (version 2) a 16-byte signature, then the value in the
 * shared codec's format (which has its own marker). Bumping a version makes every older item
 * read as a miss, never as garbage.
 *
 * ```
 *  0  0xE7                1 byte
 *  1  version             1 byte   (1 = unsigned, 2 = signed)
 *  2  expiresAt           float64 BE
 * 10  freshUntil          float64 BE
 * 18  signature           16 bytes, version 2 only: see EntrySigner (covers the memcached key,
 *                         bytes 0..17 and the codec bytes)
 *  …  codec bytes
 * ```
 */
const MAGIC = 0xe7;
const JSON_WHERE_EXACT = { json: true } as const;
/** Version of the unsigned item layout. Change it whenever the layout or the codec changes. */
export const ENTRY_FORMAT_VERSION = 1;
/** Version of the signed item layout. */
export const SIGNED_ENTRY_FORMAT_VERSION = 2;
/** Bytes this layout adds before the codec's bytes (unsigned items). */
export const ENTRY_HEADER_BYTES = 18;

/** How a region signs its items: the signer and the memcached key the item is stored under. */
export interface EntrySigning {
  signer: EntrySigner;
  cacheKey: string;
}

/**
 * The bytes to store in memcached for `entry`, signed when `signing` is given. Throws when the
 * value cannot be serialized.
 */
export function encodeEntry(entry: StoreEntry, signing?: EntrySigning): Buffer {
  const headerBytes = ENTRY_HEADER_BYTES + (signing === undefined ? 0 : SIGNATURE_BYTES);
  // JSON where it carries the value exactly: hits decode it about three times as fast.
  const bytes = encodeValue(entry.value, headerBytes, JSON_WHERE_EXACT);
  bytes[0] = MAGIC;
  bytes[1] = signing === undefined ? ENTRY_FORMAT_VERSION : SIGNED_ENTRY_FORMAT_VERSION;
  bytes.writeDoubleBE(entry.expiresAt, 2);
  bytes.writeDoubleBE(entry.freshUntil, 10);
  if (signing !== undefined) {
    signing.signer.sign(signing.cacheKey, signedParts(bytes)).copy(bytes, ENTRY_HEADER_BYTES);
  }
  return bytes;
}

/** Why bytes read from memcached were not an entry. */
export type EntryDecodeFailure = 'foreign' | 'expired';

/**
 * The entry stored in `bytes`, or the reason there is none: `'expired'` when its `expiresAt` is
 * at or before `now` (memcached keeps items up to a second longer), `'foreign'` when the bytes
 * were written by another client, another format version, or are corrupt. With `signing`, only
 * items whose signature verifies for `signing.cacheKey` are entries (checked before anything in
 * them is decoded); without it, signed items are `'foreign'` too.
 */
export function decodeEntry(bytes: Buffer, now: number, signing?: EntrySigning): StoreEntry | EntryDecodeFailure {
  const version = signing === undefined ? ENTRY_FORMAT_VERSION : SIGNED_ENTRY_FORMAT_VERSION;
  const headerBytes = ENTRY_HEADER_BYTES + (signing === undefined ? 0 : SIGNATURE_BYTES);
  if (bytes.length < headerBytes || bytes[0] !== MAGIC || bytes[1] !== version) {
    return 'foreign';
  }
  if (
    signing !== undefined &&
    !signing.signer.verify(signing.cacheKey, signedParts(bytes), bytes.subarray(ENTRY_HEADER_BYTES, headerBytes))
  ) {
    return 'foreign';
  }
  const expiresAt = bytes.readDoubleBE(2);
  const freshUntil = bytes.readDoubleBE(10);
  if (!(expiresAt >= 0) || !(freshUntil >= 0)) return 'foreign';
  if (expiresAt !== 0 && expiresAt <= now) return 'expired';
  try {
    return { value: decodeValue(bytes, headerBytes), expiresAt, freshUntil };
  } catch {
    // The codec throws ValueFormatError for bytes it does not recognise; anything else it might
    // throw on hostile bytes is treated the same way: a miss, never a half-decoded value.
    return 'foreign';
  }
}

/** What the signature of a signed item covers: its header and its codec bytes. */
function signedParts(bytes: Buffer): Uint8Array[] {
  return [bytes.subarray(0, ENTRY_HEADER_BYTES), bytes.subarray(ENTRY_HEADER_BYTES + SIGNATURE_BYTES)];
}

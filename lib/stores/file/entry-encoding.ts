import { decodeValue, encodeValue } from '../../serialization/value-codec.js';
import type { StoreEntry } from '../cache-store.js';
import {
  encodeHeader,
  payloadChecksum,
  PayloadKind,
  rawPayloadChecksum,
  verifyPayload,
  type EntryHeader,
} from './entry-file-format.js';

/** An entry ready to be written: header and payload, in file order. */
export interface EncodedEntry {
  buffers: Buffer[];
  /** Bytes of the whole file. */
  size: number;
}

/**
 * Encodes an entry for its file. A Buffer value is the payload itself (no copy, no re-encoding)
 * with a CRC-32; any other value goes through the shared value codec and gets a SHA-256 checksum.
 */
export function encodeEntry(key: string, entry: StoreEntry): EncodedEntry {
  const raw = Buffer.isBuffer(entry.value);
  const payload = raw ? (entry.value as Buffer) : encodeValue(entry.value);
  const header = encodeHeader({
    kind: raw ? PayloadKind.raw : PayloadKind.codec,
    expiresAt: entry.expiresAt,
    freshUntil: entry.freshUntil,
    payloadLength: payload.length,
    payloadSum: raw ? rawPayloadChecksum(payload) : payloadChecksum(payload),
    rawCrc: raw,
    key,
  });
  return { buffers: [header, payload], size: header.length + payload.length };
}

/**
 * The value held by a payload: a raw payload is returned as is (`readPayloadAndClose` has
 * checked its CRC while reading it), a codec payload is checked (unless `verify` is false) and
 * decoded. Throws `EntryFormatError` or `ValueFormatError` for damaged bytes.
 */
export function decodePayload(header: EntryHeader, payload: Buffer, verify = true): unknown {
  if (header.kind === PayloadKind.raw) return payload;
  if (verify) verifyPayload(header, payload);
  return decodeValue(payload);
}

import { hash } from 'node:crypto';
import { crc32 } from './crc32.js';

/**
 * On-disk layout of one entry file: a fixed 40-byte header, the key, then the payload as is.
 *
 * ```
 *  0  magic 'NCRF'            4 bytes
 *  4  format version          1 byte   (2; version 1 files are still read)
 *  5  payload kind            1 byte   (1 = value codec bytes, 2 = raw bytes of a Buffer)
 *  6  flags                   1 byte   (bit 0: a raw payload's CRC-32 is in the payload checksum)
 *  7  reserved                1 byte   (0)
 *  8  expiresAt               float64 BE, epoch ms, 0 = never
 * 16  freshUntil              float64 BE, epoch ms, 0 = fresh until expiresAt
 * 24  payload length          uint64 BE, bytes
 * 32  key length              uint32 BE, bytes of the UTF-16LE key
 * 36  payload checksum        uint32 BE: CRC-32 of the payload (for a raw payload only with
 *                             flag bit 0, else 0)
 * 40  header checksum         uint32 BE: CRC-32 of bytes 0..39 + key
 * 44  key                     UTF-16LE
 *  …  payload
 * ```
 * The header checksum catches a garbled header; the lengths must add up to the file size, which
 * catches truncation. Payloads are checksummed too, so a garbled byte or a block of zeros left by
 * a power loss reads as damage, never as a value. All checksums are CRC-32 (see `crc32.ts`: about
 * 10 GB/s per core native, 3 GB/s through zlib), which finds every burst of damage up to 32 bits
 * and misses other damage with odds of 2^-32. They guard against damage, not against someone who
 * can write to the cache directory: a file there is trusted as much as the directory is.
 *
 * Version 1 files (written by 0.1.x) used the first 4 bytes of SHA-256 where version 2 uses
 * CRC-32 for the header and for codec payloads (same layout, same CRC-32 for raw payloads); they
 * are read as they are, so a cache directory survives an upgrade. Version 1 raw entries written
 * before flag bit 0 existed carry no CRC; only their length is checked.
 */

const MAGIC = Buffer.from('NCRF', 'latin1');
/** The version this code writes. */
const VERSION = 2;
/** Header and codec payloads summed by truncated SHA-256 instead of CRC-32. */
const VERSION_SHA256 = 1;

/** Bytes of the fixed part of the header. */
const FIXED_HEADER_BYTES = 44;
const SUMMED_BYTES = 40;

/** Flag bit: `payloadSum` holds the CRC-32 of a raw payload. */
const FLAG_RAW_CRC = 0x01;

/** Largest key length (bytes) a header may claim; more means the header is damaged. */
const MAX_KEY_BYTES = 1 << 20;

/** What the payload of an entry file holds. */
export const PayloadKind = {
  /** Bytes written by the shared value codec (`encodeValue`). */
  codec: 1,
  /** The bytes of a Buffer value, stored verbatim. */
  raw: 2,
} as const;

/** One of {@link PayloadKind}'s values. */
export type PayloadKind = (typeof PayloadKind)[keyof typeof PayloadKind];

/** The decoded header of an entry file. */
export interface EntryHeader {
  kind: PayloadKind;
  /** Format version the file was written in ({@link encodeHeader} writes the current one). */
  version?: number;
  /** Epoch ms; 0 = never. */
  expiresAt: number;
  /** Epoch ms; 0 = fresh until `expiresAt`. */
  freshUntil: number;
  /** Payload bytes after the header. */
  payloadLength: number;
  /**
   * {@link payloadChecksum} of a codec payload; {@link rawPayloadChecksum} of a raw one when
   * `rawCrc` is set, else 0 (not checked). Version 1 files hold truncated SHA-256 for codec payloads.
   */
  payloadSum: number;
  /** Whether a raw payload's `payloadSum` is its CRC-32 (always, in files written by this version). */
  rawCrc: boolean;
  /** The key the entry was written for. */
  key: string;
}

/** The header as read from a file, with where the payload starts. */
export interface ParsedHeader extends EntryHeader {
  /** Offset of the first payload byte: header plus key. */
  payloadOffset: number;
}

/** The bytes of an entry file are not a valid entry (damaged, truncated, foreign). */
export class EntryFormatError extends Error {
  override name = 'EntryFormatError';
}

/** Encodes the header and key of an entry; the payload follows it in the file. */
export function encodeHeader(header: EntryHeader): Buffer {
  const key = Buffer.from(header.key, 'utf16le');
  const bytes = Buffer.alloc(FIXED_HEADER_BYTES + key.length);
  MAGIC.copy(bytes, 0);
  bytes[4] = VERSION;
  bytes[5] = header.kind;
  bytes[6] = header.kind === PayloadKind.raw && header.rawCrc ? FLAG_RAW_CRC : 0;
  bytes.writeDoubleBE(header.expiresAt, 8);
  bytes.writeDoubleBE(header.freshUntil, 16);
  bytes.writeBigUInt64BE(BigInt(header.payloadLength), 24);
  bytes.writeUInt32BE(key.length, 32);
  bytes.writeUInt32BE(header.payloadSum, 36);
  key.copy(bytes, FIXED_HEADER_BYTES);
  bytes.writeUInt32BE(headerChecksum(VERSION, bytes.subarray(0, SUMMED_BYTES), key), SUMMED_BYTES);
  return bytes;
}

/** Bytes in front of the payload of an entry with this key. */
export function headerSize(key: string): number {
  return FIXED_HEADER_BYTES + Buffer.byteLength(key, 'utf16le');
}

/**
 * Reads the key length a header claims, so the caller knows how many bytes to read before
 * {@link parseHeader}. Throws {@link EntryFormatError} when the fixed part is not ours.
 */
export function headerBytesNeeded(fixed: Buffer): number {
  if (fixed.length < FIXED_HEADER_BYTES || !fixed.subarray(0, 4).equals(MAGIC)) {
    throw new EntryFormatError('not an entry file (bad magic or too short)');
  }
  if (fixed[4] !== VERSION && fixed[4] !== VERSION_SHA256) {
    throw new EntryFormatError(`unsupported entry format version ${fixed[4]}`);
  }
  const keyBytes = fixed.readUInt32BE(32);
  if (keyBytes > MAX_KEY_BYTES || keyBytes % 2 !== 0) {
    throw new EntryFormatError(`implausible key length ${keyBytes}`);
  }
  return FIXED_HEADER_BYTES + keyBytes;
}

/**
 * Decodes and verifies a header. `bytes` holds at least {@link headerBytesNeeded} bytes;
 * `fileSize` is the file's size, which must equal header + key + payload.
 */
export function parseHeader(bytes: Buffer, fileSize: number): ParsedHeader {
  const payloadOffset = headerBytesNeeded(bytes);
  if (bytes.length < payloadOffset) {
    throw new EntryFormatError('file ends inside the header');
  }
  const key = bytes.subarray(FIXED_HEADER_BYTES, payloadOffset);
  const version = bytes[4];
  if (headerChecksum(version, bytes.subarray(0, SUMMED_BYTES), key) !== bytes.readUInt32BE(SUMMED_BYTES)) {
    throw new EntryFormatError('header checksum mismatch');
  }
  const kind = bytes[5];
  if (kind !== PayloadKind.codec && kind !== PayloadKind.raw) {
    throw new EntryFormatError(`unknown payload kind ${kind}`);
  }
  const flags = bytes[6];
  if ((flags & ~FLAG_RAW_CRC) !== 0 || (kind === PayloadKind.codec && flags !== 0)) {
    throw new EntryFormatError(`unknown header flags ${flags}`);
  }
  const payloadLength = Number(bytes.readBigUInt64BE(24));
  if (payloadOffset + payloadLength !== fileSize) {
    throw new EntryFormatError(
      `file is ${fileSize} bytes, header says ${payloadOffset + payloadLength}`,
    );
  }
  return {
    kind,
    version,
    expiresAt: bytes.readDoubleBE(8),
    freshUntil: bytes.readDoubleBE(16),
    payloadLength,
    payloadSum: bytes.readUInt32BE(36),
    rawCrc: (flags & FLAG_RAW_CRC) !== 0,
    key: key.toString('utf16le'),
    payloadOffset,
  };
}

/** Checksum of a codec payload, as stored in the header (of a file in `version`, default current). */
export function payloadChecksum(payload: Buffer, version = VERSION): number {
  return version === VERSION_SHA256 ? sha256Prefix(payload) : crc32(payload);
}

/**
 * Checksum of a raw payload, as stored in the header: its CRC-32, continued from `previous` when
 * the payload is summed in parts.
 */
export function rawPayloadChecksum(part: Uint8Array, previous = 0): number {
  return crc32(part, previous);
}

/** Throws {@link EntryFormatError} when a whole payload does not match its header's checksum. */
export function verifyPayload(header: EntryHeader, payload: Buffer): void {
  if (header.kind === PayloadKind.codec && payloadChecksum(payload, header.version) !== header.payloadSum) {
    throw new EntryFormatError('payload checksum mismatch');
  }
  if (header.kind === PayloadKind.raw) verifyRawChecksum(header, rawPayloadChecksum(payload));
}

/**
 * Throws {@link EntryFormatError} when `crc`, the {@link rawPayloadChecksum} of a raw payload as
 * read, differs from the one its header holds (a raw entry without a CRC passes).
 */
export function verifyRawChecksum(header: EntryHeader, crc: number): void {
  if (header.kind === PayloadKind.raw && header.rawCrc && crc !== header.payloadSum) {
    throw new EntryFormatError('payload checksum mismatch');
  }
}

/** Whether an entry with this expiry is gone at `now` (epoch ms). */
export function isExpired(expiresAt: number, now = Date.now()): boolean {
  return expiresAt !== 0 && expiresAt <= now;
}

/** Checksum of a header's summed bytes and key, as the file's `version` computes it. */
function headerChecksum(version: number, fixed: Buffer, key: Buffer): number {
  if (version === VERSION_SHA256) return sha256Prefix(Buffer.concat([fixed, key]));
  return crc32(key, crc32(fixed));
}

/** First 4 bytes of SHA-256, big-endian: the checksum of version 1 files. */
function sha256Prefix(bytes: Buffer): number {
  return hash('sha256', bytes, 'buffer').readUInt32BE(0);
}

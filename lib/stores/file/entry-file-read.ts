import { open, type FileHandle } from 'node:fs/promises';
import {
  EntryFormatError,
  headerBytesNeeded,
  parseHeader,
  PayloadKind,
  rawPayloadChecksum,
  verifyRawChecksum,
  type ParsedHeader,
} from './entry-file-format.js';
import { errorCode } from './file-system.js';
import type { VerifiedFiles } from './verified-files.js';

/**
 * Reading entry files. A value is read straight into one Buffer (no concatenation, no
 * re-encoding) in two or more reads, and each part's CRC is computed on this thread while the
 * next part is read on the pool; the last part is summed while the file closes.
 */

/** Files up to this size are read whole by the first read. */
const SMALL_FILE_BYTES = 64 * 1024;
/**
 * Files up to this size get one Buffer for the whole file up front, the value being a view of
 * it; larger ones are read from a 64 KiB head, so a damaged header never makes a huge allocation.
 */
const WHOLE_FILE_BUFFER_BYTES = 8 * 1024 * 1024;
/** Largest single read: big enough to be cheap, small enough not to hog a pool thread. */
const IO_CHUNK_BYTES = 16 * 1024 * 1024;
/**
 * Largest piece of a payload read at a time: the CRC of one piece runs on this thread while the
 * next is read on the pool, so small enough that little is left unoverlapped.
 */
const SUMMED_PIECE_BYTES = 4 * 1024 * 1024;

/** An entry file opened for reading, its header verified. The caller closes `handle`. */
export interface OpenEntry {
  status: 'ok';
  handle: FileHandle;
  header: ParsedHeader;
  /** Inode number, to remove this very file later and not a newer one renamed over it. */
  ino: number;
  /** Last modification time (the store moves it forward on reads: cross-process recency). */
  mtimeMs: number;
  /** Last status change time: moves with every write to the file, and cannot be set back. */
  ctimeMs: number;
  /** File size in bytes. */
  size: number;
  /** The file's bytes read so far, from offset 0: header, key and maybe part of the payload. */
  head: Buffer;
  /** A Buffer for the whole file whose first bytes are `head`, when one was allocated up front. */
  wholeFile: Buffer | undefined;
  /** This version of the file passed its checksum before: its payload is not summed again. */
  verified: boolean;
}

/** Outcome of {@link openEntry}. */
export type OpenEntryResult =
  | OpenEntry
  | { status: 'missing' }
  | { status: 'corrupt'; reason: string; ino: number };

/**
 * Opens `path` and verifies its header. With `firstRead`, reads that many bytes at first (for
 * callers that want the header only); without it, starts reading the value: a small file whole,
 * a larger one's first half (at most 4 MiB) into a Buffer sized for the whole file when it is at
 * most 8 MiB. When `verifiedFiles` holds this version of the file (it passed its checksum
 * before), a file of up to 8 MiB is read whole at once (no CRC to overlap with a second read).
 * A missing file is `missing`; bytes that are not a whole entry are `corrupt`; file system
 * errors other than "not found" are thrown.
 */
export async function openEntry(
  path: string,
  firstRead?: number,
  verifiedFiles?: Pick<VerifiedFiles, 'has'>,
): Promise<OpenEntryResult> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return { status: 'missing' };
    throw error;
  }
  let keep = false;
  try {
    const stats = await handle.stat();
    try {
      const { size } = stats;
      const verified = firstRead === undefined && verifiedFiles?.has(path, stats) === true;
      const wanted = Math.min(size, firstRead ?? firstValueRead(size, verified));
      const room = firstRead === undefined && size <= WHOLE_FILE_BUFFER_BYTES ? size : wanted;
      const buffer = Buffer.allocUnsafeSlow(room);
      await readExactly(handle, buffer.subarray(0, wanted), 0);
      let head = buffer.subarray(0, wanted);
      const needed = headerBytesNeeded(head);
      if (needed > size) throw new EntryFormatError('file ends inside the header');
      if (needed > head.length) {
        head = needed <= room ? buffer.subarray(0, needed) : Buffer.allocUnsafeSlow(needed);
        await readExactly(handle, head, 0);
      }
      const header = parseHeader(head, size);
      keep = true;
      const { ino, mtimeMs, ctimeMs } = stats;
      const wholeFile = room === size && head.buffer === buffer.buffer ? buffer : undefined;
      return { status: 'ok', handle, header, ino, mtimeMs, ctimeMs, size, head, wholeFile, verified };
    } catch (error) {
      if (error instanceof EntryFormatError) {
        return { status: 'corrupt', reason: error.message, ino: stats.ino };
      }
      throw error;
    }
  } finally {
    if (!keep) await handle.close();
  }
}

/**
 * Bytes of the first read of a value: a small file whole (up to 8 MiB when it needs no CRC),
 * else half of it, 64 KiB to 4 MiB.
 */
function firstValueRead(size: number, verified: boolean): number {
  if (size <= SMALL_FILE_BYTES || (verified && size <= WHOLE_FILE_BUFFER_BYTES)) return size;
  return Math.min(SUMMED_PIECE_BYTES, Math.max(SMALL_FILE_BYTES, Math.ceil(size / 2)));
}

/**
 * Reads the rest of an open entry's payload into one Buffer and closes the entry's handle,
 * whatever happens. Unless the entry is `verified` already, a raw payload's CRC is checked on the
 * way, each part while the next one is read and the last while the file closes:
 * {@link EntryFormatError} when it does not match. (Codec payloads are checked by `decodePayload`.)
 */
export async function readPayloadAndClose(entry: OpenEntry): Promise<Buffer> {
  let closing: Promise<void> | undefined;
  try {
    const { header, head } = entry;
    const { payloadOffset, payloadLength } = header;
    const summed = !entry.verified && header.kind === PayloadKind.raw && header.rawCrc;
    let read = Math.min(payloadLength, Math.max(0, head.length - payloadOffset));
    let payload: Buffer;
    if (read === payloadLength) {
      payload = head.subarray(payloadOffset, payloadOffset + payloadLength);
    } else if (entry.wholeFile !== undefined) {
      // The rest lands right after the head, in the Buffer openEntry sized for the whole file.
      payload = entry.wholeFile.subarray(payloadOffset);
    } else {
      payload = Buffer.allocUnsafeSlow(payloadLength);
      head.copy(payload, 0, payloadOffset);
    }
    let crc = 0;
    let checked = 0;
    while (read < payloadLength) {
      const end = Math.min(payloadLength, read + SUMMED_PIECE_BYTES);
      // readExactly issues its first read before it yields: the read and the CRC below overlap.
      const reading = readExactly(entry.handle, payload.subarray(read, end), payloadOffset + read);
      if (summed) crc = rawPayloadChecksum(payload.subarray(checked, read), crc);
      checked = read;
      await reading;
      read = end;
    }
    closing = entry.handle.close();
    if (summed) verifyRawChecksum(header, rawPayloadChecksum(payload.subarray(checked), crc));
    return payload;
  } finally {
    await (closing ?? entry.handle.close());
  }
}

/**
 * Fills `target` from `position` on; a short file means it was cut after the size was taken,
 * which {@link EntryFormatError} reports as damage.
 */
async function readExactly(handle: FileHandle, target: Buffer, position: number): Promise<Buffer> {
  let done = 0;
  while (done < target.length) {
    const length = Math.min(target.length - done, IO_CHUNK_BYTES);
    const { bytesRead } = await handle.read(target, done, length, position + done);
    if (bytesRead === 0) throw new EntryFormatError('file is shorter than its size');
    done += bytesRead;
  }
  return target;
}

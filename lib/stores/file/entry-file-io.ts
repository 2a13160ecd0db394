import { mkdir, open, stat, unlink, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Readable } from 'node:stream';
import {
  EntryFormatError,
  FIXED_HEADER_BYTES,
  headerBytesNeeded,
  parseHeader,
  PayloadKind,
  rawPayloadChecksum,
  verifyRawChecksum,
  type ParsedHeader,
} from './entry-file-format.js';
import { tempPathFor } from './file-paths.js';

/**
 * Reading and writing entry files. Reads fetch the header with a small first read, then the
 * payload straight into one Buffer (no concatenation, no re-encoding); writes go to a temporary
 * file that the caller renames or links into place.
 */

/** Bytes of the first read: the header and key, and the whole file when it is small. */
const FIRST_READ_BYTES = 64 * 1024;
/** Largest single read or write: big enough to be cheap, small enough not to hog a pool thread. */
const IO_CHUNK_BYTES = 16 * 1024 * 1024;
/**
 * Piece of a checksummed raw payload read at a time: the CRC of one piece runs on this thread
 * while the next is read on the pool, so small enough that little is left unoverlapped.
 */
const SUMMED_PIECE_BYTES = 4 * 1024 * 1024;
/** Streamed chunks are gathered up to this size (or count) before one `writev`. */
const STREAM_BATCH_BYTES = 1024 * 1024;
const STREAM_BATCH_CHUNKS = 256;
/** Mode of every file the store creates: readable by the owner only. */
export const FILE_MODE = 0o600;
/** Mode of every directory the store creates. */
export const DIR_MODE = 0o700;

/** An entry file opened for reading, its header verified. The caller closes `handle`. */
export interface OpenEntry {
  status: 'ok';
  handle: FileHandle;
  header: ParsedHeader;
  /** Inode number, to remove this very file later and not a newer one renamed over it. */
  ino: number;
  /** Last modification time (the store moves it forward on reads: cross-process recency). */
  mtimeMs: number;
  /** File size in bytes. */
  size: number;
  /** The first bytes of the file, already read: header, key and maybe part of the payload. */
  head: Buffer;
}

/** Outcome of {@link openEntry}. */
export type OpenEntryResult =
  | OpenEntry
  | { status: 'missing' }
  | { status: 'corrupt'; reason: string; ino: number };

/**
 * Opens `path` and verifies its header, reading `firstRead` bytes at first (default 64 KiB: small
 * entries in one read). A missing file is `missing`; bytes that are not a whole entry are
 * `corrupt`; file system errors other than "not found" are thrown.
 */
export async function openEntry(path: string, firstRead = FIRST_READ_BYTES): Promise<OpenEntryResult> {
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
      let head = await readExactly(handle, Buffer.allocUnsafeSlow(Math.min(stats.size, firstRead)), 0);
      const needed = headerBytesNeeded(head);
      if (needed > stats.size) throw new EntryFormatError('file ends inside the header');
      if (needed > head.length) {
        head = await readExactly(handle, Buffer.allocUnsafeSlow(needed), 0);
      }
      const header = parseHeader(head, stats.size);
      keep = true;
      const { ino, mtimeMs, size } = stats;
      return { status: 'ok', handle, header, ino, mtimeMs, size, head };
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
 * Reads the whole payload of an open entry into one Buffer. A raw payload's CRC is checked on the
 * way, each piece while the next one is read: {@link EntryFormatError} when it does not match.
 */
export async function readPayload(entry: OpenEntry): Promise<Buffer> {
  const { header } = entry;
  const { payloadOffset, payloadLength } = header;
  const summed = header.kind === PayloadKind.raw && header.rawCrc;
  const inHead = Math.max(0, entry.head.length - payloadOffset);
  if (inHead >= payloadLength) {
    const payload = entry.head.subarray(payloadOffset, payloadOffset + payloadLength);
    if (summed) verifyRawChecksum(header, rawPayloadChecksum(payload));
    return payload;
  }
  const payload = Buffer.allocUnsafeSlow(payloadLength);
  entry.head.copy(payload, 0, payloadOffset);
  if (!summed) {
    await readExactly(entry.handle, payload.subarray(inHead), payloadOffset + inHead);
    return payload;
  }
  let crc = 0;
  let checked = 0;
  for (let read = inHead; read < payloadLength; ) {
    const end = Math.min(payloadLength, read + SUMMED_PIECE_BYTES);
    // readExactly issues its first read before it yields: the read and the CRC below overlap.
    const reading = readExactly(entry.handle, payload.subarray(read, end), payloadOffset + read);
    crc = rawPayloadChecksum(payload.subarray(checked, read), crc);
    checked = read;
    await reading;
    read = end;
  }
  verifyRawChecksum(header, rawPayloadChecksum(payload.subarray(checked), crc));
  return payload;
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

/** A temporary file created next to its final path, open for writing. */
export interface TempFile {
  path: string;
  handle: FileHandle;
}

/**
 * Creates a new temporary file next to `finalPath` (mode 0600), creating missing directories
 * (mode 0700) on the way: directories appear on first use, never at construction.
 */
export async function createTempFile(finalPath: string): Promise<TempFile> {
  const path = tempPathFor(finalPath);
  for (let attempt = 0; ; attempt += 1) {
    try {
      return { path, handle: await open(path, 'wx', FILE_MODE) };
    } catch (error) {
      // A concurrent clear or sweep may remove a directory between mkdir and open: retry a little.
      if (errorCode(error) !== 'ENOENT' || attempt >= 3) throw error;
      await makeDirectory(dirname(path));
    }
  }
}

/**
 * Creates `dir` and its missing parents (mode 0700), one level at a time: a recursive `mkdir`
 * reports ENOENT on a read-only file system where this reports the real cause, EROFS.
 */
export async function makeDirectory(dir: string): Promise<void> {
  try {
    await mkdir(dir, { mode: DIR_MODE });
  } catch (error) {
    const code = errorCode(error);
    if (code === 'EEXIST') return;
    const parent = dirname(dir);
    if (code !== 'ENOENT' || parent === dir) throw error;
    await makeDirectory(parent);
    await mkdir(dir, { mode: DIR_MODE }).catch((again: unknown) => {
      if (errorCode(again) !== 'EEXIST') throw again;
    });
  }
}

/** Writes every buffer, in order, from `position` on, however the kernel splits the writes. */
export async function writeAll(handle: FileHandle, buffers: Buffer[], position: number): Promise<void> {
  let pending = buffers.filter((buffer) => buffer.length > 0);
  let at = position;
  while (pending.length > 0) {
    const { bytesWritten } = await handle.writev(pending, at);
    at += bytesWritten;
    pending = dropWritten(pending, bytesWritten);
  }
}

function dropWritten(buffers: Buffer[], written: number): Buffer[] {
  let left = written;
  const rest: Buffer[] = [];
  for (const buffer of buffers) {
    if (left >= buffer.length) {
      left -= buffer.length;
    } else {
      rest.push(left > 0 ? buffer.subarray(left) : buffer);
      left = 0;
    }
  }
  return rest;
}

/** Thrown by {@link streamIntoFile} when a stream outgrows its allowed size. */
export class StreamTooLargeError extends Error {
  override name = 'StreamTooLargeError';
  constructor(readonly byteLength: number) {
    super(`stream exceeded ${byteLength} bytes`);
  }
}

/** A write to the file failed while streaming into it (as opposed to the source failing). */
export class StreamWriteError extends Error {
  override name = 'StreamWriteError';
  constructor(cause: unknown) {
    super('writing the streamed value failed', { cause });
  }
}

/**
 * Copies `source` into the file from `position` on, in constant memory (one batch of about
 * 1 MiB plus the stream's own buffer). Resolves the bytes written and their
 * {@link rawPayloadChecksum}. Over `maxBytes`, stops reading, destroys the source and throws
 * {@link StreamTooLargeError}. File write failures are thrown as {@link StreamWriteError}; the
 * source's own errors as they are.
 */
export async function streamIntoFile(
  handle: FileHandle,
  source: Readable,
  position: number,
  maxBytes = Number.POSITIVE_INFINITY,
): Promise<{ length: number; crc: number }> {
  let written = 0;
  let crc = 0;
  let batch: Buffer[] = [];
  let batchBytes = 0;
  const flush = async () => {
    await writeAll(handle, batch, position + written).catch((error: unknown) => {
      throw new StreamWriteError(error);
    });
    written += batchBytes;
    batch = [];
    batchBytes = 0;
  };
  for await (const chunk of source) {
    const bytes = toBuffer(chunk);
    if (written + batchBytes + bytes.length > maxBytes) {
      source.destroy();
      throw new StreamTooLargeError(written + batchBytes + bytes.length);
    }
    crc = rawPayloadChecksum(bytes, crc);
    batch.push(bytes);
    batchBytes += bytes.length;
    if (batchBytes >= STREAM_BATCH_BYTES || batch.length >= STREAM_BATCH_CHUNKS) await flush();
  }
  await flush();
  return { length: written, crc };
}

function toBuffer(chunk: unknown): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (typeof chunk === 'string') return Buffer.from(chunk, 'utf8');
  if (chunk instanceof Uint8Array) {
    return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  }
  throw new TypeError(
    `setStream() needs a byte stream (Buffer, Uint8Array or string chunks); got a chunk of type ${typeof chunk}.`,
  );
}

/** Removes a file; a missing one is fine, other failures are thrown only when `strict`. */
export async function removeFile(path: string, strict = false): Promise<void> {
  try {
    await unlink(path);
  } catch (error) {
    if (strict && errorCode(error) !== 'ENOENT') throw error;
  }
}

/**
 * Removes `path` if it is still the file that was read (inode `ino`), not a newer entry a writer
 * renamed over it since. Resolves whether it removed it; failures count as "not removed".
 */
export async function removeIfSame(path: string, ino: number): Promise<boolean> {
  const current = await stat(path).catch(() => undefined);
  if (current?.ino !== ino) return false;
  try {
    await unlink(path);
    return true;
  } catch {
    return false;
  }
}

/** The `code` of a Node.js system error, if any. */
export function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error
    ? String((error as { code: unknown }).code)
    : undefined;
}

/** Bytes in front of the payload of an entry with this key. */
export function headerSize(key: string): number {
  return FIXED_HEADER_BYTES + Buffer.byteLength(key, 'utf16le');
}

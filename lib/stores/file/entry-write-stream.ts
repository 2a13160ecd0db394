import type { FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { rawPayloadChecksum } from './entry-file-format.js';
import { writeAll } from './entry-file-write.js';

/** Streamed chunks are gathered up to this size (or count) before one `writev`. */
const STREAM_BATCH_BYTES = 1024 * 1024;
const STREAM_BATCH_CHUNKS = 256;

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

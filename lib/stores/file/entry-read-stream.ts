import { read } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { rawPayloadChecksum } from './entry-file-format.js';

/**
 * The payload of an open entry file as a byte stream, its CRC-32 checked on the way.
 *
 * One stream reads the file and sums the bytes itself: a file stream piped through a checking
 * `Transform` costs two streams, a pipeline and a promise per read for every entry, which took a
 * 1 MiB `getStream` to a quarter of `fs.createReadStream`'s rate. Reads go through the callback
 * API on the handle's descriptor, as `fs.createReadStream` does. The open handle pins this
 * version of the file: a rename over it or a removal does not cut the stream short.
 */

/** What {@link entryReadStream} streams and how it checks it. */
export interface EntryReadStreamOptions {
  /** The entry file, open; the stream closes it when it ends, fails or is destroyed. */
  handle: FileHandle;
  /** Payload bytes read already (from the start of the payload), streamed first. */
  head: Buffer;
  /** File offset of the first payload byte not in `head`. */
  position: number;
  /** File offset just past the payload (the file's size). */
  end: number;
  /** The payload's CRC-32 from the header; `undefined` for an entry without one (not checked). */
  expectedCrc: number | undefined;
  /** Runs when the bytes turn out damaged, before the stream fails (e.g. removes the file). */
  onDamage: () => Promise<void>;
  /** The error the reader sees for a damaged entry. */
  damageError: () => Error;
}

/**
 * Bytes per read. Four times `fs.createReadStream`'s default: cached values are mostly large, and
 * each read is a trip to the thread pool (a 1 MiB value in 64 KiB reads measured about 0.75× the
 * rate of `fs.createReadStream`; in 256 KiB reads, at par or better). The stream holds at most
 * about two of these, whatever the value's size. The caller's first read (header and the first
 * payload bytes) takes as many, so that the first chunk is not a small one.
 */
export const ENTRY_STREAM_CHUNK_BYTES = 256 * 1024;
const CHUNK_BYTES = ENTRY_STREAM_CHUNK_BYTES;

/** A stream of an entry's payload that fails, instead of ending, when the bytes are damaged. */
export function entryReadStream(options: EntryReadStreamOptions): Readable {
  return new EntryReadStream(options);
}

class EntryReadStream extends Readable {
  readonly #options: EntryReadStreamOptions;
  #head: Buffer | undefined;
  #position: number;
  #crc = 0;
  /** A read is on the pool: closing the descriptor must wait for it. */
  #reading = false;
  #closeAfterRead: (() => void) | undefined;

  constructor(options: EntryReadStreamOptions) {
    super({ highWaterMark: CHUNK_BYTES });
    this.#options = options;
    this.#head = options.head.length > 0 ? options.head : undefined;
    this.#position = options.position;
  }

  override _read(): void {
    const head = this.#head;
    if (head !== undefined) {
      this.#head = undefined;
      this.#deliver(head);
      return;
    }
    const { handle, end } = this.#options;
    if (this.#position >= end) {
      this.#finish();
      return;
    }
    const length = Math.min(CHUNK_BYTES, end - this.#position);
    const buffer = Buffer.allocUnsafeSlow(length);
    this.#reading = true;
    read(handle.fd, buffer, 0, length, this.#position, (error, bytesRead) => {
      this.#reading = false;
      if (this.#closeAfterRead !== undefined) {
        this.#closeAfterRead();
        return;
      }
      if (error) {
        this.destroy(error);
      } else if (bytesRead === 0) {
        // Cut short after it was opened (written to in place): whatever came before is not the value.
        this.#damaged();
      } else {
        this.#position += bytesRead;
        this.#deliver(bytesRead === length ? buffer : buffer.subarray(0, bytesRead));
      }
    });
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const close = () => {
      this.#options.handle.close().then(
        () => callback(error),
        (closeError: unknown) => callback(error ?? (closeError as Error)),
      );
    };
    if (this.#reading) this.#closeAfterRead = close;
    else close();
  }

  #deliver(chunk: Buffer): void {
    if (this.#options.expectedCrc !== undefined) this.#crc = rawPayloadChecksum(chunk, this.#crc);
    this.push(chunk);
    // The end is known: no extra read to find it.
    if (this.#head === undefined && this.#position >= this.#options.end) this.#finish();
  }

  #finish(): void {
    const { expectedCrc } = this.#options;
    if (expectedCrc === undefined || this.#crc === expectedCrc) {
      this.push(null);
      return;
    }
    this.#damaged();
  }

  #damaged(): void {
    const { onDamage, damageError } = this.#options;
    const fail = () => this.destroy(damageError());
    onDamage().then(fail, fail);
  }
}

import { utimes } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { ValueFormatError } from '../../serialization/value-codec.js';
import type { DamagedEntries } from './damaged-entries.js';
import { decodePayload } from './entry-encoding.js';
import { EntryFormatError, isExpired } from './entry-file-format.js';
import { openEntry, readPayloadAndClose, type OpenEntry } from './entry-file-read.js';
import { entryReadStream } from './entry-read-stream.js';
import { entryFileDigest } from './file-paths.js';
import { damagedStreamError, diskError } from './file-store.messages.js';
import type { RegionFiles } from './region-files.js';
import { HEADER_READ_BYTES } from './region-sweeper.js';

/** A read moves a file's mtime forward (for other processes' LRU) at most this often (ms). */
const TOUCH_EVERY_MS = 60_000;

/** What {@link EntryReader.readValue} returns for a damaged payload (`undefined` is a value too). */
export const MISSING = Symbol('missing');

/** What {@link EntryReader.liveness} found at a path. */
export type Liveness = 'live' | 'dead' | 'missing';

/**
 * The file store's read path: finds the live entry file of a key, removing expired and damaged
 * files on the way, reads its value and marks it recently used.
 */
export class EntryReader {
  constructor(
    private readonly region: string,
    private readonly files: RegionFiles,
    private readonly damage: DamagedEntries,
  ) {}

  /** Opens the entry of `key` when it is live; removes expired and damaged files on the way. */
  async openLive(path: string, key: string, firstRead?: number): Promise<OpenEntry | undefined> {
    let result;
    try {
      result = await openEntry(path, firstRead, this.files.verified);
    } catch (error) {
      throw diskError(this.region, 'read', path, error);
    }
    if (result.status === 'missing') {
      // Removed as damaged by a sweep or another read just now: miss once that is counted.
      await this.damage.removal(path);
      return undefined;
    }
    if (result.status === 'corrupt') {
      await this.damage.drop(path, result.ino, result.reason);
      return undefined;
    }
    const { header } = result;
    if (isExpired(header.expiresAt)) {
      await result.handle.close();
      await this.files.removeIfSame(path, result.ino);
      return undefined;
    }
    if (header.key !== key) {
      await result.handle.close();
      // A file whose key does not hash to its name was copied or moved there: damage. A real
      // SHA-256 collision would be another key's valid entry, left alone.
      if (entryFileDigest(header.key) !== entryFileDigest(key)) {
        await this.damage.drop(path, result.ino, 'key does not match the file name');
      }
      return undefined;
    }
    return result;
  }

  /**
   * Reads and decodes the payload of an open entry and closes it; a damaged payload is removed,
   * counted and reads as {@link MISSING}.
   */
  async readValue(entry: OpenEntry, path: string): Promise<unknown> {
    try {
      const value = decodePayload(entry.header, await readPayloadAndClose(entry), !entry.verified);
      if (!entry.verified) this.files.verified?.add(path, entry);
      await this.touch(entry, path);
      return value;
    } catch (error) {
      if (error instanceof EntryFormatError || error instanceof ValueFormatError) {
        await this.damage.drop(path, entry.ino, error.message);
        return MISSING;
      }
      throw diskError(this.region, 'read', path, error);
    }
  }

  /**
   * A stream of the raw payload of an open entry, from the bytes read already and then the file,
   * checked against the payload's CRC: damage found at the end drops the file and fails the stream.
   */
  streamPayload(entry: OpenEntry, path: string): Readable {
    const { payloadOffset, rawCrc, payloadSum } = entry.header;
    const head = entry.head.subarray(payloadOffset);
    return entryReadStream({
      handle: entry.handle,
      head,
      position: payloadOffset + head.length,
      end: entry.size,
      expectedCrc: rawCrc ? payloadSum : undefined,
      onDamage: () => this.damage.drop(path, entry.ino, 'payload checksum mismatch'),
      damageError: () => damagedStreamError(this.region, path),
    });
  }

  /** Whether the file at `path` is a live entry of `key`, without removing anything. */
  async liveness(path: string, key: string): Promise<Liveness> {
    let result;
    try {
      result = await openEntry(path, HEADER_READ_BYTES);
    } catch (error) {
      throw diskError(this.region, 'read', path, error);
    }
    if (result.status !== 'ok') return result.status === 'missing' ? 'missing' : 'dead';
    await result.handle.close();
    return !isExpired(result.header.expiresAt) && result.header.key === key ? 'live' : 'dead';
  }

  /** Marks a read entry most recently used: here, and (throttled) in its mtime for other processes. */
  async touch(entry: OpenEntry, path: string): Promise<void> {
    const now = Date.now();
    this.files.index.recordAccess(path, entry.size, now);
    if (now - entry.mtimeMs < TOUCH_EVERY_MS) return;
    const seconds = now / 1_000;
    // By path: the handle may be closed already. On a read-only disk this fails, and the read is
    // still a hit; a newer file renamed over this one since gets the touch, which is as right.
    await utimes(path, seconds, seconds).catch(() => undefined);
  }
}

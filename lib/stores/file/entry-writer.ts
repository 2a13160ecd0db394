import { link, rename } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { CacheStoreError } from '../../errors.js';
import { StoreValueTooLargeError } from '../cache-store.js';
import { encodeHeader, PayloadKind } from './entry-file-format.js';
import { createTempFile, writeAll } from './entry-file-write.js';
import type { EntryReader } from './entry-reader.js';
import { StreamTooLargeError, StreamWriteError, streamIntoFile } from './entry-write-stream.js';
import { withFileMutex } from './file-mutex.js';
import { mutexPath } from './file-paths.js';
import { diskError } from './file-store.messages.js';
import { errorCode, removeFile } from './file-system.js';
import type { RegionFiles } from './region-files.js';

/**
 * The file store's write path: a complete entry goes to a temporary file next to its final
 * path, which is then renamed into place (`set`) or linked there only if no file is (`add`), so
 * readers in any process see the old entry or the new one, never a part.
 */
export class EntryWriter {
  constructor(
    private readonly region: string,
    private readonly files: RegionFiles,
    private readonly reader: EntryReader,
  ) {}

  /** Writes a complete entry to a new temporary file next to `path`; returns the temporary path. */
  async writeTemp(path: string, buffers: Buffer[]): Promise<string> {
    let temp;
    try {
      temp = await createTempFile(path);
    } catch (error) {
      throw diskError(this.region, 'create a file next to', path, error);
    }
    try {
      await writeAll(temp.handle, buffers, 0);
      await temp.handle.close();
      return temp.path;
    } catch (error) {
      await temp.handle.close().catch(() => undefined);
      await removeFile(temp.path);
      throw diskError(this.region, 'write', temp.path, error);
    }
  }

  /**
   * Streams `source` into a new temporary file next to `path` after room for the header, in
   * constant memory, then writes the header (the payload's length and CRC are known only then)
   * and renames the file into place. Resolves the file's size. More than `maxBytes` in all
   * rejects with {@link StoreValueTooLargeError}; a disk failure with a {@link CacheStoreError};
   * a failing `source` with its own error. The temporary file is removed on failure.
   */
  async writeStream(
    path: string,
    key: string,
    source: Readable,
    expiresAt: number,
    headerBytes: number,
    maxBytes: number | undefined,
  ): Promise<number> {
    let temp;
    try {
      temp = await createTempFile(path);
    } catch (error) {
      source.destroy();
      throw diskError(this.region, 'create a file next to', path, error);
    }
    try {
      const { length: payloadLength, crc } = await streamIntoFile(
        temp.handle,
        source,
        headerBytes,
        maxBytes === undefined ? undefined : maxBytes - headerBytes,
      );
      const header = encodeHeader({
        kind: PayloadKind.raw,
        expiresAt,
        freshUntil: 0,
        payloadLength,
        payloadSum: crc,
        rawCrc: true,
        key,
      });
      await writeAll(temp.handle, [header], 0).catch((error: unknown) => {
        throw new StreamWriteError(error);
      });
      await temp.handle.close();
      await this.moveIntoPlace(temp.path, path).catch((error: unknown) => {
        throw new StreamWriteError(error);
      });
      return headerBytes + payloadLength;
    } catch (error) {
      await temp.handle.close().catch(() => undefined);
      await removeFile(temp.path);
      if (error instanceof StreamTooLargeError) {
        throw new StoreValueTooLargeError(error.byteLength + headerBytes, maxBytes ?? 0, "raise the region's maxBytes");
      }
      if (error instanceof StreamWriteError) {
        throw diskError(this.region, 'write', path, error.cause);
      }
      throw error; // the source failed: its own error says more than ours would
    }
  }

  /**
   * Renames a finished temporary file to `path`. A version there that this process knows of is
   * unlinked first: on ext4 (with its default `auto_da_alloc`), a rename that replaces a file
   * makes the kernel allocate the new file's blocks and start its writeback right there, inside
   * the rename, which made a 1 MiB `set` take twice as long as `writeFile`; a rename to a free
   * name does not. A reader in between sees a miss, which atomic replacement here always allowed
   * (the old value, the new one or a miss, never a part); a file this process does not know of
   * is replaced by the rename itself, as before.
   */
  async moveIntoPlace(temp: string, path: string): Promise<void> {
    const replacing = this.files.index.has(path);
    if (replacing) await removeFile(path);
    try {
      await rename(temp, path);
    } catch (error) {
      // The old version is most likely gone; should it still be there, the next sweep finds it.
      if (replacing) this.files.index.recordRemoval(path);
      throw error;
    }
  }

  /** `link()` refuses to replace an existing file: the one exclusive step of `add()`. */
  async linkExclusive(temp: string, path: string): Promise<boolean> {
    try {
      await link(temp, path);
      return true;
    } catch (error) {
      if (errorCode(error) === 'EEXIST') return false;
      throw diskError(this.region, 'link', path, error);
    }
  }

  /**
   * Replaces a dead (expired, damaged) entry file by `temp`, holding the key's mutex file so two
   * processes replacing the same dead file do not both win. `false` when another process holds
   * the mutex (it will win) or the key came back to life meanwhile.
   */
  async replaceDead(digest: string, path: string, key: string, temp: string): Promise<boolean> {
    const lock = mutexPath(this.files.paths, digest);
    let outcome;
    try {
      outcome = await withFileMutex(lock, async () => {
        const state = await this.reader.liveness(path, key);
        if (state === 'live') return false;
        if (state === 'dead') await removeFile(path);
        return this.linkExclusive(temp, path);
      });
    } catch (error) {
      if (error instanceof CacheStoreError) throw error;
      throw diskError(this.region, 'take the lock file', lock, error);
    }
    return outcome === true;
  }
}

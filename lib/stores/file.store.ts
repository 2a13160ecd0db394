import { link, rename, stat, unlink, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { CacheStoreError, CacheUnsupportedError } from '../errors.js';
import { ValueFormatError } from '../serialization/value-codec.js';
import {
  StoreValueTooLargeError,
  type CacheStore,
  type StoreContext,
  type StoreEntry,
  type StoreKeyLimits,
} from './cache-store.js';
import { probeDirectory } from './file/directory-probe.js';
import { DiskUsageIndex } from './file/disk-usage-index.js';
import { ENTRY_STREAM_CHUNK_BYTES, entryReadStream } from './file/entry-read-stream.js';
import { decodePayload, encodeEntry } from './file/entry-encoding.js';
import { encodeHeader, EntryFormatError, headerSize, isExpired, PayloadKind } from './file/entry-file-format.js';
import { openEntry, readPayloadAndClose, type OpenEntry } from './file/entry-file-read.js';
import { createTempFile, writeAll } from './file/entry-file-write.js';
import { StreamTooLargeError, StreamWriteError, streamIntoFile } from './file/entry-write-stream.js';
import { withFileMutex } from './file/file-mutex.js';
import {
  corruptEntryMessage,
  damagedStreamError,
  diskError,
  notStreamableMessage,
  sweepFailedMessage,
} from './file/file-store.messages.js';
import {
  entryPath,
  isEntryName,
  keyDigest,
  mutexPath,
  checkRegionName,
  regionDirName,
  regionPaths,
  type RegionPaths,
} from './file/file-paths.js';
import { errorCode, removeFile, removeIfSame } from './file/file-system.js';
import { HEADER_READ_BYTES, sweepRegion } from './file/region-sweeper.js';
import { removeEmptyLeaf, walkRegion } from './file/region-walk.js';
import { VerifiedFiles } from './file/verified-files.js';

/** Options of {@link FileStore} (validated values). */
export interface FileStoreOptions {
  /** Cache directory; the region's entries go under `<dir>/<region>/`. Created on first write. */
  dir: string;
  /** Directory of the short-lived mutex files of `add()`. Default: `<dir>/<region>/.locks`. */
  lockDir?: string;
  /** Bound of the region's entry files, in bytes (LRU eviction). Default: unbounded. */
  maxBytes?: number;
  /** Milliseconds between sweeps of expired, damaged and leftover temporary files. */
  sweepIntervalMs: number;
  /**
   * `'once'`: a payload's checksum is checked on the first read of each version of a file in this
   * process; `'always'`: on every read. Default: `'once'`.
   */
  verifyReads?: 'once' | 'always';
}

/** Damaged files remembered as counted, at most. */
const COUNTED_DAMAGE_MAX = 1_024;

/** A read moves a file's mtime forward (for other processes' LRU) at most this often (ms). */
const TOUCH_EVERY_MS = 60_000;

type Liveness = 'live' | 'dead' | 'missing';

/** What {@link FileStore.readValue} returns for a damaged payload (`undefined` is a value too). */
const MISSING = Symbol('missing');

/**
 * One file per entry under `<dir>/<region>/`, for large values on the local disk.
 *
 * - Names are SHA-256 digests of the key, fanned out in two directory levels; the header holds the
 *   key itself, checked on every read, so a collision or a copied file reads as a miss.
 *   A leaf directory exists only while it holds a file: removing the last entry of a leaf removes
 *   the leaf, and the sweep removes first-level directories left without leaves (and any leaf
 *   left empty by a crash), so the tree's size follows the entries', however many keys came and
 *   went: at most one leaf per file, plus up to 256 first-level directories.
 * - Writes go to a temporary file in the target's directory, then `rename()` (`link()` for
 *   `add()`): readers in any process see the old entry or the new one, never a part. A writer
 *   killed midway leaves only a temporary file, which the sweep removes after 5 minutes.
 *   There is no fsync: a file torn by a power loss fails its size or checksum test and reads as
 *   a damaged entry (a miss), which is what a cache can afford.
 * - Buffers are stored raw after the header and read back into one Buffer; other values go
 *   through the shared value codec. `getStream`/`setStream` move values of any size in constant
 *   memory.
 * - Payload checksums are checked on the first `get()` of each version of a file in this process
 *   (`verifyReads: 'once'`; see {@link VerifiedFiles}) or on every read (`'always'`); streams
 *   on every read.
 * - Expired entries read as misses and are removed, by reads and by a periodic sweep (an
 *   unref'd timer). Damaged files too, and they are counted: `describe().corrupt`.
 * - `maxBytes` (sum of entry file sizes) is enforced after every write of this process by
 *   removing least recently used files. Writes of other processes sharing the directory are
 *   accounted at each sweep, so with several writers the bound holds within a sweep interval.
 * - Nothing touches the disk before the first operation: an unwritable directory makes the
 *   operations reject (with a {@link CacheStoreError}), never the constructor.
 */
export class FileStore implements CacheStore {
  readonly kind = 'file';
  /** Keys become digests in file names; the header keeps keys of any practical length. */
  readonly keyLimits: StoreKeyLimits = { maxBytes: 4_096 };
  private readonly paths: RegionPaths;
  private readonly index = new DiskUsageIndex();
  /** Files whose current version passed its checksum here (`verifyReads: 'once'`). */
  private readonly verified: VerifiedFiles | undefined;
  private readonly timer: NodeJS.Timeout;
  private corrupt = 0;
  /** Damaged files that could not be removed, counted already (inode, size, mtime and path). */
  private readonly countedDamage = new Set<string>();
  /**
   * Damaged files being removed and counted, by path, for other finders to wait on: a read that
   * finds the file gone returns once its removal is counted.
   */
  private readonly dropping = new Map<string, { ino: number; done: Promise<void> }>();
  private evicted = 0;
  private closed = false;
  private firstScan: Promise<void> | undefined;
  private sweeping: Promise<void> | undefined;
  /** The check of the directory at startup, which warns when it cannot be used yet. */
  private readonly startupProbe: Promise<void>;

  constructor(
    private readonly options: FileStoreOptions,
    private readonly context: StoreContext,
  ) {
    checkRegionName(options.dir, context.region);
    this.paths = regionPaths(options.dir, regionDirName(context.namespace), options.lockDir);
    this.verified = options.verifyReads === 'always' ? undefined : new VerifiedFiles();
    this.timer = setInterval(() => {
      void this.sweep().catch((error: unknown) => this.sweepFailed(error));
    }, options.sweepIntervalMs);
    this.timer.unref();
    // An unusable directory does not stop the app (it runs uncached), but is told at once.
    this.startupProbe = this.ping().catch((error: unknown) =>
      this.warn(
        `file region "${context.region}": the directory cannot be used yet: ${(error as Error).message}. ` +
          'The region runs uncached until it can (the health indicator reports it).',
      ),
    );
  }

  /**
   * Checks that the region's directory can be written and read (a probe file is written and
   * removed). For health checks; rejects saying what failed and whether reads still work.
   */
  ping(): Promise<void> {
    return probeDirectory(this.paths.regionDir);
  }

  /** The directory holding this region's entries: `<dir>/<region>` (prefixes joined with `.` in front). */
  get directory(): string {
    return this.paths.regionDir;
  }

  async get(key: string): Promise<StoreEntry | undefined> {
    const path = this.pathOf(key);
    const entry = await this.openLive(path, key);
    if (entry === undefined) return undefined;
    const value = await this.readValue(entry, path);
    if (value === MISSING) return undefined;
    return { value, expiresAt: entry.header.expiresAt, freshUntil: entry.header.freshUntil };
  }

  async has(key: string): Promise<boolean> {
    const path = this.pathOf(key);
    const entry = await this.openLive(path, key, HEADER_READ_BYTES);
    if (entry === undefined) return false;
    await entry.handle.close();
    return true;
  }

  async set(key: string, entry: StoreEntry): Promise<void> {
    const path = this.pathOf(key);
    const { buffers, size } = encodeEntry(key, entry);
    await this.beforeWrite(size);
    const temp = await this.writeTemp(path, buffers);
    try {
      await this.moveIntoPlace(temp, path);
    } catch (error) {
      await removeFile(temp);
      throw diskError(this.context.region, 'write', path, error);
    }
    await this.afterWrite(path, size);
  }

  /**
   * Stores `entry` only when no live entry exists, in any process: the new file is `link()`ed
   * into place, which fails when a file is there. A dead file (expired, damaged) is replaced
   * under a short per-key mutex file in the lock directory, so two processes racing for an
   * expired key do not both win.
   */
  async add(key: string, entry: StoreEntry): Promise<boolean> {
    const digest = keyDigest(key);
    const path = entryPath(this.paths, digest);
    const { buffers, size } = encodeEntry(key, entry);
    await this.beforeWrite(size);
    const temp = await this.writeTemp(path, buffers);
    try {
      for (let attempt = 0; attempt < 3; attempt += 1) {
        if (await this.linkExclusive(temp, path)) return await this.added(path, size);
        const state = await this.liveness(path, key);
        if (state === 'live') return false;
        if (state === 'missing') continue; // deleted since the link failed: try again
        const won = await this.replaceDead(digest, path, key, temp);
        return won ? await this.added(path, size) : false;
      }
      return false;
    } finally {
      await removeFile(temp);
    }
  }

  async delete(key: string): Promise<boolean> {
    const path = this.pathOf(key);
    try {
      await unlink(path);
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return false;
      throw diskError(this.context.region, 'delete', path, error);
    }
    this.index.recordRemoval(path);
    this.verified?.delete(path);
    await this.removeEmptyDirectories(path);
    return true;
  }

  /** Removes this region's entry files, and nothing else: not other regions, not lock files. */
  async clear(): Promise<void> {
    this.index.reset();
    this.verified?.clear();
    try {
      for await (const leaf of walkRegion(this.paths.regionDir)) {
        const entries = leaf.names.filter(isEntryName);
        await Promise.all(entries.map((name) => removeFile(join(leaf.dir, name), true)));
        leaf.emptied = entries.length === leaf.names.length;
      }
    } catch (error) {
      throw diskError(this.context.region, 'clear', this.paths.regionDir, error);
    }
    this.index.reset();
  }

  /**
   * A readable stream of the value's bytes, or `undefined` on a miss. The caller consumes or
   * destroys it (it holds a file handle until then).
   */
  async getStream(key: string): Promise<Readable | undefined> {
    const path = this.pathOf(key);
    // The header and the first chunk: a raw payload is streamed from the file, not read here.
    const entry = await this.openLive(path, key, ENTRY_STREAM_CHUNK_BYTES);
    if (entry === undefined) return undefined;
    if (entry.header.kind === PayloadKind.raw && entry.header.payloadLength > 0) {
      await this.touch(entry, path);
      const { payloadOffset, rawCrc, payloadSum } = entry.header;
      const head = entry.head.subarray(payloadOffset);
      return entryReadStream({
        handle: entry.handle,
        head,
        position: payloadOffset + head.length,
        end: entry.size,
        expectedCrc: rawCrc ? payloadSum : undefined,
        onDamage: () => this.dropCorrupt(path, entry.ino, 'payload checksum mismatch'),
        damageError: () => damagedStreamError(this.context.region, path),
      });
    }
    const value = await this.readValue(entry, path);
    return value === MISSING ? undefined : Readable.from([this.toBytes(value)]);
  }

  /** Stores the bytes of `source` (expiry `expiresAt`, epoch ms, 0 = never) in constant memory. */
  async setStream(key: string, source: Readable, expiresAt: number): Promise<void> {
    const path = this.pathOf(key);
    const headerBytes = headerSize(key);
    const limit = this.options.maxBytes;
    await this.beforeWrite(headerBytes);
    let temp;
    try {
      temp = await createTempFile(path);
    } catch (error) {
      source.destroy();
      throw diskError(this.context.region, 'create a file next to', path, error);
    }
    let size = 0;
    try {
      const { length: payloadLength, crc } = await streamIntoFile(
        temp.handle,
        source,
        headerBytes,
        limit === undefined ? undefined : limit - headerBytes,
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
      size = headerBytes + payloadLength;
      await temp.handle.close();
      await this.moveIntoPlace(temp.path, path).catch((error: unknown) => {
        throw new StreamWriteError(error);
      });
    } catch (error) {
      await temp.handle.close().catch(() => undefined);
      await removeFile(temp.path);
      if (error instanceof StreamTooLargeError) {
        throw new StoreValueTooLargeError(error.byteLength + headerBytes, limit ?? 0, "raise the region's maxBytes");
      }
      if (error instanceof StreamWriteError) {
        throw diskError(this.context.region, 'write', path, error.cause);
      }
      throw error; // the source failed: its own error says more than ours would
    }
    await this.afterWrite(path, size);
  }

  /**
   * `entries` and `bytes` known to this process, `corrupt` files removed, `evicted` by `maxBytes`,
   * `verified` files whose current version passed its checksum here (`verifyReads: 'once'`).
   */
  describe(): Record<string, number> {
    this.startFirstScan();
    return {
      entries: this.index.entries,
      bytes: this.index.bytes,
      corrupt: this.corrupt,
      evicted: this.evicted,
      verified: this.verified?.size ?? 0,
    };
  }

  /**
   * Removes expired and damaged entry files, temporary files older than 5 minutes and stale
   * mutex files, and re-reads the region's disk usage (other processes' writes included). Runs
   * every `sweepIntervalMs`; concurrent calls share one run.
   */
  sweep(): Promise<void> {
    this.sweeping ??= this.runSweep().finally(() => {
      this.sweeping = undefined;
    });
    return this.sweeping;
  }

  /** Stops the sweep timer and waits for a running sweep. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await this.startupProbe;
    await this.sweeping?.catch(() => undefined);
  }

  /**
   * Reads and decodes the payload of an open entry and closes it; a damaged payload is removed,
   * counted and reads as {@link MISSING}.
   */
  private async readValue(entry: OpenEntry, path: string): Promise<unknown> {
    try {
      const value = decodePayload(entry.header, await readPayloadAndClose(entry), !entry.verified);
      if (!entry.verified) this.verified?.add(path, entry);
      await this.touch(entry, path);
      return value;
    } catch (error) {
      if (error instanceof EntryFormatError || error instanceof ValueFormatError) {
        await this.dropCorrupt(path, entry.ino, error.message);
        return MISSING;
      }
      throw diskError(this.context.region, 'read', path, error);
    }
  }

  private pathOf(key: string): string {
    return entryPath(this.paths, keyDigest(key));
  }

  /** Opens the entry of `key` when it is live; removes expired and damaged files on the way. */
  private async openLive(
    path: string,
    key: string,
    firstRead?: number,
  ): Promise<OpenEntry | undefined> {
    let result;
    try {
      result = await openEntry(path, firstRead, this.verified);
    } catch (error) {
      throw diskError(this.context.region, 'read', path, error);
    }
    if (result.status === 'missing') {
      // Removed as damaged by a sweep or another read just now: miss once that is counted.
      await this.dropping.get(path)?.done;
      return undefined;
    }
    if (result.status === 'corrupt') {
      await this.dropCorrupt(path, result.ino, result.reason);
      return undefined;
    }
    const { header } = result;
    if (isExpired(header.expiresAt)) {
      await result.handle.close();
      await this.removeIfSame(path, result.ino);
      return undefined;
    }
    if (header.key !== key) {
      await result.handle.close();
      // A file whose key does not hash to its name was copied or moved there: damage. A real
      // SHA-256 collision would be another key's valid entry, left alone.
      if (keyDigest(header.key) !== keyDigest(key)) {
        await this.dropCorrupt(path, result.ino, 'key does not match the file name');
      }
      return undefined;
    }
    return result;
  }

  /** Whether the file at `path` is a live entry of `key`, without removing anything. */
  private async liveness(path: string, key: string): Promise<Liveness> {
    let result;
    try {
      result = await openEntry(path, HEADER_READ_BYTES);
    } catch (error) {
      throw diskError(this.context.region, 'read', path, error);
    }
    if (result.status !== 'ok') return result.status === 'missing' ? 'missing' : 'dead';
    await result.handle.close();
    return !isExpired(result.header.expiresAt) && result.header.key === key ? 'live' : 'dead';
  }

  /** Rejects what cannot fit, and lets the first scan finish so eviction sees the whole region. */
  private async beforeWrite(size: number): Promise<void> {
    const { maxBytes } = this.options;
    if (maxBytes === undefined) return;
    if (size > maxBytes) throw new StoreValueTooLargeError(size, maxBytes, "raise the region's maxBytes");
    this.startFirstScan();
    await this.firstScan;
  }

  private async afterWrite(path: string, size: number): Promise<void> {
    this.index.recordWrite(path, size);
    await this.evictOverLimit();
  }

  private async added(path: string, size: number): Promise<true> {
    await this.afterWrite(path, size);
    return true;
  }

  /** Writes a complete entry to a new temporary file next to `path`; returns the temporary path. */
  private async writeTemp(path: string, buffers: Buffer[]): Promise<string> {
    let temp;
    try {
      temp = await createTempFile(path);
    } catch (error) {
      throw diskError(this.context.region, 'create a file next to', path, error);
    }
    try {
      await writeAll(temp.handle, buffers, 0);
      await temp.handle.close();
      return temp.path;
    } catch (error) {
      await temp.handle.close().catch(() => undefined);
      await removeFile(temp.path);
      throw diskError(this.context.region, 'write', temp.path, error);
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
  private async moveIntoPlace(temp: string, path: string): Promise<void> {
    const replacing = this.index.has(path);
    if (replacing) await removeFile(path);
    try {
      await rename(temp, path);
    } catch (error) {
      // The old version is most likely gone; should it still be there, the next sweep finds it.
      if (replacing) this.index.recordRemoval(path);
      throw error;
    }
  }

  /** `link()` refuses to replace an existing file: the one exclusive step of `add()`. */
  private async linkExclusive(temp: string, path: string): Promise<boolean> {
    try {
      await link(temp, path);
      return true;
    } catch (error) {
      if (errorCode(error) === 'EEXIST') return false;
      throw diskError(this.context.region, 'link', path, error);
    }
  }

  /**
   * Replaces a dead (expired, damaged) entry file by `temp`, holding the key's mutex file so two
   * processes replacing the same dead file do not both win. `false` when another process holds
   * the mutex (it will win) or the key came back to life meanwhile.
   */
  private async replaceDead(
    digest: string,
    path: string,
    key: string,
    temp: string,
  ): Promise<boolean> {
    const lock = mutexPath(this.paths, digest);
    let outcome;
    try {
      outcome = await withFileMutex(lock, async () => {
        const state = await this.liveness(path, key);
        if (state === 'live') return false;
        if (state === 'dead') await removeFile(path);
        return this.linkExclusive(temp, path);
      });
    } catch (error) {
      if (error instanceof CacheStoreError) throw error;
      throw diskError(this.context.region, 'take the lock file', lock, error);
    }
    return outcome === true;
  }

  /** Marks a read entry most recently used: here, and (throttled) in its mtime for other processes. */
  private async touch(entry: OpenEntry, path: string): Promise<void> {
    const now = Date.now();
    this.index.recordAccess(path, entry.size, now);
    if (now - entry.mtimeMs < TOUCH_EVERY_MS) return;
    const seconds = now / 1_000;
    // By path: the handle may be closed already. On a read-only disk this fails, and the read is
    // still a hit; a newer file renamed over this one since gets the touch, which is as right.
    await utimes(path, seconds, seconds).catch(() => undefined);
  }

  private async evictOverLimit(): Promise<void> {
    const { maxBytes } = this.options;
    if (maxBytes === undefined) return;
    const victims = this.index.takeLeastRecent(maxBytes);
    this.evicted += victims.length;
    await Promise.all(
      victims.map(async (path) => {
        await removeFile(path);
        await this.removeEmptyDirectories(path);
      }),
    );
  }

  /**
   * Removes a damaged file (inode `ino`) and counts it, once. A read and a sweep (or two reads)
   * of this process that find the same damaged file both get here: the second waits for the
   * first, which counts it. Of several processes, the one whose removal succeeds counts it. A
   * file that cannot be removed (read-only disk) may be found again and again: it counts once per
   * version (inode, size and modification time). A file replaced meanwhile was overwritten by a
   * writer.
   *
   * (Counting by inode alone would miss damage: a file written later at the same path can get a
   * removed file's inode number back.)
   */
  private dropCorrupt(path: string, ino: number, reason: string): Promise<void> {
    const running = this.dropping.get(path);
    if (running?.ino === ino) return running.done;
    // Another version of the file is being dropped: this one after it.
    const done = (running?.done ?? Promise.resolve())
      .then(() => this.removeCorrupt(path, ino, reason))
      .finally(() => {
        if (this.dropping.get(path)?.done === done) this.dropping.delete(path);
      });
    this.dropping.set(path, { ino, done });
    return done;
  }

  private async removeCorrupt(path: string, ino: number, reason: string): Promise<void> {
    if (await this.removeFileIfSame(path, ino)) {
      this.countCorrupt(path, reason);
      await this.removeEmptyDirectories(path);
      return;
    }
    const current = await stat(path).catch(() => undefined);
    if (current?.ino !== ino) return;
    const id = `${ino}:${current.size}:${current.mtimeMs}:${path}`;
    if (this.countedDamage.has(id)) return;
    // Bounded: forgetting old ones only means a file still damaged and still there counts again.
    if (this.countedDamage.size >= COUNTED_DAMAGE_MAX) this.countedDamage.clear();
    this.countedDamage.add(id);
    this.countCorrupt(path, reason);
  }

  private countCorrupt(path: string, reason: string): void {
    this.corrupt += 1;
    this.warn(corruptEntryMessage(this.context.region, path, reason));
  }

  /** Removes the file that was read (inode `ino`), and its emptied directory, unless a writer replaced it meanwhile. */
  private async removeIfSame(path: string, ino: number): Promise<void> {
    if (await this.removeFileIfSame(path, ino)) await this.removeEmptyDirectories(path);
  }

  /** Removes the file that was read (inode `ino`) unless a writer replaced it; resolves whether it did. */
  private async removeFileIfSame(path: string, ino: number): Promise<boolean> {
    if (!(await removeIfSame(path, ino))) return false;
    this.index.recordRemoval(path);
    this.verified?.delete(path);
    return true;
  }

  /**
   * After an entry file was removed: removes its leaf directory if that left it empty, so
   * churning keys do not fill the disk with empty directories (up to 65,536 of them, each an
   * inode and a block, that every sweep would list). A writer that loses its directory to this
   * makes it again (see `createTempFile`). The sweep removes what is left empty otherwise.
   */
  private async removeEmptyDirectories(entryPath: string): Promise<void> {
    await removeEmptyLeaf(this.paths, entryPath);
  }

  /**
   * Starts the first walk of the region, which the disk-usage account needs: before a write
   * when `maxBytes` is set, and for `describe()`. Reads never start it: a walk lists every
   * directory and reads every header, which would compete with a new process's first reads for
   * the same thread pool, while a read needs nothing from it (it handles its own file, expired or
   * damaged). Without writes, the first timed sweep brings the account up to date.
   */
  private startFirstScan(): void {
    this.firstScan ??= this.sweep().catch((error: unknown) => this.sweepFailed(error));
  }

  private async runSweep(): Promise<void> {
    const token = this.index.beginScan();
    const live = await sweepRegion(this.paths, {
      stopped: () => this.closed,
      corrupt: (path, ino, reason) => this.dropCorrupt(path, ino, reason),
      expired: (path, ino) => this.removeIfSame(path, ino),
    });
    if (this.closed) return;
    this.index.completeScan(token, live);
    await this.evictOverLimit();
  }

  private sweepFailed(error: unknown): void {
    this.warn(sweepFailedMessage(this.context.region, this.paths.regionDir, error));
  }

  private toBytes(value: unknown): Buffer {
    if (typeof value === 'string') return Buffer.from(value, 'utf8');
    if (value instanceof Uint8Array) {
      return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    }
    throw new CacheUnsupportedError(notStreamableMessage(this.context.region, describeType(value)));
  }

  private warn(message: string): void {
    this.context.warn?.(message);
  }
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') return typeof value;
  return (value as object).constructor?.name ?? 'object';
}

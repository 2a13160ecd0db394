import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { CacheUnsupportedError } from '../errors.js';
import type { CacheStore, StoreContext, StoreEntry, StoreKeyLimits } from './cache-store.js';
import { DamagedEntries } from './file/damaged-entries.js';
import { probeDirectory } from './file/directory-probe.js';
import { encodeEntry } from './file/entry-encoding.js';
import { headerSize, PayloadKind } from './file/entry-file-format.js';
import { ENTRY_STREAM_CHUNK_BYTES } from './file/entry-read-stream.js';
import { EntryReader, MISSING } from './file/entry-reader.js';
import { EntryWriter } from './file/entry-writer.js';
import { checkRegionName, entryPath, isEntryName, entryFileDigest, regionDirName, regionPaths } from './file/file-paths.js';
import { diskError, notStreamableMessage } from './file/file-store.messages.js';
import type { FileStoreOptions } from './file/file-store.options.js';
import { errorCode, removeFile } from './file/file-system.js';
import { RegionFiles } from './file/region-files.js';
import { HEADER_READ_BYTES } from './file/region-sweeper.js';
import { RegionUpkeep } from './file/region-upkeep.js';
import { walkRegion } from './file/region-walk.js';

export type { FileStoreOptions } from './file/file-store.options.js';

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
 *   (`verifyReads: 'once'`; see `file/verified-files.ts`) or on every read (`'always'`); streams
 *   on every read.
 * - Expired entries read as misses and are removed, by reads and by a periodic sweep (an
 *   unref'd timer). Damaged files too, and they are counted: `describe().corrupt`.
 * - `maxBytes` (sum of entry file sizes) is enforced after every write of this process by
 *   removing least recently used files. Writes of other processes sharing the directory are
 *   accounted at each sweep, so with several writers the bound holds within a sweep interval.
 * - Nothing touches the disk before the first operation: an unwritable directory makes the
 *   operations reject (with a `CacheStoreError`), never the constructor.
 */
export class FileStore implements CacheStore {
  readonly kind = 'file';
  /** Keys become digests in file names; the header keeps keys of any practical length. */
  readonly keyLimits: StoreKeyLimits = { maxBytes: 4_096 };
  private readonly files: RegionFiles;
  private readonly damage: DamagedEntries;
  private readonly reader: EntryReader;
  private readonly writer: EntryWriter;
  private readonly upkeep: RegionUpkeep;
  /** The check of the directory at startup, which warns when it cannot be used yet. */
  private readonly startupProbe: Promise<void>;

  constructor(
    private readonly options: FileStoreOptions,
    private readonly context: StoreContext,
  ) {
    checkRegionName(options.dir, context.region);
    const { region } = context;
    const warn = (message: string) => this.warn(message);
    const paths = regionPaths(options.dir, regionDirName(context.namespace), options.lockDir);
    this.files = new RegionFiles(paths, options.verifyReads);
    this.damage = new DamagedEntries(region, this.files, warn);
    this.reader = new EntryReader(region, this.files, this.damage);
    this.writer = new EntryWriter(region, this.files, this.reader);
    this.upkeep = new RegionUpkeep(region, options, this.files, this.damage, warn);
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
    return probeDirectory(this.files.paths.regionDir);
  }

  /** The directory holding this region's entries: `<dir>/<region>` (prefixes joined with `.` in front). */
  get directory(): string {
    return this.files.paths.regionDir;
  }

  async get(key: string): Promise<StoreEntry | undefined> {
    const path = this.files.pathOf(key);
    const entry = await this.reader.openLive(path, key);
    if (entry === undefined) return undefined;
    const value = await this.reader.readValue(entry, path);
    if (value === MISSING) return undefined;
    return { value, expiresAt: entry.header.expiresAt, freshUntil: entry.header.freshUntil };
  }

  async has(key: string): Promise<boolean> {
    const path = this.files.pathOf(key);
    const entry = await this.reader.openLive(path, key, HEADER_READ_BYTES);
    if (entry === undefined) return false;
    await entry.handle.close();
    return true;
  }

  async set(key: string, entry: StoreEntry): Promise<void> {
    const path = this.files.pathOf(key);
    const { buffers, size } = encodeEntry(key, entry);
    await this.upkeep.beforeWrite(size);
    const temp = await this.writer.writeTemp(path, buffers);
    try {
      await this.writer.moveIntoPlace(temp, path);
    } catch (error) {
      await removeFile(temp);
      throw diskError(this.context.region, 'write', path, error);
    }
    await this.upkeep.afterWrite(path, size);
  }

  /**
   * Stores `entry` only when no live entry exists, in any process: the new file is `link()`ed
   * into place, which fails when a file is there. A dead file (expired, damaged) is replaced
   * under a short per-key mutex file in the lock directory, so two processes racing for an
   * expired key do not both win.
   */
  async add(key: string, entry: StoreEntry): Promise<boolean> {
    const digest = entryFileDigest(key);
    const path = entryPath(this.files.paths, digest);
    const { buffers, size } = encodeEntry(key, entry);
    await this.upkeep.beforeWrite(size);
    const temp = await this.writer.writeTemp(path, buffers);
    try {
      for (let attempt = 0; attempt < 3; attempt += 1) {
        if (await this.writer.linkExclusive(temp, path)) return await this.added(path, size);
        const state = await this.reader.liveness(path, key);
        if (state === 'live') return false;
        if (state === 'missing') continue; // deleted since the link failed: try again
        const won = await this.writer.replaceDead(digest, path, key, temp);
        return won ? await this.added(path, size) : false;
      }
      return false;
    } finally {
      await removeFile(temp);
    }
  }

  async delete(key: string): Promise<boolean> {
    const path = this.files.pathOf(key);
    try {
      await unlink(path);
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return false;
      throw diskError(this.context.region, 'delete', path, error);
    }
    this.files.forget(path);
    await this.files.removeEmptyDirectories(path);
    return true;
  }

  /** Removes this region's entry files, and nothing else: not other regions, not lock files. */
  async clear(): Promise<void> {
    const { index, verified, paths } = this.files;
    index.reset();
    verified?.clear();
    try {
      for await (const leaf of walkRegion(paths.regionDir)) {
        const entries = leaf.names.filter(isEntryName);
        await Promise.all(entries.map((name) => removeFile(join(leaf.dir, name), true)));
        leaf.emptied = entries.length === leaf.names.length;
      }
    } catch (error) {
      throw diskError(this.context.region, 'clear', paths.regionDir, error);
    }
    index.reset();
  }

  /**
   * A readable stream of the value's bytes, or `undefined` on a miss. The caller consumes or
   * destroys it (it holds a file handle until then).
   */
  async getStream(key: string): Promise<Readable | undefined> {
    const path = this.files.pathOf(key);
    // The header and the first chunk: a raw payload is streamed from the file, not read here.
    const entry = await this.reader.openLive(path, key, ENTRY_STREAM_CHUNK_BYTES);
    if (entry === undefined) return undefined;
    if (entry.header.kind === PayloadKind.raw && entry.header.payloadLength > 0) {
      await this.reader.touch(entry, path);
      return this.reader.streamPayload(entry, path);
    }
    const value = await this.reader.readValue(entry, path);
    return value === MISSING ? undefined : Readable.from([this.toBytes(value)]);
  }

  /** Stores the bytes of `source` (expiry `expiresAt`, epoch ms, 0 = never) in constant memory. */
  async setStream(key: string, source: Readable, expiresAt: number): Promise<void> {
    const path = this.files.pathOf(key);
    const headerBytes = headerSize(key);
    const limit = this.options.maxBytes;
    await this.upkeep.beforeWrite(headerBytes);
    const size = await this.writer.writeStream(path, key, source, expiresAt, headerBytes, limit);
    await this.upkeep.afterWrite(path, size);
  }

  /**
   * `entries` and `bytes` known to this process, `corrupt` files removed, `evicted` by `maxBytes`,
   * `verified` files whose current version passed its checksum here (`verifyReads: 'once'`).
   */
  describe(): Record<string, number> {
    this.upkeep.startFirstScan();
    return {
      entries: this.files.index.entries,
      bytes: this.files.index.bytes,
      corrupt: this.damage.count,
      evicted: this.upkeep.evicted,
      verified: this.files.verified?.size ?? 0,
    };
  }

  /**
   * Removes expired and damaged entry files, temporary files older than 5 minutes and stale
   * mutex files, and re-reads the region's disk usage (other processes' writes included). Runs
   * every `sweepIntervalMs`; concurrent calls share one run.
   */
  sweep(): Promise<void> {
    return this.upkeep.sweep();
  }

  /** Stops the sweep timer and waits for a running sweep. */
  async close(): Promise<void> {
    this.upkeep.stop();
    await this.startupProbe;
    await this.upkeep.idle();
  }

  private async added(path: string, size: number): Promise<true> {
    await this.upkeep.afterWrite(path, size);
    return true;
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

import { StoreValueTooLargeError } from '../cache-store.js';
import type { DamagedEntries } from './damaged-entries.js';
import { sweepFailedMessage } from './file-store.messages.js';
import type { FileStoreOptions } from './file-store.options.js';
import { removeFile } from './file-system.js';
import type { RegionFiles } from './region-files.js';
import { sweepRegion } from './region-sweeper.js';

/**
 * Keeps a region's directory in bounds: the periodic sweep (an unref'd timer) of expired, damaged
 * and leftover files, which also brings the disk-usage account up to date with other processes'
 * writes, and `maxBytes` eviction of the least recently used files after every write.
 */
export class RegionUpkeep {
  private readonly timer: NodeJS.Timeout;
  private closed = false;
  private firstScan: Promise<void> | undefined;
  private sweeping: Promise<void> | undefined;
  private evictedFiles = 0;

  constructor(
    private readonly region: string,
    private readonly options: Pick<FileStoreOptions, 'maxBytes' | 'sweepIntervalMs'>,
    private readonly files: RegionFiles,
    private readonly damage: DamagedEntries,
    private readonly warn: (message: string) => void,
  ) {
    this.timer = setInterval(() => {
      void this.sweep().catch((error: unknown) => this.sweepFailed(error));
    }, options.sweepIntervalMs);
    this.timer.unref();
  }

  /** Entry files removed by `maxBytes` eviction. */
  get evicted(): number {
    return this.evictedFiles;
  }

  /** Rejects what cannot fit, and lets the first scan finish so eviction sees the whole region. */
  async beforeWrite(size: number): Promise<void> {
    const { maxBytes } = this.options;
    if (maxBytes === undefined) return;
    if (size > maxBytes) throw new StoreValueTooLargeError(size, maxBytes, "raise the region's maxBytes");
    this.startFirstScan();
    await this.firstScan;
  }

  /** Accounts an entry file of `size` bytes just written at `path`, and evicts over `maxBytes`. */
  async afterWrite(path: string, size: number): Promise<void> {
    this.files.index.recordWrite(path, size);
    await this.evictOverLimit();
  }

  /**
   * Starts the first walk of the region, which the disk-usage account needs: before a write
   * when `maxBytes` is set, and for `describe()`. Reads never start it: a walk lists every
   * directory and reads every header, which would compete with a new process's first reads for
   * the same thread pool, while a read needs nothing from it (it handles its own file, expired or
   * damaged). Without writes, the first timed sweep brings the account up to date.
   */
  startFirstScan(): void {
    this.firstScan ??= this.sweep().catch((error: unknown) => this.sweepFailed(error));
  }

  /** Runs a sweep (see `FileStore.sweep`); concurrent calls share one run. */
  sweep(): Promise<void> {
    this.sweeping ??= this.runSweep().finally(() => {
      this.sweeping = undefined;
    });
    return this.sweeping;
  }

  /** Stops the timer; a running sweep stops early and leaves the account as it was. */
  stop(): void {
    this.closed = true;
    clearInterval(this.timer);
  }

  /** The running sweep, settled either way; `undefined` when none runs. */
  idle(): Promise<unknown> | undefined {
    return this.sweeping?.catch(() => undefined);
  }

  private async evictOverLimit(): Promise<void> {
    const { maxBytes } = this.options;
    if (maxBytes === undefined) return;
    const victims = this.files.index.takeLeastRecent(maxBytes);
    this.evictedFiles += victims.length;
    await Promise.all(
      victims.map(async (path) => {
        await removeFile(path);
        await this.files.removeEmptyDirectories(path);
      }),
    );
  }

  private async runSweep(): Promise<void> {
    const token = this.files.index.beginScan();
    const live = await sweepRegion(this.files.paths, {
      stopped: () => this.closed,
      corrupt: (path, ino, reason) => this.damage.drop(path, ino, reason),
      expired: (path, ino) => this.files.removeIfSame(path, ino),
    });
    if (this.closed) return;
    this.files.index.completeScan(token, live);
    await this.evictOverLimit();
  }

  private sweepFailed(error: unknown): void {
    this.warn(sweepFailedMessage(this.region, this.files.paths.regionDir, error));
  }
}

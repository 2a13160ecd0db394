/**
 * In-memory account of a region's entry files, least recently used first: what `maxBytes`
 * eviction and `describe()` read. It learns from this process's own writes, reads and removals,
 * and from periodic scans of the directory, which bring in what other processes wrote (their
 * reads reach it through file mtimes, which the store moves forward on reads).
 */

interface Tracked {
  /** File size in bytes. */
  size: number;
  /** Epoch ms of the last write or read known to this process. */
  lastAccess: number;
  /** Operation counter at the last update: tells a scan which records are newer than it. */
  seq: number;
}

/** What a directory scan found for one entry file. */
export interface ScannedFile {
  /** File size in bytes. */
  size: number;
  /** Modification time, epoch ms: the last write or (throttled) read by any process. */
  mtimeMs: number;
}

/** LRU accounting of one region's entry files by path. */
export class DiskUsageIndex {
  /** Map order is recency order: the first key is the least recently used. */
  private files = new Map<string, Tracked>();
  private total = 0;
  private seq = 0;
  /** `seq` when the running scan started; `undefined` when none runs. */
  private scanStart: number | undefined;
  private removedDuringScan = new Set<string>();

  /** Number of entry files known. */
  get entries(): number {
    return this.files.size;
  }

  /** Sum of the known entry files' sizes, in bytes. */
  get bytes(): number {
    return this.total;
  }

  /** Whether this process knows of a file at `path` (written, read or found by a scan). */
  has(path: string): boolean {
    return this.files.has(path);
  }

  /** Records a file this process just wrote: the most recently used. */
  recordWrite(path: string, size: number, now = Date.now()): void {
    this.put(path, size, now);
  }

  /** Records a read of a file: moves it to most recently used (adds it when unknown). */
  recordAccess(path: string, size: number, now = Date.now()): void {
    this.put(path, size, now);
  }

  /** Forgets a file that was removed. */
  recordRemoval(path: string): void {
    const tracked = this.files.get(path);
    if (tracked !== undefined) {
      this.files.delete(path);
      this.total -= tracked.size;
    }
    if (this.scanStart !== undefined) this.removedDuringScan.add(path);
  }

  /** Forgets everything, and makes a scan running now bring nothing back. */
  reset(): void {
    this.files = new Map();
    this.total = 0;
    this.seq += 1;
    this.scanStart = undefined;
    this.removedDuringScan = new Set();
  }

  /** Marks the start of a directory scan; pass the token to {@link completeScan}. */
  beginScan(): number {
    this.seq += 1;
    this.scanStart = this.seq;
    this.removedDuringScan = new Set();
    return this.seq;
  }

  /**
   * Merges what a scan found. Records this process touched during the scan win; files the scan
   * did not find and nobody touched since are gone (another process removed them); files only the
   * scan found join at their mtime's place in the recency order.
   */
  completeScan(token: number, scanned: ReadonlyMap<string, ScannedFile>): void {
    if (this.scanStart !== token) return; // reset() ran meanwhile: the scan saw old files
    const merged: [string, Tracked][] = [];
    for (const [path, tracked] of this.files) {
      const found = scanned.get(path);
      if (tracked.seq >= token) {
        merged.push([path, tracked]);
      } else if (found !== undefined) {
        const lastAccess = Math.max(tracked.lastAccess, found.mtimeMs);
        merged.push([path, { size: found.size, lastAccess, seq: tracked.seq }]);
      }
    }
    for (const [path, found] of scanned) {
      if (!this.files.has(path) && !this.removedDuringScan.has(path)) {
        merged.push([path, { size: found.size, lastAccess: found.mtimeMs, seq: 0 }]);
      }
    }
    merged.sort((a, b) => a[1].lastAccess - b[1].lastAccess);
    this.files = new Map(merged);
    this.total = merged.reduce((sum, [, tracked]) => sum + tracked.size, 0);
    this.scanStart = undefined;
    this.removedDuringScan = new Set();
  }

  /**
   * Takes least recently used files out of the account until the total is at most `maxBytes`,
   * and returns their paths for the caller to delete.
   */
  takeLeastRecent(maxBytes: number): string[] {
    const victims: string[] = [];
    for (const path of this.files.keys()) {
      if (this.total <= maxBytes) break;
      victims.push(path);
      this.recordRemoval(path);
    }
    return victims;
  }

  private put(path: string, size: number, now: number): void {
    this.seq += 1;
    const tracked = this.files.get(path);
    if (tracked === undefined) {
      this.files.set(path, { size, lastAccess: now, seq: this.seq });
    } else {
      // The record is updated in place and moved to the end. A new record per read would be one
      // more long-lived object per operation, which measurably adds old-space GC work to reads
      // (1 MiB Buffer reads: about 15% slower with a fresh record each time).
      this.files.delete(path);
      this.total -= tracked.size;
      tracked.size = size;
      tracked.lastAccess = now;
      tracked.seq = this.seq;
      this.files.set(path, tracked);
    }
    this.total += size;
  }
}

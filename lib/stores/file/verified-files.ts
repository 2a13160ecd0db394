import { LRUCache } from 'lru-cache';

/**
 * The entry files whose payload checksum this process has checked, each with the version of the
 * file it checked: its inode, size and modification and change times. Any rewrite of the bytes
 * changes the version (a rename over the path brings a new inode; a write in place moves the
 * change time, which no one can set back), so a file read again unchanged need not be summed
 * again, while a replaced, rewritten or recreated one is. Damage from a power loss shows up in a
 * new process, whose record starts empty.
 *
 * File times advance in clock ticks of a few milliseconds on many kernels, so a write landing in
 * the same tick as the previous change would leave the times as they were: a file is remembered
 * only once its last change is {@link SETTLED_MS} old.
 */

/** What identifies one version of a file (from `stat`). */
export interface FileVersion {
  ino: number;
  size: number;
  mtimeMs: number;
  ctimeMs: number;
}

/** Files remembered at most; the least recently checked are forgotten first (and summed again). */
const DEFAULT_CAPACITY = 10_000;
/** Age (ms) of a file's last change before a check of it is remembered. */
export const SETTLED_MS = 1_000;

/** Paths whose current version was checked, bounded (an `lru-cache`, as the memory store uses). */
export class VerifiedFiles {
  private readonly versions: LRUCache<string, FileVersion>;

  constructor(capacity = DEFAULT_CAPACITY) {
    this.versions = new LRUCache({ max: capacity });
  }

  /** Number of files remembered. */
  get size(): number {
    return this.versions.size;
  }

  /** Whether `version` of `path` is the one that was checked (recency moves only with checks). */
  has(path: string, version: FileVersion): boolean {
    const known = this.versions.peek(path);
    return (
      known !== undefined &&
      known.ino === version.ino &&
      known.size === version.size &&
      known.mtimeMs === version.mtimeMs &&
      known.ctimeMs === version.ctimeMs
    );
  }

  /**
   * Records that `version` of `path` passed its checksum at `now` (epoch ms); a version changed
   * less than {@link SETTLED_MS} before is not remembered.
   */
  add(path: string, version: FileVersion, now = Date.now()): void {
    const { ino, size, mtimeMs, ctimeMs } = version;
    if (now - ctimeMs < SETTLED_MS) {
      this.versions.delete(path);
      return;
    }
    this.versions.set(path, { ino, size, mtimeMs, ctimeMs });
  }

  /** Forgets `path` (removed). */
  delete(path: string): void {
    this.versions.delete(path);
  }

  /** Forgets every file. */
  clear(): void {
    this.versions.clear();
  }
}

import { stat } from 'node:fs/promises';
import { corruptEntryMessage } from './file-store.messages.js';
import type { RegionFiles } from './region-files.js';

/** Damaged files remembered as counted, at most. */
const COUNTED_DAMAGE_MAX = 1_024;

/**
 * Removes and counts the damaged entry files that reads and sweeps find (`describe().corrupt`),
 * each once however many finders meet it, and warns about each.
 */
export class DamagedEntries {
  private counted = 0;
  /** Damaged files that could not be removed, counted already (inode, size, mtime and path). */
  private readonly countedDamage = new Set<string>();
  /**
   * Damaged files being removed and counted, by path, for other finders to wait on: a read that
   * finds the file gone returns once its removal is counted.
   */
  private readonly dropping = new Map<string, { ino: number; done: Promise<void> }>();

  constructor(
    private readonly region: string,
    private readonly files: RegionFiles,
    private readonly warn: (message: string) => void,
  ) {}

  /** Damaged files removed (or found and left on a read-only disk) and counted. */
  get count(): number {
    return this.counted;
  }

  /** The removal of the damaged file at `path` under way, if any: a finder of the gone file waits for it. */
  removal(path: string): Promise<void> | undefined {
    return this.dropping.get(path)?.done;
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
  drop(path: string, ino: number, reason: string): Promise<void> {
    const running = this.dropping.get(path);
    if (running?.ino === ino) return running.done;
    // Another version of the file is being dropped: this one after it.
    const done = (running?.done ?? Promise.resolve())
      .then(() => this.remove(path, ino, reason))
      .finally(() => {
        if (this.dropping.get(path)?.done === done) this.dropping.delete(path);
      });
    this.dropping.set(path, { ino, done });
    return done;
  }

  private async remove(path: string, ino: number, reason: string): Promise<void> {
    if (await this.files.removeFileIfSame(path, ino)) {
      this.countOne(path, reason);
      await this.files.removeEmptyDirectories(path);
      return;
    }
    const current = await stat(path).catch(() => undefined);
    if (current?.ino !== ino) return;
    const id = `${ino}:${current.size}:${current.mtimeMs}:${path}`;
    if (this.countedDamage.has(id)) return;
    // Bounded: forgetting old ones only means a file still damaged and still there counts again.
    if (this.countedDamage.size >= COUNTED_DAMAGE_MAX) this.countedDamage.clear();
    this.countedDamage.add(id);
    this.countOne(path, reason);
  }

  private countOne(path: string, reason: string): void {
    this.counted += 1;
    this.warn(corruptEntryMessage(this.region, path, reason));
  }
}

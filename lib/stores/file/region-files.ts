import { DiskUsageIndex } from './disk-usage-index.js';
import { entryPath, entryFileDigest, type RegionPaths } from './file-paths.js';
import { removeIfSame } from './file-system.js';
import { removeEmptyLeaf } from './region-walk.js';
import { VerifiedFiles } from './verified-files.js';

/**
 * What this process knows of one region's entry files: where they are, their sizes and recency
 * ({@link DiskUsageIndex}, for `maxBytes` and `describe()`) and which versions passed their
 * checksum ({@link VerifiedFiles}). Removals that the store makes go through here, so neither
 * account keeps a file that is gone.
 */
export class RegionFiles {
  /** Sizes and recency of the entry files known to this process. */
  readonly index = new DiskUsageIndex();
  /** Files whose current version passed its checksum here; none with `verifyReads: 'always'`. */
  readonly verified: VerifiedFiles | undefined;

  constructor(
    readonly paths: RegionPaths,
    verifyReads: 'once' | 'always' | undefined,
  ) {
    this.verified = verifyReads === 'always' ? undefined : new VerifiedFiles();
  }

  /** Path of the entry file of `key`. */
  pathOf(key: string): string {
    return entryPath(this.paths, entryFileDigest(key));
  }

  /** Drops the entry file at `path`, which was just removed, from both accounts. */
  forget(path: string): void {
    this.index.recordRemoval(path);
    this.verified?.delete(path);
  }

  /** Removes the file that was read (inode `ino`), and its emptied directory, unless a writer replaced it meanwhile. */
  async removeIfSame(path: string, ino: number): Promise<void> {
    if (await this.removeFileIfSame(path, ino)) await this.removeEmptyDirectories(path);
  }

  /** Removes the file that was read (inode `ino`) unless a writer replaced it; resolves whether it did. */
  async removeFileIfSame(path: string, ino: number): Promise<boolean> {
    if (!(await removeIfSame(path, ino))) return false;
    this.forget(path);
    return true;
  }

  /**
   * After an entry file was removed: removes its leaf directory if that left it empty, so
   * churning keys do not fill the disk with empty directories (up to 65,536 of them, each an
   * inode and a block, that every sweep would list). A writer that loses its directory to this
   * makes it again (see `createTempFile`). The sweep removes what is left empty otherwise.
   */
  async removeEmptyDirectories(entryPath: string): Promise<void> {
    await removeEmptyLeaf(this.paths, entryPath);
  }
}

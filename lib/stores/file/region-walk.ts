import { readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { isFanoutName, type RegionPaths } from './file-paths.js';
import { errorCode, removeEmptyDirectory } from './file-system.js';

/** One leaf directory of a region and the file names in it. */
export interface LeafDirectory {
  /** Absolute path of the leaf directory. */
  dir: string;
  /** Names of the regular files in it (entries, temporary files, anything else); maybe none. */
  names: string[];
  /**
   * Set by the caller when it removed every file of `names`: the walk then removes the
   * directory if it is empty (and its parent, once that has no leaves left).
   */
  emptied: boolean;
}

/**
 * Walks the fan-out tree of a region directory (`<d0d1>/<d2d3>/`), one leaf at a time, so the
 * caller can handle a leaf's files together without listing millions of names at once. Names that
 * are not fan-out directories (the lock directory, foreign files) are skipped. A directory that
 * vanishes during the walk is skipped too; other errors are thrown.
 *
 * Empty directories are removed on the way: a leaf with no files, or one the caller `emptied`,
 * and a first-level directory left without leaves. Writers make them again when they need them
 * (see `createTempFile`), so the tree holds no more directories than the files in it need.
 */
export async function* walkRegion(regionDir: string): AsyncGenerator<LeafDirectory> {
  for (const first of await listDirectories(regionDir)) {
    const firstDir = join(regionDir, first);
    const seconds = await listDirectories(firstDir);
    let leavesLeft = seconds.length;
    for (const second of seconds) {
      const dir = join(firstDir, second);
      const names = (await list(dir)).filter((item) => item.isFile()).map((item) => item.name);
      const leaf: LeafDirectory = { dir, names, emptied: false };
      yield leaf;
      if ((names.length === 0 || leaf.emptied) && (await removeEmptyDirectory(dir))) leavesLeft -= 1;
    }
    if (leavesLeft === 0) await removeEmptyDirectory(firstDir);
  }
}

/**
 * Removes the leaf directory of the entry file at `entryPath` if it is empty. Called after an
 * entry file was removed. First-level directories (at most 256) are left to the sweep: trying
 * them too would cost every removal one more system call, which fails almost always.
 */
export async function removeEmptyLeaf(paths: RegionPaths, entryPath: string): Promise<void> {
  const leaf = dirname(entryPath);
  if (dirname(dirname(leaf)) === paths.regionDir) await removeEmptyDirectory(leaf);
}

async function listDirectories(dir: string): Promise<string[]> {
  return (await list(dir))
    .filter((item) => item.isDirectory() && isFanoutName(item.name))
    .map((item) => item.name)
    .sort();
}

async function list(dir: string) {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return [];
    throw error;
  }
}

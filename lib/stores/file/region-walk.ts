import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { errorCode } from './entry-file-io.js';
import { isFanoutName } from './file-paths.js';

/** One leaf directory of a region and the file names in it. */
export interface LeafDirectory {
  /** Absolute path of the leaf directory. */
  dir: string;
  /** Names of the regular files in it (entries, temporary files, anything else). */
  names: string[];
}

/**
 * Walks the fan-out tree of a region directory (`<d0d1>/<d2d3>/`), one leaf at a time, so the
 * caller can handle a leaf's files together without listing millions of names at once. Names that
 * are not fan-out directories (the lock directory, foreign files) are skipped. A directory that
 * vanishes during the walk is skipped too; other errors are thrown.
 */
export async function* walkRegion(regionDir: string): AsyncGenerator<LeafDirectory> {
  for (const first of await listDirectories(regionDir)) {
    const firstDir = join(regionDir, first);
    for (const second of await listDirectories(firstDir)) {
      const dir = join(firstDir, second);
      const names = (await list(dir)).filter((item) => item.isFile()).map((item) => item.name);
      if (names.length > 0) yield { dir, names };
    }
  }
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

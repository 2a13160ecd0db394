import { mkdir, rmdir, stat, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * The file system steps every part of the file store shares: file and directory modes, creating
 * directories that other processes may be removing, removals that tolerate a file already gone,
 * and reading a system error's code.
 */

/** Mode of every file the store creates: readable by the owner only. */
export const FILE_MODE = 0o600;
/** Mode of every directory the store creates. */
export const DIR_MODE = 0o700;

/**
 * Times a write tries again when the directory it is creating a file in vanishes under it.
 * Fan-out directories are removed as soon as they are empty, by any process sharing the region,
 * so a directory can go between this process's `mkdir` and its `open`; once the temporary file
 * exists, the directory is not empty and stays. Losing that race many times in a row would
 * take other processes emptying the same directory again and again in microsecond windows.
 */
export const VANISHED_DIRECTORY_RETRIES = 50;

/**
 * Creates `dir` and its missing parents (mode 0700), one level at a time: a recursive `mkdir`
 * reports ENOENT on a read-only file system where this reports the real cause, EROFS. A parent
 * removed again before `dir` is made in it (another process pruning empty directories) is made
 * again.
 */
export async function makeDirectory(dir: string): Promise<void> {
  const parent = dirname(dir);
  for (let attempt = 0; ; attempt += 1) {
    try {
      await mkdir(dir, { mode: DIR_MODE });
      return;
    } catch (error) {
      const code = errorCode(error);
      if (code === 'EEXIST') return;
      if (code !== 'ENOENT' || parent === dir || attempt >= VANISHED_DIRECTORY_RETRIES) throw error;
      await makeDirectory(parent);
    }
  }
}

/**
 * Removes `dir` if it is empty. Resolves whether it is gone (removed here or already missing);
 * a directory that is not empty, or cannot be removed, stays and resolves `false`.
 */
export async function removeEmptyDirectory(dir: string): Promise<boolean> {
  try {
    await rmdir(dir);
    return true;
  } catch (error) {
    return errorCode(error) === 'ENOENT';
  }
}

/** Removes a file; a missing one is fine, other failures are thrown only when `strict`. */
export async function removeFile(path: string, strict = false): Promise<void> {
  try {
    await unlink(path);
  } catch (error) {
    if (strict && errorCode(error) !== 'ENOENT') throw error;
  }
}

/**
 * Removes `path` if it is still the file that was read (inode `ino`), not a newer entry a writer
 * renamed over it since. Resolves whether it removed it; failures count as "not removed".
 */
export async function removeIfSame(path: string, ino: number): Promise<boolean> {
  const current = await stat(path).catch(() => undefined);
  if (current?.ino !== ino) return false;
  try {
    await unlink(path);
    return true;
  } catch {
    return false;
  }
}

/** The `code` of a Node.js system error, if any. */
export function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error
    ? String((error as { code: unknown }).code)
    : undefined;
}

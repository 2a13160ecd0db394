import { open, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { errorCode, FILE_MODE, makeDirectory, removeFile } from './file-system.js';

/** A mutex is held for milliseconds; one older than this (ms) was left by a crashed process. */
export const STALE_MUTEX_MS = 10_000;

/**
 * Runs `action` while holding the mutex file at `path` (created exclusively, `wx`), and removes
 * it afterwards. Resolves `'busy'` without running `action` when another process holds it.
 * A mutex older than {@link STALE_MUTEX_MS} is broken: its holder died. Two processes breaking
 * the same stale mutex at the same microsecond could both go on; that needs a crash first.
 * File system errors are thrown as they are.
 */
export async function withFileMutex<T>(path: string, action: () => Promise<T>): Promise<T | 'busy'> {
  if (!(await acquire(path))) return 'busy';
  try {
    return await action();
  } finally {
    await removeFile(path);
  }
}

async function acquire(path: string): Promise<boolean> {
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      await (await open(path, 'wx', FILE_MODE)).close();
      return true;
    } catch (error) {
      const code = errorCode(error);
      if (code === 'ENOENT') {
        await makeDirectory(dirname(path));
      } else if (code === 'EEXIST') {
        const held = await stat(path).catch(() => undefined);
        if (held !== undefined && Date.now() - held.mtimeMs < STALE_MUTEX_MS) return false;
        await removeFile(path);
      } else {
        throw error;
      }
    }
  }
  return false;
}

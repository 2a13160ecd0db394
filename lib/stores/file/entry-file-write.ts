import { open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { tempPathFor } from './file-paths.js';
import { errorCode, FILE_MODE, makeDirectory, VANISHED_DIRECTORY_RETRIES } from './file-system.js';

/**
 * Writing entry files: every write goes to a new temporary file next to its final path, which
 * the caller renames or links into place once it is complete.
 */

/** A temporary file created next to its final path, open for writing. */
export interface TempFile {
  path: string;
  handle: FileHandle;
}

/**
 * Creates a new temporary file next to `finalPath` (mode 0600), creating missing directories
 * (mode 0700) on the way: directories appear on first use, never at construction.
 */
export async function createTempFile(finalPath: string): Promise<TempFile> {
  const path = tempPathFor(finalPath);
  for (let attempt = 0; ; attempt += 1) {
    try {
      return { path, handle: await open(path, 'wx', FILE_MODE) };
    } catch (error) {
      if (errorCode(error) !== 'ENOENT' || attempt >= VANISHED_DIRECTORY_RETRIES) throw error;
      await makeDirectory(dirname(path));
    }
  }
}

/** Writes every buffer, in order, from `position` on, however the kernel splits the writes. */
export async function writeAll(handle: FileHandle, buffers: Buffer[], position: number): Promise<void> {
  let pending = buffers.filter((buffer) => buffer.length > 0);
  let at = position;
  while (pending.length > 0) {
    const { bytesWritten } = await handle.writev(pending, at);
    at += bytesWritten;
    pending = dropWritten(pending, bytesWritten);
  }
}

function dropWritten(buffers: Buffer[], written: number): Buffer[] {
  let left = written;
  const rest: Buffer[] = [];
  for (const buffer of buffers) {
    if (left >= buffer.length) {
      left -= buffer.length;
    } else {
      rest.push(left > 0 ? buffer.subarray(left) : buffer);
      left = 0;
    }
  }
  return rest;
}

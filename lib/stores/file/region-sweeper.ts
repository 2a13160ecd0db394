import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ScannedFile } from './disk-usage-index.js';
import { isExpired } from './entry-file-format.js';
import { openEntry } from './entry-file-read.js';
import { isEntryName, isMutexName, isTempName, type RegionPaths } from './file-paths.js';
import { STALE_MUTEX_MS } from './file-mutex.js';
import { removeFile } from './file-system.js';
import { walkRegion } from './region-walk.js';

/**
 * Temporary files older than this (ms) belong to a crashed writer. A live writer keeps its file's
 * mtime fresh with every write; only one stalled this long loses its file (and its write fails).
 */
export const STALE_TEMP_MS = 5 * 60_000;
/** Bytes read per entry file: the header and a key of up to 4 KiB characters. */
export const HEADER_READ_BYTES = 16 * 1024;

/** What the sweep reports back to its store. */
export interface SweepHandlers {
  /** The store is closing: stop early (the result is then incomplete and ignored). */
  stopped(): boolean;
  /** A damaged entry file (inode `ino`) was found: count, warn and remove it. */
  corrupt(path: string, ino: number, reason: string): Promise<void>;
  /** An expired entry file (inode `ino`) was found: remove it. */
  expired(path: string, ino: number): Promise<void>;
}

/**
 * One pass over a region: reads every entry file's header, hands expired and damaged ones to
 * `handlers`, removes temporary files older than {@link STALE_TEMP_MS}, the directories left
 * empty and this region's stale mutex files, and returns the live entry files found (size and
 * mtime), for LRU accounting.
 */
export async function sweepRegion(
  paths: RegionPaths,
  handlers: SweepHandlers,
): Promise<Map<string, ScannedFile>> {
  const live = new Map<string, ScannedFile>();
  const now = Date.now();
  for await (const leaf of walkRegion(paths.regionDir)) {
    if (handlers.stopped()) return live;
    const kept = await Promise.all(
      leaf.names.map(async (name) => {
        const path = join(leaf.dir, name);
        if (isTempName(name)) return !(await removeIfOlder(path, now - STALE_TEMP_MS));
        if (isEntryName(name)) return sweepEntry(path, now, handlers, live);
        return true; // not ours: left alone
      }),
    );
    // Worth trying only: a file written since keeps the directory, and the removal fails.
    leaf.emptied = !kept.includes(true);
  }
  const lockNames = await readdir(paths.lockDir).catch(() => [] as string[]);
  for (const name of lockNames.filter((item) => isMutexName(paths, item))) {
    await removeIfOlder(join(paths.lockDir, name), now - STALE_MUTEX_MS);
  }
  return live;
}

/** Sweeps one entry file; resolves whether a live entry stays. */
async function sweepEntry(
  path: string,
  now: number,
  handlers: SweepHandlers,
  live: Map<string, ScannedFile>,
): Promise<boolean> {
  const result = await openEntry(path, HEADER_READ_BYTES);
  if (result.status === 'missing') return false;
  if (result.status === 'corrupt') {
    await handlers.corrupt(path, result.ino, result.reason);
    return false;
  }
  await result.handle.close();
  if (isExpired(result.header.expiresAt, now)) {
    await handlers.expired(path, result.ino);
    return false;
  }
  live.set(path, { size: result.size, mtimeMs: result.mtimeMs });
  return true;
}

/** Removes the file at `path` if it was last modified before `cutoffMs`; resolves whether it did. */
async function removeIfOlder(path: string, cutoffMs: number): Promise<boolean> {
  const stats = await stat(path).catch(() => undefined);
  if (stats === undefined || stats.mtimeMs >= cutoffMs) return stats === undefined;
  await removeFile(path);
  return true;
}

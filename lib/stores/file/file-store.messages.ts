import { CacheStoreError } from '../../errors.js';
import { errorCode } from './file-system.js';

/**
 * Messages of the file store, in one place: each names the region, the path and what to do.
 */

/**
 * Wraps a file system failure (EACCES, EROFS, ENOSPC, ENOTDIR…) of `action` on `path` in a
 * {@link CacheStoreError} that keeps the original as `cause`.
 */
export function diskError(region: string, action: string, path: string, cause: unknown): CacheStoreError {
  return new CacheStoreError(
    `File store of region "${region}" could not ${action} ${path} (${systemErrorDetail(cause)}). ` +
      'Check that the cache directory exists, is writable by this process and has free space; ' +
      'until then the region counts each operation as a store failure.',
    { cause },
  );
}

/**
 * `ENOENT: no such file or directory, open '…'` once: Node's own messages already start with the
 * code, so it is added only to messages that lack it.
 */
function systemErrorDetail(cause: unknown): string {
  const code = errorCode(cause);
  const detail = cause instanceof Error ? cause.message : String(cause);
  if (code === undefined) return detail;
  return detail.startsWith(`${code}:`) || detail.startsWith(`${code} `) || detail === code ? detail : `${code}: ${detail}`;
}

/** Warning for a damaged entry file that was removed. */
export function corruptEntryMessage(region: string, path: string, reason: string): string {
  return `File store of region "${region}" removed the damaged entry file ${path} (${reason}); it reads as a miss. Repeated damage points at a failing disk or at another program writing into the cache directory.`;
}

/** Warning for a periodic sweep that failed. */
export function sweepFailedMessage(region: string, dir: string, cause: unknown): string {
  return `File store of region "${region}" could not sweep ${dir} (${systemErrorDetail(cause)}); expired and temporary files stay until the next sweep succeeds. Check the directory's permissions.`;
}

/** Error for `getStream()` of an entry whose value is not bytes or a string. */
export function notStreamableMessage(region: string, valueType: string): string {
  return `File store of region "${region}": getStream() found a ${valueType} value, which has no byte form; read it with get(), or store bytes (a Buffer, a string or setStream()).`;
}

/** Error ending a `getStream()` whose bytes did not match their checksum. */
export function damagedStreamError(region: string, path: string): CacheStoreError {
  return new CacheStoreError(
    `File store of region "${region}": the entry file ${path} is damaged (payload checksum mismatch), so the bytes streamed from it are not the value; it was removed and reads as a miss from now on. Discard what was read. Repeated damage points at a failing disk or at another program writing into the cache directory.`,
  );
}

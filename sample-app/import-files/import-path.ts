import { isAbsolute, relative, resolve, sep } from 'node:path';

/** Where a requested name points: a path inside the import directory, or why it was refused. */
export type ImportPath = { path: string } | { refused: string };

/** Whether `path` lies strictly inside `dir` (both absolute). Compares path segments, not string prefixes. */
export function isInside(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

/** Longest file name (one path segment) that common file systems take, in bytes (Linux NAME_MAX). */
export const MAX_NAME_BYTES = 255;

/**
 * Resolves a requested file name (already URL-decoded) against the import directory. Refuses
 * NUL bytes, segments longer than {@link MAX_NAME_BYTES} (no such file can exist, and the file
 * system would answer ENAMETOOLONG), absolute paths and anything that resolves outside the
 * directory or to the directory itself. Symlinks are not followed here: the reader checks the
 * real path.
 */
export function resolveImportPath(importDir: string, name: string): ImportPath {
  if (name === '') return { refused: 'the file name is empty' };
  if (name.includes('\0')) return { refused: 'the file name contains a NUL byte' };
  if (name.split(sep === '\\' ? /[\\/]/ : '/').some((segment) => Buffer.byteLength(segment) > MAX_NAME_BYTES)) {
    return { refused: `the file name is longer than ${MAX_NAME_BYTES} bytes` };
  }
  if (isAbsolute(name)) return { refused: 'absolute paths are not served' };
  const path = resolve(importDir, name);
  if (!isInside(importDir, path)) return { refused: 'the name points outside the import directory' };
  return { path };
}

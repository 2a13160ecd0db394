import { isAbsolute, relative, resolve, sep } from 'node:path';

/** Where a requested name points: a path inside the import directory, or why it was refused. */
export type ImportPath = { path: string } | { refused: string };

/** Whether `path` lies strictly inside `dir` (both absolute). Compares path segments, not string prefixes. */
export function isInside(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

/**
 * Resolves a requested file name (already URL-decoded) against the import directory. Refuses
 * NUL bytes, absolute paths and anything that resolves outside the directory or to the
 * directory itself. Symlinks are not followed here: the reader checks the real path.
 */
export function resolveImportPath(importDir: string, name: string): ImportPath {
  if (name === '') return { refused: 'the file name is empty' };
  if (name.includes('\0')) return { refused: 'the file name contains a NUL byte' };
  if (isAbsolute(name)) return { refused: 'absolute paths are not served' };
  const path = resolve(importDir, name);
  if (!isInside(importDir, path)) return { refused: 'the name points outside the import directory' };
  return { path };
}

import { createHash, hash, randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { CacheConfigError } from '../../errors.js';
import { isRegionName } from '../../region-name.js';

/**
 * Where the file store puts things. Every name below the region directory is derived from a
 * SHA-256 digest of the key, so no key, however crafted, can name a path of its own choosing.
 *
 * Layout: `<dir>/<region>/<d0d1>/<d2d3>/<digest>` (64 hex characters). Two levels of 256
 * subdirectories keep every directory small: a leaf holds ~150 entries at 10 million entries.
 * Temporary files sit next to their target (`<digest>.<random>.tmp`) so the final rename never
 * crosses a file system.
 */

/**
 * Region directory names the store accepts: the config's own characters (letters, digits, `_`,
 * `-`, and `.` from key prefixes), `~` before a digest, never `.` or `..`, checked again so no
 * name can escape.
 */
const SAFE_REGION = /^(?!\.{1,2}$)[A-Za-z0-9_.-]{1,200}(?:~[0-9a-f]{16})?$/;
const ENTRY_NAME = /^[0-9a-f]{64}$/;
const FANOUT_NAME = /^[0-9a-f]{2}$/;
const TEMP_SUFFIX = '.tmp';
/** Separates the readable part of a region directory name from its digest (see regionDirName). */
const DIGEST_SEPARATOR = '~';
const MUTEX_SUFFIX = '.lock';

/** Name of the default lock directory inside the region directory (dot-names are never entries). */
const DEFAULT_LOCK_SUBDIR = '.locks';

/** Digest of a key as used in file names: SHA-256 over the key's UTF-16 code units, in hex. */
export function entryFileDigest(key: string): string {
  // UTF-16LE is injective over every JS string; UTF-8 maps lone surrogates to U+FFFD.
  return hash('sha256', Buffer.from(key, 'utf16le'), 'hex');
}

/** Resolved directories of one region's files. */
export interface RegionPaths {
  /** `<dir>/<region>`: entries and their fan-out subdirectories. */
  readonly regionDir: string;
  /** Directory of the short-lived mutex files `add()` takes. */
  readonly lockDir: string;
  /** Prefix of this region's mutex file names (a lock directory may be shared by regions). */
  readonly mutexPrefix: string;
}

/** Checks a region name with the configuration's own rule, so no caller can slip a path through. */
export function checkRegionName(dir: string, region: string): void {
  if (typeof region !== 'string' || !isRegionName(region)) {
    throw new CacheConfigError(
      `File store: region name ${JSON.stringify(region)} cannot be used under "${dir}"; use letters, digits, "_" and "-" only.`,
    );
  }
}

/**
 * The directory name of a region: its namespace (app prefix, region prefix, name, joined by `:`)
 * with `:` read as `.`, so apps with different key prefixes sharing `dir` never read or clear each
 * other's entries: `files`, `myapp.files`, `myapp.eu.files`.
 *
 * Prefixes may contain `.` themselves, and then the readable form is ambiguous: prefix `a.b`
 * and prefixes `a` + `b` would both give `a.b.files`. A namespace with a `.` of its own therefore
 * gets a digest of the exact namespace after a `~` (which no prefix contains): `a.b.files~1f…`.
 */
export function regionDirName(namespace: string): string {
  const readable = namespace.replaceAll(':', '.');
  if (!namespace.includes('.')) return readable;
  return `${readable}${DIGEST_SEPARATOR}${createHash('sha256').update(namespace).digest('hex').slice(0, 16)}`;
}

/**
 * Resolves a region's directories. Throws {@link CacheConfigError} for a region name that could
 * name a path outside `dir` (config validation normally rejects it first).
 */
export function regionPaths(dir: string, region: string, lockDir?: string): RegionPaths {
  if (!SAFE_REGION.test(region)) {
    throw new CacheConfigError(
      `File store: region name ${JSON.stringify(region)} cannot be used as a directory name under "${dir}"; use letters, digits, "_", "-" and "." only (prefixes and region name together at most 200 characters).`,
    );
  }
  const regionDir = join(resolve(dir), region);
  return {
    regionDir,
    lockDir: lockDir === undefined ? join(regionDir, DEFAULT_LOCK_SUBDIR) : resolve(lockDir),
    mutexPrefix: `${region}.`,
  };
}

/** Directory holding the entry of `digest`. */
export function entryDir(paths: RegionPaths, digest: string): string {
  return join(paths.regionDir, digest.slice(0, 2), digest.slice(2, 4));
}

/** Path of the entry file of `digest`. */
export function entryPath(paths: RegionPaths, digest: string): string {
  return join(entryDir(paths, digest), digest);
}

/** A fresh, unique temporary path next to `finalPath`. */
export function tempPathFor(finalPath: string): string {
  return `${finalPath}.${process.pid.toString(36)}-${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`;
}

/** Path of the mutex file `add()` holds while it replaces a dead entry of `digest`. */
export function mutexPath(paths: RegionPaths, digest: string): string {
  return join(paths.lockDir, `${paths.mutexPrefix}${digest}${MUTEX_SUFFIX}`);
}

/** Whether a directory entry name is an entry file. */
export function isEntryName(name: string): boolean {
  return ENTRY_NAME.test(name);
}

/** Whether a directory entry name is a fan-out subdirectory. */
export function isFanoutName(name: string): boolean {
  return FANOUT_NAME.test(name);
}

/** Whether a directory entry name is a temporary file left by a write. */
export function isTempName(name: string): boolean {
  return name.endsWith(TEMP_SUFFIX) && ENTRY_NAME.test(name.slice(0, 64));
}

/** Whether a file name in the lock directory is one of this region's mutex files. */
export function isMutexName(paths: RegionPaths, name: string): boolean {
  if (!name.startsWith(paths.mutexPrefix) || !name.endsWith(MUTEX_SUFFIX)) return false;
  // Exactly a digest in between: 'a.' must not claim the mutex files of region directory 'a.b'.
  return ENTRY_NAME.test(name.slice(paths.mutexPrefix.length, -MUTEX_SUFFIX.length));
}

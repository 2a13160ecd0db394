import { createHash, randomBytes } from 'node:crypto';

/**
 * How a store key becomes a memcached key: `<namespace>|<generation>|<key>`.
 *
 * - `<namespace>` is the region's namespace verbatim when it is short and made of plain
 *   characters (readable in memcached's stats), else `#` + 22 characters of its SHA-256. It never
 *   contains `|`, so different namespaces can never produce the same memcached key.
 * - `<generation>` is 8 base64url characters kept in memcached under `<namespace>|!gen`; `clear()`
 *   writes a new one, which orphans every entry of the old one (memcached evicts them in time).
 * - Internal keys (`!gen`, `!ping…`) start with `!`, which no generation contains.
 */

/** Memcached's key limit in bytes (binary and text protocol alike). */
export const MEMCACHED_MAX_KEY_BYTES = 250;
/** Length of a generation id, in characters (base64url of 6 random bytes). */
export const GENERATION_LENGTH = 8;
const GENERATION = /^[A-Za-z0-9_-]{8}$/;
const VERBATIM_NAMESPACE = /^[A-Za-z0-9_.:/@+=-]{1,64}$/;
/** Whitespace and control characters: memcached's text protocol cannot carry them in keys. */
export const MEMCACHED_FORBIDDEN_KEY_CHARS = /[\s\p{Cc}]/u;

/** The namespace part of every key of a region (see the module comment). */
export function namespacePart(namespace: string): string {
  if (VERBATIM_NAMESPACE.test(namespace)) return namespace;
  return `#${createHash('sha256').update(namespace).digest('base64url').slice(0, 22)}`;
}

/** Bytes that the namespace and generation take in front of every store key. */
export function keyOverheadBytes(nsPart: string): number {
  return Buffer.byteLength(nsPart) + GENERATION_LENGTH + 2;
}

/** The memcached key of a store key under a generation. */
export function entryKey(nsPart: string, generation: string, key: string): string {
  return `${nsPart}|${generation}|${key}`;
}

/** The memcached key that holds a region's current generation. */
export function generationKey(nsPart: string): string {
  return `${nsPart}|!gen`;
}

/** A memcached key for health checks; `index` varies it so that every server gets one. */
export function pingKey(nsPart: string, index: number): string {
  return `${nsPart}|!ping${index}`;
}

/** A fresh random generation id. */
export function newGeneration(): string {
  return randomBytes(6).toString('base64url');
}

/** The generation id in bytes read from memcached, or `undefined` when they are not one. */
export function parseGeneration(bytes: Buffer | null | undefined): string | undefined {
  if (!bytes || bytes.length !== GENERATION_LENGTH) return undefined;
  const text = bytes.toString('latin1');
  return GENERATION.test(text) ? text : undefined;
}

/**
 * One health-check key per server, each owned by its server (`ownerOf`: the hash ring's lookup),
 * so that `ping()` reaches every server.
 */
export function pingKeys(nsPart: string, servers: number, ownerOf: (key: string) => number): string[] {
  const keys: (string | undefined)[] = new Array<string | undefined>(servers).fill(undefined);
  let missing = servers;
  // Every server owns 160 points, so a few hundred candidates cover them all; the bound only
  // guards against a ring that ever gave a server no points.
  for (let i = 0; missing > 0 && i < 100_000; i++) {
    const key = pingKey(nsPart, i);
    const owner = ownerOf(key);
    if (keys[owner] === undefined) {
      keys[owner] = key;
      missing--;
    }
  }
  return keys.map((key, index) => key ?? pingKey(nsPart, -index - 1));
}

/**
 * How a store key becomes a Redis key: `<namespace>|<key>`, where `<namespace>` is the region's
 * namespace (app prefix, region prefix and region name joined with `:`), verbatim so that
 * `redis-cli --scan` reads it. Namespaces never contain `|`, so the keys of two regions or apps
 * can never meet, and `<namespace>|*` matches one region's keys and no other's.
 */

/**
 * Longest store key, in UTF-8 bytes, before the region hashes it (head + SHA-256). Redis takes
 * keys up to 512 MB, but every byte of a key is kept in memory and hashed on each command.
 */
export const REDIS_MAX_KEY_BYTES = 1_024;

/** The Redis key of a store key. */
export function redisKey(namespace: string, key: string): string {
  return `${namespace}|${key}`;
}

/**
 * The `SCAN MATCH` pattern of every key of a region. Glob characters of the namespace are
 * escaped (the configuration allows none today; the pattern must not widen if that changes).
 */
export function regionKeyPattern(namespace: string): string {
  return `${namespace.replace(/[*?[\]\\]/g, '\\$&')}|*`;
}

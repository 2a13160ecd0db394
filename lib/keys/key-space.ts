/**
 * One store holds two kinds of entries: the user's (`region.get/set…`, `@Cached`) and the
 * library's own (today the locks of `lock: true`). They live in disjoint key spaces, so no key a
 * user passes — whatever its characters — can read, take or release an internal entry.
 *
 * - Internal keys start with `!` and a lowercase letter: `!lock|<user store key>`.
 * - A user key that starts with `!` is stored with one more `!` in front (`!lock|x` → `!!lock|x`),
 *   so every user key starts with `!!` or with another character than `!`.
 *
 * Both are fitted to the store's limits afterwards; fitting keeps the two spaces apart, since a
 * key kept unchanged keeps its first characters and a hashed key is a digest of the whole key.
 */

const BANG = 0x21; // '!'

/** The key under which a user key is stored (before fitting to the store's limits). */
export function userSpaceKey(key: string): string {
  return key.charCodeAt(0) === BANG ? `!${key}` : key;
}

/**
 * Whether a store key is one of the library's own entries (a lock). Stores that fail over must
 * keep such keys on their own server: a lock read or taken elsewhere would be two locks.
 */
export function isInternalSpaceKey(storeKey: string): boolean {
  return storeKey.charCodeAt(0) === BANG && storeKey.charCodeAt(1) !== BANG;
}

/**
 * The key of the cross-process lock that guards computing `storeKey` (an already fitted user key).
 */
export function lockSpaceKey(storeKey: string): string {
  return `!lock|${storeKey}`;
}

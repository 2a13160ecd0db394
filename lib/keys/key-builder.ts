import { CacheKeyError, CacheKeyTooLongError } from '../errors.js';
import type { KeyContext } from './key-context.js';
import { hashedKeyDigest, isWellFormed } from './key-digest.js';
import type { StoreKeyLimits } from './key-limits.js';
import { serializeArgs } from './key-material.js';
import { keyTooLongMessage, unfittableLimitsMessage } from './key.messages.js';

/**
 * Separates a hashed key's readable head from its digest. A key that contains it is always
 * hashed, so a key kept unchanged can never equal a hashed one.
 */
const DIGEST_MARKER = '#sha256:';

/** Stands in for forbidden characters in a hashed key's head (which is for humans only). */
const REPLACEMENT = '_';

/**
 * The logical key of a method call: `${namespace}|${serializeArgs(args)}`, e.g.
 * `LeaseService.expiration|@User{id:7,name:"Ann"}|"2024-01-01"` — readable, so an operator can
 * tell which method a memcached key belongs to.
 *
 * `|` and `\` in the namespace are escaped with `\`, so a namespace can never run into the
 * arguments (`'A|1'` with `[2]` differs from `'A'` with `[1, 2]`). Arguments are compared by value,
 * including their count: `f()` and `f(undefined)` are different keys.
 * @param namespace `Class.method` by default, or the `namespace` option of `@Cached`.
 * @throws CacheKeyError when an argument cannot be key material (see {@link serializeArgs}).
 */
export function buildCallKey(namespace: string, args: readonly unknown[], context: KeyContext): string {
  return callKeyPrefix(namespace) + serializeArgs(args, context);
}

/**
 * `buildCallKey(namespace, args, context)` as `callKeyPrefix(namespace) + serializeArgs(args,
 * context)`: a cached method's namespace never changes, so its keyer computes the prefix once
 * instead of on every call.
 */
export function callKeyPrefix(namespace: string): string {
  return `${escapeNamespace(namespace)}|`;
}

/**
 * Fits a logical key into a store's limits. Apply it once, to the complete key (prefixes
 * included): its result is a store key, and fitting a hashed key again hashes it again.
 *
 * - A key within `maxBytes` UTF-8 bytes, free of `forbidden` characters, of lone surrogates and
 *   of the digest marker `#sha256:` is returned unchanged. This is the common case and costs no
 *   allocation when `key.length * 3 <= maxBytes`.
 * - Otherwise the key is hashed: a readable head of the key (forbidden characters replaced by
 *   `_`, cut on a UTF-8 character boundary) + `#sha256:` + the base64url SHA-256 of the FULL key.
 *   The result is at most `maxBytes` bytes, free of forbidden characters, the same in every
 *   process, and never equal to a key returned unchanged (those never contain the marker).
 * - `onLongKey: 'error'` throws only for *length*: a key over `maxBytes` throws
 *   {@link CacheKeyTooLongError}, while a key within the length that has forbidden characters is
 *   still hashed, since no choice of key material by the user is wrong there.
 *
 * @param limits the store's limits: `maxBytes` in UTF-8 bytes, optional `forbidden` characters.
 * @param onLongKey the region's policy for keys over `maxBytes`. Default of the region: `'hash'`.
 * @throws CacheKeyTooLongError under `'error'`, naming the method (or the key's head), the byte
 *   length and the limit.
 * @throws CacheKeyError when the limits cannot hold any hashed key (under 51 bytes, or forbidding
 *   the digest's characters) — a store misconfiguration.
 */
export function fitKey(
  key: string,
  limits: StoreKeyLimits,
  onLongKey: 'hash' | 'error',
  context: KeyContext,
): string {
  const { maxBytes, forbidden } = limits;
  // The common case first, with no byte count: short, plain, well-formed.
  if (
    key.length * 3 <= maxBytes &&
    (forbidden === undefined || !matches(forbidden, key)) &&
    !hasDigestMarker(key) &&
    isWellFormed(key)
  ) {
    return key;
  }
  // Every UTF-16 code unit takes at most 3 UTF-8 bytes, so short keys need no byte count.
  const byteLength = key.length * 3 <= maxBytes ? 0 : Buffer.byteLength(key, 'utf8');
  if (byteLength <= maxBytes) {
    const clean =
      !hasDigestMarker(key) && (forbidden === undefined || !matches(forbidden, key)) && isWellFormed(key);
    return clean ? key : hashedKey(key, limits, context);
  }
  // Too long: hashed (or refused) whatever its characters, so they need no scan.
  if (onLongKey === 'error') {
    throw new CacheKeyTooLongError(keyTooLongMessage(context, key, byteLength, limits), byteLength, maxBytes);
  }
  return hashedKey(key, limits, context);
}

/**
 * Whether the key contains {@link DIGEST_MARKER}. Most keys have no `#` at all, and looking for
 * one character costs less than searching for the marker.
 */
function hasDigestMarker(key: string): boolean {
  return key.indexOf('#') !== -1 && key.includes(DIGEST_MARKER);
}

function escapeNamespace(namespace: string): string {
  return namespace.includes('|') || namespace.includes('\\') ? namespace.replace(/[\\|]/g, '\\$&') : namespace;
}

function hashedKey(key: string, limits: StoreKeyLimits, context: KeyContext): string {
  const { maxBytes, forbidden } = limits;
  const tail = DIGEST_MARKER + hashedKeyDigest(key);
  const budget = maxBytes - tail.length;
  if (budget < 0) {
    throw new CacheKeyError(
      unfittableLimitsMessage(
        context,
        `its keys may be at most ${maxBytes} bytes, and a hashed key needs ${tail.length}`,
      ),
    );
  }
  if (forbidden !== undefined && matches(forbidden, tail)) {
    throw new CacheKeyError(
      unfittableLimitsMessage(context, `it forbids characters used by the digest (${String(forbidden)})`),
    );
  }
  const fitted = readableHead(key, budget, forbidden) + tail;
  // A multi-character forbidden pattern could straddle head and tail; the bare tail is safe.
  return forbidden !== undefined && matches(forbidden, fitted) ? tail : fitted;
}

/** At most `budget` UTF-8 bytes of the key's start, without forbidden characters or split characters. */
function readableHead(key: string, budget: number, forbidden: RegExp | undefined): string {
  // Each code unit is at least one byte, so `budget` code units are always enough.
  let head = toWellFormed(key.slice(0, budget));
  if (forbidden !== undefined) {
    head = head.replace(globalVersion(forbidden), matches(forbidden, REPLACEMENT) ? '' : REPLACEMENT);
  }
  if (Buffer.byteLength(head, 'utf8') <= budget) return head;
  const bytes = Buffer.from(head, 'utf8');
  let end = budget;
  // Step back over UTF-8 continuation bytes (10xxxxxx) to the start of the character cut in two.
  while (end > 0 && (bytes[end] & 0xc0) === 0x80) end--;
  return bytes.toString('utf8', 0, end);
}

function toWellFormed(text: string): string {
  return (text as unknown as { toWellFormed(): string }).toWellFormed();
}

// Derived patterns, memoized per store pattern: `test` on a /g or /y pattern moves its lastIndex
// and would answer differently from one call to the next.
const statelessVersions = new WeakMap<RegExp, RegExp>();
const globalVersions = new WeakMap<RegExp, RegExp>();

function matches(pattern: RegExp, text: string): boolean {
  if (!pattern.global && !pattern.sticky) return pattern.test(text);
  let stateless = statelessVersions.get(pattern);
  if (stateless === undefined) {
    stateless = new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, ''));
    statelessVersions.set(pattern, stateless);
  }
  return stateless.test(text);
}

function globalVersion(pattern: RegExp): RegExp {
  let global = globalVersions.get(pattern);
  if (global === undefined) {
    global = new RegExp(pattern.source, `${pattern.flags.replace(/[gy]/g, '')}g`);
    globalVersions.set(pattern, global);
  }
  return global;
}

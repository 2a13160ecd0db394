import type { KeyContext } from './key-context.js';
import type { StoreKeyLimits } from './key-limits.js';

/** `LeaseService.expiration()` in region "functions" — or just the region when no method is known. */
function where(context: KeyContext): string {
  const region = `region "${context.region}"`;
  if (context.methodName === undefined) return region;
  const method = context.className ? `${context.className}.${context.methodName}` : context.methodName;
  return `${method}() in ${region}`;
}

/**
 * A value that cannot become key material.
 * @param argIndex 0-based position in the argument list; `undefined` for a single value
 *   (the `key` option's result or a key given directly to a region).
 * @param path where inside the argument, e.g. `.user.tags[3]`; empty for the argument itself.
 */
export function keyMaterialMessage(
  context: KeyContext,
  argIndex: number | undefined,
  path: string,
  problem: string,
): string {
  const subject = argIndex === undefined ? 'the key material' : `argument #${argIndex + 1}`;
  const at = path === '' ? '' : ` (${path})`;
  const fixes =
    argIndex === undefined
      ? 'Return plain data (strings, numbers, plain objects, arrays, Dates…) from the key material, ' +
        "implement toCacheKey() on the object's class, or set onKeyError: 'bypass' on the region"
      : "Implement toCacheKey() on the argument's class, pass the `key` option of @Cached to choose " +
        "the key material, or set onKeyError: 'bypass' on the region to run such calls uncached";
  return `Cannot build a cache key for ${where(context)}: ${subject}${at} ${problem}. ${fixes}.`;
}

/**
 * A key over the store's byte limit under `onLongKey: 'error'`. `limits` is the store's
 * `keyLimits` (or just its `maxBytes`); its `explain`, when set, says where the figure comes from.
 */
export function keyTooLongMessage(
  context: KeyContext,
  key: string,
  byteLength: number,
  limits: number | Pick<StoreKeyLimits, 'maxBytes' | 'explain'>,
): string {
  // Name the method when known; otherwise a short head of the key, enough to recognize it
  // without copying a whole (possibly personal) argument list into the logs.
  const subject =
    context.methodName === undefined
      ? `The cache key "${key.length > 40 ? `${key.slice(0, 40)}…` : key}" in ${where(context)}`
      : `The cache key of ${where(context)}`;
  const { maxBytes, explain } = typeof limits === 'number' ? { maxBytes: limits, explain: undefined } : limits;
  return (
    `${subject} is ${byteLength} bytes, over the store's limit of ${maxBytes} bytes${explain ? ` (${explain})` : ''}. ` +
    'Pass the `key` option of @Cached to choose shorter key material, or set ' +
    "onLongKey: 'hash' on the region to shorten long keys to a readable head plus a SHA-256 digest."
  );
}

/** The store's limits leave no room for a digest, or forbid the characters it is written with. */
export function unfittableLimitsMessage(context: KeyContext, reason: string): string {
  return (
    `Cannot fit a cache key into the store of ${where(context)}: ${reason}. ` +
    'A custom store must allow keys of at least 64 bytes made of letters, digits, "#", ":", "-" and "_".'
  );
}

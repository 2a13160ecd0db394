import { CacheConfigError } from './errors.js';
import { invalidTtl, ttlBeyondAnyStore, ttlRoundsToZero, zeroDuration } from './ttl.messages.js';

/**
 * A lifetime. A number is seconds (as in memcached, Beaker and Django); a string is a duration
 * such as `'500ms'`, `'30s'`, `'60m'`, `'12h'` or `'5d'`. `0` means no expiry.
 *
 * Refused: a positive ttl that rounds to 0 ms (`0.0004`, `'0.4ms'`), a zero duration with a unit
 * (`'0ms'`, `'0s'`), and anything over {@link MAX_TTL_MS}; a store may allow less
 * (`CacheStore.maxTtlMs`; memcached: until 2106).
 */
export type Ttl = number | string;

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

const DURATION = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/;

const MAX_TTL_DAYS = 100_000;
/**
 * Longest ttl of any store: 100,000 days (about 273 years), in ms. Anything longer is a mistake
 * (`1e20`, `'99999999999d'`): `0` says "no expiry".
 */
export const MAX_TTL_MS = MAX_TTL_DAYS * UNIT_MS.d;

/**
 * Converts a {@link Ttl} to milliseconds (0 = no expiry). `where` names the option in the error
 * message, e.g. `region "files" option "ttl"`.
 *
 * @throws CacheConfigError for a negative, non-finite or malformed ttl, a positive one that
 * rounds to 0 ms, a zero duration with a unit, and one over {@link MAX_TTL_MS}.
 */
export function ttlToMs(ttl: Ttl, where: string): number {
  let amount: number;
  let unit: string | undefined;
  if (typeof ttl === 'number') {
    if (!Number.isFinite(ttl) || ttl < 0) throw new CacheConfigError(invalidTtl(ttl, where));
    amount = ttl;
  } else {
    const match = typeof ttl === 'string' ? DURATION.exec(ttl) : null;
    if (!match) throw new CacheConfigError(invalidTtl(ttl, where));
    amount = Number(match[1]);
    unit = match[2];
  }
  if (amount === 0) {
    // A bare 0 (or '0') is the documented "no expiry"; '0ms' or '0d' reads like "do not cache".
    if (unit !== undefined) throw new CacheConfigError(zeroDuration(ttl as string, where));
    return 0;
  }
  const ms = Math.round(amount * UNIT_MS[unit ?? 's']);
  if (ms === 0) throw new CacheConfigError(ttlRoundsToZero(ttl, where));
  if (ms > MAX_TTL_MS) throw new CacheConfigError(ttlBeyondAnyStore(ttl, where, MAX_TTL_DAYS));
  return ms;
}

import { CacheConfigError } from './errors.js';

/**
 * A lifetime. A number is seconds (as in memcached, Beaker and Django); a string is a duration
 * such as `'500ms'`, `'30s'`, `'60m'`, `'12h'` or `'5d'`. `0` means no expiry.
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

/**
 * Converts a {@link Ttl} to milliseconds (0 = no expiry). `where` names the option in the error
 * message, e.g. `region "files" option "ttl"`.
 */
export function ttlToMs(ttl: Ttl, where: string): number {
  if (typeof ttl === 'number') {
    if (!Number.isFinite(ttl) || ttl < 0) {
      throw new CacheConfigError(
        `Invalid ttl ${String(ttl)} for ${where}: use a number of seconds >= 0 (0 = no expiry) or a duration like '30s', '60m', '5d'.`,
      );
    }
    return Math.round(ttl * 1_000);
  }
  if (typeof ttl === 'string') {
    const match = DURATION.exec(ttl);
    if (match) {
      return Math.round(Number(match[1]) * UNIT_MS[match[2] ?? 's']);
    }
  }
  throw new CacheConfigError(
    `Invalid ttl ${JSON.stringify(ttl)} for ${where}: use a number of seconds >= 0 (0 = no expiry) or a duration like '500ms', '30s', '60m', '12h', '5d'.`,
  );
}

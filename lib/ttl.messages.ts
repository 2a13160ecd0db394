/**
 * Messages of the ttl checks: each names where the ttl is set, says what is wrong with it and how
 * to write it instead.
 */

/** How a ttl is written, repeated by every ttl message so they all give the same examples. */
export const TTL_USAGE =
  "use a number of seconds >= 0 (0 = no expiry) or a duration like '500ms', '30s', '60m', '12h', '5d'";

/** `1e20` → `100000000000000000000`, `'5d'` → `"5d"`: a ttl as the user wrote it. */
const shown = (ttl: unknown): string => (typeof ttl === 'string' ? JSON.stringify(ttl) : String(ttl));

/** A number or string that is no ttl at all. */
export const invalidTtl = (ttl: unknown, where: string) => `Invalid ttl ${shown(ttl)} for ${where}: ${TTL_USAGE}.`;

/** A positive ttl under half a millisecond: it would round to 0, which means "never expires". */
export const ttlRoundsToZero = (ttl: unknown, where: string) =>
  `Invalid ttl ${shown(ttl)} for ${where}: it rounds to 0 ms, and 0 means "no expiry", the opposite of a short ttl. ` +
  "Use at least 1 ms ('1ms' or 0.001), or 0 for no expiry.";

/** `'0ms'`, `'0s'`, `'0d'`: a duration of zero reads like "do not cache", but 0 means no expiry. */
export const zeroDuration = (ttl: string, where: string) =>
  `Invalid ttl ${shown(ttl)} for ${where}: a duration of zero is ambiguous, since 0 means "no expiry", not "do not cache". ` +
  "Write 0 for no expiry, or use store: 'none' to cache nothing.";

/** A ttl longer than any store keeps an entry. */
export const ttlBeyondAnyStore = (ttl: unknown, where: string, maxDays: number) =>
  `Invalid ttl ${shown(ttl)} for ${where}: it is longer than any store keeps an entry (at most ${maxDays} days, about ${Math.floor(maxDays / 365.25)} years). ` +
  "Use a shorter ttl like '5d', or 0 for no expiry.";

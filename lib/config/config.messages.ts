/**
 * Messages of the configuration checks that guard against settings that cannot work: each names
 * the option and where it is set, says what is wrong and how to fix it.
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

/** A lifetime (ttl, plus staleTtl where the region adds it) beyond what the region's store can keep. */
export const ttlBeyondStore = (
  ttl: string,
  where: string,
  storeKind: string,
  maxTtlMs: number,
  now: number,
  staleTtlMs: number,
) => {
  // To the second: the store's limit is in whole seconds (and `now` is read a moment after it).
  const until = new Date(Math.floor((now + maxTtlMs) / 1_000) * 1_000).toISOString().replace('.000Z', 'Z');
  const stale = staleTtlMs > 0 ? `, plus the region's staleTtl of ${staleTtlMs / 1_000} s,` : '';
  return (
    `Invalid ttl ${ttl} for ${where}: an entry written now would live${stale} beyond what the ${storeKind} store can keep, ` +
    `which is until ${until} (${Math.floor(maxTtlMs / 86_400_000)} days from now). Use a shorter ttl, or 0 for no expiry.`
  );
};

/** An integer option outside its bounds; `why` explains the upper bound when there is one. */
export const integerOutOfRange = (option: string, where: string, expected: string, got: string, why: string | undefined) =>
  `Invalid option "${option}" in ${where}: expected ${expected}, got ${got}.` + (why ? ` ${why}.` : '');

/** A path with a NUL byte: no file system accepts one, so every file operation would fail. */
export const nulInPath = (option: string, where: string) =>
  `Invalid option "${option}" in ${where}: the path contains a NUL byte ("\\0"), which no file system accepts, so every read and write of the region would fail. ` +
  'Remove the NUL byte (check how the path is built, e.g. from an environment variable).';

/** Names that would land on an object's prototype machinery rather than name a region. */
export const RESERVED_REGION_NAMES: readonly string[] = ['__proto__', 'constructor', 'prototype'];

/** A region named `__proto__`, `constructor` or `prototype`. */
export const reservedRegionName = (name: string, where: string) =>
  `Invalid region name "${name}" in ${where}: ${RESERVED_REGION_NAMES.map((n) => `"${n}"`).join(', ')} are reserved, ` +
  'because JavaScript objects treat them specially (a region of that name could become a prototype instead of a region). ' +
  'Choose another name.';

/** One `CacheStore` object configured as the store of two regions. */
export const sharedStoreInstance = (first: string, second: string, fromDefaults: boolean) =>
  `Regions "${first}" and "${second}" are given the same store instance${fromDefaults ? ' (through "defaults.store")' : ''}: ` +
  'a store serves exactly one region, else the regions read and overwrite each other\'s entries and clear() on one empties both. ' +
  (fromDefaults
    ? 'Set "store" on each region instead of in "defaults", with its own instance (store: new MyStore() per region).'
    : 'Give each region its own instance, e.g. store: new MyStore() in each region.');

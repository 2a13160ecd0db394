/**
 * Messages of the configuration checks that guard against settings that cannot work: each names
 * the option and where it is set, says what is wrong and how to fix it.
 */

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

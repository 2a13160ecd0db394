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

/** A value as messages show it: JSON where it has one (`"5m"`, `[1]`), else `String()` (a function's source). */
const shownValue = (value: unknown): string => JSON.stringify(value) ?? String(value);

/** An option of the wrong type, or outside its bounds; `why` explains the upper bound when there is one. */
export const invalidOption = (option: string, where: string, expected: string, value: unknown, why?: string) =>
  `Invalid option "${option}" in ${where}: expected ${expected}, got ${shownValue(value)}.` + (why ? ` ${why}.` : '');

/** A name that is no option here, with the closest valid one when there is one. */
export const unknownOption = (name: string, where: string, guess: string | undefined, valid: readonly string[]) =>
  `Unknown option "${name}" in ${where}.` + (guess ? ` Did you mean "${guess}"?` : '') + ` Valid options: ${valid.join(', ')}.`;

/** An option of one kind of store set on a region of another (or of a custom store). */
export const optionOffStore = (option: string, where: string, stores: readonly string[], kind: string | undefined) =>
  `Option "${option}" in ${where} applies to ${stores.join(' and ')} regions, but this region uses the ${kind ?? 'custom'} store. Remove it, or set "store" to '${stores[0]}'.`;

/** A store name that is no built-in store. */
export const unknownStore = (value: string, where: string, guess: string | undefined, stores: readonly string[]) =>
  `Unknown store ${JSON.stringify(value)} in ${where}.` +
  (guess ? ` Did you mean "${guess}"?` : '') +
  ` Use one of ${stores.map((s) => `'${s}'`).join(', ')}, or an object implementing CacheStore.`;

/** A `store` that is neither a store name nor a `CacheStore`. */
export const invalidStore = (where: string, stores: readonly string[]) =>
  `Invalid option "store" in ${where}: expected a store name (${stores.join(', ')}) or an object implementing CacheStore (get, set, delete, has, clear, keyLimits).`;

/** A key prefix with other characters than letters, digits, `_`, `.` and `-`. */
export const invalidKeyPrefix = (value: unknown, where: string) =>
  `Invalid option "keyPrefix" in ${where}: expected letters, digits, '_', '.' or '-', got ${JSON.stringify(value)}.`;

/** A required option left out, by option (see `requiredOn` in the option table). */
export const missingOption = {
  servers: (where: string) =>
    `Missing option "servers" in ${where}: a memcached region needs at least one server, e.g. servers: ['127.0.0.1:11211'] ` +
    "(or a comma-separated string such as '10.0.0.1:11211,10.0.0.2:11211').",
  url: (where: string) =>
    `Missing option "url" in ${where}: a redis region needs the url of its Redis, e.g. url: 'redis://127.0.0.1:6379' ` +
    '(or url: process.env.REDIS_URL).',
  dir: (where: string) => `Missing option "dir" in ${where}: a file region needs a directory, e.g. dir: '/var/cache/myapp'.`,
} as const;

/** A memcached server that is not `host:port`; `usage` says how to write one. */
export const invalidServer = (server: unknown, where: string, usage: string) =>
  `Invalid server ${JSON.stringify(server)} in option "servers" of ${where}: ${usage}.`;

/** One server listed twice: it would hold two places on the hash ring under one name. */
export const duplicateServer = (server: string, first: string, name: string, where: string) =>
  `Server ${JSON.stringify(server)} is listed twice in option "servers" of ${where} (as ${JSON.stringify(first)} too, both ${name}): list each server once.`;

const SIGNING_KEYS_EXAMPLE = 'e.g. signingKeys: [process.env.CACHE_SIGNING_KEY] with 32 random bytes in hex';

/** `signingKeys` that is no list of keys. */
export const invalidSigningKeys = (where: string) =>
  `Invalid option "signingKeys" in ${where}: expected a non-empty array of strings, ${SIGNING_KEYS_EXAMPLE}.`;

/** A signing key that is too short or no string; `what` describes it without showing it (it is a secret). */
export const weakSigningKey = (where: string, index: number, what: string, minBytes: number) =>
  `Invalid option "signingKeys" in ${where}: key ${index} is ${what}; each key must be a string of at least ${minBytes} bytes, ${SIGNING_KEYS_EXAMPLE}.`;

/** `lockTtl: 0`: a lock left by a holder that crashed would never expire. */
export const lockMustExpire = (where: string) =>
  `Invalid option "lockTtl" in ${where}: a lock must expire. Use a ttl longer than the slowest computation it guards, e.g. lockTtl: '30s' (the default).`;

/** A `metrics` value that lacks some methods of `CacheMetricsSink`. */
export const invalidMetricsSink = (methods: readonly string[], missing: readonly string[]) =>
  `Invalid option "metrics" in CacheRegionsModule options: expected a CacheMetricsSink (an object with ${methods.join(', ')} methods), but ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing. Use e.g. new PrometheusCacheMetrics() from 'nest-cache-regions/prometheus', or leave "metrics" out.`;

/** `forRoot` given something else than an object of options. */
export const OPTIONS_NOT_AN_OBJECT = 'CacheRegionsModule options must be an object like { regions: { hot: { store: "memory" } } }.';

/** `defaults` that is no object of region options. */
export const DEFAULTS_NOT_AN_OBJECT = 'Option "defaults" of CacheRegionsModule must be an object of region options.';

/** No `regions`, or an empty object of them. */
export const NO_REGIONS =
  'Option "regions" of CacheRegionsModule must name at least one region, e.g. regions: { hot: { store: "memory", ttl: 30 } }.';

/** A region given something else than an object of options. */
export const regionNotAnObject = (name: string) => `Region "${name}" must be an object of options, e.g. { store: 'memory', ttl: 30 }.`;

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

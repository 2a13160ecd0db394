/**
 * Messages of the Beaker/env parser. Each names the key as the user wrote it (`cache.files.expire`,
 * `CACHE_FILES_EXPIRE`), says what is wrong and what to write instead. Keys arrive spelled the way
 * the user's prefix spells them.
 */

/** `"5m"`, `42`, `of type object`: a flat value as messages show it. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') {
    return JSON.stringify(value);
  }
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) {
    return String(value);
  }
  return `of type ${Array.isArray(value) ? 'array' : typeof value}`;
}

/** A value of the wrong kind or out of bounds; `expected` says what the key takes. */
export const badValue = (key: string, value: unknown, expected: string) =>
  `Invalid value ${describeValue(value)} for "${key}": expected ${expected}.`;

/** A secret list without a single key; the value is never shown. */
export const badSecretList = (key: string) =>
  `Invalid value for "${key}": expected one or more keys separated by commas (the value is not shown: it is a secret).`;

/** A prefix without the separator that tells the dotted form from the environment form. */
export const badPrefix = (prefix: string) =>
  `Invalid prefix ${JSON.stringify(prefix)} for parseCacheConfigOptions: it must end with "." (Beaker form, e.g. 'cache.') or "_" (environment form, e.g. 'CACHE_').`;

/** Two keys for one option, e.g. `CACHE_TTL` and `cache_ttl` in the environment. */
export const conflict = (first: string, second: string) =>
  `"${first}" and "${second}" set the same cache option (names are case-insensitive here): keep one of them.`;

/** No `<prefix>regions` key. */
export const missingRegions = (regionsKey: string) =>
  `Missing "${regionsKey}": list the cache regions, comma-separated, e.g. "${regionsKey}": "functions, files".`;

/** A region listed twice in `<prefix>regions`. */
export const regionListedTwice = (name: string, key: string) => `Region "${name}" is listed twice in "${key}": list each region once.`;

/** `<prefix><region>.regions`: the region list is global. */
export const regionsIsGlobal = (key: string, regionsKey: string) =>
  `Invalid cache config key "${key}": the region list is global only; set "${regionsKey}".`;

/**
 * A key of a region the list leaves out; `suggestedKey` is the same key for the closest listed
 * region, when one is close.
 */
export const regionNotListed = (
  key: string,
  region: string,
  regionNames: readonly string[],
  regionsKey: string,
  suggestedKey: string | undefined,
) =>
  `"${key}" configures region "${region}", which "${regionsKey}" does not list (listed: ${regionNames.join(', ')}): ` +
  (suggestedKey
    ? `did you mean "${suggestedKey}"? Otherwise add "${region}" to "${regionsKey}" or remove the key.`
    : `add "${region}" to "${regionsKey}" or remove the key.`);

/** A dotted key with too many or too few parts. */
export const malformedKey = (key: string, globalForm: string, regionForm: string) =>
  `Unknown cache config key "${key}": keys are "${globalForm}" or "${regionForm}".`;

/** An unknown option after a known region (or none), with the closest key or the list of options. */
export const unknownKey = (key: string, suggestedKey: string | undefined, options: readonly string[]) =>
  `Unknown cache config key "${key}": ` + (suggestedKey ? `did you mean "${suggestedKey}"?` : `options are: ${options.join(', ')}.`);

/** An environment key that reads as neither a global option nor a listed region's. */
export const unknownEnvKey = (
  key: string,
  suggestedKey: string | undefined,
  forms: { global: string; region: string; regions: string },
  options: readonly string[],
) =>
  `Unknown cache config key "${key}"${suggestedKey ? `: did you mean "${suggestedKey}"?` : '.'} ` +
  `Keys are "${forms.global}" or "${forms.region}" for a region listed in "${forms.regions}"; options: ${options.join(', ')}.`;

/** A listed region with no type, here or global. */
export const regionWithoutType = (name: string, regionsKey: string, typeKey: string, globalTypeKey: string) =>
  `Region "${name}" is listed in "${regionsKey}" but has no type: set "${typeKey}" ` +
  `(or "${globalTypeKey}" for every region) to memory, memcached, redis, file or none.`;

/** A type Beaker knew that has no store here, with the closest supported type when one is close. */
export const unsupportedType = (value: unknown, key: string, suggestion: string | undefined) =>
  `Unsupported cache type ${describeValue(value)} in "${key}": ` +
  `supported types are memory, memcached (or ext:memcached), redis (or ext:redis), file and none` +
  (suggestion
    ? `; did you mean "${suggestion}"?`
    : ` (Beaker's dbm, ext:database and the others have no store here).`);

/** A store option on a region of another store; `typeKey` is where the region's type is set. */
export const optionOffStore = (key: string, stores: readonly string[], name: string, store: string, typeKey: string) =>
  `"${key}" applies to ${stores.join(' and ')} regions, but region "${name}" is ${store}: ` +
  `remove the key or change "${typeKey}".`;

/** A required option left out, by option (see `requiredOn` in the option table). */
export const missingBeakerOption = {
  dir: (name: string, regionKey: string, globalKey: string) =>
    `Region "${name}" is a file region but has no data directory: set "${regionKey}" ` +
    `(or "${globalKey}" for every file region).`,
} as const;

import type { CacheRegionsOptions, RegionOptions, StoreName } from '../cache-regions.options.js';
import { CacheConfigError } from '../errors.js';
import { ttlToMs } from '../ttl.js';
import { closestName } from './closest-name.js';
import { nulInPath } from './config.messages.js';
import { checkRegionName, DEFAULT_MEMCACHED_PORT, isKeyPrefix, isRegionName, parseServerAddress, serverList } from './naming-rules.js';
import { describeBounds, type IntegerBounds } from './option-bounds.js';
import { REGION_OPTIONS, type OptionKind, type RegionOptionSpec } from './region-option-table.js';

/** Settings of {@link parseCacheConfigOptions}. */
export interface ParseCacheConfigOptionsSettings {
  /**
   * Key prefix; only keys that start with it are read. Its last character is the separator:
   * `.` reads Beaker's dotted form (`cache.files.expire`, case-sensitive), `_` reads the
   * environment form (`CACHE_FILES_EXPIRE`, case-insensitive). Default: `'cache.'`.
   */
  prefix?: string;
}

/**
 * Turns a flat Beaker-style dictionary (or `process.env` with `{ prefix: 'CACHE_' }`) into
 * normalized `CacheRegionsOptions` for `CacheRegionsModule.forRoot()`.
 *
 * Keys: `<prefix>regions` (required: region names, comma-separated), `<prefix><option>` (global,
 * inherited by every region) and `<prefix><region>.<option>` (overrides the global value). In the
 * environment form the separator is `_`: `CACHE_<REGION>_<OPTION>` is matched against the listed
 * regions first (longest name first), else read as the global `CACHE_<OPTION>`. Keys without the
 * prefix are ignored, so `process.env` can be passed whole. Values may be strings (as in `.ini`
 * files and the environment) or numbers/booleans; `undefined` values are skipped.
 *
 * | Key (`cache.` form)  | Region option      | Values |
 * |----------------------|--------------------|--------|
 * | `regions`            | the region names   | comma-separated names (letters, digits, `_`, `-`; not `__proto__`, `constructor`, `prototype`); global only; required |
 * | `type`               | `store`            | `memory`, `memcached` or `ext:memcached`, `file`, `none`; required for every region (here or global) |
 * | `enabled`            | —                  | boolean; `false` makes the region `store: 'none'` and drops its store options. Default: `true` |
 * | `expire`             | `ttl`              | seconds ≥ 0 (0 = no expiry; at least 0.001, at most 100,000 days; memcached: until 2106, checked at bootstrap) |
 * | `url`                | `servers`          | `host:port` list separated by `;` or `,` (a bare host gets port 11211); memcached only; empty or absent → `['127.0.0.1:11211']` |
 * | `data_dir`           | `dir`              | path without NUL bytes; file only; required for file regions |
 * | `lock_dir`           | `lockDir`          | path without NUL bytes; file only |
 * | `key_length`         | —                  | accepted and ignored: the memcached store's limit is memcached's own 250 bytes, and longer keys are hashed (`on_long_key`) |
 * | `memcache_module`    | —                  | accepted and ignored: the client is always memjs |
 * | `key_prefix`         | `keyPrefix`        | letters, digits, `_`, `.`, `-`; the global value becomes the app's `keyPrefix`, a region value the region's |
 * | `fail_open`          | `failOpen`         | boolean |
 * | `lock`               | `lock`             | boolean |
 * | `lock_ttl`           | `lockTtl`          | seconds ≥ 0, as `expire` |
 * | `lock_wait_ms`       | `lockWaitMs`       | integer 0 … 2147483647 |
 * | `stale_ttl`          | `staleTtl`         | seconds ≥ 0, as `expire` |
 * | `on_long_key`        | `onLongKey`        | `hash`, `error` |
 * | `on_key_error`       | `onKeyError`       | `throw`, `bypass` |
 * | `breaker_threshold`  | `breakerThreshold` | integer ≥ 1 |
 * | `breaker_cooldown_ms`| `breakerCooldownMs`| integer 1 … 2147483647 |
 * | `max_entries`        | `maxEntries`       | integer ≥ 1; memory only |
 * | `max_bytes`          | `maxBytes`         | integer ≥ 1; memory and file only |
 * | `clone`              | `clone`            | boolean; memory only |
 * | `username`           | `username`         | non-empty string; memcached only |
 * | `password`           | `password`         | non-empty string; memcached only |
 * | `timeout_ms`         | `timeoutMs`        | integer 1 … 60000; memcached only |
 * | `retries`            | `retries`          | integer 1 … 10; memcached only |
 * | `max_value_bytes`    | `maxValueBytes`    | integer ≥ 1; memcached only |
 * | `signing_keys`       | `signingKeys`      | keys separated by `,` (each ≥ 16 bytes); memcached only |
 * | `failover_ttl`       | `failoverTtl`      | seconds ≥ 0, as `expire`; memcached only |
 * | `sweep_interval_ms`  | `sweepIntervalMs`  | integer 1 … 2147483647; file only |
 * | `verify_reads`       | `verifyReads`      | `once`, `always`; file only |
 *
 * Booleans: `true`/`false`/`1`/`0`/`yes`/`no`/`on`/`off` (any case). Numbers: finite decimal
 * strings such as `'3600'` or `'0.5'`. A global store option is applied only to regions of that
 * store (a global `data_dir` does not disturb a memcached region); the same option set on a
 * region of another store is an error, except `data_dir`/`lock_dir`, which Beaker accepted on
 * every backend and which are ignored off file regions.
 *
 * @throws CacheConfigError naming the offending key as written and what to do: missing
 * `regions`, a reserved region name, a listed region without a type, keys for a region that is
 * not listed, an unknown type or option (with the closest valid key), a value of the wrong kind or
 * out of bounds (the same bounds as `forRoot`), a file region without `data_dir`.
 */
export function parseCacheConfigOptions(
  flat: Record<string, unknown>,
  settings: ParseCacheConfigOptionsSettings = {},
): CacheRegionsOptions {
  const syntax = makeSyntax(settings.prefix ?? 'cache.');
  const entries = readPrefixedEntries(flat, syntax);
  const regionNames = readRegionNames(entries, syntax);
  const scoped = classifyEntries(entries, regionNames, syntax);

  // Object.fromEntries defines own properties: no name, not even "__proto__", reaches a setter.
  const regions = Object.fromEntries(
    regionNames.map((name) => [name, buildRegion(name, scoped.global, scoped.byRegion.get(name)!, syntax)]),
  );
  const appPrefix = scoped.global.get('key_prefix');
  return appPrefix ? { keyPrefix: appPrefix.value as string, regions } : { regions };
}

// ---------------------------------------------------------------------------------------------
// Options table

type Parsed = string | number | boolean | string[];

interface OptionSpec {
  /** The RegionOptions property it sets; none for `type`, `enabled` and ignored Beaker keys. */
  readonly target?: keyof RegionOptions;
  /** Stores the option means something for; absent = every store. */
  readonly stores?: readonly StoreName[];
  /** Beaker accepted it on every backend: ignore it off its stores instead of failing. */
  readonly anyStoreInBeaker?: boolean;
  readonly parse: (entry: RawEntry) => Parsed;
}

const DEFAULT_MEMCACHED_SERVER = `127.0.0.1:${DEFAULT_MEMCACHED_PORT}`;
const NUMERIC = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$/i;
const BOOLEAN_WORDS: Readonly<Record<string, boolean>> = {
  true: true, false: false, '1': true, '0': false, yes: true, no: false, on: true, off: false,
};
const TYPE_NAMES: Readonly<Record<string, StoreName>> = {
  memory: 'memory', memcached: 'memcached', 'ext:memcached': 'memcached', file: 'file', none: 'none',
};

/** How each kind of option in the table is read from a flat value (a string, as often as not). */
const READERS: Record<OptionKind, (entry: RawEntry, spec: RegionOptionSpec) => Parsed> = {
  store: parseType,
  ttl: parseSeconds,
  integer: (entry, spec) => parseInteger(entry, spec.bounds!),
  boolean: parseBoolean,
  choice: (entry, spec) => parseChoice(entry, spec.choices!),
  string: parseString,
  'secret-list': parseSecretList,
  path: parsePath,
  servers: parseServers,
  'key-prefix': parseKeyPrefix,
};

/** Beaker keys that are no region option: `enabled`, and two accepted for compatibility and ignored. */
const BEAKER_ONLY: ReadonlyArray<[string, OptionSpec]> = [
  ['enabled', { parse: parseBoolean }],
  // The limit is memcached's own 250 bytes (longer keys are hashed), and the client is always memjs.
  ['key_length', { parse: (entry) => parseInteger(entry, { min: 1 }) }],
  ['memcache_module', { parse: parseString }],
];

/** Every key the parser reads: the option table's Beaker names, then {@link BEAKER_ONLY}. */
const OPTIONS: ReadonlyMap<string, OptionSpec> = new Map<string, OptionSpec>([
  ...Object.entries(REGION_OPTIONS).map(([name, spec]: [string, RegionOptionSpec]): [string, OptionSpec] => [
    spec.beaker,
    {
      // The store (Beaker's `type`) is read apart: it decides which options apply.
      target: name === 'store' ? undefined : (name as keyof RegionOptions),
      stores: spec.stores,
      anyStoreInBeaker: spec.anyStoreInBeaker,
      parse: (entry) => READERS[spec.kind](entry, spec),
    },
  ]),
  ...BEAKER_ONLY,
]);
const OPTION_NAMES: readonly string[] = [...OPTIONS.keys()];
/** forRoot spellings people carry over, which edit distance alone would map badly (ttl → url). */
const FOR_ROOT_NAMES: Readonly<Record<string, string>> = {
  ttl: 'expire',
  store: 'type',
  servers: 'url',
  server: 'url',
  dir: 'data_dir',
};

// ---------------------------------------------------------------------------------------------
// Keys

interface Syntax {
  readonly prefix: string;
  /** Environment form: `_` separator, case-insensitive. */
  readonly env: boolean;
  /** Spells a key the way the user's prefix does, for messages. */
  key(option: string, region?: string): string;
}

interface RawEntry {
  /** The key exactly as given. */
  readonly key: string;
  /** The key after the prefix (lower-cased in the environment form). */
  readonly rest: string;
  readonly value: unknown;
}

interface ParsedEntry {
  readonly key: string;
  readonly option: string;
  readonly spec: OptionSpec;
  readonly value: Parsed;
}

type Scope = Map<string, ParsedEntry>;

function makeSyntax(prefix: string): Syntax {
  const separator = prefix.at(-1);
  if (separator !== '.' && separator !== '_') {
    throw new CacheConfigError(
      `Invalid prefix ${JSON.stringify(prefix)} for parseCacheConfigOptions: it must end with "." (Beaker form, e.g. 'cache.') or "_" (environment form, e.g. 'CACHE_').`,
    );
  }
  const env = separator === '_';
  const upper = env && prefix === prefix.toUpperCase();
  return {
    prefix,
    env,
    key(option, region) {
      const rest = region === undefined ? option : `${region}${separator}${option}`;
      return prefix + (upper ? rest.toUpperCase() : rest);
    },
  };
}

function readPrefixedEntries(flat: Record<string, unknown>, syntax: Syntax): RawEntry[] {
  const wanted = syntax.env ? syntax.prefix.toLowerCase() : syntax.prefix;
  const entries: RawEntry[] = [];
  for (const [key, value] of Object.entries(flat)) {
    const comparable = syntax.env ? key.toLowerCase() : key;
    if (value === undefined || !comparable.startsWith(wanted)) {
      continue;
    }
    entries.push({ key, rest: comparable.slice(wanted.length), value });
  }
  return entries;
}

function readRegionNames(entries: readonly RawEntry[], syntax: Syntax): string[] {
  const regionsKey = syntax.key('regions');
  const found = entries.filter((entry) => entry.rest === 'regions');
  if (found.length === 0) {
    throw new CacheConfigError(
      `Missing "${regionsKey}": list the cache regions, comma-separated, e.g. "${regionsKey}": "functions, files".`,
    );
  }
  if (found.length > 1) {
    throw conflict(found[0].key, found[1].key);
  }
  const { key, value } = found[0];
  const list = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : undefined;
  if (!list || list.some((name) => typeof name !== 'string')) {
    throw badValue(key, value, 'region names separated by commas, e.g. "functions, files"');
  }
  const names = (list as string[]).map((name) => name.trim()).filter((name) => name !== '');
  if (names.length === 0) {
    throw badValue(key, value, 'at least one region name, e.g. "functions, files"');
  }
  const seen = new Set<string>();
  for (const name of names) {
    // Before anything is keyed by the name: "__proto__" would otherwise become a prototype.
    checkRegionName(name, `"${key}"`, syntax.env);
    const comparable = syntax.env ? name.toLowerCase() : name;
    if (seen.has(comparable)) {
      throw new CacheConfigError(`Region "${name}" is listed twice in "${key}": list each region once.`);
    }
    seen.add(comparable);
  }
  return names;
}

function classifyEntries(
  entries: readonly RawEntry[],
  regionNames: readonly string[],
  syntax: Syntax,
): { global: Scope; byRegion: Map<string, Scope> } {
  const global: Scope = new Map();
  const byRegion = new Map<string, Scope>(regionNames.map((name) => [name, new Map()]));
  for (const entry of entries) {
    if (entry.rest === 'regions') {
      continue;
    }
    const { region, option } = syntax.env
      ? locateEnvKey(entry, regionNames, syntax)
      : locateDottedKey(entry, regionNames, syntax);
    const scope = region === undefined ? global : byRegion.get(region)!;
    const previous = scope.get(option);
    if (previous) {
      throw conflict(previous.key, entry.key);
    }
    const spec = OPTIONS.get(option)!;
    scope.set(option, { key: entry.key, option, spec, value: spec.parse(entry) });
  }
  return { global, byRegion };
}

/** `cache.<option>` or `cache.<region>.<option>`; returns a known option or throws. */
function locateDottedKey(
  entry: RawEntry,
  regionNames: readonly string[],
  syntax: Syntax,
): { region?: string; option: string } {
  const parts = entry.rest.split('.');
  if (parts.length === 1) {
    return { option: knownOption(entry, parts[0], undefined, syntax) };
  }
  if (parts.length === 2 && parts[0] !== '') {
    const [region, option] = parts;
    if (!regionNames.includes(region)) {
      throw regionNotListed(entry.key, region, regionNames, syntax, option);
    }
    if (option === 'regions') {
      throw regionsIsGlobal(entry.key, syntax);
    }
    return { region, option: knownOption(entry, option, region, syntax) };
  }
  throw new CacheConfigError(
    `Unknown cache config key "${entry.key}": keys are "${syntax.key('<option>')}" or "${syntax.key('<option>', '<region>')}".`,
  );
}

/**
 * `CACHE_<REGION>_<OPTION>` or `CACHE_<OPTION>`. Region names and option names both contain
 * `_`, so the listed regions are tried first (longest first) and only a known option after a
 * region counts; otherwise the whole rest must be a global option.
 */
function locateEnvKey(
  entry: RawEntry,
  regionNames: readonly string[],
  syntax: Syntax,
): { region?: string; option: string } {
  const { rest } = entry;
  const matching = regionNames
    .filter((name) => rest.startsWith(`${name.toLowerCase()}_`))
    .sort((a, b) => b.length - a.length);
  for (const region of matching) {
    const option = rest.slice(region.length + 1);
    if (OPTIONS.has(option)) {
      return { region, option };
    }
  }
  if (OPTIONS.has(rest)) {
    return { option: rest };
  }
  if (matching.some((region) => rest === `${region.toLowerCase()}_regions`)) {
    throw regionsIsGlobal(entry.key, syntax);
  }
  if (matching.length > 0) {
    // Reads as a listed region with a misspelt option: suggest within that region.
    const region = matching[0];
    return { region, option: knownOption(entry, rest.slice(region.length + 1), region, syntax) };
  }
  const unlisted = OPTION_NAMES.filter((option) => rest.endsWith(`_${option}`)).sort(
    (a, b) => b.length - a.length,
  )[0];
  if (unlisted !== undefined) {
    const region = rest.slice(0, -unlisted.length - 1);
    if (isRegionName(region)) {
      throw regionNotListed(entry.key, region, regionNames, syntax, unlisted);
    }
  }
  const candidates = [
    ...OPTION_NAMES,
    ...regionNames.flatMap((region) => OPTION_NAMES.map((option) => `${region.toLowerCase()}_${option}`)),
  ];
  const suggestion = Object.hasOwn(FOR_ROOT_NAMES, rest) ? FOR_ROOT_NAMES[rest] : closestName(rest, candidates);
  throw new CacheConfigError(
    `Unknown cache config key "${entry.key}"${suggestion ? `: did you mean "${syntax.key(suggestion)}"?` : '.'} ` +
      `Keys are "${syntax.key('<option>')}" or "${syntax.key('<option>', '<region>')}" for a region listed in "${syntax.key('regions')}"; options: ${OPTION_NAMES.join(', ')}.`,
  );
}

function knownOption(entry: RawEntry, option: string, region: string | undefined, syntax: Syntax): string {
  if (OPTIONS.has(option)) {
    return option;
  }
  const suggestion = Object.hasOwn(FOR_ROOT_NAMES, option)
    ? FOR_ROOT_NAMES[option]
    : closestName(option, OPTION_NAMES);
  const hint = suggestion
    ? `did you mean "${syntax.key(suggestion, region)}"?`
    : `options are: ${OPTION_NAMES.join(', ')}.`;
  throw new CacheConfigError(`Unknown cache config key "${entry.key}": ${hint}`);
}

// ---------------------------------------------------------------------------------------------
// Regions

function buildRegion(name: string, global: Scope, own: Scope, syntax: Syntax): RegionOptions {
  const typeEntry = own.get('type') ?? global.get('type');
  const enabled = (own.get('enabled') ?? global.get('enabled'))?.value !== false;
  if (!typeEntry && enabled) {
    throw new CacheConfigError(
      `Region "${name}" is listed in "${syntax.key('regions')}" but has no type: set "${syntax.key('type', name)}" ` +
        `(or "${syntax.key('type')}" for every region) to memory, memcached, file or none.`,
    );
  }
  const declared = typeEntry?.value as StoreName | undefined;
  const store: StoreName = enabled ? declared! : 'none';
  const region: RegionOptions = { store };
  const target = region as Record<string, unknown>;

  // Globals first so that the region's own keys overwrite them.
  for (const [scope, isOwn] of [[global, false], [own, true]] as const) {
    for (const entry of scope.values()) {
      const { spec } = entry;
      if (!spec.target || (!isOwn && entry.option === 'key_prefix')) {
        continue; // type/enabled handled above; ignored Beaker keys; the global prefix is the app's
      }
      if (spec.stores && !spec.stores.includes(store)) {
        if (isOwn && enabled && !spec.anyStoreInBeaker) {
          throw new CacheConfigError(
            `"${entry.key}" applies to ${spec.stores.join(' and ')} regions, but region "${name}" is ${store}: ` +
              `remove the key or change "${typeEntry!.key}".`,
          );
        }
        continue;
      }
      target[spec.target] = entry.value;
    }
  }

  if (store === 'memcached' && region.servers === undefined) {
    region.servers = [DEFAULT_MEMCACHED_SERVER];
  }
  if (store === 'file' && region.dir === undefined) {
    throw new CacheConfigError(
      `Region "${name}" is a file region but has no data directory: set "${syntax.key('data_dir', name)}" ` +
        `(or "${syntax.key('data_dir')}" for every file region).`,
    );
  }
  return region;
}

// ---------------------------------------------------------------------------------------------
// Values

function parseType(entry: RawEntry): StoreName {
  const text = typeof entry.value === 'string' ? entry.value.trim().toLowerCase() : undefined;
  const store = text !== undefined && Object.hasOwn(TYPE_NAMES, text) ? TYPE_NAMES[text] : undefined;
  if (store) {
    return store;
  }
  const suggestion = text ? closestName(text, Object.keys(TYPE_NAMES)) : undefined;
  const hint = suggestion
    ? `; did you mean "${suggestion}"?`
    : ` (Beaker's dbm, ext:database, ext:redis and the others have no store here).`;
  throw new CacheConfigError(
    `Unsupported cache type ${describe(entry.value)} in "${entry.key}": ` +
      `supported types are memory, memcached (or ext:memcached), file and none${hint}`,
  );
}

function parseServers(entry: RawEntry): string[] {
  const { value } = entry;
  const parts = serverList(value);
  if (!Array.isArray(parts) || parts.some((part) => typeof part !== 'string')) {
    throw badValue(entry.key, value, 'memcached servers as "host:port", several separated by ";" or ","');
  }
  // Beaker's memcached clients take a bare host as port 11211; it is written out here.
  const servers = (parts as string[]).map((server) => parseServerAddress(server)?.name ?? server);
  const bad = servers.find((server) => !parseServerAddress(server));
  if (bad !== undefined) {
    throw badValue(
      entry.key,
      value,
      `memcached servers as "host:port" separated by ";" or ",", e.g. "10.0.0.1:11211;10.0.0.2:11211" (${JSON.stringify(bad)} is not one)`,
    );
  }
  // An empty url means the local default server, as in Beaker.
  return servers.length > 0 ? servers : [DEFAULT_MEMCACHED_SERVER];
}

function parseString(entry: RawEntry): string {
  if (typeof entry.value !== 'string' || entry.value === '') {
    throw badValue(entry.key, entry.value, 'a non-empty string');
  }
  return entry.value;
}

/** A list of secrets separated by commas; errors never show the value. */
function parseSecretList(entry: RawEntry): string[] {
  const { value } = entry;
  const parts = typeof value === 'string' ? value.split(',') : Array.isArray(value) ? value : undefined;
  const keys = parts?.every((part) => typeof part === 'string')
    ? (parts as string[]).map((part) => part.trim()).filter((part) => part !== '')
    : [];
  if (keys.length === 0) {
    throw new CacheConfigError(
      `Invalid value for "${entry.key}": expected one or more keys separated by commas (the value is not shown: it is a secret).`,
    );
  }
  return keys;
}

function parseKeyPrefix(entry: RawEntry): string {
  const prefix = typeof entry.value === 'string' ? entry.value.trim() : '';
  if (!isKeyPrefix(prefix)) {
    throw badValue(entry.key, entry.value, 'a key prefix of letters, digits, "_", "." or "-", e.g. "myapp"');
  }
  return prefix;
}

function parsePath(entry: RawEntry): string {
  const path = typeof entry.value === 'string' ? entry.value.trim() : '';
  if (path === '') {
    throw badValue(entry.key, entry.value, 'a directory path, e.g. "/var/cache/app"');
  }
  if (path.includes('\0')) {
    throw new CacheConfigError(nulInPath(entry.key, 'the cache configuration'));
  }
  return path;
}

function parseBoolean(entry: RawEntry): boolean {
  const { value } = entry;
  if (typeof value === 'boolean') {
    return value;
  }
  if (typeof value === 'string' || typeof value === 'number') {
    const word = String(value).trim().toLowerCase();
    if (Object.hasOwn(BOOLEAN_WORDS, word)) {
      return BOOLEAN_WORDS[word];
    }
  }
  throw badValue(entry.key, value, 'a boolean: true/false, 1/0, yes/no or on/off');
}

function readNumber(value: unknown): number {
  return typeof value === 'number' ? value : typeof value === 'string' && NUMERIC.test(value.trim()) ? Number(value) : NaN;
}

function parseInteger(entry: RawEntry, bounds: IntegerBounds): number {
  const number = readNumber(entry.value);
  if (!Number.isInteger(number) || number < bounds.min || (bounds.max !== undefined && number > bounds.max)) {
    const why = bounds.why !== undefined && bounds.max !== undefined && number > bounds.max ? ` (${bounds.why})` : '';
    throw badValue(entry.key, entry.value, describeBounds(bounds) + why);
  }
  return number;
}

/** Seconds ≥ 0 that make a valid ttl: the same rules as forRoot's (no 1e20, none that rounds to 0 ms). */
function parseSeconds(entry: RawEntry): number {
  const number = readNumber(entry.value);
  if (!Number.isFinite(number) || number < 0) {
    throw badValue(entry.key, entry.value, 'a number of seconds >= 0 (0 = no expiry), such as 3600');
  }
  ttlToMs(number, `"${entry.key}"`);
  return number;
}

function parseChoice(entry: RawEntry, choices: readonly string[]): string {
  const text = typeof entry.value === 'string' ? entry.value.trim().toLowerCase() : undefined;
  if (text !== undefined && choices.includes(text)) {
    return text;
  }
  throw badValue(entry.key, entry.value, choices.map((c) => `"${c}"`).join(' or '));
}

// ---------------------------------------------------------------------------------------------
// Messages

function badValue(key: string, value: unknown, expected: string): CacheConfigError {
  return new CacheConfigError(`Invalid value ${describe(value)} for "${key}": expected ${expected}.`);
}

function conflict(first: string, second: string): CacheConfigError {
  return new CacheConfigError(
    `"${first}" and "${second}" set the same cache option (names are case-insensitive here): keep one of them.`,
  );
}

function regionsIsGlobal(key: string, syntax: Syntax): CacheConfigError {
  return new CacheConfigError(
    `Invalid cache config key "${key}": the region list is global only; set "${syntax.key('regions')}".`,
  );
}

function regionNotListed(
  key: string,
  region: string,
  regionNames: readonly string[],
  syntax: Syntax,
  option: string,
): CacheConfigError {
  const suggestion = closestName(region, regionNames);
  return new CacheConfigError(
    `"${key}" configures region "${region}", which "${syntax.key('regions')}" does not list (listed: ${regionNames.join(', ')}): ` +
      (suggestion
        ? `did you mean "${syntax.key(option, suggestion)}"? Otherwise add "${region}" to "${syntax.key('regions')}" or remove the key.`
        : `add "${region}" to "${syntax.key('regions')}" or remove the key.`),
  );
}

function describe(value: unknown): string {
  if (typeof value === 'string') {
    return JSON.stringify(value);
  }
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) {
    return String(value);
  }
  return `of type ${Array.isArray(value) ? 'array' : typeof value}`;
}

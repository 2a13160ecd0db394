import type { RegionOptions, StoreName } from '../cache-regions.options.js';
import { CacheConfigError } from '../errors.js';
import {
  badValue,
  conflict,
  malformedKey,
  missingRegions,
  regionListedTwice,
  regionNotListed,
  regionsIsGlobal,
  unknownEnvKey,
  unknownKey,
} from './beaker-config.messages.js';
import type { RawEntry, Syntax } from './beaker-syntax.js';
import { BEAKER_READERS, readBoolean, readInteger, readString, type Parsed } from './beaker-value.readers.js';
import { closestName } from './closest-name.js';
import { checkRegionName, isRegionName } from './naming-rules.js';
import { REGION_OPTIONS, type RegionOptionSpec } from './region-option-table.js';

/**
 * The keys the Beaker/env parser knows, and where each key of a flat dictionary belongs: the
 * region list, a global option or a listed region's option.
 */

/** A key the parser reads: a region option under its Beaker name, or a Beaker-only key. */
export interface BeakerKey {
  /** The RegionOptions property it sets; none for `type`, `enabled` and ignored Beaker keys. */
  readonly target?: keyof RegionOptions;
  /** Stores the option means something for; absent = every store. */
  readonly stores?: readonly StoreName[];
  /** Beaker accepted it on every backend: ignore it off its stores instead of failing. */
  readonly anyStoreInBeaker?: boolean;
  readonly read: (entry: RawEntry) => Parsed;
  /**
   * Set when the Beaker name stands for a different option on each store (`url`: memcached's
   * `servers`, Redis's `url`): the key is kept as given and read, as the option of the region's
   * store, once that store is known ({@link keyForStore}).
   */
  readonly byStore?: readonly BeakerKey[];
}

/** Beaker keys that are no region option: `enabled`, and two accepted for compatibility and ignored. */
const BEAKER_ONLY: ReadonlyArray<[string, BeakerKey]> = [
  ['enabled', { read: readBoolean }],
  // The limit is memcached's own 250 bytes (longer keys are hashed), and the client is always memjs.
  ['key_length', { read: (entry) => readInteger(entry, { min: 1 }) }],
  ['memcache_module', { read: readString }],
];

/** Every key the parser reads: the option table's Beaker names, then {@link BEAKER_ONLY}. */
const BEAKER_KEYS: ReadonlyMap<string, BeakerKey> = new Map<string, BeakerKey>([
  ...groupByBeakerName(
    Object.entries(REGION_OPTIONS).map(([name, spec]: [string, RegionOptionSpec]): [string, BeakerKey] => [
      spec.beaker,
      {
        // The store (Beaker's `type`) is read apart: it decides which options apply.
        target: name === 'store' ? undefined : (name as keyof RegionOptions),
        stores: spec.stores,
        anyStoreInBeaker: spec.anyStoreInBeaker,
        read: (entry) => BEAKER_READERS[spec.kind](entry, spec),
      },
    ]),
  ),
  ...BEAKER_ONLY,
]);
const KEY_NAMES: readonly string[] = [...BEAKER_KEYS.keys()];

/** One key per Beaker name: options of different stores under one name become one key `byStore`. */
function groupByBeakerName(keys: ReadonlyArray<[string, BeakerKey]>): Array<[string, BeakerKey]> {
  const grouped = new Map<string, BeakerKey[]>();
  for (const [name, key] of keys) grouped.set(name, [...(grouped.get(name) ?? []), key]);
  return [...grouped].map(([name, [first, ...others]]): [string, BeakerKey] =>
    others.length === 0
      ? [name, first]
      : [
          name,
          {
            target: first.target,
            stores: [first, ...others].flatMap((key) => key.stores ?? []),
            // Kept as given: which option it is depends on the region's store.
            read: (entry) => entry.value as Parsed,
            byStore: [first, ...others],
          },
        ],
  );
}

/**
 * The key and value `entry` stands for in a region of `store` (its declared type, also when the
 * region is disabled): for a key shared by several stores' options, that store's option, its
 * value read now; `undefined` when none of them is that store's. Other keys as they are.
 */
export function keyForStore(
  entry: ParsedEntry,
  store: StoreName | undefined,
): { spec: BeakerKey; value: Parsed } | undefined {
  if (entry.spec.byStore === undefined) return { spec: entry.spec, value: entry.value };
  const spec = entry.spec.byStore.find((key) => store !== undefined && key.stores?.includes(store));
  return spec === undefined ? undefined : { spec, value: spec.read({ key: entry.key, rest: entry.key, value: entry.value }) };
}

/** forRoot spellings people carry over, which edit distance alone would map badly (ttl → url). */
const FOR_ROOT_NAMES: Readonly<Record<string, string>> = {
  ttl: REGION_OPTIONS.ttl.beaker,
  store: REGION_OPTIONS.store.beaker,
  servers: REGION_OPTIONS.servers.beaker,
  server: REGION_OPTIONS.servers.beaker,
  dir: REGION_OPTIONS.dir.beaker,
};

/** One known key with its value read. */
export interface ParsedEntry {
  readonly key: string;
  readonly option: string;
  readonly spec: BeakerKey;
  readonly value: Parsed;
}

/** The keys set in one scope (global, or one region), by Beaker name. */
export type Scope = Map<string, ParsedEntry>;

/**
 * The names in `<prefix>regions`, trimmed, in their order and spelling.
 * @throws CacheConfigError when it is missing or given twice, empty, or names a region twice or
 * by a name that is no region name.
 */
export function readRegionNames(entries: readonly RawEntry[], syntax: Syntax): string[] {
  const regionsKey = syntax.key('regions');
  const found = entries.filter((entry) => entry.rest === 'regions');
  if (found.length === 0) {
    throw new CacheConfigError(missingRegions(regionsKey));
  }
  if (found.length > 1) {
    throw new CacheConfigError(conflict(found[0].key, found[1].key));
  }
  const { key, value } = found[0];
  const list = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : undefined;
  if (!list || list.some((name) => typeof name !== 'string')) {
    throw new CacheConfigError(badValue(key, value, 'region names separated by commas, e.g. "functions, files"'));
  }
  const names = (list as string[]).map((name) => name.trim()).filter((name) => name !== '');
  if (names.length === 0) {
    throw new CacheConfigError(badValue(key, value, 'at least one region name, e.g. "functions, files"'));
  }
  const seen = new Set<string>();
  for (const name of names) {
    // Before anything is keyed by the name: "__proto__" would otherwise become a prototype.
    checkRegionName(name, `"${key}"`, syntax.env);
    const comparable = syntax.env ? name.toLowerCase() : name;
    if (seen.has(comparable)) {
      throw new CacheConfigError(regionListedTwice(name, key));
    }
    seen.add(comparable);
  }
  return names;
}

/**
 * Sorts every entry but the region list into the global scope or its region's, reading its value.
 * @throws CacheConfigError for an unknown key (with the closest valid one), a key of a region that
 * is not listed, two keys for one option, and a value its option refuses.
 */
export function classifyEntries(
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
      throw new CacheConfigError(conflict(previous.key, entry.key));
    }
    const spec = BEAKER_KEYS.get(option)!;
    scope.set(option, { key: entry.key, option, spec, value: spec.read(entry) });
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
      throw notListed(entry.key, region, regionNames, syntax, option);
    }
    if (option === 'regions') {
      throw new CacheConfigError(regionsIsGlobal(entry.key, syntax.key('regions')));
    }
    return { region, option: knownOption(entry, option, region, syntax) };
  }
  throw new CacheConfigError(malformedKey(entry.key, syntax.key('<option>'), syntax.key('<option>', '<region>')));
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
    if (BEAKER_KEYS.has(option)) {
      return { region, option };
    }
  }
  if (BEAKER_KEYS.has(rest)) {
    return { option: rest };
  }
  if (matching.some((region) => rest === `${region.toLowerCase()}_regions`)) {
    throw new CacheConfigError(regionsIsGlobal(entry.key, syntax.key('regions')));
  }
  if (matching.length > 0) {
    // Reads as a listed region with a misspelt option: suggest within that region.
    const region = matching[0];
    return { region, option: knownOption(entry, rest.slice(region.length + 1), region, syntax) };
  }
  const unlisted = KEY_NAMES.filter((option) => rest.endsWith(`_${option}`)).sort(
    (a, b) => b.length - a.length,
  )[0];
  if (unlisted !== undefined) {
    const region = rest.slice(0, -unlisted.length - 1);
    if (isRegionName(region)) {
      throw notListed(entry.key, region, regionNames, syntax, unlisted);
    }
  }
  const candidates = [
    ...KEY_NAMES,
    ...regionNames.flatMap((region) => KEY_NAMES.map((option) => `${region.toLowerCase()}_${option}`)),
  ];
  const suggestion = Object.hasOwn(FOR_ROOT_NAMES, rest) ? FOR_ROOT_NAMES[rest] : closestName(rest, candidates);
  throw new CacheConfigError(
    unknownEnvKey(
      entry.key,
      suggestion ? syntax.key(suggestion) : undefined,
      { global: syntax.key('<option>'), region: syntax.key('<option>', '<region>'), regions: syntax.key('regions') },
      KEY_NAMES,
    ),
  );
}

function knownOption(entry: RawEntry, option: string, region: string | undefined, syntax: Syntax): string {
  if (BEAKER_KEYS.has(option)) {
    return option;
  }
  const suggestion = Object.hasOwn(FOR_ROOT_NAMES, option)
    ? FOR_ROOT_NAMES[option]
    : closestName(option, KEY_NAMES);
  throw new CacheConfigError(unknownKey(entry.key, suggestion ? syntax.key(suggestion, region) : undefined, KEY_NAMES));
}

function notListed(
  key: string,
  region: string,
  regionNames: readonly string[],
  syntax: Syntax,
  option: string,
): CacheConfigError {
  const suggestion = closestName(region, regionNames);
  return new CacheConfigError(
    regionNotListed(key, region, regionNames, syntax.key('regions'), suggestion ? syntax.key(option, suggestion) : undefined),
  );
}

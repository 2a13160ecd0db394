import type { CacheRegionsOptions, RegionOptions, StoreName } from '../cache-regions.options.js';
import { CacheConfigError } from '../errors.js';
import { missingBeakerOption, optionOffStore, regionWithoutType } from './beaker-config.messages.js';
import { classifyEntries, keyForStore, readRegionNames, type Scope } from './beaker-keys.js';
import { makeSyntax, readPrefixedEntries, type Syntax } from './beaker-syntax.js';
import { BEAKER_READERS } from './beaker-value.readers.js';
import {
  REGION_OPTION_NAMES,
  REGION_OPTIONS,
  type BeakerDefaultedOption,
  type RegionOptionSpec,
  type RequiredOption,
} from './region-option-table.js';

/**
 * The Beaker/env parser: flat Beaker-style configuration (an `.ini` section, `process.env`) to
 * `forRoot` options. Keys are located by beaker-keys.ts (spelt as beaker-syntax.ts says), values
 * read by beaker-value.readers.ts, all after the region option table.
 */

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
 * | `type`               | `store`            | `memory`, `memcached` or `ext:memcached`, `redis` or `ext:redis`, `file`, `none`; required for every region (here or global) |
 * | `enabled`            | —                  | boolean; `false` makes the region `store: 'none'` and drops its store options. Default: `true` |
 * | `expire`             | `ttl`              | seconds ≥ 0 (0 = no expiry; at least 0.001, at most 100,000 days; memcached: until 2106, checked at bootstrap) |
 * | `url`                | `servers`          | memcached: `host:port` list separated by `;` or `,` (a bare host gets port 11211); empty or absent → `['127.0.0.1:11211']` |
 * | `url`                | `url`              | redis: one `redis://[[user]:password@]host[:port][/db]`; empty or absent → `redis://127.0.0.1:6379` |
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
 * | `timeout_ms`         | `timeoutMs`        | integer 1 … 60000; memcached and redis only |
 * | `retries`            | `retries`          | integer 1 … 10; memcached only |
 * | `max_value_bytes`    | `maxValueBytes`    | integer ≥ 1; memcached and redis only |
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

/** The message of each required option Beaker has no default for, when a region leaves it out. */
const MISSING: {
  readonly [Option in Exclude<RequiredOption, BeakerDefaultedOption>]: (name: string, regionKey: string, globalKey: string) => string;
} = missingBeakerOption;

function buildRegion(name: string, global: Scope, own: Scope, syntax: Syntax): RegionOptions {
  const typeEntry = own.get('type') ?? global.get('type');
  const enabled = (own.get('enabled') ?? global.get('enabled'))?.value !== false;
  if (!typeEntry && enabled) {
    throw new CacheConfigError(regionWithoutType(name, syntax.key('regions'), syntax.key('type', name), syntax.key('type')));
  }
  const declared = typeEntry?.value as StoreName | undefined;
  const store: StoreName = enabled ? declared! : 'none';
  const region: RegionOptions = { store };
  const target = region as Record<string, unknown>;

  // Globals first so that the region's own keys overwrite them.
  for (const [scope, isOwn] of [[global, false], [own, true]] as const) {
    for (const entry of scope.values()) {
      // A key several stores share (`url`) means the option of the region's declared type; one
      // that means nothing there is refused below when the region set it itself.
      const { spec, value } = keyForStore(entry, declared) ?? { spec: entry.spec, value: undefined };
      if (!spec.target || (!isOwn && entry.option === 'key_prefix')) {
        continue; // type/enabled handled above; ignored Beaker keys; the global prefix is the app's
      }
      if (spec.stores && !spec.stores.includes(store)) {
        if (isOwn && enabled && !spec.anyStoreInBeaker) {
          throw new CacheConfigError(optionOffStore(entry.key, spec.stores, name, store, typeEntry!.key));
        }
        continue;
      }
      target[spec.target] = value;
    }
  }

  for (const option of REGION_OPTION_NAMES) {
    const spec: RegionOptionSpec = REGION_OPTIONS[option];
    if (!spec.requiredOn?.includes(store) || target[option] !== undefined) continue;
    if (spec.beakerDefault === undefined) {
      const missing = MISSING[option as keyof typeof MISSING];
      throw new CacheConfigError(missing(name, syntax.key(spec.beaker, name), syntax.key(spec.beaker)));
    }
    // As if the key were given with Beaker's default: read like any value of its kind.
    const key = syntax.key(spec.beaker, name);
    target[option] = BEAKER_READERS[spec.kind]({ key, rest: key.slice(syntax.prefix.length), value: spec.beakerDefault }, spec);
  }
  return region;
}

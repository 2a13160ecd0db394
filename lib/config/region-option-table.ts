import type { RegionOptions, StoreName } from '../cache-regions.options.js';
import { DEFAULT_REDIS_PORT } from '../stores/redis/redis-url.js';
import { DEFAULT_MEMCACHED_PORT } from './naming-rules.js';
import { MAX_TIMER_MS, type IntegerBounds } from './option-bounds.js';

/**
 * Every region option, described once: the stores it applies to, its kind of value, its bounds
 * or choices, its default, the stores that require it and its name in Beaker-style flat
 * configuration. `forRoot` validation (resolve-regions-options.ts, region-option.reader.ts) and the
 * Beaker/env parser (beaker-config.parser.ts, beaker-value.readers.ts) are both driven by this
 * table, so a new option is added here and nowhere else is a list to extend. Options of different
 * stores may share a Beaker name (`url`): the region's store says which one a key sets.
 */

/** What kind of value an option takes; each kind has one reader in the validator and one in the parser. */
export type OptionKind =
  | 'store'
  | 'ttl'
  | 'integer'
  | 'boolean'
  | 'choice'
  | 'string'
  | 'secret-list'
  | 'path'
  | 'servers'
  | 'redis-url'
  | 'key-prefix';

/** How one region option is taken, checked and spelt in Beaker-style configuration. */
export interface RegionOptionSpec {
  readonly kind: OptionKind;
  /** The built-in stores it means something for; absent: every store. */
  readonly stores?: readonly StoreName[];
  /** `integer`: the accepted range (the upper bound's reason goes into the error). */
  readonly bounds?: IntegerBounds;
  /** `choice` and `store`: the accepted values (for `store`, besides a `CacheStore` object). */
  readonly choices?: readonly string[];
  /** The default, as resolved (ttls in milliseconds); absent: none. */
  readonly default?: number | string | boolean;
  /** The stores a region cannot run without it on (each reader has a message per such option). */
  readonly requiredOn?: readonly StoreName[];
  /** Its key in Beaker-style configuration: `cache.<region>.<beaker>`, `CACHE_<REGION>_<BEAKER>`. */
  readonly beaker: string;
  /** Beaker took it on every backend: the parser ignores it off its stores instead of refusing it. */
  readonly anyStoreInBeaker?: boolean;
  /** What Beaker used when the key was absent, where `forRoot` requires the option instead. */
  readonly beakerDefault?: string;
}

const TIMER_BOUND: Omit<IntegerBounds, 'min'> = {
  max: MAX_TIMER_MS,
  why: `Longer delays overflow Node's timers (at most ${MAX_TIMER_MS} ms, about 24.8 days)`,
};

/**
 * The table, in the order messages list the options. Memcached's `timeoutMs` and `retries` are held
 * well below the timer limit: a call waits up to `retries × 2 × timeoutMs` for a dead server before
 * it runs uncached (10 × 2 × 60000 ms + delays stays a few minutes short of it).
 */
export const REGION_OPTIONS = {
  store: { kind: 'store', choices: ['memory', 'memcached', 'redis', 'file', 'none'], default: 'memory', beaker: 'type' },
  ttl: { kind: 'ttl', default: 0, beaker: 'expire' },
  servers: {
    kind: 'servers',
    stores: ['memcached'],
    requiredOn: ['memcached'],
    beaker: 'url',
    // Beaker's memcached clients connect to the local server when no url is given.
    beakerDefault: `127.0.0.1:${DEFAULT_MEMCACHED_PORT}`,
  },
  url: {
    kind: 'redis-url',
    stores: ['redis'],
    requiredOn: ['redis'],
    // Beaker's `url` names the servers of every backend: a region's store says which option it is.
    beaker: 'url',
    beakerDefault: `redis://127.0.0.1:${DEFAULT_REDIS_PORT}`,
  },
  dir: { kind: 'path', stores: ['file'], requiredOn: ['file'], beaker: 'data_dir', anyStoreInBeaker: true },
  lockDir: { kind: 'path', stores: ['file'], beaker: 'lock_dir', anyStoreInBeaker: true },
  keyPrefix: { kind: 'key-prefix', beaker: 'key_prefix' },
  failOpen: { kind: 'boolean', default: true, beaker: 'fail_open' },
  lock: { kind: 'boolean', default: false, beaker: 'lock' },
  lockTtl: { kind: 'ttl', default: 30_000, beaker: 'lock_ttl' },
  lockWaitMs: { kind: 'integer', bounds: { min: 0, ...TIMER_BOUND }, default: 5_000, beaker: 'lock_wait_ms' },
  staleTtl: { kind: 'ttl', default: 0, beaker: 'stale_ttl' },
  onLongKey: { kind: 'choice', choices: ['hash', 'error'], default: 'hash', beaker: 'on_long_key' },
  onKeyError: { kind: 'choice', choices: ['throw', 'bypass'], default: 'throw', beaker: 'on_key_error' },
  breakerThreshold: { kind: 'integer', bounds: { min: 1 }, default: 5, beaker: 'breaker_threshold' },
  breakerCooldownMs: { kind: 'integer', bounds: { min: 1, ...TIMER_BOUND }, default: 5_000, beaker: 'breaker_cooldown_ms' },
  maxEntries: { kind: 'integer', stores: ['memory'], bounds: { min: 1 }, default: 10_000, beaker: 'max_entries' },
  maxBytes: { kind: 'integer', stores: ['memory', 'file'], bounds: { min: 1 }, beaker: 'max_bytes' },
  clone: { kind: 'boolean', stores: ['memory'], default: false, beaker: 'clone' },
  username: { kind: 'string', stores: ['memcached'], beaker: 'username' },
  password: { kind: 'string', stores: ['memcached'], beaker: 'password' },
  timeoutMs: {
    kind: 'integer',
    stores: ['memcached', 'redis'],
    bounds: {
      min: 1,
      max: 60_000,
      why: 'A call waits up to timeoutMs for each memcached attempt or Redis command; a cache that waits longer than a minute is slower than no cache',
    },
    default: 500,
    beaker: 'timeout_ms',
  },
  retries: {
    kind: 'integer',
    stores: ['memcached'],
    bounds: {
      min: 1,
      max: 10,
      why: 'Each attempt may wait timeoutMs again before the call runs uncached; more than 10 attempts only delay that',
    },
    default: 2,
    beaker: 'retries',
  },
  maxValueBytes: { kind: 'integer', stores: ['memcached', 'redis'], bounds: { min: 1 }, default: 1_048_576, beaker: 'max_value_bytes' },
  signingKeys: { kind: 'secret-list', stores: ['memcached'], beaker: 'signing_keys' },
  failoverTtl: { kind: 'ttl', stores: ['memcached'], default: 10_000, beaker: 'failover_ttl' },
  sweepIntervalMs: { kind: 'integer', stores: ['file'], bounds: { min: 1, ...TIMER_BOUND }, default: 600_000, beaker: 'sweep_interval_ms' },
  verifyReads: { kind: 'choice', stores: ['file'], choices: ['once', 'always'], default: 'once', beaker: 'verify_reads' },
} as const satisfies { readonly [Option in keyof Required<RegionOptions>]: RegionOptionSpec };

/** A region option's name. */
export type RegionOptionName = keyof typeof REGION_OPTIONS;

/** The names of every region option, in the table's order. */
export const REGION_OPTION_NAMES = Object.keys(REGION_OPTIONS) as RegionOptionName[];

/** The spec of `name`, or undefined for a name that is no region option. */
export function regionOptionSpec(name: string): RegionOptionSpec | undefined {
  return Object.hasOwn(REGION_OPTIONS, name) ? (REGION_OPTIONS as Record<string, RegionOptionSpec>)[name] : undefined;
}

/** Options that take an integer. */
export type IntegerOption = {
  [Name in RegionOptionName]: (typeof REGION_OPTIONS)[Name]['kind'] extends 'integer' ? Name : never;
}[RegionOptionName];

/** Options that take a ttl. */
export type TtlOption = {
  [Name in RegionOptionName]: (typeof REGION_OPTIONS)[Name]['kind'] extends 'ttl' ? Name : never;
}[RegionOptionName];

/** Options some store cannot run without. */
export type RequiredOption = {
  [Name in RegionOptionName]: (typeof REGION_OPTIONS)[Name] extends { requiredOn: readonly StoreName[] } ? Name : never;
}[RegionOptionName];

/** Required options that Beaker-style configuration may leave out (it has a default for them). */
export type BeakerDefaultedOption = {
  [Name in RegionOptionName]: (typeof REGION_OPTIONS)[Name] extends { beakerDefault: string } ? Name : never;
}[RegionOptionName];

/** The bounds of an integer option. */
export function integerBounds(option: IntegerOption): IntegerBounds {
  return REGION_OPTIONS[option].bounds;
}

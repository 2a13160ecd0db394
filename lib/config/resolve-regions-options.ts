import type { CacheRegionsOptions, RegionOptions, StoreName } from '../cache-regions.options.js';
import { CacheConfigError } from '../errors.js';
import { CACHE_METRICS_SINK_METHODS } from '../observability/cache-metrics-sink.js';
import type { CacheStore } from '../stores/cache-store.js';
import { ttlToMs } from '../ttl.js';
import { closestName } from './closest-name.js';
import {
  integerOutOfRange,
  nulInPath,
  sharedStoreInstance,
} from './config.messages.js';
import { checkRegionName, isKeyPrefix, parseServerAddress, SERVER_ADDRESS_USAGE, serverList } from './naming-rules.js';
import { describeBounds, withinBounds } from './option-bounds.js';
import {
  integerBounds,
  REGION_OPTION_NAMES,
  REGION_OPTIONS,
  regionOptionSpec,
  type IntegerOption,
  type RegionOptionName,
  type RegionOptionSpec,
  type TtlOption,
} from './region-option-table.js';
import type { ResolvedRegionConfig } from './resolved-region-config.js';

const STORE_NAMES: readonly StoreName[] = ['memory', 'memcached', 'file', 'none'];
const TOP_LEVEL_OPTIONS = ['keyPrefix', 'defaults', 'regions', 'metrics'] as const;

/** The default of `option` in the option table (ttls in ms): a literal type, or undefined for none. */
type DefaultOf<Option extends RegionOptionName> = (typeof REGION_OPTIONS)[Option] extends { default: infer Value } ? Value : undefined;

function defaultOf<Option extends RegionOptionName>(option: Option): DefaultOf<Option> {
  return (REGION_OPTIONS[option] as RegionOptionSpec).default as DefaultOf<Option>;
}

function unknownOption(name: string, where: string, valid: readonly string[]): CacheConfigError {
  const guess = closestName(name, valid);
  return new CacheConfigError(
    `Unknown option "${name}" in ${where}.` +
      (guess ? ` Did you mean "${guess}"?` : '') +
      ` Valid options: ${valid.join(', ')}.`,
  );
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isCacheStore(value: unknown): value is CacheStore {
  if (typeof value !== 'object' || value === null) return false;
  const store = value as Partial<CacheStore>;
  return (
    ['get', 'set', 'delete', 'has', 'clear'].every(
      (method) => typeof (store as Record<string, unknown>)[method] === 'function',
    ) &&
    typeof store.keyLimits === 'object' &&
    typeof store.keyLimits?.maxBytes === 'number'
  );
}

/** Reads one region's merged options, checking each type; `where` prefixes every message. */
class RegionReader {
  constructor(
    private readonly values: RegionOptions,
    private readonly where: string,
  ) {}

  private fail(option: string, expected: string): never {
    const value = (this.values as Record<string, unknown>)[option];
    throw new CacheConfigError(
      `Invalid option "${option}" in ${this.where}: expected ${expected}, got ${JSON.stringify(value) ?? String(value)}.`,
    );
  }

  /** A ttl in milliseconds; the table's default when not given. */
  ttl<Option extends TtlOption>(option: Option): number | DefaultOf<Option> {
    const value = this.values[option];
    return value === undefined ? defaultOf(option) : ttlToMs(value, `${this.where} option "${option}"`);
  }

  /** An integer within the option's bounds in the table; the table's default when not given. */
  integer<Option extends IntegerOption>(option: Option): number | DefaultOf<Option> {
    const value = this.values[option];
    if (value === undefined) return defaultOf(option);
    const bounds = integerBounds(option);
    if (!withinBounds(value, bounds)) {
      const why = bounds.max !== undefined && typeof value === 'number' && value > bounds.max ? bounds.why : undefined;
      throw new CacheConfigError(
        integerOutOfRange(option, this.where, describeBounds(bounds), JSON.stringify(value) ?? String(value), why),
      );
    }
    return value;
  }

  boolean(option: 'failOpen' | 'lock' | 'clone'): boolean {
    const value = this.values[option];
    if (value === undefined) return defaultOf(option);
    if (typeof value !== 'boolean') this.fail(option, 'true or false');
    return value;
  }

  /** One of the option's choices in the table; its default when not given. */
  choice<Option extends 'onLongKey' | 'onKeyError' | 'verifyReads'>(option: Option): DefaultOf<Option> | (typeof REGION_OPTIONS)[Option]['choices'][number] {
    const value = this.values[option];
    if (value === undefined) return defaultOf(option);
    const choices: readonly string[] = REGION_OPTIONS[option].choices;
    if (typeof value !== 'string' || !choices.includes(value)) this.fail(option, choices.map((a) => `'${a}'`).join(' or '));
    return value as (typeof REGION_OPTIONS)[Option]['choices'][number];
  }

  string(option: keyof RegionOptions): string | undefined {
    const value = this.values[option];
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || value.length === 0) this.fail(option, 'a non-empty string');
    return value;
  }

  /** A directory path: a non-empty string without NUL bytes, which no file system accepts. */
  path(option: 'dir' | 'lockDir'): string | undefined {
    const value = this.string(option);
    if (value?.includes('\0')) throw new CacheConfigError(nulInPath(option, this.where));
    return value;
  }
}

function checkPrefix(value: unknown, where: string): string | undefined {
  if (value === undefined) return undefined;
  if (!isKeyPrefix(value)) {
    throw new CacheConfigError(
      `Invalid option "keyPrefix" in ${where}: expected letters, digits, '_', '.' or '-', got ${JSON.stringify(value)}.`,
    );
  }
  return value;
}

function checkMetricsSink(value: unknown): void {
  if (value === undefined) return;
  const missing =
    typeof value === 'object' && value !== null
      ? CACHE_METRICS_SINK_METHODS.filter((method) => typeof (value as Record<string, unknown>)[method] !== 'function')
      : [...CACHE_METRICS_SINK_METHODS];
  if (missing.length > 0) {
    throw new CacheConfigError(
      `Invalid option "metrics" in CacheRegionsModule options: expected a CacheMetricsSink (an object with ${CACHE_METRICS_SINK_METHODS.join(', ')} methods), but ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing. Use e.g. new PrometheusCacheMetrics() from 'nest-cache-regions/prometheus', or leave "metrics" out.`,
    );
  }
}

function checkOptionNames(options: Record<string, unknown>, where: string): void {
  for (const name of Object.keys(options)) {
    if (!regionOptionSpec(name)) throw unknownOption(name, where, REGION_OPTION_NAMES);
  }
}

function resolveStore(value: unknown, where: string): StoreName | CacheStore {
  if (value === undefined) return 'memory';
  if (typeof value === 'string') {
    if ((STORE_NAMES as readonly string[]).includes(value)) return value as StoreName;
    const guess = closestName(value, STORE_NAMES);
    throw new CacheConfigError(
      `Unknown store ${JSON.stringify(value)} in ${where}.` +
        (guess ? ` Did you mean "${guess}"?` : '') +
        ` Use one of ${STORE_NAMES.map((s) => `'${s}'`).join(', ')}, or an object implementing CacheStore.`,
    );
  }
  if (isCacheStore(value)) return value;
  throw new CacheConfigError(
    `Invalid option "store" in ${where}: expected a store name (${STORE_NAMES.join(', ')}) or an object implementing CacheStore (get, set, delete, has, clear, keyLimits).`,
  );
}

function resolveRegion(
  name: string,
  own: Record<string, unknown>,
  defaults: Record<string, unknown>,
  appPrefix: string | undefined,
): ResolvedRegionConfig {
  const where = `region "${name}"`;
  checkOptionNames(own, where);
  const store = resolveStore(own.store ?? defaults.store, where);
  const kind = typeof store === 'string' ? store : undefined;

  // Store-specific defaults reach only the regions of that store; the region's own options
  // must fit its store, since a misplaced one would silently do nothing.
  const merged: Record<string, unknown> = {};
  for (const [option, value] of Object.entries(defaults)) {
    const stores = regionOptionSpec(option)?.stores;
    if (!stores || (kind && stores.includes(kind))) merged[option] = value;
  }
  for (const [option, value] of Object.entries(own)) {
    const stores = regionOptionSpec(option)?.stores;
    if (stores && !(kind && stores.includes(kind))) {
      throw new CacheConfigError(
        `Option "${option}" in ${where} applies to ${stores.join(' and ')} regions, but this region uses the ${kind ?? 'custom'} store. Remove it, or set "store" to '${stores[0]}'.`,
      );
    }
    merged[option] = value;
  }

  const read = new RegionReader(merged as RegionOptions, where);
  const regionPrefix = checkPrefix(merged.keyPrefix, where);
  const namespace = [appPrefix, regionPrefix, name].filter(Boolean).join(':');

  const servers = serverList(merged.servers);
  if (kind === 'memcached') {
    if (!Array.isArray(servers) || servers.length === 0) {
      throw new CacheConfigError(
        `Missing option "servers" in ${where}: a memcached region needs at least one server, e.g. servers: ['127.0.0.1:11211'] ` +
          "(or a comma-separated string such as '10.0.0.1:11211,10.0.0.2:11211').",
      );
    }
    const seen = new Map<string, string>();
    for (const server of servers) {
      const address = typeof server === 'string' ? parseServerAddress(server) : undefined;
      if (!address) {
        throw new CacheConfigError(
          `Invalid server ${JSON.stringify(server)} in option "servers" of ${where}: ${SERVER_ADDRESS_USAGE}.`,
        );
      }
      const first = seen.get(address.name);
      if (first !== undefined) {
        // One server listed twice would hold two places on the hash ring under one name.
        throw new CacheConfigError(
          `Server ${JSON.stringify(server)} is listed twice in option "servers" of ${where} (as ${JSON.stringify(first)} too, both ${address.name}): list each server once.`,
        );
      }
      seen.set(address.name, server as string);
    }
  }
  const signingKeys = checkSigningKeys(merged.signingKeys, where);
  const dir = read.path('dir');
  if (kind === 'file' && dir === undefined) {
    throw new CacheConfigError(
      `Missing option "dir" in ${where}: a file region needs a directory, e.g. dir: '/var/cache/myapp'.`,
    );
  }
  const maxBytes = read.integer('maxBytes');
  const timeoutMs = read.integer('timeoutMs');
  const lockTtlMs = read.ttl('lockTtl');
  if (lockTtlMs === 0) {
    // 0 reads as "no expiry" for a ttl; a lock without one, left by a holder that crashed, would
    // make every miss of its key wait lockWaitMs for good.
    throw new CacheConfigError(
      `Invalid option "lockTtl" in ${where}: a lock must expire. Use a ttl longer than the slowest computation it guards, e.g. lockTtl: '30s' (the default).`,
    );
  }

  return {
    name,
    namespace,
    store,
    ttlMs: read.ttl('ttl'),
    staleTtlMs: read.ttl('staleTtl'),
    onLongKey: read.choice('onLongKey'),
    onKeyError: read.choice('onKeyError'),
    failOpen: read.boolean('failOpen'),
    lock: read.boolean('lock'),
    lockTtlMs,
    lockWaitMs: read.integer('lockWaitMs'),
    breakerThreshold: read.integer('breakerThreshold'),
    breakerCooldownMs: read.integer('breakerCooldownMs'),
    // A hung memcached delays a call by at most timeoutMs, whatever the client's retries.
    readTimeoutMs: kind === 'memcached' ? timeoutMs : 0,
    memory: {
      maxEntries: read.integer('maxEntries'),
      maxBytes: kind === 'memory' ? maxBytes : undefined,
      clone: read.boolean('clone'),
    },
    memcached: {
      servers: kind === 'memcached' ? (servers as string[]) : [],
      username: read.string('username'),
      password: read.string('password'),
      timeoutMs,
      retries: read.integer('retries'),
      maxValueBytes: read.integer('maxValueBytes'),
      signingKeys,
      failoverTtlMs: read.ttl('failoverTtl'),
    },
    file: {
      dir: dir ?? '',
      lockDir: read.path('lockDir'),
      maxBytes: kind === 'file' ? maxBytes : undefined,
      sweepIntervalMs: read.integer('sweepIntervalMs'),
      verifyReads: read.choice('verifyReads'),
    },
  };
}

/**
 * Validates `forRoot` options and resolves every region: inheritance from `defaults`, defaults,
 * ttl parsing. Throws {@link CacheConfigError} naming the region and option (and the closest valid
 * name for a typo), so a misconfigured app refuses to start.
 */
export function resolveRegionsOptions(options: CacheRegionsOptions): ResolvedRegionConfig[] {
  if (!isPlainObject(options)) {
    throw new CacheConfigError(
      'CacheRegionsModule options must be an object like { regions: { hot: { store: "memory" } } }.',
    );
  }
  for (const name of Object.keys(options)) {
    if (!(TOP_LEVEL_OPTIONS as readonly string[]).includes(name)) {
      throw unknownOption(name, 'CacheRegionsModule options', TOP_LEVEL_OPTIONS);
    }
  }
  const appPrefix = checkPrefix(options.keyPrefix, 'CacheRegionsModule options');
  checkMetricsSink(options.metrics);
  const defaults = options.defaults ?? {};
  if (!isPlainObject(defaults)) {
    throw new CacheConfigError('Option "defaults" of CacheRegionsModule must be an object of region options.');
  }
  checkOptionNames(defaults, '"defaults"');
  const regions = options.regions;
  if (!isPlainObject(regions) || Object.keys(regions).length === 0) {
    throw new CacheConfigError(
      'Option "regions" of CacheRegionsModule must name at least one region, e.g. regions: { hot: { store: "memory", ttl: 30 } }.',
    );
  }
  const resolved = Object.entries(regions).map(([name, own]) => {
    checkRegionName(name, 'CacheRegionsModule options "regions"');
    if (!isPlainObject(own)) {
      throw new CacheConfigError(`Region "${name}" must be an object of options, e.g. { store: 'memory', ttl: 30 }.`);
    }
    return resolveRegion(name, own, defaults as Record<string, unknown>, appPrefix);
  });
  checkStoresNotShared(resolved, regions as Record<string, Record<string, unknown>>);
  return resolved;
}

/**
 * A store instance serves exactly one region: two regions on one instance would read each other's
 * entries (their keys carry no region part inside a store) and clear() each other.
 */
function checkStoresNotShared(
  resolved: readonly ResolvedRegionConfig[],
  regions: Record<string, Record<string, unknown>>,
): void {
  const owners = new Map<CacheStore, string>();
  for (const region of resolved) {
    if (typeof region.store === 'string') continue;
    const first = owners.get(region.store);
    if (first !== undefined) {
      const fromDefaults = regions[first].store === undefined || regions[region.name].store === undefined;
      throw new CacheConfigError(sharedStoreInstance(first, region.name, fromDefaults));
    }
    owners.set(region.store, region.name);
  }
}

/** Shortest signing key, in bytes of UTF-8: 128 bits. */
const MIN_SIGNING_KEY_BYTES = 16;

/** Validates `signingKeys`: a non-empty array of strings of at least 16 bytes, or nothing. */
function checkSigningKeys(keys: unknown, where: string): string[] | undefined {
  if (keys === undefined) return undefined;
  const example = "e.g. signingKeys: [process.env.CACHE_SIGNING_KEY] with 32 random bytes in hex";
  if (!Array.isArray(keys) || keys.length === 0) {
    throw new CacheConfigError(`Invalid option "signingKeys" in ${where}: expected a non-empty array of strings, ${example}.`);
  }
  keys.forEach((key: unknown, index) => {
    if (typeof key !== 'string' || Buffer.byteLength(key) < MIN_SIGNING_KEY_BYTES) {
      // The key itself is never printed: it is a secret.
      const what = typeof key === 'string' ? `${Buffer.byteLength(key)} bytes long` : `a ${typeof key}`;
      throw new CacheConfigError(
        `Invalid option "signingKeys" in ${where}: key ${index} is ${what}; each key must be a string of at least ${MIN_SIGNING_KEY_BYTES} bytes, ${example}.`,
      );
    }
  });
  return [...(keys as string[])];
}

import type { CacheRegionsOptions, RegionOptions, StoreName } from '../cache-regions.options.js';
import { CacheConfigError } from '../errors.js';
import { CACHE_METRICS_SINK_METHODS } from '../observability/cache-metrics-sink.js';
import type { CacheStore } from '../stores/cache-store.js';
import { ttlToMs } from '../ttl.js';
import { closestName } from './closest-name.js';
import {
  integerOutOfRange,
  nulInPath,
  RESERVED_REGION_NAMES,
  reservedRegionName,
  sharedStoreInstance,
} from './config.messages.js';
import { describeBounds, INTEGER_BOUNDS, withinBounds, type IntegerBounds, type IntegerOption } from './option-bounds.js';
import type { ResolvedRegionConfig } from './resolved-region-config.js';

const STORE_NAMES: readonly StoreName[] = ['memory', 'memcached', 'file', 'none'];
const TOP_LEVEL_OPTIONS = ['keyPrefix', 'defaults', 'regions', 'metrics'] as const;
const COMMON_OPTIONS = [
  'store',
  'ttl',
  'keyPrefix',
  'onLongKey',
  'onKeyError',
  'failOpen',
  'lock',
  'lockTtl',
  'lockWaitMs',
  'staleTtl',
  'breakerThreshold',
  'breakerCooldownMs',
] as const;
/** Options that belong to one store kind; `maxBytes` is shared by memory and file. */
const STORE_OPTIONS: Record<string, readonly StoreName[]> = {
  maxEntries: ['memory'],
  maxBytes: ['memory', 'file'],
  clone: ['memory'],
  servers: ['memcached'],
  username: ['memcached'],
  password: ['memcached'],
  timeoutMs: ['memcached'],
  retries: ['memcached'],
  maxValueBytes: ['memcached'],
  signingKeys: ['memcached'],
  failoverTtl: ['memcached'],
  dir: ['file'],
  lockDir: ['file'],
  sweepIntervalMs: ['file'],
  verifyReads: ['file'],
};
const ALL_REGION_OPTIONS = [...COMMON_OPTIONS, ...Object.keys(STORE_OPTIONS)];
const NAME = /^[A-Za-z0-9_-]+$/;
const PREFIX = /^[A-Za-z0-9_.-]+$/;
const SERVER = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9_.-]+):\d{1,5}$/;

/** Defaults of every option that has one (SPEC sections 2.6 and 5). */
export const REGION_DEFAULTS = {
  ttlMs: 0,
  staleTtlMs: 0,
  onLongKey: 'hash',
  onKeyError: 'throw',
  failOpen: true,
  lock: false,
  lockTtlMs: 30_000,
  lockWaitMs: 5_000,
  breakerThreshold: 5,
  breakerCooldownMs: 5_000,
  maxEntries: 10_000,
  timeoutMs: 500,
  retries: 2,
  maxValueBytes: 1_048_576,
  failoverTtlMs: 10_000,
  sweepIntervalMs: 600_000,
  verifyReads: 'once',
} as const;

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

  ttl(option: 'ttl' | 'staleTtl' | 'lockTtl' | 'failoverTtl', fallback: number): number {
    const value = this.values[option];
    return value === undefined ? fallback : ttlToMs(value, `${this.where} option "${option}"`);
  }

  /** An integer within the option's bounds ({@link INTEGER_BOUNDS}). */
  integer(option: IntegerOption, fallback: number): number;
  integer(option: IntegerOption, fallback: undefined): number | undefined;
  integer(option: IntegerOption, fallback: number | undefined): number | undefined {
    const value = this.values[option];
    if (value === undefined) return fallback;
    const bounds: IntegerBounds = INTEGER_BOUNDS[option];
    if (!withinBounds(value, bounds)) {
      const why = bounds.max !== undefined && typeof value === 'number' && value > bounds.max ? bounds.why : undefined;
      throw new CacheConfigError(
        integerOutOfRange(option, this.where, describeBounds(bounds), JSON.stringify(value) ?? String(value), why),
      );
    }
    return value;
  }

  boolean(option: keyof RegionOptions, fallback: boolean): boolean {
    const value = this.values[option];
    if (value === undefined) return fallback;
    if (typeof value !== 'boolean') this.fail(option, 'true or false');
    return value;
  }

  oneOf<T extends string>(option: keyof RegionOptions, allowed: readonly T[], fallback: T): T {
    const value = this.values[option];
    if (value === undefined) return fallback;
    if (!allowed.includes(value as T)) this.fail(option, allowed.map((a) => `'${a}'`).join(' or '));
    return value as T;
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
  if (typeof value !== 'string' || !PREFIX.test(value)) {
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
    if (!ALL_REGION_OPTIONS.includes(name)) throw unknownOption(name, where, ALL_REGION_OPTIONS);
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
    const stores = STORE_OPTIONS[option];
    if (!stores || (kind && stores.includes(kind))) merged[option] = value;
  }
  for (const [option, value] of Object.entries(own)) {
    const stores = STORE_OPTIONS[option];
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
    for (const server of servers) {
      if (typeof server !== 'string' || !SERVER.test(server)) {
        throw new CacheConfigError(
          `Invalid server ${JSON.stringify(server)} in option "servers" of ${where}: use 'host:port', e.g. '127.0.0.1:11211'.`,
        );
      }
    }
  }
  const signingKeys = checkSigningKeys(merged.signingKeys, where);
  const dir = read.path('dir');
  if (kind === 'file' && dir === undefined) {
    throw new CacheConfigError(
      `Missing option "dir" in ${where}: a file region needs a directory, e.g. dir: '/var/cache/myapp'.`,
    );
  }
  const maxBytes = read.integer('maxBytes', undefined);
  const timeoutMs = read.integer('timeoutMs', REGION_DEFAULTS.timeoutMs);
  const lockTtlMs = read.ttl('lockTtl', REGION_DEFAULTS.lockTtlMs);
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
    ttlMs: read.ttl('ttl', REGION_DEFAULTS.ttlMs),
    staleTtlMs: read.ttl('staleTtl', REGION_DEFAULTS.staleTtlMs),
    onLongKey: read.oneOf('onLongKey', ['hash', 'error'], REGION_DEFAULTS.onLongKey),
    onKeyError: read.oneOf('onKeyError', ['throw', 'bypass'], REGION_DEFAULTS.onKeyError),
    failOpen: read.boolean('failOpen', REGION_DEFAULTS.failOpen),
    lock: read.boolean('lock', REGION_DEFAULTS.lock),
    lockTtlMs,
    lockWaitMs: read.integer('lockWaitMs', REGION_DEFAULTS.lockWaitMs),
    breakerThreshold: read.integer('breakerThreshold', REGION_DEFAULTS.breakerThreshold),
    breakerCooldownMs: read.integer('breakerCooldownMs', REGION_DEFAULTS.breakerCooldownMs),
    // A hung memcached delays a call by at most timeoutMs, whatever the client's retries.
    readTimeoutMs: kind === 'memcached' ? timeoutMs : 0,
    memory: {
      maxEntries: read.integer('maxEntries', REGION_DEFAULTS.maxEntries),
      maxBytes: kind === 'memory' ? maxBytes : undefined,
      clone: read.boolean('clone', false),
    },
    memcached: {
      servers: kind === 'memcached' ? (servers as string[]) : [],
      username: read.string('username'),
      password: read.string('password'),
      timeoutMs,
      retries: read.integer('retries', REGION_DEFAULTS.retries),
      maxValueBytes: read.integer('maxValueBytes', REGION_DEFAULTS.maxValueBytes),
      signingKeys,
      failoverTtlMs: read.ttl('failoverTtl', REGION_DEFAULTS.failoverTtlMs),
    },
    file: {
      dir: dir ?? '',
      lockDir: read.path('lockDir'),
      maxBytes: kind === 'file' ? maxBytes : undefined,
      sweepIntervalMs: read.integer('sweepIntervalMs', REGION_DEFAULTS.sweepIntervalMs),
      verifyReads: read.oneOf<'once' | 'always'>('verifyReads', ['once', 'always'], REGION_DEFAULTS.verifyReads),
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
 * Refuses a region name that is not letters, digits, `_` and `-`, or that JavaScript objects
 * treat specially (`__proto__`, `constructor`, `prototype`). Shared by `forRoot`, `forRootAsync`
 * and the flat-config parser.
 */
export function checkRegionName(name: string, where: string): void {
  if (RESERVED_REGION_NAMES.includes(name)) throw new CacheConfigError(reservedRegionName(name, where));
  if (!NAME.test(name)) {
    throw new CacheConfigError(
      `Invalid region name ${JSON.stringify(name)}: use letters, digits, '_' and '-' only.`,
    );
  }
}

/**
 * `servers` as given: an array as is, a string split at `,` or `;` (the form of environment
 * variables and of the flat-config parser's `url`), anything else left for the caller to refuse.
 */
function serverList(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  return value
    .split(/[;,]/)
    .map((server) => server.trim())
    .filter((server) => server !== '');
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

import type { CacheRegionsOptions, StoreName } from '../cache-regions.options.js';
import { CacheConfigError } from '../errors.js';
import { CACHE_METRICS_SINK_METHODS } from '../observability/cache-metrics-sink.js';
import type { CacheStore } from '../stores/cache-store.js';
import { closestName } from './closest-name.js';
import {
  DEFAULTS_NOT_AN_OBJECT,
  invalidMetricsSink,
  lockMustExpire,
  NO_REGIONS,
  OPTIONS_NOT_AN_OBJECT,
  optionOffStore,
  regionNotAnObject,
  sharedStoreInstance,
  unknownOption,
} from './config.messages.js';
import { checkRegionName } from './naming-rules.js';
import { readKeyPrefix, readStore, RegionOptionReader } from './region-option.reader.js';
import { REGION_OPTION_NAMES, REGION_OPTIONS, regionOptionSpec } from './region-option-table.js';
import type { ResolvedRegionConfig } from './resolved-region-config.js';

const TOP_LEVEL_OPTIONS = ['keyPrefix', 'defaults', 'regions', 'metrics'] as const;
const APP_OPTIONS = 'CacheRegionsModule options';

/**
 * Validates `forRoot` options and resolves every region: inheritance from `defaults`, defaults,
 * ttl parsing. Throws {@link CacheConfigError} naming the region and option (and the closest valid
 * name for a typo), so a misconfigured app refuses to start.
 */
export function resolveRegionsOptions(options: CacheRegionsOptions): ResolvedRegionConfig[] {
  if (!isPlainObject(options)) throw new CacheConfigError(OPTIONS_NOT_AN_OBJECT);
  for (const name of Object.keys(options)) {
    if (!(TOP_LEVEL_OPTIONS as readonly string[]).includes(name)) {
      throw new CacheConfigError(unknownOption(name, APP_OPTIONS, closestName(name, TOP_LEVEL_OPTIONS), TOP_LEVEL_OPTIONS));
    }
  }
  const appPrefix = readKeyPrefix(options.keyPrefix, APP_OPTIONS);
  checkMetricsSink(options.metrics);
  const defaults = options.defaults ?? {};
  if (!isPlainObject(defaults)) throw new CacheConfigError(DEFAULTS_NOT_AN_OBJECT);
  checkOptionNames(defaults, '"defaults"');
  const regions = options.regions;
  if (!isPlainObject(regions) || Object.keys(regions).length === 0) throw new CacheConfigError(NO_REGIONS);
  const resolved = Object.entries(regions).map(([name, own]) => {
    checkRegionName(name, `${APP_OPTIONS} "regions"`);
    if (!isPlainObject(own)) throw new CacheConfigError(regionNotAnObject(name));
    const config = resolveRegion(name, own, defaults as Record<string, unknown>, appPrefix);
    if (options.metrics !== undefined) config.metrics = options.metrics;
    return config;
  });
  checkStoresNotShared(resolved, regions as Record<string, Record<string, unknown>>);
  return resolved;
}

function resolveRegion(
  name: string,
  own: Record<string, unknown>,
  defaults: Record<string, unknown>,
  appPrefix: string | undefined,
): ResolvedRegionConfig {
  const where = `region "${name}"`;
  checkOptionNames(own, where);
  const store = readStore(own.store ?? defaults.store, REGION_OPTIONS.store, where);
  const kind = typeof store === 'string' ? store : undefined;
  const options = new RegionOptionReader(mergeForStore(own, defaults, kind, where), where, kind);

  // Read in this order so that, of several mistakes, the same one is reported first as always.
  const regionPrefix = options.read('keyPrefix');
  const servers = options.read('servers');
  const url = options.read('url');
  const signingKeys = options.read('signingKeys');
  const dir = options.read('dir');
  const maxBytes = options.read('maxBytes');
  const timeoutMs = options.read('timeoutMs');
  const lockTtlMs = options.read('lockTtl');
  // 0 reads as "no expiry" for a ttl; a lock without one, left by a holder that crashed, would
  // make every miss of its key wait lockWaitMs for good.
  if (lockTtlMs === 0) throw new CacheConfigError(lockMustExpire(where));

  return {
    name,
    namespace: [appPrefix, regionPrefix, name].filter(Boolean).join(':'),
    store,
    ttlMs: options.read('ttl'),
    staleTtlMs: options.read('staleTtl'),
    onLongKey: options.read('onLongKey'),
    onKeyError: options.read('onKeyError'),
    failOpen: options.read('failOpen'),
    lock: options.read('lock'),
    lockTtlMs,
    lockWaitMs: options.read('lockWaitMs'),
    breakerThreshold: options.read('breakerThreshold'),
    breakerCooldownMs: options.read('breakerCooldownMs'),
    // A hung memcached or Redis delays a call by at most timeoutMs, whatever the client's retries.
    readTimeoutMs: kind === 'memcached' || kind === 'redis' ? timeoutMs : 0,
    memory: {
      maxEntries: options.read('maxEntries'),
      maxBytes: kind === 'memory' ? maxBytes : undefined,
      clone: options.read('clone'),
    },
    memcached: {
      servers: servers ?? [],
      username: options.read('username'),
      password: options.read('password'),
      timeoutMs,
      retries: options.read('retries'),
      maxValueBytes: options.read('maxValueBytes'),
      signingKeys,
      failoverTtlMs: options.read('failoverTtl'),
    },
    redis: {
      url: url ?? [],
      timeoutMs,
      maxValueBytes: options.read('maxValueBytes'),
    },
    file: {
      dir: dir ?? '',
      lockDir: options.read('lockDir'),
      maxBytes: kind === 'file' ? maxBytes : undefined,
      sweepIntervalMs: options.read('sweepIntervalMs'),
      verifyReads: options.read('verifyReads'),
    },
  };
}

/**
 * The region's own options over `defaults`. Store-specific defaults reach only the regions of that
 * store; the region's own options must fit its store, since a misplaced one would silently do
 * nothing. `kind` is undefined for a custom store, which no store-specific option fits.
 */
function mergeForStore(
  own: Record<string, unknown>,
  defaults: Record<string, unknown>,
  kind: StoreName | undefined,
  where: string,
): Record<string, unknown> {
  const merged: Record<string, unknown> = {};
  for (const [option, value] of Object.entries(defaults)) {
    const stores = regionOptionSpec(option)?.stores;
    if (!stores || (kind && stores.includes(kind))) merged[option] = value;
  }
  for (const [option, value] of Object.entries(own)) {
    const stores = regionOptionSpec(option)?.stores;
    if (stores && !(kind && stores.includes(kind))) throw new CacheConfigError(optionOffStore(option, where, stores, kind));
    merged[option] = value;
  }
  return merged;
}

function checkOptionNames(options: Record<string, unknown>, where: string): void {
  for (const name of Object.keys(options)) {
    if (!regionOptionSpec(name)) {
      throw new CacheConfigError(unknownOption(name, where, closestName(name, REGION_OPTION_NAMES), REGION_OPTION_NAMES));
    }
  }
}

function checkMetricsSink(value: unknown): void {
  if (value === undefined) return;
  const missing =
    typeof value === 'object' && value !== null
      ? CACHE_METRICS_SINK_METHODS.filter((method) => typeof (value as Record<string, unknown>)[method] !== 'function')
      : [...CACHE_METRICS_SINK_METHODS];
  if (missing.length > 0) throw new CacheConfigError(invalidMetricsSink(CACHE_METRICS_SINK_METHODS, missing));
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

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { CACHE_REGIONS_CONFIG } from '../cache-regions.constants.js';
import { unconfiguredRegionUsed } from '../cache-regions.messages.js';
import type { ResolvedRegionConfig } from '../config/resolved-region-config.js';
import { checkStoreTtl, shownSeconds } from '../config/store-ttl.js';
import { CacheConfigError } from '../errors.js';
import type { CacheMetricsSink } from '../observability/cache-metrics-sink.js';
import { GuardedMetricsSink } from '../observability/guarded-metrics-sink.js';
import type { CacheStore } from '../stores/cache-store.js';
import { shownRedisUrls } from '../stores/redis/redis-url.js';
import { createStore } from './create-store.js';
import { CacheRegion } from './cache-region.js';
import { RateLimitedLogger } from '../observability/rate-limited-logger.js';
import type { RegionStats } from './region-stats.js';

/** Describes a region's backend in one line, for the bootstrap log. */
function describeBackend(config: ResolvedRegionConfig): string {
  const ttl = config.ttlMs === 0 ? 'no expiry' : `ttl ${config.ttlMs / 1000}s`;
  switch (config.store) {
    case 'memcached':
      return `memcached ${config.memcached.servers.join(', ')}, ${ttl}`;
    case 'redis':
      return `redis ${shownRedisUrls(config.redis.url)}, ${ttl}`;
    case 'file':
      return `file ${config.file.dir}, ${ttl}`;
    case 'memory':
      return `memory (max ${config.memory.maxEntries} entries), ${ttl}`;
    case 'none':
      return 'none (caching off)';
    default:
      return `${config.store.kind} (custom store), ${ttl}`;
  }
}

/**
 * Refuses configured lifetimes the store cannot keep (it knows its limit: `maxTtlMs`), so a region
 * never starts with a ttl whose every write would fail.
 */
function checkLifetimes(config: ResolvedRegionConfig, store: CacheStore): void {
  const where = (option: string) => `region "${config.name}" option "${option}"`;
  checkStoreTtl(store, config.ttlMs, config.staleTtlMs, where('ttl'), shownSeconds(config.ttlMs));
  if (config.lock && store.add !== undefined) {
    checkStoreTtl(store, config.lockTtlMs, 0, where('lockTtl'), shownSeconds(config.lockTtlMs));
  }
}

/**
 * All regions of the app by name. Injectable anywhere: `get(name)`, `names()`, `stats()`.
 * Closes every store when the app closes.
 */
@Injectable()
export class CacheRegions implements OnApplicationShutdown {
  private readonly regions = new Map<string, CacheRegion>();

  constructor(@Inject(CACHE_REGIONS_CONFIG) configs: ResolvedRegionConfig[]) {
    const logger = new RateLimitedLogger();
    // One guard per sink, so a failing sink is reported once for all regions.
    const guards = new Map<CacheMetricsSink, GuardedMetricsSink>();
    const guarded = (sink: CacheMetricsSink | undefined) => {
      if (sink === undefined) return undefined;
      let guard = guards.get(sink);
      if (guard === undefined) guards.set(sink, (guard = new GuardedMetricsSink(sink, logger)));
      return guard;
    };
    const stores: CacheStore[] = [];
    try {
      for (const config of configs) {
        const store = createStore(config, {
          region: config.name,
          namespace: config.namespace,
          // Store messages name their region already. Their own topic: a chatty client (memjs logs
          // every failed operation) must not hide the region's "running uncached" warning.
          warn: (message) => logger.warn(`store-notice:${config.name}`, message),
        });
        stores.push(store);
        checkLifetimes(config, store);
        this.regions.set(config.name, new CacheRegion(config, store, logger, guarded(config.metrics)));
        logger.log(`Region "${config.name}": ${describeBackend(config)}`);
      }
    } catch (error) {
      // The app will not start: release what the stores made so far opened (sockets, sweep timers).
      for (const store of stores) void (async () => store.close?.())().catch(() => undefined);
      throw error;
    }
  }

  /** The region `name`; throws `CacheConfigError` when it is not configured. */
  get(name: string): CacheRegion {
    const region = this.regions.get(name);
    if (!region) throw new CacheConfigError(unconfiguredRegionUsed(name, this.names()));
    return region;
  }

  /** Whether a region of that name is configured. */
  has(name: string): boolean {
    return this.regions.has(name);
  }

  /** The configured region names. */
  names(): string[] {
    return [...this.regions.keys()];
  }

  /** Stats of every region by name. */
  stats(): Record<string, RegionStats> {
    return Object.fromEntries([...this.regions].map(([name, region]) => [name, region.stats()]));
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([...this.regions.values()].map((region) => region.close()));
  }
}

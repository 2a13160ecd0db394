import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { CONTROLLER_WATERMARK } from '@nestjs/common/constants.js';
import { isObservable, lastValueFrom, toArray } from 'rxjs';
import { CACHE_REGIONS_CONFIG } from '../cache-regions.constants.js';
import {
  describeReturned,
  invalidationManyInstances,
  invalidationNoInstance,
  invalidationNoMethod,
  invalidationNotAClass,
  invalidationNotCached,
  invalidationOfHandler,
  invalidationUnconfiguredRegion,
  unconfiguredRegionUsed,
  type KeyCaller,
} from '../cache-regions.messages.js';
import type { ResolvedRegionConfig } from '../config/resolved-region-config.js';
import { checkStoreTtl, shownSeconds } from '../config/store-ttl.js';
import { CacheConfigError, CacheKeyError } from '../errors.js';
import { keyForCall } from '../keys/key-for.js';
import { getCachedMetadata, type CachedOptions } from '../metadata/cached-metadata.js';
import type {
  CachedClass,
  CachedMethodArgs,
  CachedMethodName,
  CachedMethodValue,
} from '../metadata/invalidation-metadata.js';
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

/** The singleton provider instances whose `@Cached` methods an app wrapped at startup. */
export class CachedInstances {
  readonly #instances: object[] = [];

  /** Records an instance the explorer wrapped (once per instance). */
  add(instance: object): void {
    this.#instances.push(instance);
  }

  /** The instances of `cls` or of a subclass (whose entries a call of `cls`'s method names). */
  of(cls: Function): object[] {
    return this.#instances.filter((instance) => instance instanceof cls);
  }
}

/** Each app's instances, by its CacheRegions: filled by its explorer, read by the invalidation API. */
const instancesByApp = new WeakMap<CacheRegions, CachedInstances>();

/** The wrapped instances of the app whose regions are `regions`. */
export function cachedInstancesOf(regions: CacheRegions): CachedInstances {
  let instances = instancesByApp.get(regions);
  if (instances === undefined) instancesByApp.set(regions, (instances = new CachedInstances()));
  return instances;
}

/** The invalidation API's operations, as its messages name them. */
type Operation = 'invalidate' | 'refresh' | 'set';

/** A `@Cached` method named by an invalidation, resolved: its region, options and targets. */
interface NamedCall {
  readonly caller: KeyCaller;
  readonly region: CacheRegion;
  readonly options: CachedOptions;
  readonly className: string;
  readonly method: string;
  /** The instances whose entries the call names, or the class when the app has none of them. */
  readonly targets: readonly object[];
}

/**
 * All regions of the app by name. Injectable anywhere: `get(name)`, `names()`, `stats()`, and the
 * typed invalidation of `@Cached` calls: `invalidate()`, `refresh()`, `set()`.
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

  /**
   * Evicts the entry `@Cached` stored for `target.method(...args)`, under the very key it uses
   * (its region, `key` and `namespace` options). `target` is the class, or an instance (needed when
   * several instances have entries of their own and you mean one). Given the class, the entry of
   * each of its singleton instances in this app is evicted. Resolves `true` when a store reported
   * an entry.
   * @throws CacheStoreError when the store could not apply it, whatever `failOpen` says.
   * @throws CacheKeyError for a method that is not `@Cached` on a provider, or arguments that
   *   cannot form a key; CacheConfigError when its region is not configured.
   */
  async invalidate<T extends object, K extends CachedMethodName<T>>(
    target: CachedClass<T> | T,
    method: K,
    ...args: CachedMethodArgs<T, K>
  ): Promise<boolean> {
    const call = this.named('invalidate', target, method);
    const keys = new Set(call.targets.map((each) => keyForCall(call.region.name, each, method, args, call.caller)));
    const outcomes = await Promise.allSettled([...keys].map((key) => call.region.delete(key)));
    const failed = outcomes.find((outcome) => outcome.status === 'rejected');
    if (failed) throw failed.reason;
    return outcomes.some((outcome) => outcome.status === 'fulfilled' && outcome.value);
  }

  /**
   * Recomputes `target.method(...args)` now (the method itself runs, on the app's instance of the
   * class, or on the instance given) and stores its result as `@Cached` would, replacing the entry.
   * Resolves the result (an Observable method's single value; `undefined` when it emitted
   * another number of values, which `@Cached` does not store either).
   * @throws CacheStoreError when the old entry could not be removed (see {@link set}).
   */
  async refresh<T extends object, K extends CachedMethodName<T>>(
    target: CachedClass<T> | T,
    method: K,
    ...args: CachedMethodArgs<T, K>
  ): Promise<CachedMethodValue<T, K>> {
    const call = this.named('refresh', target, method);
    const instance = this.onlyTarget(call, 'refresh', true);
    const original = (Object.getPrototypeOf(instance) as Record<string, (...a: unknown[]) => unknown>)[method];
    let value: unknown = await original.apply(instance, args);
    if (isObservable(value)) {
      const values = await lastValueFrom(value.pipe(toArray()));
      value = values.length === 1 ? values[0] : undefined;
    }
    await this.store(call, instance, args, value);
    return value as CachedMethodValue<T, K>;
  }

  /**
   * Stores `value` as the cached result of `target.method(...args)`, under `@Cached`'s key and
   * with its `ttl`. A value `@Cached` would not store (`undefined`, or refused by `unless`) leaves
   * no entry. The old entry is removed first: when the store cannot, this rejects with
   * `CacheStoreError` whatever `failOpen` says; a write that then fails open leaves no entry.
   */
  async set<T extends object, K extends CachedMethodName<T>>(
    value: CachedMethodValue<T, K>,
    target: CachedClass<T> | T,
    method: K,
    ...args: CachedMethodArgs<T, K>
  ): Promise<void> {
    const call = this.named('set', target, method);
    await this.store(call, this.onlyTarget(call, 'set', false), args, value);
  }

  /** The `@Cached` method `target.method`, checked; throws naming it and the fix. */
  private named(operation: Operation, target: unknown, method: string): NamedCall {
    const who = `CacheRegions.${operation}()`;
    const call = (first: string) => `regions.${operation}(${operation === 'set' ? 'value, ' : ''}${first}, '${method}', …args)`;
    const caller: KeyCaller = { name: who, withInstance: () => call('instance') };
    const isClass = typeof target === 'function';
    if (!isClass && (typeof target !== 'object' || target === null)) {
      throw new CacheKeyError(invalidationNotAClass(who, describeReturned(target)));
    }
    const cls = (isClass ? target : target.constructor) as Function;
    const className = cls?.name || '(anonymous class)';
    const fn = (cls?.prototype as Record<string, unknown> | undefined)?.[method];
    if (typeof fn !== 'function') throw new CacheKeyError(invalidationNoMethod(who, className, method));
    const metadata = getCachedMetadata(fn);
    if (!metadata) throw new CacheKeyError(invalidationNotCached(who, className, method));
    if (Reflect.getMetadata(CONTROLLER_WATERMARK, cls)) {
      throw new CacheKeyError(invalidationOfHandler(who, className, method));
    }
    if (!this.has(metadata.region)) {
      throw new CacheConfigError(invalidationUnconfiguredRegion(who, className, method, metadata.region, this.names()));
    }
    const instances = isClass ? cachedInstancesOf(this).of(cls) : [target as object];
    return {
      caller,
      region: this.get(metadata.region),
      options: metadata.options,
      className,
      method,
      targets: instances.length > 0 ? instances : [cls],
    };
  }

  /** The one target a value is for: an instance, or (`needsInstance` false) a class the app lacks. */
  private onlyTarget(call: NamedCall, operation: Operation, needsInstance: boolean): object {
    const [target] = call.targets;
    const who = call.caller.name;
    if (call.targets.length > 1) {
      throw new CacheKeyError(
        invalidationManyInstances(who, call.className, call.method, call.targets.length, call.caller.withInstance(call.method)),
      );
    }
    if (needsInstance && typeof target === 'function') {
      const orElse = `pass an instance: ${call.caller.withInstance(call.method)}`;
      throw new CacheConfigError(invalidationNoInstance(who, call.className, call.method, orElse));
    }
    return target;
  }

  /** Replaces the entry of a call with `value`: removed first (or throws), then written (fails open). */
  private async store(call: NamedCall, target: object, args: readonly unknown[], value: unknown): Promise<void> {
    const key = keyForCall(call.region.name, target, call.method, args, call.caller);
    await call.region.delete(key);
    if (value === undefined || call.options.unless?.(value)) return;
    await call.region.set(key, value, call.options.ttl === undefined ? undefined : { ttl: call.options.ttl });
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([...this.regions.values()].map((region) => region.close()));
  }
}

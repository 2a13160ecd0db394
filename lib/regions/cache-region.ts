import type { Readable } from 'node:stream';
import type { ResolvedRegionConfig } from '../config/resolved-region-config.js';
import { checkStoreTtl } from '../config/store-ttl.js';
import { CacheKeyError, CacheUnsupportedError } from '../errors.js';
import { fitKey } from '../keys/key-builder.js';
import { keyForCall } from '../keys/key-for.js';
import type { KeyContext } from '../keys/key-material.js';
import { userSpaceKey } from '../keys/key-space.js';
import type { CacheMetricsSink } from '../observability/cache-metrics-sink.js';
import { RateLimitedLogger } from '../observability/rate-limited-logger.js';
import type { CacheStore } from '../stores/cache-store.js';
import { ttlToMs, type Ttl } from '../ttl.js';
import { CacheAside, type CachedCallPolicy } from './cache-aside.js';
import { CrossProcessLock } from './cross-process-lock.js';
import { GuardedStore } from './guarded-store.js';
import { invalidKey, streamsUnsupported } from './region.messages.js';
import { RegionRecorder } from './region-recorder.js';
import type { RegionStats } from './region-stats.js';

/** Options of a single write. */
export interface CacheSetOptions {
  /**
   * Seconds, or a duration like `'5m'`; `0` = no expiry. Default: the region's ttl. A ttl that
   * rounds to 0 ms, or that the store cannot keep, rejects with `CacheConfigError`.
   */
  ttl?: Ttl;
}

/**
 * A named cache: owns expiry, key limits, single flight, fail-open, the circuit breaker and
 * stats; its store only stores. Inject one with `@InjectRegion('name')`.
 */
export class CacheRegion {
  /** The region's name as configured. */
  readonly name: string;
  /** The store behind the region. @internal */
  readonly store: CacheStore;

  private readonly recorder: RegionRecorder;
  private readonly guarded: GuardedStore;
  /** `lock: true` and a store that can `add`: single flight across processes. */
  private readonly lock: CrossProcessLock | undefined;
  private readonly flow: CacheAside;
  private readonly keyContext: KeyContext;
  /** {@link options}, made on first use. */
  private shownConfig: Readonly<ResolvedRegionConfig> | undefined;

  /** Regions are made by the module from its options; inject one with `@InjectRegion('name')`. */
  constructor(
    private readonly config: ResolvedRegionConfig,
    store: CacheStore,
    private readonly logger: RateLimitedLogger = new RateLimitedLogger(),
    /** Where hits, misses, errors and store latencies go; `undefined` = nowhere, at no cost. */
    metrics?: CacheMetricsSink,
  ) {
    this.name = config.name;
    this.store = store;
    this.keyContext = { region: config.name };
    this.recorder = new RegionRecorder(config.name, metrics);
    this.guarded = new GuardedStore(store, config, this.recorder, logger);
    this.lock =
      config.lock && store.add !== undefined
        ? new CrossProcessLock(this.guarded, store.add.bind(store), config.lockTtlMs, config.lockWaitMs, this.keyContext)
        : undefined;
    this.flow = new CacheAside(config, this.guarded, this.recorder, logger, this.lock);
  }

  /**
   * The region's resolved configuration (read-only), with its secrets (memcached `password`,
   * `signingKeys`) shown as `'[redacted]'`, so logging or serializing it leaks nothing.
   */
  get options(): Readonly<ResolvedRegionConfig> {
    return (this.shownConfig ??= withoutSecrets(this.config));
  }

  /** The cached value, or `undefined` on a miss (and, failing open, when the store fails). */
  async get<T = unknown>(key: string): Promise<T | undefined> {
    const entry = await this.guarded.read(this.fit(key), this.config.failOpen);
    if (entry === undefined) {
      this.recorder.miss('get');
      return undefined;
    }
    if (entry.freshUntil !== 0 && entry.freshUntil <= Date.now()) this.recorder.stale('get');
    else this.recorder.hit('get');
    return entry.value as T;
  }

  /** Stores a value; `undefined` is not stored (use `null`). */
  async set(key: string, value: unknown, options?: CacheSetOptions): Promise<void> {
    // A bad ttl rejects here, before the store is called: it is no store failure.
    const ttlMs =
      options?.ttl === undefined ? undefined : this.ttlOption(options.ttl, `region "${this.name}" set() option "ttl"`);
    await this.flow.write(this.fit(key), value, ttlMs, this.config.failOpen, false);
  }

  /**
   * Removes an entry; `true` when the store reported one.
   * @throws CacheStoreError when the store could not apply it (whatever `failOpen` says: an
   *   invalidation that did not happen must not look as if it did).
   */
  async delete(key: string): Promise<boolean> {
    const fitted = this.fit(key);
    const removed = await this.guarded.invalidate(() => this.store.delete(fitted), 'delete');
    this.recorder.counters.deletes++;
    return removed;
  }

  /** Whether a live entry exists. */
  async has(key: string): Promise<boolean> {
    const fitted = this.fit(key);
    return this.guarded.guard(() => this.store.has(fitted), false, this.config.failOpen, 'has');
  }

  /**
   * The cached value, or the result of `create` stored under `key`. Concurrent callers of the
   * same key in this process share one `create` run.
   */
  getOrSet<T>(key: string, create: () => T | Promise<T>, options?: CacheSetOptions): Promise<T> {
    let ttlMs: number | undefined;
    try {
      ttlMs =
        options?.ttl === undefined
          ? undefined
          : this.ttlOption(options.ttl, `region "${this.name}" getOrSet() option "ttl"`);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.flow.getOrCompute(this.fit(key), { ttlMs }, create) as Promise<T>;
  }

  /**
   * Drops every entry of this region, and only of it.
   * @throws CacheStoreError when the store could not apply it (whatever `failOpen` says).
   */
  async clear(): Promise<void> {
    // Results computed before the clear must not land after it.
    await this.flow.forgetFlights();
    await this.guarded.invalidate(() => this.store.clear(), 'clear');
  }

  /**
   * The key `@Cached` uses for `target.method(...args)` in this region (with its `key` and
   * `namespace` options), for targeted invalidation: `region.delete(region.keyFor(...))`.
   * `target` is the class or an instance; pass the instance when the method's `namespace` is a
   * function of the instance or its `key` reads `this` (the class alone throws CacheKeyError).
   * Returns the logical key: get()/delete() fit it exactly as @Cached does.
   */
  keyFor(target: Function | object, method: string, args: readonly unknown[]): string {
    return keyForCall(this.name, target, method, args);
  }

  /** Counters since start, and the store's own figures where cheap. */
  stats(): RegionStats {
    const storeInfo = this.store.describe?.();
    // Damaged entries a store found and removed on its own count as errors too.
    const corrupt = typeof storeInfo?.corrupt === 'number' ? storeInfo.corrupt : 0;
    const { counters } = this.recorder;
    const { breaker } = this.guarded;
    return {
      ...counters,
      errors: counters.errors + corrupt,
      breakerOpen: breaker.isOpen,
      breakerOpened: breaker.opened,
      store: this.store.kind,
      ...(storeInfo ? { storeInfo } : {}),
    };
  }

  /** A readable stream of the value (file regions only), or `undefined` on a miss. */
  async getStream(key: string): Promise<Readable | undefined> {
    const getStream = this.store.getStream;
    if (!getStream) throw this.unsupported('getStream');
    const fitted = this.fit(key);
    const stream = await this.guarded.guard(() => getStream.call(this.store, fitted), undefined, this.config.failOpen, 'getStream');
    if (stream === undefined) this.recorder.miss('getStream');
    else this.recorder.hit('getStream');
    return stream;
  }

  /** Stores a stream's bytes without holding them in memory (file regions only). */
  async setStream(key: string, source: Readable, options?: CacheSetOptions): Promise<void> {
    const setStream = this.store.setStream;
    if (!setStream) throw this.unsupported('setStream');
    const ttlMs =
      options?.ttl === undefined
        ? this.config.ttlMs
        : this.ttlOption(options.ttl, `region "${this.name}" setStream() option "ttl"`, false);
    const fitted = this.fit(key);
    const expiresAt = ttlMs === 0 ? 0 : Date.now() + ttlMs;
    await this.guarded.guard(
      () => setStream.call(this.store, fitted, source, expiresAt),
      undefined,
      this.config.failOpen,
      'setStream',
    );
    this.recorder.counters.sets++;
  }

  /**
   * The store key of a logical key: in the user key space (never an internal entry's key), fitted
   * into the store's limits (hash or error, per `onLongKey`).
   * @internal
   */
  fit(key: string, context: KeyContext = this.keyContext): string {
    if (typeof key !== 'string' || key.length === 0) {
      throw new CacheKeyError(invalidKey(this.name, key));
    }
    return fitKey(userSpaceKey(key), this.store.keyLimits, this.config.onLongKey, context);
  }

  /** Counts a call that ran uncached on purpose. @internal */
  countBypass(): void {
    this.recorder.bypassed();
  }

  /**
   * The cache-aside path shared by `@Cached`, the interceptor and `getOrSet`: a hit returns the
   * stored value; a miss runs `fn.apply(self, args)` once for all concurrent callers of `key` and
   * stores its result; store failures are misses. `key` must already be fitted. The call is given
   * in pieces, not as a closure, so that a hit allocates none.
   * @internal
   */
  getOrCompute(
    key: string,
    policy: CachedCallPolicy,
    fn: (...args: any[]) => unknown,
    self?: unknown,
    args?: readonly unknown[],
  ): Promise<unknown> {
    return this.flow.getOrCompute(key, policy, fn, self, args);
  }

  /** Waits for writes still in flight, then closes the store. @internal */
  async close(): Promise<void> {
    this.lock?.close();
    await this.flow.settleWrites();
    await this.store.close?.();
  }

  private unsupported(method: string): CacheUnsupportedError {
    return new CacheUnsupportedError(streamsUnsupported(this.name, this.store.kind, method));
  }

  /**
   * A ttl for this region in ms: a valid {@link Ttl} that the region's store can keep, counting the
   * region's `staleTtl` when entries written with it also live that long (`withStaleTtl`; not for
   * streams). `where` names the option in the message, e.g. `region "files" set() option "ttl"`.
   * Throws `CacheConfigError` before any store call, so a bad ttl is never a store failure. Also
   * for `@Cached`'s `ttl` at bootstrap.
   * @internal
   */
  ttlOption(ttl: Ttl, where: string, withStaleTtl = true): number {
    const ttlMs = ttlToMs(ttl, where);
    const staleTtlMs = withStaleTtl ? this.config.staleTtlMs : 0;
    checkStoreTtl(this.store, ttlMs, staleTtlMs, where, typeof ttl === 'string' ? JSON.stringify(ttl) : String(ttl));
    return ttlMs;
  }
}

/**
 * `config` as shown: the memcached password and signing keys, and the password in a Redis url,
 * replaced by `'[redacted]'`, without the metrics sink (an app object, not an option of the
 * region), frozen.
 */
function withoutSecrets(config: ResolvedRegionConfig): Readonly<ResolvedRegionConfig> {
  const { password, signingKeys } = config.memcached;
  const { metrics: _sink, ...shown } = config;
  const { url } = config.redis;
  return Object.freeze({
    ...shown,
    memcached: Object.freeze({
      ...config.memcached,
      password: password === undefined ? undefined : '[redacted]',
      signingKeys: signingKeys?.map(() => '[redacted]'),
    }),
    redis: Object.freeze({
      ...config.redis,
      url: typeof url === 'string' ? withoutUrlPassword(url) : Object.freeze(url.map(withoutUrlPassword)),
    }),
  });
}

/** `redis://user:secret@host` → `redis://user:[redacted]@host`; a url without password as is. */
function withoutUrlPassword(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:@/]*:)[^@/]*@/i, '$1[redacted]@');
}

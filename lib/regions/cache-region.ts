import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { keyForCall } from '../keys/key-for.js';
import type { ResolvedRegionConfig } from '../config/resolved-region-config.js';
import { CacheKeyError, CacheStoreError, CacheUnsupportedError } from '../errors.js';
import { fitKey } from '../keys/key-builder.js';
import { lockSpaceKey, userSpaceKey } from '../keys/key-space.js';
import type { KeyContext } from '../keys/key-material.js';
import type { CacheMetricsSink, CacheOperation } from '../observability/cache-metrics-sink.js';
import type { CacheStore, StoreEntry, StoreSetOptions } from '../stores/cache-store.js';
import { StoreValueTooLargeError } from '../stores/cache-store.js';
import { checkStoreTtl } from '../config/store-ttl.js';
import { Deadlines, type Deadline } from '../deadlines.js';
import { ttlToMs, type Ttl } from '../ttl.js';
import { FlightTable, PendingSet } from './churn-safe-collections.js';
import { CircuitBreaker } from './circuit-breaker.js';
import { RateLimitedLogger } from '../observability/rate-limited-logger.js';
import { RegionCounters, type RegionStats } from './region-stats.js';

/** Options of a single write. */
export interface CacheSetOptions {
  /**
   * Seconds, or a duration like `'5m'`; `0` = no expiry. Default: the region's ttl. A ttl that
   * rounds to 0 ms, or that the store cannot keep, rejects with `CacheConfigError`.
   */
  ttl?: Ttl;
}

/** How one cached call is to be stored; built once per decorated method. */
export interface CachedCallPolicy {
  /** Lifetime in ms, or `undefined` for the region's. */
  ttlMs?: number;
  /** `true` → do not store this result. */
  unless?: (result: unknown) => boolean;
}

type Producer = () => Promise<unknown>;

/** Milliseconds between attempts to release a lock left in doubt by a store outage. */
const LOCK_RELEASE_RETRY_MS = 1_000;

/** The deadline of a read when the region has no timeout: never due, only marked settled. */
const UNBOUNDED_READ = (): Deadline => ({ settled: false });

/** The arguments of a call that has none. */
const NO_ARGS: readonly unknown[] = [];

/** The store write options of a miss's value. */
const FILL: StoreSetOptions = { fill: true };

/** `fn.apply(self, args)` as a producer: a synchronous throw becomes a rejection. */
const produceBy =
  (fn: (...args: any[]) => unknown, self: unknown, args: readonly unknown[]): Producer =>
  async () =>
    fn.apply(self, args as unknown[]);

const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  typeof (value as PromiseLike<unknown> | undefined)?.then === 'function';

/**
 * A named cache: owns expiry, key limits, single flight, fail-open, the circuit breaker and
 * stats; its store only stores. Inject one with `@InjectRegion('name')`.
 */
export class CacheRegion {
  /** The region's name as configured. */
  readonly name: string;
  /** The store behind the region. */
  readonly store: CacheStore;

  private readonly counters = new RegionCounters();
  private readonly breaker: CircuitBreaker;
  private readonly inflight = new FlightTable<Promise<unknown>>();
  private readonly refreshing = new FlightTable<Promise<unknown>>();
  private readonly pendingWrites = new PendingSet<Promise<void>>();
  /** Flights whose value is computed and only its write is pending. */
  private readonly valueKnown = new WeakSet<Promise<unknown>>();
  private readonly keyContext: KeyContext;
  /** Deadlines of store reads, and of the wait for a miss's write (`readTimeoutMs`; none at 0). */
  private readonly deadlines: Deadlines | undefined;
  /** {@link options}, made on first use. */
  private shownConfig: Readonly<ResolvedRegionConfig> | undefined;
  private oversizeLogged = false;
  /** Set by close(): background work (lock releases) stops. */
  private closed = false;
  /** Bumped by clear(): flights started earlier do not write their results. */
  private epoch = 0;

  constructor(
    private readonly config: ResolvedRegionConfig,
    store: CacheStore,
    private readonly logger: RateLimitedLogger = new RateLimitedLogger(),
    /** Where hits, misses, errors and store latencies go; `undefined` = nowhere, at no cost. */
    private readonly metrics?: CacheMetricsSink,
  ) {
    this.name = config.name;
    this.store = store;
    this.keyContext = { region: config.name };
    this.deadlines = config.readTimeoutMs > 0 ? new Deadlines(config.readTimeoutMs) : undefined;
    this.breaker = new CircuitBreaker(config.breakerThreshold, config.breakerCooldownMs, (state, failures) =>
      state === 'open'
        ? this.logger.log(
            `Region "${this.name}": ${failures} consecutive ${store.kind} store failures; leaving the store alone for ${config.breakerCooldownMs} ms (calls run uncached).`,
          )
        : this.logger.log(`Region "${this.name}": ${store.kind} store answers again; caching resumed.`),
      // Failures that all end within one time-out (a hung server's batch) while other calls
      // succeed do not open the breaker.
      config.readTimeoutMs,
    );
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
    const entry = await this.read(this.fit(key), this.config.failOpen);
    if (entry === undefined) {
      this.counters.misses++;
      if (this.metrics !== undefined) this.metrics.miss(this.name, 'get');
      return undefined;
    }
    if (entry.freshUntil !== 0 && entry.freshUntil <= Date.now()) {
      this.counters.stale++;
      if (this.metrics !== undefined) this.metrics.stale(this.name, 'get');
    } else {
      this.counters.hits++;
      if (this.metrics !== undefined) this.metrics.hit(this.name, 'get');
    }
    return entry.value as T;
  }

  /** Stores a value; `undefined` is not stored (use `null`). */
  async set(key: string, value: unknown, options?: CacheSetOptions): Promise<void> {
    // A bad ttl rejects here, before the store is called: it is no store failure.
    const ttlMs =
      options?.ttl === undefined ? undefined : this.ttlOption(options.ttl, `region "${this.name}" set() option "ttl"`);
    await this.write(this.fit(key), value, ttlMs, this.config.failOpen, false);
  }

  /**
   * Removes an entry; `true` when the store reported one.
   * @throws CacheStoreError when the store could not apply it (whatever `failOpen` says: an
   *   invalidation that did not happen must not look as if it did).
   */
  async delete(key: string): Promise<boolean> {
    const fitted = this.fit(key);
    const removed = await this.invalidate(() => this.store.delete(fitted), 'delete');
    this.counters.deletes++;
    return removed;
  }

  /** Whether a live entry exists. */
  async has(key: string): Promise<boolean> {
    const fitted = this.fit(key);
    return this.guard(() => this.store.has(fitted), false, this.config.failOpen, 'has');
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
    return this.lookup(this.fit(key), { ttlMs }, create) as Promise<T>;
  }

  /**
   * Drops every entry of this region, and only of it.
   * @throws CacheStoreError when the store could not apply it (whatever `failOpen` says).
   */
  async clear(): Promise<void> {
    // Results computed before the clear must not land after it.
    this.epoch++;
    this.inflight.clear();
    this.refreshing.clear();
    await Promise.allSettled(this.pendingWrites.snapshot());
    await this.invalidate(() => this.store.clear(), 'clear');
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
    return {
      ...this.counters,
      errors: this.counters.errors + corrupt,
      breakerOpen: this.breaker.isOpen,
      breakerOpened: this.breaker.opened,
      store: this.store.kind,
      ...(storeInfo ? { storeInfo } : {}),
    };
  }

  /** A readable stream of the value (file regions only), or `undefined` on a miss. */
  async getStream(key: string): Promise<Readable | undefined> {
    const getStream = this.store.getStream;
    if (!getStream) throw this.unsupported('getStream');
    const fitted = this.fit(key);
    const stream = await this.guard(() => getStream.call(this.store, fitted), undefined, this.config.failOpen, 'getStream');
    if (stream === undefined) {
      this.counters.misses++;
      if (this.metrics !== undefined) this.metrics.miss(this.name, 'getStream');
    } else {
      this.counters.hits++;
      if (this.metrics !== undefined) this.metrics.hit(this.name, 'getStream');
    }
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
    await this.guard(
      () => setStream.call(this.store, fitted, source, expiresAt),
      undefined,
      this.config.failOpen,
      'setStream',
    );
    this.counters.sets++;
  }

  /**
   * The store key of a logical key: in the user key space (never an internal entry's key), fitted
   * into the store's limits (hash or error, per `onLongKey`).
   * @internal
   */
  fit(key: string, context: KeyContext = this.keyContext): string {
    if (typeof key !== 'string' || key.length === 0) {
      throw new CacheKeyError(
        `Invalid cache key ${JSON.stringify(key) ?? String(key)} for region "${this.name}": use a non-empty string (or region.keyFor(Class, 'method', args)).`,
      );
    }
    return fitKey(userSpaceKey(key), this.store.keyLimits, this.config.onLongKey, context);
  }

  /** Counts a call that ran uncached on purpose. @internal */
  countBypass(): void {
    this.counters.bypassed++;
    if (this.metrics !== undefined) this.metrics.bypassed?.(this.name, 'get');
  }

  /** Counts a caller served by another caller's computation. */
  private countCoalesced(): void {
    this.counters.coalesced++;
    if (this.metrics !== undefined) this.metrics.coalesced?.(this.name, 'get');
  }

  /**
   * The cache-aside path shared by `@Cached`, the interceptor and `getOrSet`: a hit returns the
   * stored value; a miss runs `fn.apply(self, args)` once for all concurrent callers of `key` and
   * stores its result; store failures are misses. `key` must already be fitted. The call is given
   * in pieces, not as a closure, so that a hit — the common case — allocates none.
   * @internal
   */
  lookup(
    key: string,
    policy: CachedCallPolicy,
    fn: (...args: any[]) => unknown,
    self?: unknown,
    args: readonly unknown[] = NO_ARGS,
  ): Promise<unknown> {
    const pending = this.inflight.get(key);
    if (pending !== undefined) return this.joinFlight(pending);
    let entry: StoreEntry | undefined | Promise<StoreEntry | undefined>;
    try {
      entry = this.breaker.allows() ? this.readRaw(key) : undefined;
    } catch (error) {
      this.storeFailed('get', error);
      entry = undefined;
    }
    if (entry instanceof Promise) {
      return entry.then(
        (found) => this.afterRead(key, found, policy, fn, self, args),
        (error: unknown) => {
          this.storeFailed('get', error);
          return this.afterRead(key, undefined, policy, fn, self, args);
        },
      );
    }
    return this.afterRead(key, entry, policy, fn, self, args);
  }

  /** Waits for writes still in flight, then closes the store. @internal */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled(this.pendingWrites.snapshot());
    await this.store.close?.();
  }

  private afterRead(
    key: string,
    entry: StoreEntry | undefined,
    policy: CachedCallPolicy,
    fn: (...args: any[]) => unknown,
    self: unknown,
    args: readonly unknown[],
  ): Promise<unknown> {
    if (entry !== undefined) {
      if (entry.freshUntil === 0 || entry.freshUntil > Date.now()) {
        this.counters.hits++;
        if (this.metrics !== undefined) this.metrics.hit(this.name, 'get');
        return Promise.resolve(entry.value);
      }
      // Expired but inside staleTtl: serve it while one caller refreshes in the background.
      this.counters.stale++;
      if (this.metrics !== undefined) this.metrics.stale(this.name, 'get');
      if (!this.refreshing.has(key)) {
        this.run(key, produceBy(fn, self, args), policy, this.refreshing).catch((error: unknown) => {
          this.counters.refreshErrors++;
          this.logger.warn(
            `refresh:${this.name}`,
            `Region "${this.name}": background refresh failed, serving the stale value until staleTtl ends: ${String(error)}`,
          );
        });
      }
      return Promise.resolve(entry.value);
    }
    // A caller that arrived while the store answered may have started the computation.
    const pending = this.inflight.get(key);
    if (pending !== undefined) return this.joinFlight(pending);
    this.counters.misses++;
    if (this.metrics !== undefined) this.metrics.miss(this.name, 'get');
    return this.run(key, produceBy(fn, self, args), policy);
  }

  /**
   * A caller of a key whose computation is under way waits for it: counted as a hit once the
   * value is known (only its write is pending), as coalesced while it is still being computed.
   */
  private joinFlight(flight: Promise<unknown>): Promise<unknown> {
    if (this.valueKnown.has(flight)) {
      this.counters.hits++;
      if (this.metrics !== undefined) this.metrics.hit(this.name, 'get');
    } else {
      this.countCoalesced();
    }
    return flight;
  }

  /**
   * Computes and stores a value, registered in `flights` (misses wait on `inflight`; background
   * refreshes of stale entries go in `refreshing`, so callers keep getting the stale value).
   * Write-through: the flight settles once the entry is stored (or its write failed or outlived
   * the region's timeout), so whoever reads next, in any process, finds it.
   */
  private run(
    key: string,
    produce: Producer,
    policy: CachedCallPolicy,
    flights: FlightTable<Promise<unknown>> = this.inflight,
  ): Promise<unknown> {
    const epoch = this.epoch;
    const locked = this.config.lock && this.store.add !== undefined;
    const flight: Promise<unknown> = locked
      ? this.produceUnderLock(key, produce, policy, epoch)
      : produce().then((value) => {
          if (value === undefined || epoch !== this.epoch || policy.unless?.(value)) return value;
          const writing = this.write(key, value, policy.ttlMs, true, true);
          if (writing === undefined) return value;
          this.valueKnown.add(flight);
          return this.withinTimeout(writing).then(() => value);
        });
    flights.set(key, flight);
    const settle = () => flights.settle(key, flight);
    flight.then(settle, settle);
    return flight;
  }

  /**
   * `write` (which never rejects: it fails open), awaited for at most the region's timeout; a
   * later outcome still lands or counts as an error on its own.
   */
  private withinTimeout(write: Promise<void>): Promise<void> {
    const deadlines = this.deadlines;
    if (deadlines === undefined) return write;
    return new Promise<void>((resolve) => {
      const deadline = deadlines.start(resolve);
      write.then(() => {
        deadline.settled = true;
        resolve();
      });
    });
  }

  /**
   * Runs an invalidation (`delete`, `clear`). Unlike reads and fills it never fails open, and it is
   * tried even while the circuit breaker is open: a caller that invalidates needs it done or to
   * know it was not.
   */
  private async invalidate<T>(operation: () => T | Promise<T>, name: CacheOperation): Promise<T> {
    const started = this.metrics === undefined ? 0 : performance.now();
    try {
      const result = await operation();
      this.breaker.success();
      if (this.metrics !== undefined) this.metrics.latency(this.name, name, performance.now() - started);
      return result;
    } catch (error) {
      if (this.metrics !== undefined) this.metrics.latency(this.name, name, performance.now() - started);
      this.breaker.failure();
      this.storeFailed(name, error);
      throw new CacheStoreError(
        `Region "${this.name}": ${name}() was not applied, the ${this.store.kind} store failed: ${error instanceof Error ? error.message : String(error)}. Entries it was to remove may still be served; check the store and retry.`,
        { cause: error },
      );
    }
  }

  /**
   * `lock: true`: single flight across processes. The first process to `add` the lock entry
   * computes and stores the value; the others poll the store for it until `lockWaitMs`, then
   * compute themselves rather than fail. A crashed holder's lock expires after `lockTtl`.
   */
  private async produceUnderLock(
    key: string,
    produce: Producer,
    policy: CachedCallPolicy,
    epoch: number,
  ): Promise<unknown> {
    const add = this.store.add!.bind(this.store);
    // Internal key space: no user key can name it (see keys/key-space.ts); always hashed when long.
    const lockKey = fitKey(lockSpaceKey(key), this.store.keyLimits, 'hash', this.keyContext);
    const token = randomUUID();
    const deadline = Date.now() + this.config.lockWaitMs;
    let held = false;
    for (let delay = 10; ; delay = Math.min(delay * 2, 100)) {
      const outcome = await this.takeLock(add, lockKey, token);
      held = outcome === 'held';
      if (outcome === 'failed') {
        // The store could not be asked (or did not answer): compute now rather than wait for a
        // lock nobody may hold, and release ours if the request is applied after all.
        this.releaseWhenAnswered(lockKey, token);
        break;
      }
      if (held || Date.now() >= deadline || !this.breaker.allows()) break;
      await sleep(Math.min(delay, Math.max(1, deadline - Date.now())));
      const entry = await this.read(key, true);
      if (entry !== undefined) {
        this.countCoalesced();
        return entry.value;
      }
    }
    if (held) {
      // Our miss may predate the previous holder's write and release: look again before computing.
      const entry = await this.read(key, true);
      if (entry !== undefined && (entry.freshUntil === 0 || entry.freshUntil > Date.now())) {
        await this.releaseLock(lockKey, token);
        this.countCoalesced();
        return entry.value;
      }
    }
    try {
      const value = await produce();
      if (value !== undefined && epoch === this.epoch && !policy.unless?.(value)) {
        await this.write(key, value, policy.ttlMs, true, true);
      }
      return value;
    } finally {
      if (held) await this.releaseLock(lockKey, token);
    }
  }

  /** One attempt at the lock: taken, held by another, or the store failed (so nobody knows). */
  private async takeLock(
    add: NonNullable<CacheStore['add']>,
    lockKey: string,
    token: string,
  ): Promise<'held' | 'busy' | 'failed'> {
    if (!this.breaker.allows()) return 'failed';
    try {
      const added = await add(lockKey, { value: token, expiresAt: Date.now() + this.config.lockTtlMs, freshUntil: 0 });
      this.breaker.success();
      return added ? 'held' : 'busy';
    } catch (error) {
      this.breaker.failure();
      this.storeFailed('add', error);
      return 'failed';
    }
  }

  /**
   * Releases our lock if it is still ours (after lockTtl another process may hold it). Resolves
   * `false` when the store could not be asked; then the release is retried in the background.
   */
  private async releaseLock(lockKey: string, token: string): Promise<boolean> {
    const released = await this.tryRelease(lockKey, token);
    if (!released) this.releaseWhenAnswered(lockKey, token);
    return released;
  }

  private async tryRelease(lockKey: string, token: string): Promise<boolean> {
    try {
      const current = await this.readRaw(lockKey);
      if (current?.value === token) await this.store.delete(lockKey);
      return true;
    } catch (error) {
      this.storeFailed('delete', error);
      return false;
    }
  }

  /**
   * Keeps trying, once a second, to release a lock of ours that may be held in the store — one
   * whose taking or release failed while the store was out — until the store answers or the lock
   * would have expired anyway, so that no lock outlives an outage to block callers afterwards.
   */
  private releaseWhenAnswered(lockKey: string, token: string): void {
    const until = Date.now() + this.config.lockTtlMs;
    void (async () => {
      while (!this.closed && Date.now() < until) {
        await sleep(LOCK_RELEASE_RETRY_MS, undefined, { ref: false });
        if (this.closed || (await this.tryRelease(lockKey, token))) return;
      }
    })();
  }

  /**
   * One store read under the breaker's accounting; throws (or rejects) when the store fails. An
   * asynchronous read also fails once `readTimeoutMs` has passed (its late answer is ignored):
   * one promise and one entry in {@link deadlines} per read, no timer of its own.
   */
  private readRaw(key: string): StoreEntry | undefined | Promise<StoreEntry | undefined> {
    // Timed only when a sink listens: without one a hit must not pay for the clock.
    const started = this.metrics === undefined ? 0 : performance.now();
    let entry: StoreEntry | undefined | Promise<StoreEntry | undefined>;
    try {
      entry = this.store.get(key);
    } catch (error) {
      this.readFailed(started);
      throw error;
    }
    if (!(entry instanceof Promise)) {
      this.readAnswered(started);
      return entry;
    }
    const reading = entry;
    const deadlines = this.deadlines;
    return new Promise<StoreEntry | undefined>((resolve, reject) => {
      const deadline =
        deadlines?.start(() => {
          this.readFailed(started);
          reject(new Error(`no answer within ${this.config.readTimeoutMs} ms (timeoutMs)`));
        }) ?? UNBOUNDED_READ();
      reading.then(
        (found) => {
          if (deadline.settled) return;
          deadline.settled = true;
          this.readAnswered(started);
          resolve(found);
        },
        (error: unknown) => {
          if (deadline.settled) return;
          deadline.settled = true;
          this.readFailed(started);
          reject(error);
        },
      );
    });
  }

  private readAnswered(started: number): void {
    this.breaker.success();
    if (this.metrics !== undefined) this.metrics.latency(this.name, 'get', performance.now() - started);
  }

  private readFailed(started: number): void {
    this.breaker.failure();
    if (this.metrics !== undefined) this.metrics.latency(this.name, 'get', performance.now() - started);
  }

  private async read(key: string, failOpen: boolean): Promise<StoreEntry | undefined> {
    if (!this.breaker.allows()) return this.unavailable(failOpen, 'get', undefined);
    try {
      return await this.readRaw(key);
    } catch (error) {
      this.storeFailed('get', error);
      if (failOpen) return undefined;
      throw this.storeError('get', error);
    }
  }

  /** Stores a value; returns a promise only when the store answers asynchronously. */
  /**
   * Stores a value; returns a promise only when the store answers asynchronously. `fill`: the
   * value of a miss (see {@link StoreSetOptions.fill}), which a store may keep as a short-lived
   * failover copy; a direct `set()` is not one.
   */
  private write(
    key: string,
    value: unknown,
    ttlMs: number | undefined,
    failOpen: boolean,
    fill: boolean,
  ): Promise<void> | undefined {
    if (value === undefined) return undefined;
    const now = Date.now();
    const lifeMs = ttlMs ?? this.config.ttlMs;
    const staleMs = lifeMs === 0 ? 0 : this.config.staleTtlMs;
    const entry: StoreEntry = {
      value,
      expiresAt: lifeMs === 0 ? 0 : now + lifeMs + staleMs,
      freshUntil: staleMs === 0 ? 0 : now + lifeMs,
    };
    const outcome = this.attempt<boolean>(
      () => {
        const stored = this.store.set(key, entry, fill ? FILL : undefined);
        return isThenable(stored) ? Promise.resolve(stored).then(() => true) : true;
      },
      false,
      failOpen,
      'set',
    );
    if (!isThenable(outcome)) {
      // Synchronous stores (memory) finish here, so the next caller already sees the entry.
      if (outcome) this.counters.sets++;
      return undefined;
    }
    const write = Promise.resolve(outcome).then((stored) => {
      if (stored) this.counters.sets++;
    });
    this.pendingWrites.add(write);
    return write.finally(() => this.pendingWrites.delete(write));
  }

  /** Runs a store operation under the breaker; failures become `fallback` when failing open. */
  private guard<T>(
    operation: () => T | Promise<T>,
    fallback: T,
    failOpen: boolean,
    name: CacheOperation,
  ): Promise<T> {
    return Promise.resolve(this.attempt(operation, fallback, failOpen, name));
  }

  /**
   * The breaker, error counting and fail-open policy around one store call; answers
   * synchronously when the store does.
   */
  private attempt<T>(
    operation: () => T | Promise<T>,
    fallback: T,
    failOpen: boolean,
    name: CacheOperation,
  ): T | Promise<T> {
    if (!this.breaker.allows()) return this.unavailable(failOpen, name, fallback);
    const started = this.metrics === undefined ? 0 : performance.now();
    const settle = (result: T): T => {
      this.breaker.success();
      if (this.metrics !== undefined) this.metrics.latency(this.name, name, performance.now() - started);
      return result;
    };
    const fail = (error: unknown): T => {
      if (this.metrics !== undefined) this.metrics.latency(this.name, name, performance.now() - started);
      if (error instanceof StoreValueTooLargeError) {
        this.noteOversize(error, name);
        return fallback;
      }
      this.breaker.failure();
      this.storeFailed(name, error);
      if (failOpen) return fallback;
      throw this.storeError(name, error);
    };
    let result: T | Promise<T>;
    try {
      result = operation();
    } catch (error) {
      return fail(error);
    }
    return result instanceof Promise ? result.then(settle, fail) : settle(result);
  }

  private noteOversize(error: StoreValueTooLargeError, operation: CacheOperation): void {
    this.counters.oversize++;
    if (this.metrics !== undefined) this.metrics.oversize?.(this.name, operation);
    if (this.oversizeLogged) return;
    this.oversizeLogged = true;
    this.logger.log(
      `Region "${this.name}": a value ${Number.isFinite(error.byteLength) ? `of ${error.byteLength} bytes` : 'too large to measure'} exceeds the ${this.store.kind} store's limit of ${error.maxBytes} bytes and was not cached (logged once; see stats().oversize). ${error.remedy === undefined ? 'Cache smaller values.' : `Cache smaller values, or ${error.remedy}.`}`,
    );
  }

  private unavailable<T>(failOpen: boolean, operation: string, fallback: T): T {
    if (failOpen) return fallback;
    throw new CacheStoreError(
      `Region "${this.name}": the ${this.store.kind} store failed repeatedly and is paused for up to ${this.config.breakerCooldownMs} ms, so ${operation}() was not attempted. Check the store, or set failOpen: true to treat this as a miss.`,
    );
  }

  private storeFailed(operation: CacheOperation, error: unknown): void {
    this.counters.errors++;
    if (this.metrics !== undefined) this.metrics.error(this.name, operation);
    this.logger.warn(
      `store:${this.name}`,
      `Region "${this.name}": ${this.store.kind} store ${operation}() failed, ${operation === 'delete' || operation === 'clear' ? 'not applied' : 'running uncached'}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }

  private storeError(operation: string, error: unknown): CacheStoreError {
    return new CacheStoreError(
      `Region "${this.name}": ${this.store.kind} store ${operation}() failed: ${error instanceof Error ? error.message : String(error)}. Check the store, or set failOpen: true to treat failures as misses.`,
      { cause: error },
    );
  }

  private unsupported(method: string): CacheUnsupportedError {
    return new CacheUnsupportedError(
      `Region "${this.name}" uses the ${this.store.kind} store, which has no ${method}(). Streams are for file regions: use get()/set() here, or move this data to a region with store: 'file'.`,
    );
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

/** `config` with the memcached password and signing keys replaced by `'[redacted]'`, frozen. */
function withoutSecrets(config: ResolvedRegionConfig): Readonly<ResolvedRegionConfig> {
  const { password, signingKeys } = config.memcached;
  return Object.freeze({
    ...config,
    memcached: Object.freeze({
      ...config.memcached,
      password: password === undefined ? undefined : '[redacted]',
      signingKeys: signingKeys?.map(() => '[redacted]'),
    }),
  });
}

import type { ResolvedRegionConfig } from '../config/resolved-region-config.js';
import type { RateLimitedLogger } from '../observability/rate-limited-logger.js';
import type { StoreEntry, StoreSetOptions } from '../stores/cache-store.js';
import { FlightTable, PendingSet } from './churn-safe-collections.js';
import type { CrossProcessLock } from './cross-process-lock.js';
import type { GuardedStore } from './guarded-store.js';
import { refreshFailed } from './region.messages.js';
import type { RegionRecorder } from './region-recorder.js';

/** How one cached call is to be stored; built once per decorated method. */
export interface CachedCallPolicy {
  /** Lifetime in ms, or `undefined` for the region's. */
  ttlMs?: number;
  /** `true` → do not store this result. */
  unless?: (result: unknown) => boolean;
}

type Producer = () => Promise<unknown>;

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
 * A region's cache-aside flow: a hit returns the stored value; a miss computes once for all
 * concurrent callers of the key in this process (and, with a {@link CrossProcessLock}, across
 * processes), then stores the result before the callers get it (write-through); an entry past
 * its freshness but inside `staleTtl` is served while one caller refreshes it in the background.
 */
export class CacheAside {
  private readonly inflight = new FlightTable<Promise<unknown>>();
  private readonly refreshing = new FlightTable<Promise<unknown>>();
  private readonly pendingWrites = new PendingSet<Promise<void>>();
  /** Flights whose value is computed and only its write is pending. */
  private readonly valueKnown = new WeakSet<Promise<unknown>>();
  /** Bumped by {@link forgetFlights}: flights started earlier do not write their results. */
  private epoch = 0;

  constructor(
    private readonly config: ResolvedRegionConfig,
    private readonly guarded: GuardedStore,
    private readonly recorder: RegionRecorder,
    private readonly logger: RateLimitedLogger,
    private readonly lock: CrossProcessLock | undefined,
  ) {}

  /**
   * The cache-aside path shared by `@Cached`, the interceptor and `getOrSet`: a hit returns the
   * stored value; a miss runs `fn.apply(self, args)` once for all concurrent callers of `key` and
   * stores its result; store failures are misses. `key` must already be fitted. The call is given
   * in pieces, not as a closure, so that a hit — the common case — allocates none.
   */
  getOrCompute(
    key: string,
    policy: CachedCallPolicy,
    fn: (...args: any[]) => unknown,
    self?: unknown,
    args: readonly unknown[] = NO_ARGS,
  ): Promise<unknown> {
    const pending = this.inflight.get(key);
    if (pending !== undefined) return this.joinFlight(pending);
    const guarded = this.guarded;
    // A synchronous store's fresh value first: a hit then builds no entry. Anything else (a miss,
    // a stale entry, an open breaker, a failure) takes the full read.
    if (guarded.peeks && !guarded.breaker.isOpen) {
      let fresh: unknown;
      try {
        fresh = guarded.peekFresh(key);
      } catch (error) {
        guarded.failed('get', error);
        return this.afterRead(key, undefined, policy, fn, self, args);
      }
      if (fresh !== undefined) {
        this.recorder.hit('get');
        return Promise.resolve(fresh);
      }
    }
    return this.read(key, policy, fn, self, args);
  }

  /** {@link getOrCompute} past the in-process flights and the store's fresh values: a full read. */
  private read(
    key: string,
    policy: CachedCallPolicy,
    fn: (...args: any[]) => unknown,
    self: unknown,
    args: readonly unknown[],
  ): Promise<unknown> {
    let entry: StoreEntry | undefined | Promise<StoreEntry | undefined>;
    try {
      entry = this.guarded.breaker.allows() ? this.guarded.readRaw(key) : undefined;
    } catch (error) {
      this.guarded.failed('get', error);
      entry = undefined;
    }
    if (entry instanceof Promise) {
      return entry.then(
        (found) => this.afterRead(key, found, policy, fn, self, args),
        (error: unknown) => {
          this.guarded.failed('get', error);
          return this.afterRead(key, undefined, policy, fn, self, args);
        },
      );
    }
    return this.afterRead(key, entry, policy, fn, self, args);
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
        this.recorder.hit('get');
        return Promise.resolve(entry.value);
      }
      // Expired but inside staleTtl: serve it while one caller refreshes in the background.
      this.recorder.stale('get');
      if (!this.refreshing.has(key)) {
        this.run(key, produceBy(fn, self, args), policy, this.refreshing).catch((error: unknown) => {
          this.recorder.counters.refreshErrors++;
          this.logger.warn(`refresh:${this.config.name}`, refreshFailed(this.config.name, error));
        });
      }
      return Promise.resolve(entry.value);
    }
    // A caller that arrived while the store answered may have started the computation.
    const pending = this.inflight.get(key);
    if (pending !== undefined) return this.joinFlight(pending);
    this.recorder.miss('get');
    return this.run(key, produceBy(fn, self, args), policy);
  }

  /**
   * A caller of a key whose computation is under way waits for it: counted as a hit once the
   * value is known (only its write is pending), as coalesced while it is still being computed.
   */
  private joinFlight(flight: Promise<unknown>): Promise<unknown> {
    if (this.valueKnown.has(flight)) this.recorder.hit('get');
    else this.recorder.coalesced();
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
    const lock = this.lock;
    const flight: Promise<unknown> = lock
      ? this.produceUnderLock(lock, key, produce, policy, epoch)
      : produce().then((value) => {
          if (value === undefined || epoch !== this.epoch || policy.unless?.(value)) return value;
          const writing = this.write(key, value, policy.ttlMs, true, true);
          if (writing === undefined) return value;
          this.valueKnown.add(flight);
          return this.guarded.withinTimeout(writing).then(() => value);
        });
    flights.set(key, flight);
    const settle = () => flights.settle(key, flight);
    flight.then(settle, settle);
    return flight;
  }

  /**
   * `lock: true`: the first process to take the key's lock computes and stores the value; the
   * others wait for it (see {@link CrossProcessLock}).
   */
  private async produceUnderLock(
    lock: CrossProcessLock,
    key: string,
    produce: Producer,
    policy: CachedCallPolicy,
    epoch: number,
  ): Promise<unknown> {
    const outcome = await lock.acquire(key, () => this.guarded.read(key, true));
    if (outcome.found !== undefined) {
      this.recorder.coalesced();
      return outcome.found.value;
    }
    try {
      const value = await produce();
      if (value !== undefined && epoch === this.epoch && !policy.unless?.(value)) {
        await this.write(key, value, policy.ttlMs, true, true);
      }
      return value;
    } finally {
      if (outcome.release !== undefined) await outcome.release();
    }
  }

  /**
   * Stores a value; returns a promise only when the store answers asynchronously. `fill`: the
   * value of a miss (see {@link StoreSetOptions.fill}), which a store may keep as a short-lived
   * failover copy; a direct `set()` is not one.
   */
  write(
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
    const store = this.guarded.store;
    const outcome = this.guarded.attempt<boolean>(
      () => {
        const stored = store.set(key, entry, fill ? FILL : undefined);
        return isThenable(stored) ? Promise.resolve(stored).then(() => true) : true;
      },
      false,
      failOpen,
      'set',
    );
    const counters = this.recorder.counters;
    if (!isThenable(outcome)) {
      // Synchronous stores (memory) finish here, so the next caller already sees the entry.
      if (outcome) counters.sets++;
      return undefined;
    }
    const write = Promise.resolve(outcome).then((stored) => {
      if (stored) counters.sets++;
    });
    this.pendingWrites.add(write);
    return write.finally(() => this.pendingWrites.delete(write));
  }

  /**
   * Before a clear: computations under way no longer write their results, and writes already
   * issued are waited for, so nothing computed before the clear lands after it.
   */
  async forgetFlights(): Promise<void> {
    this.epoch++;
    this.inflight.clear();
    this.refreshing.clear();
    await this.settleWrites();
  }

  /** Waits for the writes still in flight. */
  async settleWrites(): Promise<void> {
    await Promise.allSettled(this.pendingWrites.snapshot());
  }
}

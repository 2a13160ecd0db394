import type { ResolvedRegionConfig } from '../config/resolved-region-config.js';
import { Deadlines, type Deadline } from '../deadlines.js';
import { CacheStoreError } from '../errors.js';
import type { CacheOperation } from '../observability/cache-metrics-sink.js';
import type { RateLimitedLogger } from '../observability/rate-limited-logger.js';
import { StoreValueTooLargeError, type CacheStore, type StoreEntry } from '../stores/cache-store.js';
import { CircuitBreaker } from './circuit-breaker.js';
import {
  breakerClosed,
  breakerOpened,
  invalidationNotApplied,
  readTimedOut,
  storeFailedClosed,
  storeOperationFailed,
  storePaused,
  valueTooLarge,
} from './region.messages.js';
import type { RegionRecorder } from './region-recorder.js';

/** The deadline of a read when the region has no timeout: never due, only marked settled. */
const UNBOUNDED_READ = (): Deadline => ({ settled: false });

/**
 * A region's store behind the region's policies: the circuit breaker, the read deadline
 * (`readTimeoutMs`), fail-open, error logging and latency. Every store call of a region goes
 * through one of three doors: {@link readRaw} (reads, which the cache-aside path needs raw),
 * {@link attempt} (writes and other calls that may fail open) and {@link invalidate} (deletes
 * and clears, which never fail open).
 */
export class GuardedStore {
  readonly breaker: CircuitBreaker;
  /** Whether the store answers {@link peekFresh}: a fresh value, synchronously. */
  readonly peeks: boolean;
  /** Deadlines of store reads, and of the wait for a miss's write (none when `readTimeoutMs` is 0). */
  private readonly deadlines: Deadlines | undefined;
  private oversizeLogged = false;

  constructor(
    readonly store: CacheStore,
    private readonly config: ResolvedRegionConfig,
    private readonly recorder: RegionRecorder,
    private readonly logger: RateLimitedLogger,
  ) {
    const region = config.name;
    this.peeks = typeof store.peekFresh === 'function';
    this.deadlines = config.readTimeoutMs > 0 ? new Deadlines(config.readTimeoutMs) : undefined;
    this.breaker = new CircuitBreaker(
      config.breakerThreshold,
      config.breakerCooldownMs,
      (state, failures) =>
        logger.log(
          state === 'open'
            ? breakerOpened(region, store.kind, failures, config.breakerCooldownMs)
            : breakerClosed(region, store.kind),
        ),
      // Failures that all end within one time-out (a hung server's batch) while other calls
      // succeed do not open the breaker.
      config.readTimeoutMs,
    );
  }

  /**
   * One store read under the breaker's accounting; throws (or rejects) when the store fails. An
   * asynchronous read also fails once `readTimeoutMs` has passed (its late answer is ignored):
   * one promise and one entry in the shared deadline queue per read, no timer of its own. A
   * synchronous store answers synchronously.
   */
  readRaw(key: string): StoreEntry | undefined | Promise<StoreEntry | undefined> {
    const started = this.recorder.clock();
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
          reject(new Error(readTimedOut(this.config.readTimeoutMs)));
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

  /**
   * {@link CacheStore.peekFresh} with the breaker's and the recorder's accounting of a read that
   * answered, when it finds a fresh value; when it answers `undefined`, nothing is counted and the
   * caller reads with {@link readRaw}. Throws when the store fails, counted as {@link readRaw}
   * counts it. Only for a store that {@link peeks}, while the breaker is closed.
   */
  peekFresh(key: string): unknown {
    const started = this.recorder.clock();
    let value: unknown;
    try {
      value = this.store.peekFresh!(key);
    } catch (error) {
      this.readFailed(started);
      throw error;
    }
    if (value !== undefined) this.readAnswered(started);
    return value;
  }

  /** A read under the breaker; a failure is a miss when `failOpen`, else a CacheStoreError. */
  async read(key: string, failOpen: boolean): Promise<StoreEntry | undefined> {
    if (!this.breaker.allows()) return this.unavailable(failOpen, 'get', undefined);
    try {
      return await this.readRaw(key);
    } catch (error) {
      this.failed('get', error);
      if (failOpen) return undefined;
      throw this.closedError('get', error);
    }
  }

  /**
   * One store call under the breaker, error counting and the fail-open policy: a failure becomes
   * `fallback` when failing open, a CacheStoreError otherwise; a value over the store's size
   * limit is never a failure (it is counted and logged once). Answers synchronously when the
   * store does.
   */
  attempt<T>(operation: () => T | Promise<T>, fallback: T, failOpen: boolean, name: CacheOperation): T | Promise<T> {
    if (!this.breaker.allows()) return this.unavailable(failOpen, name, fallback);
    const started = this.recorder.clock();
    const settle = (result: T): T => {
      this.breaker.success();
      this.recorder.latency(name, started);
      return result;
    };
    const fail = (error: unknown): T => {
      this.recorder.latency(name, started);
      if (error instanceof StoreValueTooLargeError) {
        this.noteOversize(error, name);
        return fallback;
      }
      this.breaker.failure();
      this.failed(name, error);
      if (failOpen) return fallback;
      throw this.closedError(name, error);
    };
    let result: T | Promise<T>;
    try {
      result = operation();
    } catch (error) {
      return fail(error);
    }
    return result instanceof Promise ? result.then(settle, fail) : settle(result);
  }

  /** {@link attempt}, always as a promise. */
  guard<T>(operation: () => T | Promise<T>, fallback: T, failOpen: boolean, name: CacheOperation): Promise<T> {
    return Promise.resolve(this.attempt(operation, fallback, failOpen, name));
  }

  /**
   * Runs an invalidation (`delete`, `clear`). Unlike reads and fills it never fails open, and it is
   * tried even while the circuit breaker is open: a caller that invalidates needs it done or to
   * know it was not.
   */
  async invalidate<T>(operation: () => T | Promise<T>, name: CacheOperation): Promise<T> {
    const started = this.recorder.clock();
    try {
      const result = await operation();
      this.breaker.success();
      this.recorder.latency(name, started);
      return result;
    } catch (error) {
      this.recorder.latency(name, started);
      this.breaker.failure();
      this.failed(name, error);
      throw new CacheStoreError(invalidationNotApplied(this.config.name, this.store.kind, name, error), {
        cause: underlying(error),
      });
    }
  }

  /**
   * `write` (which never rejects: it fails open), awaited for at most the region's timeout; a
   * later outcome still lands or counts as an error on its own.
   */
  withinTimeout(write: Promise<void>): Promise<void> {
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

  /** Counts and logs (rate-limited) a store failure the caller has handled. */
  failed(operation: CacheOperation, error: unknown): void {
    this.recorder.error(operation);
    this.logger.warn(`store:${this.config.name}`, storeOperationFailed(this.config.name, this.store.kind, operation, error));
  }

  // Two methods, not one with a flag: a hit's is small enough to inline into its caller.
  private readAnswered(started: number): void {
    this.breaker.success();
    this.recorder.latency('get', started);
  }

  private readFailed(started: number): void {
    this.breaker.failure();
    this.recorder.latency('get', started);
  }

  private noteOversize(error: StoreValueTooLargeError, operation: CacheOperation): void {
    this.recorder.oversize(operation);
    if (this.oversizeLogged) return;
    this.oversizeLogged = true;
    this.logger.log(valueTooLarge(this.config.name, this.store.kind, error.byteLength, error.maxBytes, error.remedy));
  }

  private unavailable<T>(failOpen: boolean, operation: string, fallback: T): T {
    if (failOpen) return fallback;
    throw new CacheStoreError(storePaused(this.config.name, this.store.kind, operation, this.config.breakerCooldownMs));
  }

  private closedError(operation: string, error: unknown): CacheStoreError {
    return new CacheStoreError(storeFailedClosed(this.config.name, this.store.kind, operation, error), {
      cause: underlying(error),
    });
  }
}

/**
 * What the region's CacheStoreError keeps as its `cause`: the store's error, or, when the store
 * already described it in a CacheStoreError (the file store names the path), the failure under
 * that — so an error is wrapped once, its message still carrying the store's words.
 */
function underlying(error: unknown): unknown {
  return error instanceof CacheStoreError && error.cause !== undefined ? error.cause : error;
}

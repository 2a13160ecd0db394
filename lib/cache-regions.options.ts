import type { CacheMetricsSink } from './observability/cache-metrics-sink.js';
import type { CacheStore } from './stores/cache-store.js';
import type { Ttl } from './ttl.js';

/** Built-in store names. */
export type StoreName = 'memory' | 'memcached' | 'redis' | 'file' | 'none';

/**
 * Options of one region. Common options apply to every store; the others only to the store named
 * in their heading. Any option may also be given in {@link CacheRegionsOptions.defaults}, and the
 * region's own value wins.
 */
export interface RegionOptions {
  /**
   * The backend: `'memory'`, `'memcached'`, `'redis'`, `'file'`, `'none'`, or an object implementing
   * {@link CacheStore}, one instance per region (an instance given to two regions, also through
   * `defaults`, is refused). Default: the `defaults.store`, else `'memory'`.
   */
  store?: StoreName | CacheStore;
  /**
   * Lifetime of entries: seconds, or a duration like `'5m'`. `0` = no expiry. Default: `0`.
   * At least 1 ms (`0.0004` and `'0.4ms'` round to 0 and are refused, as are `'0ms'`/`'0s'`: write
   * `0`), at most 100,000 days, and no longer than the store keeps entries (memcached: until
   * 2106-02-07, its 32-bit expiry time; checked with `staleTtl` added).
   */
  ttl?: Ttl;
  /** Added after the app's `keyPrefix` in every key of this region. Default: none. */
  keyPrefix?: string;
  /**
   * A key over the store's byte limit (or with characters the store forbids): `'hash'` shortens it
   * to a readable head plus a SHA-256 digest; `'error'` throws `CacheKeyTooLongError`.
   * Default: `'hash'`.
   */
  onLongKey?: 'hash' | 'error';
  /**
   * Arguments that cannot form a key (a function, a symbol, a cycle): `'throw'` throws
   * `CacheKeyError`; `'bypass'` runs the method uncached and counts it in `stats().bypassed`.
   * Default: `'throw'`.
   */
  onKeyError?: 'throw' | 'bypass';
  /**
   * Store errors and time-outs become misses (counted and logged) instead of errors.
   * Default: `true`.
   */
  failOpen?: boolean;
  /** Take a lock in the store on a miss, so one process computes a value. Default: `false`. */
  lock?: boolean;
  /** How long a lock is held at most: seconds or a duration (same bounds as `ttl`). Default: `'30s'`. */
  lockTtl?: Ttl;
  /**
   * Milliseconds a caller waits for another process's lock before computing itself, at most
   * 2147483647 (Node's longest timer). Default: 5000.
   */
  lockWaitMs?: number;
  /** How long an expired entry is still served while one caller refreshes it (same bounds as `ttl`). Default: `0`. */
  staleTtl?: Ttl;
  /**
   * Consecutive store failures after which the region stops calling the store for
   * `breakerCooldownMs`. Default: 5.
   */
  breakerThreshold?: number;
  /** Milliseconds the region leaves the store alone once the breaker opened, at most 2147483647. Default: 5000. */
  breakerCooldownMs?: number;

  // memory
  /** memory: maximum number of entries (least recently used evicted first). Default: 10000. */
  maxEntries?: number;
  /** memory, file: maximum size in bytes (least recently used evicted first). Default: unbounded. */
  maxBytes?: number;
  /** memory: store and return structured clones instead of references. Default: `false`. */
  clone?: boolean;

  // memcached
  /**
   * memcached: `host:port` of each server, as an array or as one string separated by `,` or `;`
   * (`'10.0.0.1:11211,10.0.0.2:11211'`, the form of an environment variable). Required for
   * memcached regions.
   */
  servers?: string[] | string;
  /** memcached: SASL user name. Default: none. */
  username?: string;
  /** memcached: SASL password. Default: none. */
  password?: string;
  /**
   * memcached, redis: milliseconds an operation may take before it counts as failed, 1 to 60000
   * (memcached: per attempt; redis: to connect, and per command). Default: 500.
   */
  timeoutMs?: number;
  /** memcached: attempts per operation, 1 (no retry) to 10. Default: 2. */
  retries?: number;
  /** memcached, redis: values larger than this many bytes are not stored. Default: 1048576 (1 MiB). */
  maxValueBytes?: number;
  /**
   * memcached: longest life of a failover copy — the value a miss stores on the next server while
   * its key's own server is out — in seconds or a duration like `'10s'`; `0` = no failover copies
   * (such keys are misses until their server is back). Kept short so an old copy cannot come back
   * at a later outage. Default: 10 s.
   */
  failoverTtl?: Ttl;
  /**
   * memcached: HMAC keys (strings of at least 16 bytes). Items are signed with the first key and
   * read only when signed with one of them, for the memcached key they are stored under: nobody
   * without a key can forge or move an entry. List a new key first to rotate. Default: none.
   */
  signingKeys?: string[];

  // redis
  /**
   * redis: `'redis://[[user]:password@]host[:port][/db]'` (port default 6379, db default 0), e.g.
   * `process.env.REDIS_URL`; a list of one url is taken too. Several urls (Redis Cluster), TLS
   * (`rediss://`) and unix sockets are not supported yet and are refused. Required for redis
   * regions.
   */
  url?: string | string[];

  // file
  /** file: directory of the cache (no NUL byte); entries go under `<dir>/<region>/`. Required for file regions. */
  dir?: string;
  /** file: directory for lock files (no NUL byte). Default: `<dir>/<region>/.locks`. */
  lockDir?: string;
  /** file: milliseconds between sweeps that delete expired files, at most 2147483647. Default: 600000 (10 min). */
  sweepIntervalMs?: number;
  /**
   * file: when `get()` checks a value's checksum. `'once'`: on this process's first read of each
   * version of a file (a file replaced or written to since is checked again); `'always'`: on
   * every read. Streams are checked on every read either way. Default: `'once'`.
   */
  verifyReads?: 'once' | 'always';
}

/** Options of `CacheRegionsModule.forRoot()`. */
export interface CacheRegionsOptions {
  /** Namespace for every key of this app, so apps sharing a memcached never meet. Default: none. */
  keyPrefix?: string;
  /** Options every region inherits (Beaker's global options). A region's own value wins. */
  defaults?: RegionOptions;
  /** The regions by name. Names: letters, digits, `_` and `-`; not `__proto__`, `constructor` or `prototype`. */
  regions: Record<string, RegionOptions>;
  /**
   * Receives every region's hits, misses, stale reads, store errors and store latencies, e.g.
   * `new PrometheusCacheMetrics({ registry })` from `nest-cache-regions/prometheus`, or your own
   * {@link CacheMetricsSink}. Default: none (a cache hit then costs nothing extra).
   */
  metrics?: CacheMetricsSink;
}

/** Counters of one region since start, plus the store's own figures. */
export interface RegionStats {
  /** Reads answered from the cache with a fresh value. */
  hits: number;
  /** Reads that found nothing usable (including store failures, which also count in `errors`). */
  misses: number;
  /** Reads answered with an expired value inside `staleTtl` while it is refreshed. */
  stale: number;
  /** Background refreshes of stale entries that failed (the stale value kept being served). */
  refreshErrors: number;
  /** Values written. */
  sets: number;
  /** Deletions requested. */
  deletes: number;
  /** Store failures and time-outs, and corrupt entries found by the store. */
  errors: number;
  /** Callers that waited for another caller's computation of the same key instead of running it. */
  coalesced: number;
  /** Values not stored because they exceed the store's size limit. */
  oversize: number;
  /** Calls that ran uncached: `condition` false, or arguments unusable as a key with `onKeyError: 'bypass'`. */
  bypassed: number;
  /** Whether the circuit breaker currently keeps the region away from its store. */
  breakerOpen: boolean;
  /** How often the circuit breaker opened. */
  breakerOpened: number;
  /** Store kind. */
  store: string;
  /**
   * Figures the store reports itself, where cheap: memory `entries` (and estimated `bytes` when
   * `maxBytes` is set); file `entries`, `bytes` (on disk, as far as this process knows),
   * `corrupt` and `evicted`; memcached `servers`, `serversDown` and `maxValueBytes`.
   */
  storeInfo?: Record<string, number | string>;
}

/** The mutable counters behind {@link RegionStats}. */
export class RegionCounters {
  hits = 0;
  misses = 0;
  stale = 0;
  refreshErrors = 0;
  sets = 0;
  deletes = 0;
  errors = 0;
  coalesced = 0;
  oversize = 0;
  bypassed = 0;
}

import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { CacheConfigError } from '../errors.js';
import type { CacheRegion } from '../regions/cache-region.js';
import { CacheRegions } from '../regions/cache-regions.service.js';
import { pingWithin } from './ping-within.js';

/** Terminus does not export its session class by name. */
type HealthIndicatorSession = ReturnType<HealthIndicatorService['check']>;

/** Default of {@link CacheRegionsHealthOptions.timeoutMs}: milliseconds. */
export const DEFAULT_PING_TIMEOUT_MS = 500;

/** Options of {@link CacheRegionsHealthIndicator.isHealthy} and {@link CacheRegionsHealthIndicator.check}. */
export interface CacheRegionsHealthOptions {
  /** Milliseconds a store's ping may take before the region counts as unreachable. Default: 500. */
  timeoutMs?: number;
}

/** Options of {@link CacheRegionsHealthIndicator.isHealthy}. */
export interface CacheRegionsHealthCheckOptions extends CacheRegionsHealthOptions {
  /** The regions to report. Default: every configured region. */
  regions?: string[];
}

/**
 * Health of the cache regions for `@nestjs/terminus` 12 (and 11: see {@link markDegraded}), one
 * result key per region (its name).
 * Add it to a module that imports `TerminusModule`, then
 * `health.check([() => cacheHealth.isHealthy()])`.
 *
 * - A region whose store can be pinged (memcached) is `up` when every server answers within
 *   `timeoutMs`.
 * - When the store does not answer, or its circuit breaker is open, the region is `degraded` if
 *   it fails open (the default: calls still run, uncached; HTTP 200, overall status `degraded`)
 *   and `down` with `failOpen: false` (its direct calls throw; HTTP 503).
 * - A store with nothing to reach (memory, file, none) is `up` unless its breaker is open.
 *
 * Every result carries `store` and `breakerOpen`; unhealthy ones add `failOpen` and a `message`.
 */
@Injectable()
export class CacheRegionsHealthIndicator {
  constructor(
    private readonly regions: CacheRegions,
    private readonly health: HealthIndicatorService,
  ) {}

  /** Every region's health (or the listed ones'), one key per region, for `HealthCheckService.check()`. */
  async isHealthy(options: CacheRegionsHealthCheckOptions = {}): Promise<HealthIndicatorResult> {
    const names = options.regions ?? this.regions.names();
    const results = await Promise.all(names.map((name) => this.check(name, options)));
    return Object.assign({}, ...results) as HealthIndicatorResult;
  }

  /** One indicator function per region (or per listed region), to spread into `HealthCheckService.check([...])`. */
  indicators(options: CacheRegionsHealthCheckOptions = {}): Array<() => Promise<HealthIndicatorResult>> {
    return (options.regions ?? this.regions.names()).map((name) => () => this.check(name, options));
  }

  /** The health of region `name`, keyed by that name. Throws `CacheConfigError` for an unknown region. */
  async check(name: string, options: CacheRegionsHealthOptions = {}): Promise<HealthIndicatorResult> {
    const timeoutMs = this.timeout(options);
    const region = this.regions.get(name);
    const session = this.health.check(name);
    const store = region.store;
    const ping = store.ping?.bind(store);
    if (ping === undefined) {
      const breakerOpen = region.stats().breakerOpen;
      if (!breakerOpen) return session.up({ store: store.kind, breakerOpen });
      return this.unhealthy(session, region, `the ${store.kind} store failed repeatedly; circuit breaker open`, {});
    }
    const outcome = await pingWithin(ping, timeoutMs);
    const breakerOpen = region.stats().breakerOpen;
    if (outcome.ok) return session.up({ store: store.kind, breakerOpen, responseTime: outcome.ms });
    return this.unhealthy(session, region, outcome.message, { responseTime: outcome.ms });
  }

  private unhealthy(
    session: HealthIndicatorSession,
    region: CacheRegion,
    reason: string,
    extra: Record<string, number>,
  ): HealthIndicatorResult {
    const { failOpen } = region.options;
    const data = {
      store: region.store.kind,
      breakerOpen: region.stats().breakerOpen,
      failOpen,
      message: failOpen
        ? `${reason}; the region still serves, running calls uncached (fail-open)`
        : `${reason}; the region's calls fail (failOpen: false)`,
      ...extra,
    };
    return failOpen ? markDegraded(session, data) : session.down(data);
  }

  private timeout(options: CacheRegionsHealthOptions): number {
    const ms = options.timeoutMs ?? DEFAULT_PING_TIMEOUT_MS;
    if (!Number.isFinite(ms) || ms <= 0) {
      throw new CacheConfigError(
        `CacheRegionsHealthIndicator option "timeoutMs" must be a positive number of milliseconds, got ${String(ms)}: pass e.g. { timeoutMs: 1000 }, or leave it out for ${DEFAULT_PING_TIMEOUT_MS} ms.`,
      );
    }
    return ms;
  }
}

/**
 * `degraded` where terminus has it (12); terminus 11 knows only up and down, and there a region
 * that still serves, uncached, is `up` with `degraded: true` in its details, so the check passes
 * (HTTP 200) and monitors that read the details still see it.
 */
function markDegraded(session: HealthIndicatorSession, data: Record<string, unknown>): HealthIndicatorResult {
  const withDegraded = session as HealthIndicatorSession & { degraded?: HealthIndicatorSession['up'] };
  return typeof withDegraded.degraded === 'function'
    ? withDegraded.degraded(data)
    : session.up({ ...data, degraded: true });
}

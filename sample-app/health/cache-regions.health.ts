import { Injectable } from '@nestjs/common';
import {
  HealthIndicatorService,
  type HealthCheckAttempt,
  type HealthIndicatorFunction,
  type HealthIndicatorResult,
} from '@nestjs/terminus';
import { CacheRegions } from '../../lib/index.js';

/** Milliseconds a store's ping may take before its region is reported down. */
const PING_TIMEOUT_MS = 2_000;

/**
 * Terminus indicators for the cache regions, one per region, keyed by region name. Regions whose
 * store can be pinged (memcached) are up when the ping answers within {@link PING_TIMEOUT_MS};
 * local stores (memory, file) have nothing to reach and are always up.
 */
@Injectable()
export class CacheRegionsHealthIndicator {
  constructor(
    private readonly regions: CacheRegions,
    private readonly health: HealthIndicatorService,
  ) {}

  /** One indicator function per configured region, for `HealthCheckService.check()`. */
  indicators(): HealthIndicatorFunction[] {
    return this.regions.names().map((name) => () => this.check(name));
  }

  /** The health of one region: a result for local stores, a ping attempt for remote ones. */
  check(name: string): HealthIndicatorResult | HealthCheckAttempt {
    const store = this.regions.get(name).store;
    const session = this.health.check(name);
    const ping = store.ping?.bind(store);
    if (!ping) return session.up({ store: store.kind });
    return session
      .attempt(async () => {
        // A failed ping rejects; terminus reports the region down with the error's message.
        await ping();
        return { store: store.kind };
      })
      .withTimeout(PING_TIMEOUT_MS);
  }
}

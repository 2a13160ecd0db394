import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService, type HealthCheckResult } from '@nestjs/terminus';
import { CacheRegionsHealthIndicator } from '../../lib/terminus/index.js';

/**
 * `GET /health`: 200 `ok` when every region is up; 200 `degraded` when a remote store does not
 * answer but its region still serves (fail-open); 503 `error` when a region with
 * `failOpen: false` loses its store.
 */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly cacheRegions: CacheRegionsHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  check(): Promise<HealthCheckResult> {
    return this.health.check([() => this.cacheRegions.isHealthy()]);
  }
}

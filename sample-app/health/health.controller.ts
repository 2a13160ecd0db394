import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService, type HealthCheckResult } from '@nestjs/terminus';
import { CacheRegionsHealthIndicator } from './cache-regions.health.js';

/** `GET /health`: 200 when every region is up, 503 when a remote store does not answer. */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly cacheRegions: CacheRegionsHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  check(): Promise<HealthCheckResult> {
    return this.health.check(this.cacheRegions.indicators());
  }
}

import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { CacheRegionsHealthIndicator } from './cache-regions.health.js';
import { HealthController } from './health.controller.js';

/** Terminus health check of the cache regions. */
@Module({
  imports: [TerminusModule],
  controllers: [HealthController],
  providers: [CacheRegionsHealthIndicator],
})
export class HealthModule {}

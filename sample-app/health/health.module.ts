import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
// An app outside this repository imports it from 'nest-cache-regions/terminus'.
import { CacheRegionsHealthIndicator } from '../../lib/terminus/index.js';
import { HealthController } from './health.controller.js';

/** Terminus health check of the cache regions. */
@Module({
  imports: [TerminusModule],
  controllers: [HealthController],
  providers: [CacheRegionsHealthIndicator],
})
export class HealthModule {}

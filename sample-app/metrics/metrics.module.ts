import { Module, type DynamicModule } from '@nestjs/common';
import type { Registry } from 'prom-client';
import { MetricsController } from './metrics.controller.js';
import { METRICS_REGISTRY } from './metrics-registry.token.js';

/** Serves `registry` at `GET /metrics` (the same registry the cache regions' sink writes to). */
@Module({})
export class MetricsModule {
  static register(registry: Registry): DynamicModule {
    return {
      module: MetricsModule,
      controllers: [MetricsController],
      providers: [{ provide: METRICS_REGISTRY, useValue: registry }],
    };
  }
}

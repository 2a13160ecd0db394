import { Module, type DynamicModule } from '@nestjs/common';
import { Registry } from 'prom-client';
import { CacheRegionsModule, getRegionToken, type CacheRegion } from '../lib/index.js';
// An app outside this repository imports it from 'nest-cache-regions/prometheus'.
import { PrometheusCacheMetrics } from '../lib/observability/prometheus/index.js';
import { CacheAdminModule } from './cache-admin/cache-admin.module.js';
import { buildSampleCacheOptions, readSampleSettings, type SampleEnv } from './cache-config.js';
import { HealthModule } from './health/health.module.js';
import { ImportFilesModule } from './import-files/import-files.module.js';
import { LeasesModule } from './leases/leases.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { ReportsModule } from './reports/reports.module.js';
import { StartupNotes } from './startup-notes.js';

/** The sample app: lease computations, import files, a cached report, cache admin, health and metrics. */
@Module({})
export class AppModule {
  /**
   * The app configured from `env` (see `SampleEnv`); relative directories resolve against `cwd`.
   * Tests pass their own env with temporary directories.
   */
  static forEnv(env: SampleEnv = process.env, cwd: string = process.cwd()): DynamicModule {
    const settings = readSampleSettings(env, cwd);
    // One registry per app instance: two apps in one process (the e2e tests) count separately.
    const registry = new Registry();
    return {
      module: AppModule,
      imports: [
        CacheRegionsModule.forRoot({
          ...buildSampleCacheOptions(env, cwd),
          metrics: new PrometheusCacheMetrics({ registry }),
        }),
        LeasesModule,
        ImportFilesModule.register(settings.importDir),
        ReportsModule,
        CacheAdminModule,
        HealthModule,
        MetricsModule.register(registry),
      ],
      providers: [
        {
          provide: StartupNotes,
          useFactory: (functions: CacheRegion) => new StartupNotes(settings, functions),
          inject: [getRegionToken('functions')],
        },
      ],
    };
  }
}

import { Module, type DynamicModule } from '@nestjs/common';
import { CacheRegionsModule } from '../lib/index.js';
import { CacheAdminModule } from './cache-admin/cache-admin.module.js';
import { buildSampleCacheOptions, readSampleSettings, type SampleEnv } from './cache-config.js';
import { HealthModule } from './health/health.module.js';
import { ImportFilesModule } from './import-files/import-files.module.js';
import { LeasesModule } from './leases/leases.module.js';
import { ReportsModule } from './reports/reports.module.js';
import { StartupNotes } from './startup-notes.js';

/** The sample app: lease computations, import files, a cached report, cache admin and health. */
@Module({})
export class AppModule {
  /**
   * The app configured from `env` (see `SampleEnv`); relative directories resolve against `cwd`.
   * Tests pass their own env with temporary directories.
   */
  static forEnv(env: SampleEnv = process.env, cwd: string = process.cwd()): DynamicModule {
    const settings = readSampleSettings(env, cwd);
    return {
      module: AppModule,
      imports: [
        CacheRegionsModule.forRoot(buildSampleCacheOptions(env, cwd)),
        LeasesModule,
        ImportFilesModule.register(settings.importDir),
        ReportsModule,
        CacheAdminModule,
        HealthModule,
      ],
      providers: [{ provide: StartupNotes, useFactory: () => new StartupNotes(settings) }],
    };
  }
}

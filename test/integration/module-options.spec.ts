import { Controller, Get, Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  CacheConfigError,
  CacheRegion,
  CacheRegionsModule,
  Cached,
  InjectRegion,
  getRegionToken,
  type CacheRegionsOptions,
  type CacheRegionsOptionsFactory,
} from '../../lib/index.js';
import { bootstrapError } from '../support/regions-app.js';

const OPTIONS: CacheRegionsOptions = { regions: { hot: { store: 'memory', ttl: 60 } } };

@Injectable()
class HotReader {
  constructor(@InjectRegion('hot') readonly hot: CacheRegion) {}
}

/** Options made by a class, with a dependency of its own. */
@Injectable()
class Settings {
  readonly ttl = 90;
}

@Injectable()
class RegionsConfig implements CacheRegionsOptionsFactory {
  constructor(private readonly settings: Settings) {}
  createCacheRegionsOptions(): CacheRegionsOptions {
    return { regions: { hot: { store: 'memory', ttl: this.settings.ttl } } };
  }
}

@Module({ providers: [Settings], exports: [Settings] })
class SettingsModule {}

@Module({ providers: [Settings, RegionsConfig], exports: [RegionsConfig] })
class RegionsConfigModule {}

async function started(imports: Parameters<typeof Test.createTestingModule>[0]['imports']) {
  const app = await Test.createTestingModule({ imports }).compile();
  app.useLogger(false);
  await app.init();
  return app;
}

describe('CacheRegionsModule options', () => {
  describe('forRootAsync', () => {
    it('takes the options from useClass, instantiated with its own dependencies', async () => {
      const app = await started([
        CacheRegionsModule.forRootAsync({ regions: ['hot'], imports: [SettingsModule], useClass: RegionsConfig }),
      ]);
      try {
        const region = app.get<CacheRegion>(getRegionToken('hot'));
        expect(region.options.ttlMs).toBe(90_000);
      } finally {
        await app.close();
      }
    });

    it('takes the options from useExisting, a provider another module exports', async () => {
      const app = await started([
        CacheRegionsModule.forRootAsync({ regions: ['hot'], imports: [RegionsConfigModule], useExisting: RegionsConfig }),
      ]);
      try {
        const region = app.get<CacheRegion>(getRegionToken('hot'));
        expect(region.options.ttlMs).toBe(90_000);
      } finally {
        await app.close();
      }
    });

    it.each([
      ['none', { regions: ['hot'] }, /needs exactly one of useFactory, useClass or useExisting to make the options, and got none/],
      [
        'two',
        { regions: ['hot'], useFactory: () => OPTIONS, useClass: RegionsConfig },
        /exactly one of useFactory, useClass or useExisting .*, and got useFactory and useClass/,
      ],
      ['a useFactory that is no function', { regions: ['hot'], useFactory: 'x' }, /got useFactory that is not a function or class/],
    ])('refuses %s of useFactory, useClass and useExisting, naming them', (_case, options, message) => {
      expect(() => CacheRegionsModule.forRootAsync(options as never)).toThrow(CacheConfigError);
      expect(() => CacheRegionsModule.forRootAsync(options as never)).toThrow(message);
    });
  });

  describe('isGlobal', () => {
    it('defaults to a global module: a feature module injects a region without importing it', async () => {
      @Module({ providers: [HotReader] })
      class FeatureModule {}
      const app = await started([CacheRegionsModule.forRoot(OPTIONS), FeatureModule]);
      try {
        expect(app.get(HotReader).hot.name).toBe('hot');
      } finally {
        await app.close();
      }
    });

    it('false: only modules that import it see the regions', async () => {
      const regions = CacheRegionsModule.forRoot({ ...OPTIONS, isGlobal: false });
      @Module({ imports: [regions], providers: [HotReader] })
      class Importing {}
      const app = await started([regions, Importing]);
      try {
        expect(app.get(HotReader).hot.name).toBe('hot');
      } finally {
        await app.close();
      }

      @Module({ providers: [HotReader] })
      class NotImporting {}
      const error = await bootstrapError({ imports: [regions, NotImporting] });
      expect(error.message).toMatch(/HotReader/);
      expect(error.message).toMatch(/cache-regions:region:hot/);
    });

    it('false in forRootAsync too', async () => {
      const regions = CacheRegionsModule.forRootAsync({ regions: ['hot'], isGlobal: false, useFactory: () => OPTIONS });
      @Module({ providers: [HotReader] })
      class NotImporting {}
      const error = await bootstrapError({ imports: [regions, NotImporting] });
      expect(error.message).toMatch(/HotReader/);
    });

    it('is not passed on as a region option', async () => {
      // An unknown top-level option stops the app; isGlobal is the module's own.
      const app = await started([CacheRegionsModule.forRoot({ ...OPTIONS, isGlobal: true })]);
      await app.close();
    });

    it.each([['yes'], [1], [null]])('refuses isGlobal: %j', (value) => {
      expect(() => CacheRegionsModule.forRoot({ ...OPTIONS, isGlobal: value as never })).toThrow(
        /Invalid option "isGlobal" in CacheRegionsModule.forRoot\(\): expected true or false/,
      );
      expect(() =>
        CacheRegionsModule.forRootAsync({ regions: ['hot'], isGlobal: value as never, useFactory: () => OPTIONS }),
      ).toThrow(/Invalid option "isGlobal" in CacheRegionsModule.forRootAsync\(\)/);
    });
  });

  it('@Cached on a controller in an app without CacheRegionsModule stops the app, naming forRoot', async () => {
    @Controller('hot')
    class HotController {
      @Cached('hot')
      @Get()
      async read(): Promise<string> {
        return 'value';
      }
    }
    @Module({ controllers: [HotController] })
    class AppModule {}
    const error = await bootstrapError({ imports: [AppModule] });
    expect(error).toBeInstanceOf(CacheConfigError);
    expect(error.message).toMatch(/@Cached on a controller handler needs CacheRegionsModule/);
    expect(error.message).toMatch(/CacheRegionsModule\.forRoot\(/);
  });
});

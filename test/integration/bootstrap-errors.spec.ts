import { Controller, Get, Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  Cached,
  CacheConfigError,
  type CacheRegion,
  CacheRegionsModule,
  type CacheRegionsOptions,
  InjectRegion,
} from '../../lib/index.js';
import { bootstrapError } from '../support/regions-app.js';

@Injectable()
class ReportsService {
  @Cached('filez')
  async build(): Promise<string> {
    return 'report';
  }
}

@Module({ providers: [ReportsService] })
class ReportsModule {}

@Injectable()
class ArchiveService {
  constructor(@InjectRegion('archive') readonly archive: CacheRegion) {}
}

@Injectable()
class PropertyInjected {
  @InjectRegion('propz') readonly region!: CacheRegion;
}

@Controller('typo')
class TypoController {
  @Cached('hott')
  @Get()
  async list(): Promise<string[]> {
    return [];
  }
}

@Injectable()
class SyncService {
  // The decorator's types reject this at compile time; the cast stands for untyped JavaScript.
  @(Cached('functions') as unknown as MethodDecorator)
  total(a: number, b: number): number {
    return a + b;
  }
}

const regions: CacheRegionsOptions = {
  regions: { functions: { store: 'memory' }, files: { store: 'memory' } },
};

describe('bootstrap checks', () => {
  it('fails on an unknown region in @Cached, naming region, class, method and configured regions', async () => {
    const error = await bootstrapError({ imports: [CacheRegionsModule.forRoot(regions), ReportsModule] });
    expect(error).toBeInstanceOf(CacheConfigError);
    expect(error.message).toBe(
      'Unknown cache region "filez" used by @Cached on ReportsService.build(); configured regions: functions, files. ' +
        'Fix the name, or add the region to CacheRegionsModule.forRoot({ regions }).',
    );
  });

  it('fails on an unknown region in @Cached on a controller handler', async () => {
    const error = await bootstrapError({ imports: [CacheRegionsModule.forRoot(regions)], controllers: [TypoController] });
    expect(error).toBeInstanceOf(CacheConfigError);
    expect(error.message).toMatch(/"hott" used by @Cached on TypoController\.list\(\); configured regions: functions, files/);
  });

  it.each([
    ['a ttl no store keeps', { ttl: 'soon' }, /Invalid ttl "soon" for @Cached\('functions'\) option "ttl" on HandlerOptionsController\.list\(\)/],
    ['a key that is no function', { key: 5 }, /HandlerOptionsController\.list\(\).*"key"/],
    ['methods that are no list of names', { methods: 'GET' }, /HandlerOptionsController\.list\(\).*"methods"/],
  ])("checks a controller handler's @Cached options at startup, not at its first request: %s", async (_, options, message) => {
    @Controller('handler-options')
    class HandlerOptionsController {
      @Get()
      @Cached('functions', options as never)
      async list(): Promise<string[]> {
        return [];
      }
    }
    const error = await bootstrapError({ imports: [CacheRegionsModule.forRoot(regions)], controllers: [HandlerOptionsController] });
    expect(error).toBeInstanceOf(CacheConfigError);
    expect(error.message).toMatch(message);
  });

  it('fails on an unknown region in @InjectRegion, naming the class', async () => {
    const error = await bootstrapError({ imports: [CacheRegionsModule.forRoot(regions)], providers: [ArchiveService] });
    expect(error).toBeInstanceOf(CacheConfigError);
    expect(error.message).toMatch(
      /Unknown cache region "archive" injected with @InjectRegion into ArchiveService; configured regions: functions, files/,
    );
  });

  it('fails on an unknown region injected into a property', async () => {
    const error = await bootstrapError({ imports: [CacheRegionsModule.forRoot(regions)], providers: [PropertyInjected] });
    expect(error).toBeInstanceOf(CacheConfigError);
    expect(error.message).toMatch(/"propz" injected with @InjectRegion into PropertyInjected/);
  });

  it('does not trouble an app that does not use the unknown names', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [CacheRegionsModule.forRoot(regions)] }).compile();
    await moduleRef.init();
    await moduleRef.close();
  });

  it('rejects a @Cached method declared to return a plain value', async () => {
    const error = await bootstrapError({ imports: [CacheRegionsModule.forRoot(regions)], providers: [SyncService] });
    expect(error).toBeInstanceOf(CacheConfigError);
    expect(error.message).toMatch(/SyncService\.total\(\): the method is declared to return Number.*Make it async/);
  });

  it('refuses invalid options with the region, option and closest valid name', async () => {
    const error = await bootstrapError({
      imports: [CacheRegionsModule.forRoot({ regions: { functions: { store: 'memory', maxEntris: 5 } as never } })],
    });
    expect(error).toBeInstanceOf(CacheConfigError);
    expect(error.message).toMatch(/Unknown option "maxEntris" in region "functions"\. Did you mean "maxEntries"\?/);
  });
});

describe('forRootAsync', () => {
  it('takes options from a factory with injected dependencies', async () => {
    const CONFIG = 'config';
    @Module({ providers: [{ provide: CONFIG, useValue: { ttl: 42 } }], exports: [CONFIG] })
    class ConfigModule {}

    const moduleRef = await Test.createTestingModule({
      imports: [
        CacheRegionsModule.forRootAsync({
          regions: ['functions'],
          imports: [ConfigModule],
          inject: [CONFIG],
          useFactory: async (config: { ttl: number }) => ({ regions: { functions: { store: 'memory', ttl: config.ttl } } }),
        }),
      ],
    }).compile();
    await moduleRef.init();
    const { CacheRegions } = await import('../../lib/index.js');
    const region = moduleRef.get(CacheRegions).get('functions');
    expect(region.options.ttlMs).toBe(42_000);
    await moduleRef.close();
  });

  it('fails when the factory configures other names than declared', async () => {
    const error = await bootstrapError({
      imports: [
        CacheRegionsModule.forRootAsync({
          regions: ['functions', 'files'],
          useFactory: () => ({ regions: { functions: {}, extra: {} } }),
        }),
      ],
    });
    expect(error).toBeInstanceOf(CacheConfigError);
    expect(error.message).toMatch(/Missing from the factory's result: files\. Not declared in "regions": extra\./);
  });

  it('requires the region names up front', () => {
    expect(() => CacheRegionsModule.forRootAsync({ regions: [], useFactory: () => ({ regions: {} }) })).toThrow(
      /needs "regions"/,
    );
  });
});

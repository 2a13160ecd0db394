import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Cached,
  CacheRegions,
  CacheRegionsModule,
  parseCacheConfigOptions,
  type CacheRegion,
  InjectRegion,
} from '../../lib/index.js';

@Injectable()
class QuoteService {
  runs = 0;
  constructor(@InjectRegion('hot') readonly hot: CacheRegion) {}

  @Cached('functions')
  async quote(symbol: string): Promise<string> {
    this.runs++;
    return `${symbol}:${this.runs}`;
  }
}

@Module({ providers: [QuoteService] })
class QuoteModule {}

const ENV_TOKEN = 'environment';

describe('configuration from environment variables alone', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ncr-env-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('boots an app whose regions come from CACHE_* variables through forRootAsync', async () => {
    const env: Record<string, string> = {
      PATH: '/usr/bin',
      HOME: '/root',
      CACHE_REGIONS: 'functions, hot',
      CACHE_EXPIRE: '3600',
      CACHE_KEY_PREFIX: 'envapp',
      CACHE_FUNCTIONS_TYPE: 'memory',
      CACHE_FUNCTIONS_MAX_ENTRIES: '500',
      CACHE_HOT_TYPE: 'memory',
      CACHE_HOT_EXPIRE: '30',
      CACHE_HOT_CLONE: 'true',
    };
    @Module({ providers: [{ provide: ENV_TOKEN, useValue: env }], exports: [ENV_TOKEN] })
    class EnvModule {}

    const app = await Test.createTestingModule({
      imports: [
        CacheRegionsModule.forRootAsync({
          regions: ['functions', 'hot'],
          imports: [EnvModule],
          inject: [ENV_TOKEN],
          useFactory: (vars: Record<string, string>) => parseCacheConfigOptions(vars, { prefix: 'CACHE_' }),
        }),
        QuoteModule,
      ],
    }).compile();
    await app.init();

    const regions = app.get(CacheRegions);
    expect(regions.names()).toEqual(['functions', 'hot']);
    expect(regions.get('functions').options).toMatchObject({
      namespace: 'envapp:functions',
      ttlMs: 3_600_000,
      memory: { maxEntries: 500 },
    });
    expect(regions.get('hot').options).toMatchObject({ ttlMs: 30_000, memory: { clone: true } });

    const quotes = app.get(QuoteService);
    expect(await quotes.quote('ACME')).toBe('ACME:1');
    expect(await quotes.quote('ACME')).toBe('ACME:1');
    expect(quotes.hot).toBe(regions.get('hot'));
    await app.close();
  });
});

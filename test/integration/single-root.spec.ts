import { Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { describe, expect, it } from 'vitest';
import { CacheConfigError, CacheRegions, CacheRegionsModule, type CacheRegionsOptions } from '../../lib/index.js';
import { bootstrapError } from '../support/regions-app.js';

describe('CacheRegionsModule.forRoot() called more than once', () => {
  it('with different options, stops the app naming the modules that call it', async () => {
    @Module({ imports: [CacheRegionsModule.forRoot({ regions: { users: { store: 'memory' } } })] })
    class UsersModule {}
    @Module({ imports: [CacheRegionsModule.forRoot({ regions: { reports: { store: 'memory' } } })] })
    class ReportsModule {}
    const error = await bootstrapError({ imports: [UsersModule, ReportsModule] });
    expect(error).toBeInstanceOf(CacheConfigError);
    expect(error.message).toMatch(/forRoot\(\) or forRootAsync\(\) is called 2 times in this app \(imported by UsersModule, ReportsModule\)/);
    expect(error.message).toMatch(/call it once, in the root module, with every region/);
  });

  it('with forRoot and forRootAsync, too', async () => {
    const error = await bootstrapError({
      imports: [
        CacheRegionsModule.forRoot({ regions: { users: { store: 'memory' } } }),
        CacheRegionsModule.forRootAsync({ regions: ['users'], useFactory: () => ({ regions: { users: { store: 'memory' } } }) }),
      ],
    });
    expect(error).toBeInstanceOf(CacheConfigError);
    expect(error.message).toMatch(/is called 2 times/);
  });

  it('with one options object imported in two modules, too (each call would run its own stores)', async () => {
    const options: CacheRegionsOptions = { regions: { shared: { store: 'memory' } } };
    @Module({ imports: [CacheRegionsModule.forRoot(options)] })
    class OneModule {}
    @Module({ imports: [CacheRegionsModule.forRoot(options)] })
    class OtherModule {}
    const error = await bootstrapError({ imports: [OneModule, OtherModule] });
    expect(error.message).toMatch(/is called 2 times in this app \(imported by OneModule, OtherModule\)/);
  });

  it('once, in a feature module, is fine: regions are injected everywhere', async () => {
    @Module({ imports: [CacheRegionsModule.forRoot({ regions: { shared: { store: 'memory' } } })] })
    class CachingModule {}
    @Module({})
    class OtherModule {}
    const app = await Test.createTestingModule({ imports: [CachingModule, OtherModule] }).compile();
    app.useLogger(false);
    await app.init();
    try {
      expect(app.select(OtherModule).get(CacheRegions).names()).toEqual(['shared']);
    } finally {
      await app.close();
    }
  });
});

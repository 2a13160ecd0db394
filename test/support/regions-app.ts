import { Module, type Type } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { CacheRegionsModule, type CacheRegionsOptions } from '../../lib/index.js';

const open: TestingModule[] = [];

/**
 * A started testing app with `CacheRegionsModule.forRoot(options)` and `providers` in a feature
 * module of their own (as in a real app), logging off. Close them all with {@link closeRegionsApps}.
 */
export async function createRegionsApp(options: CacheRegionsOptions, providers: Type[] = []): Promise<TestingModule> {
  @Module({ providers })
  class FeatureModule {}
  const app = await Test.createTestingModule({ imports: [CacheRegionsModule.forRoot(options), FeatureModule] }).compile();
  app.useLogger(false);
  await app.init();
  open.push(app);
  return app;
}

/** Closes every app {@link createRegionsApp} started. */
export async function closeRegionsApps(): Promise<void> {
  await Promise.all(open.splice(0).map((app) => app.close()));
}

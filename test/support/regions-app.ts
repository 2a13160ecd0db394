import { Module, type ModuleMetadata, type Type } from '@nestjs/common';
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

/**
 * The error an app with `metadata` fails to start with (logging off); throws when it starts. Its
 * stores are closed either way.
 */
export async function bootstrapError(metadata: ModuleMetadata): Promise<Error> {
  try {
    const app = await Test.createTestingModule(metadata).compile();
    app.useLogger(false);
    await app.init();
    await app.close();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the app to fail at startup');
}

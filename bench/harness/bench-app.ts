/**
 * A Nest application context for the bench: `CacheRegionsModule.forRoot(options)` plus the
 * services whose `@Cached` methods are measured, exactly as an app would have them.
 *
 * The bench runs its TypeScript through bench/support/register.mjs (TypeScript's own transpiler
 * with the project's legacy decorators and `design:*` metadata), so decorators here behave
 * exactly as in an app built with `tsc`.
 */
import 'reflect-metadata';
import { Module, type INestApplicationContext, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CacheRegionsModule, getRegionToken, type CacheRegion, type CacheRegionsOptions } from '../../lib/index.js';

/** A running bench app. */
export interface BenchApp {
  /** The Nest application context. */
  app: INestApplicationContext;
  /** A provider instance (its `@Cached` methods are wrapped). */
  get<T>(type: Type<T>): T;
  /** A region by name. */
  region(name: string): CacheRegion;
  /** `app.close()`: closes every store. */
  close(): Promise<void>;
}

/** Boots an application context with the regions of `options` and the given providers. */
export async function startBenchApp(options: CacheRegionsOptions, providers: Type[]): Promise<BenchApp> {
  class BenchModule {}
  Module({ imports: [CacheRegionsModule.forRoot(options)], providers })(BenchModule);
  const app = await NestFactory.createApplicationContext(BenchModule, { logger: false, abortOnError: false });
  await app.init();
  return {
    app,
    get: (type) => app.get(type),
    region: (name) => app.get<CacheRegion>(getRegionToken(name)),
    close: () => app.close(),
  };
}

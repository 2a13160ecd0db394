import type { OnModuleInit } from '@nestjs/common';
import type { ModulesContainer } from '@nestjs/core';
import { CacheConfigError } from './errors.js';

/**
 * Refuses an app that calls `CacheRegionsModule.forRoot()` / `forRootAsync()` more than once,
 * even with one options object: the module is global, so one call's regions would silently
 * replace the other's for every injection, and each call runs its own stores (two connection
 * pools, two sweepers of one directory).
 */
export class SingleRootCheck implements OnModuleInit {
  constructor(
    private readonly modules: ModulesContainer,
    /** CacheRegionsModule (passed in: that module provides this check). */
    private readonly rootModule: Function,
  ) {}

  onModuleInit(): void {
    const roots = [...this.modules.values()].filter((module) => module.metatype === this.rootModule);
    if (roots.length < 2) return;
    // A global module is linked into every module's imports: the modules that list it are
    // found in their own @Module() metadata instead.
    const importers = [...this.modules.values()]
      .filter((module) => this.listsRoot(module.metatype))
      .map((module) => module.metatype.name || '(anonymous module)');
    throw new CacheConfigError(
      `CacheRegionsModule.forRoot() or forRootAsync() is called ${roots.length} times in this app` +
        (importers.length > 0 ? ` (imported by ${[...new Set(importers)].join(', ')})` : '') +
        '. The module is global: call it once, in the root module, with every region, and inject regions anywhere with @InjectRegion().',
    );
  }

  /** Whether `metatype`'s `@Module({ imports })` lists CacheRegionsModule (a forRoot call or the class). */
  private listsRoot(metatype: Function): boolean {
    const imports: unknown = Reflect.getMetadata('imports', metatype);
    return (
      Array.isArray(imports) &&
      imports.some((entry: unknown) => entry === this.rootModule || (entry as { module?: unknown } | null)?.module === this.rootModule)
    );
  }
}

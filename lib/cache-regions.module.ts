import {
  Module,
  type DynamicModule,
  type FactoryProvider,
  type InjectionToken,
  type ModuleMetadata,
  type OptionalFactoryDependency,
  type Provider,
  type Type,
} from '@nestjs/common';
import { DiscoveryModule, ModulesContainer } from '@nestjs/core';
import { CACHE_REGIONS_CONFIG, CACHE_REGIONS_OPTIONS } from './cache-regions.constants.js';
import { asyncOptionsSource, asyncRegionsMismatch, invalidIsGlobal } from './cache-regions.messages.js';
import type { CacheRegionsOptions } from './cache-regions.options.js';
import { CachedMethodExplorer } from './cached/cached-method.explorer.js';
import { CachedInterceptor } from './cached/cached.interceptor.js';
import { checkRegionName } from './config/naming-rules.js';
import { resolveRegionsOptions } from './config/resolve-regions-options.js';
import { getRegionToken } from './decorators/inject-region.decorator.js';
import { allInjectedRegionNames } from './metadata/region-injections.js';
import { CacheConfigError } from './errors.js';
import { CacheRegions } from './regions/cache-regions.service.js';
import { SingleRootCheck } from './single-root.check.js';
import { UnconfiguredRegion } from './regions/unconfigured-region.js';

/** Options of {@link CacheRegionsModule.forRoot}: the regions' options, and where they are visible. */
export interface CacheRegionsModuleOptions extends CacheRegionsOptions {
  /**
   * `true`: every module of the app can inject the regions. `false`: only modules that import
   * the module returned by `forRoot` (re-export it from a shared module). Default: `true`.
   */
  isGlobal?: boolean;
}

/** A class that makes the options, for `forRootAsync({ useClass })` or `({ useExisting })`. */
export interface CacheRegionsOptionsFactory {
  createCacheRegionsOptions(): CacheRegionsOptions | Promise<CacheRegionsOptions>;
}

/**
 * Options of {@link CacheRegionsModule.forRootAsync}: the region names, and one of `useFactory`,
 * `useClass` or `useExisting` to make the options.
 */
export interface CacheRegionsAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  /** The region names the options configure; they shape the providers, so they are listed up front. */
  regions: string[];
  /** As in {@link CacheRegionsModuleOptions.isGlobal}. Default: `true`. */
  isGlobal?: boolean;
  /** Providers to pass to `useFactory`, e.g. `[ConfigService]`. */
  inject?: Array<InjectionToken | OptionalFactoryDependency>;
  /** Returns the same options as `forRoot` (or a promise of them). */
  useFactory?: (...args: any[]) => CacheRegionsOptions | Promise<CacheRegionsOptions>;
  /** A class the module instantiates (with its dependencies) to make the options. */
  useClass?: Type<CacheRegionsOptionsFactory>;
  /** A provider already available (e.g. from `imports`) that makes the options. */
  useExisting?: Type<CacheRegionsOptionsFactory>;
}

/** The provider of the options a `forRootAsync` call describes, and what else it needs. */
function asyncOptionsProviders(options: CacheRegionsAsyncOptions): Provider[] {
  const ways = (['useFactory', 'useClass', 'useExisting'] as const).filter((way) => options[way] !== undefined);
  if (ways.length !== 1) {
    throw new CacheConfigError(asyncOptionsSource(ways));
  }
  if (options.useFactory !== undefined) {
    if (typeof options.useFactory !== 'function') throw new CacheConfigError(asyncOptionsSource(['useFactory']));
    return [{ provide: CACHE_REGIONS_OPTIONS, useFactory: options.useFactory, inject: options.inject ?? [] }];
  }
  const factoryClass = (options.useClass ?? options.useExisting)!;
  if (typeof factoryClass !== 'function') throw new CacheConfigError(asyncOptionsSource(ways));
  const make: FactoryProvider = {
    provide: CACHE_REGIONS_OPTIONS,
    useFactory: (factory: CacheRegionsOptionsFactory) => factory.createCacheRegionsOptions(),
    inject: [factoryClass],
  };
  return options.useClass !== undefined ? [make, { provide: factoryClass, useClass: factoryClass }] : [make];
}

function checkIsGlobal(isGlobal: unknown, method: string): boolean {
  if (isGlobal === undefined) return true;
  if (typeof isGlobal !== 'boolean') throw new CacheConfigError(invalidIsGlobal(method, isGlobal));
  return isGlobal;
}

function checkDeclaredNames(declared: unknown): string[] {
  if (!Array.isArray(declared) || declared.length === 0 || declared.some((n) => typeof n !== 'string')) {
    throw new CacheConfigError(
      'CacheRegionsModule.forRootAsync needs "regions": the names of the regions its factory configures, e.g. regions: [\'functions\', \'files\'].',
    );
  }
  // The names become providers now, before the factory runs: check them now too.
  for (const name of declared as string[]) checkRegionName(name, 'CacheRegionsModule.forRootAsync "regions"');
  return declared;
}

/**
 * Named cache regions for the whole app (a global module unless `isGlobal: false`):
 * `CacheRegionsModule.forRoot({ regions: { hot: { store: 'memory', ttl: 30 } } })`.
 */
@Module({})
export class CacheRegionsModule {
  /** Registers the regions configured in `options`. Options are validated at bootstrap. */
  static forRoot(options: CacheRegionsModuleOptions): DynamicModule {
    const names =
      options && typeof options.regions === 'object' && options.regions !== null ? Object.keys(options.regions) : [];
    // `isGlobal` is the module's own; the regions' options are validated without it.
    const isObject = typeof options === 'object' && options !== null;
    const { isGlobal, ...regionsOptions } = isObject ? options : ({} as CacheRegionsModuleOptions);
    return this.assemble(
      names,
      [{ provide: CACHE_REGIONS_OPTIONS, useValue: isObject ? regionsOptions : options }],
      [],
      checkIsGlobal(isGlobal, 'forRoot'),
      (resolved) => resolved,
    );
  }

  /**
   * Registers regions whose options come from a factory (e.g. `ConfigService`). The factory must
   * configure exactly the names listed in `regions`, else bootstrap fails with `CacheConfigError`.
   */
  static forRootAsync(options: CacheRegionsAsyncOptions): DynamicModule {
    const declared = checkDeclaredNames(options?.regions);
    return this.assemble(
      declared,
      asyncOptionsProviders(options),
      options.imports ?? [],
      checkIsGlobal(options.isGlobal, 'forRootAsync'),
      (resolved) => {
        const got = resolved.map((r) => r.name);
        const missing = declared.filter((name) => !got.includes(name));
        const extra = got.filter((name) => !declared.includes(name));
        if (missing.length > 0 || extra.length > 0) {
          throw new CacheConfigError(asyncRegionsMismatch(missing, extra, declared));
        }
        return resolved;
      },
    );
  }

  private static assemble(
    names: string[],
    optionsProviders: Provider[],
    imports: NonNullable<ModuleMetadata['imports']>,
    global: boolean,
    check: (resolved: ReturnType<typeof resolveRegionsOptions>) => ReturnType<typeof resolveRegionsOptions>,
  ): DynamicModule {
    const regionProvider = (name: string): FactoryProvider => ({
      provide: getRegionToken(name),
      useFactory: (regions: CacheRegions) => regions.get(name),
      inject: [CacheRegions],
    });
    // Names injected somewhere with @InjectRegion but not configured get a placeholder, so the
    // explorer can report them by class instead of Nest's generic "can't resolve dependencies".
    // Read when Nest scans the module: by then every class of the app has been defined.
    const placeholders = (): FactoryProvider[] =>
      allInjectedRegionNames()
        .filter((name) => !names.includes(name))
        .map((name) => ({
          provide: getRegionToken(name),
          useFactory: (regions: CacheRegions) => new UnconfiguredRegion(name, regions.names()),
          inject: [CacheRegions],
        }));
    const fixedProviders: Provider[] = [
      ...optionsProviders,
      {
        provide: CACHE_REGIONS_CONFIG,
        useFactory: (options: CacheRegionsOptions) => check(resolveRegionsOptions(options)),
        inject: [CACHE_REGIONS_OPTIONS],
      },
      CacheRegions,
      {
        provide: SingleRootCheck,
        useFactory: (modules: ModulesContainer) => new SingleRootCheck(modules, CacheRegionsModule),
        inject: [ModulesContainer],
      },
      CachedMethodExplorer,
      CachedInterceptor,
      ...names.map(regionProvider),
    ];
    const fixedExports = [CacheRegions, CachedInterceptor, ...names.map(getRegionToken)];
    return {
      module: CacheRegionsModule,
      global,
      imports: [DiscoveryModule, ...imports],
      get providers() {
        return [...fixedProviders, ...placeholders()];
      },
      get exports() {
        return [...fixedExports, ...placeholders().map((p) => p.provide)];
      },
    };
  }
}

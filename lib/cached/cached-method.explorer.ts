import { Inject, Injectable, Logger, RequestMethod, type OnModuleInit } from '@nestjs/common';
import { METHOD_METADATA } from '@nestjs/common/constants.js';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import type { InstanceWrapper } from '@nestjs/core/injector/instance-wrapper.js';
import { Observable } from 'rxjs';
import {
  anonymousCachedClass,
  handlerNamespaceNotString,
  invalidNamespace,
  noDecoratorMetadata,
  scopedProviderSkipped,
  syncCachedMethod,
  unknownCachedRegion,
  unknownInjectedRegion,
} from '../cache-regions.messages.js';
import { getCachedMetadata, type CachedMetadata } from '../metadata/cached-metadata.js';
import { regionsInjectedBy } from '../metadata/region-injections.js';
import { CacheConfigError } from '../errors.js';
import { LOG_CONTEXT } from '../observability/rate-limited-logger.js';
import { CacheRegions, cachedInstancesOf } from '../regions/cache-regions.service.js';
import { wrapCachedMethod, type ReturnKind } from './cached-method.wrapper.js';
import {
  isNamespaceProblem,
  recordWrappedNamespace,
  resolveHandlerNamespace,
  resolveNamespace,
  type HandlerNamespaceProblem,
  type ResolvedNamespace,
} from '../keys/key-namespace.js';
import { checkHandlerOptions, checkProviderOptions, type CachedSite } from './cached-options.validation.js';
import { InvalidationExplorer } from './invalidation.explorer.js';
import { NamespaceRegistry } from './namespace-registry.js';

/** A `@Cached` method found on a discovered class. */
interface CachedMethod {
  readonly methodName: string;
  readonly method: Function;
  readonly metadata: CachedMetadata;
  readonly site: CachedSite;
}

/** A discovered provider or controller with its `@Cached` methods. */
interface CachedClass {
  readonly wrapper: InstanceWrapper;
  readonly owner: Function;
  readonly prototype: Record<string, unknown>;
  /** The class name; empty for an anonymous class. */
  readonly className: string;
  readonly instance: Record<string, unknown> | undefined;
  readonly methods: readonly CachedMethod[];
}

/**
 * At bootstrap: checks every `@Cached` and `@InjectRegion` of the app against the configured
 * regions (a typo fails startup, never the first call), checks that no two writers share a
 * namespace of a region by accident, and wraps the `@Cached` methods of singleton providers.
 * Controllers are checked but not wrapped: their interceptor caches them.
 */
@Injectable()
export class CachedMethodExplorer implements OnModuleInit {
  private readonly logger = new Logger(LOG_CONTEXT);
  /** `Class.method()` of @Cached provider methods without decorator metadata, found at startup. */
  private readonly unchecked: string[] = [];

  constructor(
    @Inject(DiscoveryService) private readonly discovery: DiscoveryService,
    @Inject(MetadataScanner) private readonly scanner: MetadataScanner,
    @Inject(CacheRegions) private readonly regions: CacheRegions,
  ) {}

  onModuleInit(): void {
    const namespaces = new NamespaceRegistry();
    const wrapped = new WeakSet<object>();
    const controllers = this.discovery.getControllers();
    // Providers before their aliases (useExisting): a writer is named by its own token.
    const providers = this.discovery.getProviders().sort((a, b) => Number(a.isAlias) - Number(b.isAlias));
    for (const wrapper of [...providers, ...controllers]) this.checkInjections(wrapper);
    for (const wrapper of controllers) {
      const found = this.cachedClass(wrapper);
      if (found) this.exploreController(found, namespaces);
    }
    for (const wrapper of providers) {
      const found = this.cachedClass(wrapper);
      if (found) this.exploreProvider(found, namespaces, wrapped);
    }
    if (this.unchecked.length > 0) this.logger.warn(noDecoratorMetadata([...new Set(this.unchecked)]));
    // Once every @Cached instance is known: the write decorators name their methods.
    new InvalidationExplorer(this.scanner, this.regions).explore(providers, controllers);
  }

  private checkInjections(wrapper: InstanceWrapper): void {
    const metatype = wrapper.metatype;
    if (typeof metatype !== 'function' || wrapper.inject) return;
    for (const name of regionsInjectedBy(metatype)) {
      if (!this.regions.has(name)) {
        throw new CacheConfigError(unknownInjectedRegion(name, metatype.name, this.regions.names()));
      }
    }
  }

  /** The `@Cached` methods of one discovered class, each checked to name a configured region. */
  private cachedClass(wrapper: InstanceWrapper): CachedClass | undefined {
    const instance = wrapper.instance as Record<string, unknown> | undefined;
    const hasInstance = instance !== null && typeof instance === 'object';
    const prototype = (
      hasInstance
        ? Object.getPrototypeOf(instance)
        : typeof wrapper.metatype === 'function'
          ? wrapper.metatype.prototype
          : undefined
    ) as Record<string, unknown> | undefined;
    if (!prototype || prototype === Object.prototype) return undefined;
    const owner = prototype.constructor as Function;
    // An anonymous class keeps its empty name: it has no default namespace (checked later).
    const className = typeof owner === 'function' ? owner.name : (wrapper.name?.toString() ?? '');
    const methods: CachedMethod[] = [];
    for (const methodName of this.scanner.getAllMethodNames(prototype)) {
      const method = prototype[methodName] as Function;
      const metadata = getCachedMetadata(method);
      if (!metadata) continue;
      const site: CachedSite = { region: metadata.region, className: className || '(anonymous class)', methodName };
      if (!this.regions.has(metadata.region)) {
        throw new CacheConfigError(
          unknownCachedRegion(metadata.region, site.className, methodName, this.regions.names()),
        );
      }
      methods.push({ methodName, method, metadata, site });
    }
    if (methods.length === 0) return undefined;
    return { wrapper, owner, prototype, className, instance: hasInstance ? instance : undefined, methods };
  }

  /** Handlers are cached by the interceptor; here their options and namespaces are checked. */
  private exploreController(found: CachedClass, namespaces: NamespaceRegistry): void {
    for (const { methodName, method, metadata, site } of found.methods) {
      checkHandlerOptions(site, metadata.options, routeMethodOf(method));
      // The interceptor reads the ttl at the first request: a ttl the store cannot keep stops the app now.
      if (metadata.options.ttl !== undefined) {
        this.regions.get(site.region).ttlOption(metadata.options.ttl, `@Cached('${site.region}') option "ttl" on ${site.className}.${methodName}()`);
      }
      const resolved = resolveHandlerNamespace(metadata.options.namespace, found.className, methodName);
      const namespace = this.namespaceOrThrow(resolved, found, site, 'controller');
      // One writer per controller wrapper: the instances of a request-scoped one share its class's keys.
      this.claim(namespaces, found, site, namespace, 'controller');
    }
  }

  /** Checks provider methods and wraps those of a singleton instance, once per instance. */
  private exploreProvider(found: CachedClass, namespaces: NamespaceRegistry, wrapped: WeakSet<object>): void {
    const { instance, wrapper } = found;
    let wrappedNow = false;
    for (const { methodName, method, metadata, site } of found.methods) {
      checkProviderOptions(site, metadata.options);
      const returns = this.returnKind(found.prototype, methodName, site);
      if (!instance) continue;
      if (!wrapper.isDependencyTreeStatic()) {
        this.logger.warn(scopedProviderSkipped(site.className, methodName));
        continue;
      }
      // One instance can sit behind several tokens (useExisting, exported aliases): wrap it once.
      if (wrapped.has(instance)) continue;
      const resolved = resolveNamespace(metadata.options.namespace, found.className, methodName, instance);
      const namespace = this.namespaceOrThrow(resolved, found, site, 'provider');
      this.claim(namespaces, found, site, namespace, 'provider');
      this.wrap(instance, method, metadata, site, returns, namespace.namespace);
      wrappedNow = true;
    }
    // The invalidation API and the write decorators name the entries of the instances wrapped.
    if (wrappedNow) cachedInstancesOf(this.regions).add(instance!);
    if (instance) wrapped.add(instance);
  }

  private namespaceOrThrow(
    resolved: ResolvedNamespace | HandlerNamespaceProblem,
    found: CachedClass,
    site: CachedSite,
    kind: 'provider' | 'controller',
  ): ResolvedNamespace {
    if (!isNamespaceProblem(resolved)) return resolved;
    if (resolved.kind === 'anonymous') {
      throw new CacheConfigError(anonymousCachedClass(site.region, site.methodName, whereIs(found.wrapper, kind)));
    }
    if (resolved.kind === 'handler-function') {
      throw new CacheConfigError(handlerNamespaceNotString(site.region, site.className, site.methodName));
    }
    throw new CacheConfigError(invalidNamespace(site.region, site.className, site.methodName, resolved.problem));
  }

  private claim(
    namespaces: NamespaceRegistry,
    found: CachedClass,
    site: CachedSite,
    namespace: ResolvedNamespace,
    kind: 'provider' | 'controller',
  ): void {
    namespaces.claim(site.region, namespace.namespace, {
      owner: found.owner,
      methodName: site.methodName,
      instance: found.instance,
      explicit: namespace.explicit,
      kind,
      description: `${site.className}.${site.methodName}() (${whereIs(found.wrapper, kind)})`,
    });
  }

  private returnKind(prototype: object, methodName: string, site: CachedSite): ReturnKind {
    const declared = Reflect.getMetadata('design:returntype', prototype, methodName) as Function | undefined;
    if (declared === undefined && !Reflect.hasMetadata('design:paramtypes', prototype, methodName)) {
      // No decorator metadata at all in this build: checked at each run of the method instead.
      this.unchecked.push(`${site.className}.${methodName}()`);
      return 'unchecked';
    }
    if (declared === Observable || (declared && declared.prototype instanceof Observable)) return 'observable';
    if (declared === undefined || declared === Promise || declared === Object) return 'promise';
    // Declared as a plain value: the decorator's types reject it at compile time where they can.
    throw new CacheConfigError(
      syncCachedMethod(site.region, site.className, methodName, declared.name || 'a plain value'),
    );
  }

  private wrap(
    instance: Record<string, unknown>,
    original: Function,
    metadata: CachedMetadata,
    site: CachedSite,
    returns: ReturnKind,
    namespace: string,
  ): void {
    const region = this.regions.get(metadata.region);
    const wrapper = wrapCachedMethod(
      region,
      metadata,
      site.className,
      site.methodName,
      original as (this: unknown, ...args: unknown[]) => unknown,
      returns,
      namespace,
      instance,
    );
    // Other decorators' metadata (guards, @OnEvent, Swagger, SetMetadata) stays readable on the
    // wrapper, for code that reads it from the instance's method.
    for (const key of Reflect.getMetadataKeys(original)) {
      Reflect.defineMetadata(key, Reflect.getMetadata(key, original), wrapper);
    }
    recordWrappedNamespace(wrapper, namespace);
    Object.defineProperty(wrapper, 'name', { value: original.name });
    Object.defineProperty(instance, site.methodName, {
      value: wrapper,
      configurable: true,
      writable: true,
      enumerable: false,
    });
  }
}

/** `provider "PRICES_EUR" in module PricesModule`: what Nest knows of where a class is used. */
function whereIs(wrapper: InstanceWrapper, kind: 'provider' | 'controller'): string {
  const token = wrapper.token;
  const tokenText =
    typeof token === 'function' ? token.name || '(anonymous class)' : typeof token === 'string' ? JSON.stringify(token) : String(token);
  const moduleName = wrapper.host?.name;
  return `${kind} ${tokenText}${moduleName ? ` in module ${moduleName}` : ''}`;
}

/** The HTTP method of a handler's route (`GET`, `POST`…, `ALL`), from Nest's own route metadata. */
function routeMethodOf(handler: Function): string | undefined {
  const method: unknown = Reflect.getMetadata(METHOD_METADATA, handler);
  return typeof method === 'number' ? RequestMethod[method] : undefined;
}

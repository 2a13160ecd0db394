import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import type { InstanceWrapper } from '@nestjs/core/injector/instance-wrapper.js';
import { Observable } from 'rxjs';
import { CACHED_METADATA } from '../cache-regions.constants.js';
import {
  scopedProviderSkipped,
  syncCachedMethod,
  unknownCachedRegion,
  unknownInjectedRegion,
} from '../cache-regions.messages.js';
import type { CachedMetadata } from '../decorators/cached.decorator.js';
import { regionsInjectedBy } from '../decorators/region-injections.js';
import { CacheConfigError } from '../errors.js';
import { LOG_CONTEXT } from '../regions/rate-limited-logger.js';
import { CacheRegions } from '../regions/cache-regions.service.js';
import { createCachedCall, type ReturnKind } from './cached-call.js';

type Ref<T> = T;

/**
 * At bootstrap: checks every `@Cached` and `@InjectRegion` of the app against the configured
 * regions (a typo fails startup, never the first call), and wraps the `@Cached` methods of
 * singleton providers. Controllers are checked but not wrapped: their interceptor caches them.
 */
@Injectable()
export class CachedMethodExplorer implements OnModuleInit {
  private readonly logger = new Logger(LOG_CONTEXT);

  constructor(
    @Inject(DiscoveryService) private readonly discovery: Ref<DiscoveryService>,
    @Inject(MetadataScanner) private readonly scanner: Ref<MetadataScanner>,
    @Inject(CacheRegions) private readonly regions: Ref<CacheRegions>,
  ) {}

  onModuleInit(): void {
    const wrapped = new WeakSet<object>();
    const controllers = this.discovery.getControllers();
    const providers = this.discovery.getProviders();
    for (const wrapper of [...providers, ...controllers]) this.checkInjections(wrapper);
    for (const wrapper of controllers) this.checkCachedMethods(wrapper, undefined);
    for (const wrapper of providers) this.checkCachedMethods(wrapper, wrapped);
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

  /** Validates the cached methods of one class; wraps them when `wrapped` is given (providers). */
  private checkCachedMethods(wrapper: InstanceWrapper, wrapped: WeakSet<object> | undefined): void {
    const instance = wrapper.instance as Record<string, unknown> | undefined;
    const prototype =
      instance && typeof instance === 'object'
        ? Object.getPrototypeOf(instance)
        : typeof wrapper.metatype === 'function'
          ? wrapper.metatype.prototype
          : undefined;
    if (!prototype || prototype === Object.prototype) return;
    const className = prototype.constructor?.name ?? wrapper.name?.toString() ?? 'anonymous';

    for (const methodName of this.scanner.getAllMethodNames(prototype)) {
      const method = prototype[methodName] as Function;
      const metadata = Reflect.getMetadata(CACHED_METADATA, method) as CachedMetadata | undefined;
      if (!metadata) continue;
      if (!this.regions.has(metadata.region)) {
        throw new CacheConfigError(
          unknownCachedRegion(metadata.region, className, methodName, this.regions.names()),
        );
      }
      if (!wrapped) continue;
      const returns = this.returnKind(prototype, methodName, metadata.region, className);
      if (!instance || typeof instance !== 'object') continue;
      if (!wrapper.isDependencyTreeStatic()) {
        this.logger.warn(scopedProviderSkipped(className, methodName));
        continue;
      }
      // One instance can sit behind several tokens (useExisting, exported aliases): wrap it once.
      if (wrapped.has(instance)) continue;
      this.wrap(instance, methodName, method, metadata, className, returns);
    }
    if (instance && typeof instance === 'object') wrapped?.add(instance);
  }

  private returnKind(prototype: object, methodName: string, region: string, className: string): ReturnKind {
    const declared = Reflect.getMetadata('design:returntype', prototype, methodName) as Function | undefined;
    if (declared === Observable || (declared && declared.prototype instanceof Observable)) return 'observable';
    if (declared === undefined || declared === Promise || declared === Object) return 'promise';
    // Declared as a plain value: the decorator's types reject it at compile time where they can.
    throw new CacheConfigError(syncCachedMethod(region, className, methodName, declared.name || 'a plain value'));
  }

  private wrap(
    instance: Record<string, unknown>,
    methodName: string,
    original: Function,
    metadata: CachedMetadata,
    className: string,
    returns: ReturnKind,
  ): void {
    const region = this.regions.get(metadata.region);
    const wrapper = createCachedCall(
      region,
      metadata,
      className,
      methodName,
      original as (this: unknown, ...args: unknown[]) => unknown,
      returns,
    );
    // Other decorators' metadata (guards, @OnEvent, Swagger, SetMetadata) stays readable on the
    // wrapper, for code that reads it from the instance's method.
    for (const key of Reflect.getMetadataKeys(original)) {
      Reflect.defineMetadata(key, Reflect.getMetadata(key, original), wrapper);
    }
    Object.defineProperty(wrapper, 'name', { value: original.name });
    Object.defineProperty(instance, methodName, {
      value: wrapper,
      configurable: true,
      writable: true,
      enumerable: false,
    });
  }
}

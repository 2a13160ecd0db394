import { CONTROLLER_WATERMARK } from '@nestjs/common/constants.js';
import type { MetadataScanner } from '@nestjs/core';
import type { InstanceWrapper } from '@nestjs/core/injector/instance-wrapper.js';
import { Observable } from 'rxjs';
import {
  describeReturned,
  invalidationBadMapper,
  invalidationNoInstance,
  invalidationNoMethod,
  invalidationNotAClass,
  invalidationNotCached,
  invalidationOfHandler,
  invalidationOnCachedMethod,
  invalidationOnController,
  invalidationOnScopedProvider,
  invalidationPutAmbiguous,
  invalidationSyncMethod,
  invalidationUnconfiguredRegion,
  invalidationUnknownRegion,
} from '../cache-regions.messages.js';
import { CacheConfigError } from '../errors.js';
import { getCachedMetadata } from '../metadata/cached-metadata.js';
import {
  getInvalidationMetadata,
  type CachedCallTarget,
  type InvalidationSpec,
} from '../metadata/invalidation-metadata.js';
import { cachedInstancesOf, type CacheRegions } from '../regions/cache-regions.service.js';
import { wrapInvalidatingMethod } from './invalidating-method.wrapper.js';

/** A method with `@CacheEvict` or `@CachePut`, found on a discovered class. */
interface WriteSite {
  readonly prototype: object;
  readonly methodName: string;
  readonly method: Function;
  readonly specs: readonly InvalidationSpec[];
  /** Per spec: the decorator and where it is, e.g. `@CacheEvict('files') on ImportService.reload()`. */
  readonly who: readonly string[];
}

/**
 * At bootstrap, after the `@Cached` methods are wrapped: checks every `@CacheEvict` and `@CachePut`
 * (each names a configured region, or a `@Cached` method of a singleton provider of this app; a
 * mistake stops the app, naming the decorator, class and method) and wraps the decorated methods
 * of singleton providers, once per instance.
 *
 * An invalidation that would silently not happen is refused rather than warned about: on a
 * controller handler (Nest bound the route before startup wrapping) or a request-scoped provider.
 */
export class InvalidationExplorer {
  constructor(
    private readonly scanner: MetadataScanner,
    private readonly regions: CacheRegions,
  ) {}

  /** `providers` come before their aliases, as the `@Cached` explorer sorts them. */
  explore(providers: readonly InstanceWrapper[], controllers: readonly InstanceWrapper[]): void {
    for (const wrapper of controllers) {
      const [site] = this.sitesOf(wrapper);
      if (site) throw new CacheConfigError(invalidationOnController(site.who[0]));
    }
    const wrapped = new WeakSet<object>();
    for (const wrapper of providers) {
      const sites = this.sitesOf(wrapper);
      if (sites.length === 0) continue;
      for (const site of sites) this.check(site);
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!wrapper.isDependencyTreeStatic()) {
        throw new CacheConfigError(invalidationOnScopedProvider(sites[0].who[0], classNameOf(wrapper)));
      }
      if (instance === null || typeof instance !== 'object' || wrapped.has(instance)) continue;
      wrapped.add(instance);
      for (const site of sites) this.wrap(instance, site);
    }
  }

  /** The decorated methods of one discovered class. */
  private sitesOf(wrapper: InstanceWrapper): WriteSite[] {
    const instance = wrapper.instance as object | undefined;
    const prototype = (
      instance !== null && typeof instance === 'object'
        ? Object.getPrototypeOf(instance)
        : typeof wrapper.metatype === 'function'
          ? wrapper.metatype.prototype
          : undefined
    ) as Record<string, unknown> | undefined;
    if (!prototype || prototype === Object.prototype) return [];
    const className = classNameOf(wrapper);
    const sites: WriteSite[] = [];
    for (const methodName of this.scanner.getAllMethodNames(prototype)) {
      const method = prototype[methodName] as Function;
      const specs = getInvalidationMetadata(method);
      if (specs.length === 0) continue;
      const who = specs.map((spec) => `${describeSpec(spec)} on ${className}.${methodName}()`);
      sites.push({ prototype, methodName, method, specs, who });
    }
    return sites;
  }

  private check(site: WriteSite): void {
    if (getCachedMetadata(site.method)) throw new CacheConfigError(invalidationOnCachedMethod(site.who[0]));
    const declared = Reflect.getMetadata('design:returntype', site.prototype, site.methodName) as Function | undefined;
    // Without decorator metadata nothing is declared: the wrapper awaits whatever the method returns.
    if (declared !== undefined && declared !== Promise && declared !== Object) {
      const returned = declared === Observable || declared.prototype instanceof Observable ? 'an Observable' : declared.name;
      throw new CacheConfigError(invalidationSyncMethod(site.who[0], returned || 'a plain value'));
    }
    site.specs.forEach((spec, index) => {
      const who = site.who[index];
      if (spec.kind === 'evict' && spec.scope.of === 'region') {
        if (!this.regions.has(spec.scope.region)) {
          throw new CacheConfigError(invalidationUnknownRegion(who, spec.scope.region, this.regions.names()));
        }
        return;
      }
      this.checkTarget(spec.kind === 'put' ? spec : (spec.scope as CachedCallTarget), who, spec.kind === 'put');
    });
  }

  /** A named call must be a `@Cached` method of this app's singleton provider(s). */
  private checkTarget({ target, method, args }: CachedCallTarget, who: string, isPut: boolean): void {
    if (typeof target !== 'function') throw new CacheConfigError(invalidationNotAClass(who, describeReturned(target)));
    if (typeof args !== 'function') throw new CacheConfigError(invalidationBadMapper(who, describeReturned(args)));
    const className = target.name || '(anonymous class)';
    const fn = (target.prototype as Record<string, unknown> | undefined)?.[method];
    if (typeof fn !== 'function') throw new CacheConfigError(invalidationNoMethod(who, className, method));
    const metadata = getCachedMetadata(fn);
    if (!metadata) throw new CacheConfigError(invalidationNotCached(who, className, method));
    if (Reflect.getMetadata(CONTROLLER_WATERMARK, target)) {
      throw new CacheConfigError(invalidationOfHandler(who, className, method));
    }
    if (!this.regions.has(metadata.region)) {
      throw new CacheConfigError(
        invalidationUnconfiguredRegion(who, className, method, metadata.region, this.regions.names()),
      );
    }
    const instances = cachedInstancesOf(this.regions).of(target).length;
    if (instances === 0) {
      const orElse = `call CacheRegions.invalidate(${className}, '${method}', …args) yourself to evict entries another app stores`;
      throw new CacheConfigError(invalidationNoInstance(who, className, method, orElse));
    }
    if (isPut && instances > 1) throw new CacheConfigError(invalidationPutAmbiguous(who, className, method, instances));
  }

  private wrap(instance: Record<string, unknown>, site: WriteSite): void {
    const original = site.method as (this: unknown, ...args: unknown[]) => unknown;
    const wrapper = wrapInvalidatingMethod(this.regions, original, site.specs, site.who);
    // As for @Cached: other decorators' metadata stays readable on the instance's method.
    for (const key of Reflect.getMetadataKeys(original)) {
      Reflect.defineMetadata(key, Reflect.getMetadata(key, original), wrapper);
    }
    Object.defineProperty(wrapper, 'name', { value: original.name });
    Object.defineProperty(instance, site.methodName, { value: wrapper, configurable: true, writable: true, enumerable: false });
  }
}

/** `@CacheEvict(LeaseService, 'expiration')`, `@CacheEvict('files')`, `@CachePut(…)`. */
function describeSpec(spec: InvalidationSpec): string {
  const named = (call: CachedCallTarget) =>
    `${typeof call.target === 'function' ? call.target.name || '(anonymous class)' : String(call.target)}, '${call.method}'`;
  if (spec.kind === 'put') return `@CachePut(${named(spec)})`;
  return spec.scope.of === 'region' ? `@CacheEvict('${spec.scope.region}')` : `@CacheEvict(${named(spec.scope)})`;
}

function classNameOf(wrapper: InstanceWrapper): string {
  const instance = wrapper.instance as object | undefined;
  const owner = instance !== null && typeof instance === 'object' ? instance.constructor : wrapper.metatype;
  return (typeof owner === 'function' && owner.name) || '(anonymous class)';
}

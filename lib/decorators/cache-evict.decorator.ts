import {
  recordInvalidation,
  type ArgsMapper,
  type CachedClass,
  type CachedMethodArgs,
  type CachedMethodName,
} from '../metadata/invalidation-metadata.js';
import type { EvictingDecorator } from './write-method.types.js';

/** Options of {@link CacheEvict}. */
export interface CacheEvictOptions {
  /**
   * `true`: evict before the method runs, whether it then succeeds or not (and the method does not
   * run when the eviction fails). Default: `false`, evict once the method's Promise resolves (a
   * method that rejects evicts nothing).
   */
  beforeInvocation?: boolean;
}

/**
 * Evicts cached entries when the decorated method (an async method of a singleton provider)
 * writes: the entry of one `@Cached` call, named by its class, method and arguments mapped from
 * the decorated method's own, or every entry of a region.
 *
 * ```ts
 * @CacheEvict(LeaseService, 'expiration', (user: User, lease: Lease) => [user, lease.start, lease.policyDate])
 * async updateLease(user: User, lease: Lease): Promise<void> { … }
 *
 * @CacheEvict('functions')
 * async reimportAll(): Promise<void> { … }
 * ```
 *
 * The key is the one `@Cached` uses (its `key` and `namespace` options included); with several
 * instances of the class in the app, each one's entry is evicted. An eviction the store could not
 * apply rejects the call with `CacheStoreError`, whatever the region's `failOpen` says. The
 * decorator only records what to do: the app checks it at startup and wraps the method.
 */
export function CacheEvict<T extends object, K extends CachedMethodName<T>, A extends unknown[]>(
  target: CachedClass<T>,
  method: K,
  args: (...args: A) => [...CachedMethodArgs<T, K>],
  options?: CacheEvictOptions,
): EvictingDecorator<A>;
export function CacheEvict(region: string, options?: CacheEvictOptions): EvictingDecorator<any[]>;
export function CacheEvict(
  targetOrRegion: Function | string,
  methodOrOptions?: string | CacheEvictOptions,
  args?: ArgsMapper,
  entryOptions?: CacheEvictOptions,
): EvictingDecorator<any[]> {
  const byRegion = typeof targetOrRegion === 'string';
  const options = (byRegion ? methodOrOptions : entryOptions) as CacheEvictOptions | undefined;
  const scope = byRegion
    ? ({ of: 'region', region: targetOrRegion } as const)
    : ({ of: 'entry', target: targetOrRegion, method: methodOrOptions as string, args: args! } as const);
  const beforeInvocation = options?.beforeInvocation === true;
  return (_target, _propertyKey, descriptor) => {
    recordInvalidation(descriptor.value as Function, { kind: 'evict', scope, beforeInvocation });
  };
}

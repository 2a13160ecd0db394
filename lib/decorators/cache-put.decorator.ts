import {
  recordInvalidation,
  type ArgsMapper,
  type CachedClass,
  type CachedMethodArgs,
  type CachedMethodName,
  type CachedMethodValue,
} from '../metadata/invalidation-metadata.js';
import type { PuttingDecorator } from './write-method.types.js';

/**
 * Always runs the decorated method (an async method of a singleton provider) and stores the value
 * it resolves to as the cached result of another `@Cached` call, named by its class, method and
 * arguments mapped from the decorated method's own:
 *
 * ```ts
 * @CachePut(LeaseService, 'expiration', (user: User, lease: Lease) => [user, lease.start, lease.policyDate])
 * async renew(user: User, lease: Lease): Promise<LeaseExpiration> { … }
 * ```
 *
 * Stored under the key `@Cached` uses, with its `ttl`; a result `@Cached` would not store
 * (`undefined`, or refused by its `unless`) leaves no entry. The old entry is removed first: when
 * the store cannot remove it the call rejects with `CacheStoreError`, whatever `failOpen` says; a
 * write that then fails open leaves no entry (the next call computes). The class must have one
 * instance in the app (its entries are that instance's).
 */
export function CachePut<T extends object, K extends CachedMethodName<T>, A extends unknown[]>(
  target: CachedClass<T>,
  method: K,
  args: (...args: A) => [...CachedMethodArgs<T, K>],
): PuttingDecorator<A, CachedMethodValue<T, K>>;
export function CachePut(target: Function, method: string, args: ArgsMapper): PuttingDecorator<any[], unknown> {
  return (_target, _propertyKey, descriptor) => {
    recordInvalidation(descriptor.value as Function, { kind: 'put', target, method, args });
  };
}

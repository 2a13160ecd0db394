import { SetMetadata, UseInterceptors } from '@nestjs/common';
import type { Observable } from 'rxjs';
import { CACHED_METADATA } from '../cache-regions.constants.js';
import { CachedInterceptor } from '../cached/cached.interceptor.js';
import type { CachedMetadata, CachedOptions } from '../metadata/cached-metadata.js';

export type { CachedMetadata, CachedNamespace, CachedOptions } from '../metadata/cached-metadata.js';

/** A method `@Cached` accepts: one that returns a Promise or an Observable. */
export type CacheableMethod = (...args: any[]) => Promise<unknown> | Observable<unknown>;

/**
 * Caches a method's results in the region `region`, keyed by its arguments. Works on methods of
 * any provider (wrapped at bootstrap) and on controller route handlers (as an interceptor).
 * The method must return a Promise or an Observable; `undefined` results are not cached.
 *
 * ```ts
 * @Cached('functions', { ttl: '10m' })
 * async expiration(user: User, leaseDate: string): Promise<Date> { … }
 * ```
 */
export function Cached(region: string, options: CachedOptions = {}) {
  const metadata: CachedMetadata = { region, options };
  const setMetadata = SetMetadata(CACHED_METADATA, metadata);
  const useInterceptor = UseInterceptors(CachedInterceptor);
  return <T extends CacheableMethod>(
    target: object,
    propertyKey: string | symbol,
    descriptor: TypedPropertyDescriptor<T>,
  ): void => {
    setMetadata(target, propertyKey, descriptor);
    // On providers the interceptor metadata is inert; on controllers it caches the handler.
    useInterceptor(target, propertyKey, descriptor);
  };
}

import { SetMetadata, UseInterceptors } from '@nestjs/common';
import type { Observable } from 'rxjs';
import { CACHED_METADATA } from '../cache-regions.constants.js';
import { CachedInterceptor } from '../cached/cached.interceptor.js';
import type { Ttl } from '../ttl.js';

/** Options of {@link Cached}. */
export interface CachedOptions<Args extends unknown[] = any[]> {
  /** Lifetime of this method's entries: seconds or a duration like `'5m'`. Default: the region's ttl. */
  ttl?: Ttl;
  /**
   * The key material, when not every argument should count (e.g. `(user, q) => [user.id, q]`).
   * Default: all arguments.
   */
  key?: (...args: Args) => unknown;
  /** Replaces `Class.method` in keys, e.g. to share entries between two methods. Default: `Class.method`. */
  namespace?: string;
  /** Returns `false` to bypass the cache for this call (counted in `stats().bypassed`). Default: always cache. */
  condition?: (...args: Args) => boolean;
  /** Returns `true` to not store this result (it is still returned). Default: store every result but `undefined`. */
  unless?: (result: any) => boolean;
  /**
   * Controller handlers only: what else makes responses differ. `'user'` means `request.user.id`
   * (or the whole `request.user` when it has no `id`); other names are request headers.
   * Default: none.
   */
  vary?: string[];
  /** Controller handlers only: HTTP methods whose responses are cached. Default: `['GET', 'HEAD']`. */
  methods?: string[];
}

/** What `@Cached` records on a method. */
export interface CachedMetadata {
  region: string;
  options: CachedOptions;
}

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

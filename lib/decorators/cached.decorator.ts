import { SetMetadata, UseInterceptors } from '@nestjs/common';
import type { Observable } from 'rxjs';
import { CACHED_METADATA } from '../cache-regions.constants.js';
import { CachedInterceptor } from '../cached/cached.interceptor.js';
import type { Ttl } from '../ttl.js';

/**
 * The `namespace` option: a string, or (provider methods only) a function of the instance,
 * evaluated once per instance when the app starts.
 */
export type CachedNamespace = string | ((instance: any) => string);

/** Options of {@link Cached}. */
export interface CachedOptions<Args extends unknown[] = any[]> {
  /** Lifetime of this method's entries: seconds or a duration like `'5m'`. Default: the region's ttl. */
  ttl?: Ttl;
  /**
   * The key material, when not every argument should count (e.g. `(user, q) => [user.id, q]`).
   * On a provider method it receives the method's arguments with `this` bound to the instance,
   * so a `function` (not an arrow) can add instance state:
   * `key(this: PriceService, amount: number) { return [this.currency, amount]; }`.
   * On a controller handler it receives the request and replaces the method, path and query
   * (the `vary` parts are still added): `(req) => req.body`.
   * Default: all arguments (handlers: method, path, query).
   */
  key?: (this: any, ...args: Args) => unknown;
  /**
   * Replaces `Class.method` in keys. Every writer of a namespace in a region must be the same
   * class, method and instance, or all of them must set that namespace here (sharing on purpose);
   * otherwise the app stops at startup with a `CacheConfigError`.
   * On provider methods it may be a function of the instance, evaluated once per instance at
   * startup, for classes registered more than once:
   * `(s: PriceService) => \`PriceService.quote:${s.currency}\``. It must return a non-empty string.
   * On controller handlers it must be a string.
   * Default: `Class.method` (a class without a name needs this option).
   */
  namespace?: CachedNamespace;
  /** Returns `false` to bypass the cache for this call (counted in `stats().bypassed`). Default: always cache. */
  condition?: (...args: Args) => boolean;
  /** Returns `true` to not store this result (it is still returned). Default: store every result but `undefined`. */
  unless?: (result: any) => boolean;
  /**
   * Controller handlers only (a startup error on provider methods): what else makes responses
   * differ. `'user'` means `request.user.id` (or the whole `request.user` when it has no `id`);
   * other names are request headers (`'host'`, `'accept-language'`…).
   * Default: `['user']` when the request has a `request.user` and there is no `key`, else none;
   * `vary: []` shares entries across users on purpose.
   */
  vary?: string[];
  /**
   * Controller handlers only (a startup error on provider methods): HTTP methods whose responses
   * are cached. Any method but GET and HEAD needs a `key` that includes what makes requests
   * differ (e.g. the body), else the app stops at startup. Default: `['GET', 'HEAD']`.
   */
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

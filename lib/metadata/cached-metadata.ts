import { CACHED_METADATA } from '../cache-regions.constants.js';
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

/**
 * The `@Cached` metadata of a method (its region and options), or `undefined` when the method is
 * not decorated. The one reader of what the decorator records.
 */
export function getCachedMetadata(method: unknown): CachedMetadata | undefined {
  return typeof method === 'function' ? (Reflect.getMetadata(CACHED_METADATA, method) as CachedMetadata | undefined) : undefined;
}

import {
  handlerOnlyOption,
  notAFunctionOption,
  notAStringListOption,
  routeMethodNotCached,
  unsafeMethodsWithoutKey,
} from '../cache-regions.messages.js';
import type { CachedOptions } from '../metadata/cached-metadata.js';
import { CacheConfigError } from '../errors.js';

/** Where a `@Cached` method is, for messages. */
export interface CachedSite {
  readonly region: string;
  /** The class name, or `(anonymous class)`. */
  readonly className: string;
  readonly methodName: string;
}

/** HTTP methods cached when the `methods` option is not given. */
const DEFAULT_METHODS: readonly string[] = ['GET', 'HEAD'];

/**
 * Methods whose requests are told apart by method, path and query alone: a GET or HEAD has no
 * body a handler could read.
 */
const BODILESS_METHODS: readonly string[] = ['GET', 'HEAD'];

/** Options that only mean something on a controller handler. */
const HANDLER_ONLY_OPTIONS = ['methods', 'vary'] as const;

const FUNCTION_OPTIONS = ['key', 'condition', 'unless'] as const;

/**
 * Checks `@Cached` options on a provider method; throws CacheConfigError at startup.
 * `methods` and `vary` are refused there: a provider call has no request to vary on, and keeping
 * them silently would let a user believe calls are told apart by user when they are not.
 */
export function checkProviderOptions(site: CachedSite, options: CachedOptions): void {
  for (const option of HANDLER_ONLY_OPTIONS) {
    if (options[option] !== undefined) {
      throw new CacheConfigError(handlerOnlyOption(site.region, site.className, site.methodName, option));
    }
  }
  checkFunctions(site, options);
}

/**
 * Checks `@Cached` options on a controller handler; throws CacheConfigError at startup.
 * Caching a method with a body (POST, PUT…) needs a `key`: the default key has no body in it.
 * A handler whose route's HTTP method (`routeMethod`, from its `@Get()`, `@Post()`… decorator;
 * `ALL` or none for any) is not among the cached methods would never cache: refused, rather than
 * left to look cached.
 * @returns the HTTP methods it caches, upper-case.
 */
export function checkHandlerOptions(site: CachedSite, options: CachedOptions, routeMethod?: string): readonly string[] {
  checkFunctions(site, options);
  for (const option of HANDLER_ONLY_OPTIONS) {
    const value: unknown = options[option];
    if (value !== undefined && !(Array.isArray(value) && value.every((v) => typeof v === 'string' && v !== ''))) {
      throw new CacheConfigError(notAStringListOption(site.region, site.className, site.methodName, option));
    }
  }
  const methods = cachedHttpMethods(options);
  const withBody = methods.filter((method) => !BODILESS_METHODS.includes(method));
  if (withBody.length > 0 && options.key === undefined) {
    throw new CacheConfigError(unsafeMethodsWithoutKey(site.region, site.className, site.methodName, withBody));
  }
  if (routeMethod !== undefined && routeMethod !== 'ALL' && !methods.includes(routeMethod)) {
    throw new CacheConfigError(routeMethodNotCached(site.region, site.className, site.methodName, routeMethod, methods));
  }
  return methods;
}

/** The HTTP methods a handler's `@Cached` caches, upper-case. Default: GET and HEAD. */
export function cachedHttpMethods(options: CachedOptions): readonly string[] {
  return options.methods === undefined ? DEFAULT_METHODS : options.methods.map((method) => method.toUpperCase());
}

function checkFunctions(site: CachedSite, options: CachedOptions): void {
  for (const option of FUNCTION_OPTIONS) {
    const value: unknown = options[option];
    if (value !== undefined && typeof value !== 'function') {
      throw new CacheConfigError(
        notAFunctionOption(site.region, site.className, site.methodName, option, JSON.stringify(value) ?? String(value)),
      );
    }
  }
}

import type { Observable } from 'rxjs';

/** A class (abstract or not) whose instances are `T`: how a cached method's owner is named. */
export type CachedClass<T> = abstract new (...args: any[]) => T;

/**
 * The names of `T`'s methods that `@Cached` accepts: those returning a Promise or an Observable.
 * Types cannot tell which of them carry `@Cached`; that is checked when the call runs (and, for
 * `@CacheEvict` and `@CachePut`, when the app starts).
 */
export type CachedMethodName<T> = {
  [K in keyof T]-?: T[K] extends (...args: any[]) => PromiseLike<unknown> | Observable<unknown> ? K : never;
}[keyof T] &
  string;

/** The parameters of `T`'s method `K`: what a call of it, and so its cache key, is made of. */
export type CachedMethodArgs<T, K extends keyof T> = T[K] extends (...args: infer A) => any ? A : never;

/** What `T`'s method `K` caches: the value its Promise resolves to, or its Observable emits. */
export type CachedMethodValue<T, K extends keyof T> = T[K] extends (...args: any[]) => PromiseLike<infer V>
  ? V
  : T[K] extends (...args: any[]) => Observable<infer V>
    ? V
    : never;

/** Maps a decorated method's arguments (`this`: its instance) to those of the cached method. */
export type ArgsMapper = (this: any, ...args: any[]) => readonly unknown[];

/** One cached call, named by class, method and an arguments mapper. */
export interface CachedCallTarget {
  readonly target: Function;
  readonly method: string;
  readonly args: ArgsMapper;
}

/**
 * What one `@CacheEvict` or `@CachePut` records. Eviction has a scope, so that other scopes (tags)
 * can join `entry` and `region` later without a new kind of step.
 */
export type InvalidationSpec =
  | {
      readonly kind: 'evict';
      readonly scope: ({ readonly of: 'entry' } & CachedCallTarget) | { readonly of: 'region'; readonly region: string };
      /** Evict before the method runs (and whether or not it then succeeds). */
      readonly beforeInvocation: boolean;
    }
  | ({ readonly kind: 'put' } & CachedCallTarget);

/** Metadata key of the invalidations recorded on a method. Internal: read through the reader below. */
const INVALIDATION_METADATA = 'cache-regions:invalidation';

/**
 * Records an invalidation on `method` (a decorated method's function). Decorators apply bottom-up,
 * so each one goes first: the list reads in source order.
 */
export function recordInvalidation(method: Function, spec: InvalidationSpec): void {
  Reflect.defineMetadata(INVALIDATION_METADATA, [spec, ...getInvalidationMetadata(method)], method);
}

/**
 * The invalidations `@CacheEvict` and `@CachePut` recorded on a method, in source order; empty
 * when it has none. The one reader of what those decorators record.
 */
export function getInvalidationMetadata(method: unknown): readonly InvalidationSpec[] {
  if (typeof method !== 'function') return [];
  return (Reflect.getOwnMetadata(INVALIDATION_METADATA, method) as InvalidationSpec[] | undefined) ?? [];
}

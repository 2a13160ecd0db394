import { defer, from, isObservable, lastValueFrom, mergeMap, of, toArray, type Observable } from 'rxjs';
import { describeReturned, uncheckedReturn } from '../cache-regions.messages.js';
import { CacheConfigError, CacheKeyError } from '../errors.js';
import type { CachedMetadata } from '../metadata/cached-metadata.js';
import type { CachedCallPolicy } from '../regions/cache-aside.js';
import type { CacheRegion } from '../regions/cache-region.js';
import { createCallKeyer } from '../keys/call-key.js';

/** An Observable that emitted other than exactly one value: returned as is, never cached. */
class UncacheableEmissions {
  constructor(readonly values: unknown[]) {}
}

/** Marks a call that runs uncached (counted as bypassed). */
const BYPASS = Symbol('bypass');

/**
 * What a decorated method returns, which decides what the wrapper returns on a hit: declared to
 * return a Promise (or nothing a check could use) or an Observable; `unchecked` when the build
 * emitted no decorator metadata, so each value the method returns is checked when it runs.
 */
export type ReturnKind = 'promise' | 'observable' | 'unchecked';

type AnyMethod = (this: unknown, ...args: unknown[]) => unknown;

/**
 * Wraps a method so that its calls go through `region`: same arguments, same entry. The
 * wrapper returns a Promise (or a cold Observable for methods declared to return one).
 * @param namespace the namespace this instance writes, resolved and checked at startup.
 * @param instance the provider instance the wrapper is installed on: `this` of the `key` option.
 */
export function wrapCachedMethod(
  region: CacheRegion,
  metadata: CachedMetadata,
  className: string,
  methodName: string,
  original: AnyMethod,
  returns: ReturnKind,
  namespace: string,
  instance: object,
): AnyMethod {
  const { options } = metadata;
  const keyOf = createCallKeyer(
    namespace,
    { region: region.name, className, methodName },
    options.key,
    instance,
    (key, context) => region.fit(key, context),
  );
  const ttlMs =
    options.ttl === undefined
      ? undefined
      : region.ttlOption(options.ttl, `@Cached('${region.name}') option "ttl" on ${className}.${methodName}()`);
  const unless = options.unless;
  const condition = options.condition;
  const bypassOnKeyError = region.options.onKeyError === 'bypass';

  const promisePolicy: CachedCallPolicy = { ttlMs, unless };
  const observablePolicy: CachedCallPolicy = {
    ttlMs,
    unless: (result) => result instanceof UncacheableEmissions || (unless?.(result) ?? false),
  };

  const produceObservable = async (method: AnyMethod, args: unknown[]): Promise<unknown> => {
    const result = await method(...args);
    if (!isObservable(result)) return result;
    const values = await lastValueFrom(result.pipe(toArray()));
    return values.length === 1 ? values[0] : new UncacheableEmissions(values);
  };

  /**
   * The call's key, or {@link BYPASS} when the call is to run uncached (`condition` said no, or
   * the arguments cannot form a key under `onKeyError: 'bypass'`). Throws other key errors.
   */
  function keyOrBypass(args: unknown[]): string | typeof BYPASS {
    if (condition !== undefined && !condition(...args)) {
      region.countBypass();
      return BYPASS;
    }
    try {
      return keyOf(args);
    } catch (error) {
      if (bypassOnKeyError && error instanceof CacheKeyError) {
        region.countBypass();
        return BYPASS;
      }
      throw error;
    }
  }

  if (returns === 'observable') {
    return function cachedObservable(this: unknown, ...args: unknown[]): Observable<unknown> {
      return defer(() => {
        let key: string | typeof BYPASS;
        try {
          key = keyOrBypass(args);
        } catch (error) {
          return from(Promise.reject(error));
        }
        if (key === BYPASS) {
          const direct = original.apply(this, args);
          return isObservable(direct) ? direct : from(Promise.resolve(direct));
        }
        const outcome = region.getOrCompute(key, observablePolicy, produceObservable, undefined, [
          original.bind(this),
          args,
        ]);
        return from(outcome).pipe(
          mergeMap((value) => (value instanceof UncacheableEmissions ? from(value.values) : of(value))),
        );
      });
    };
  }
  // Without decorator metadata nothing said at startup that the method returns a Promise: a
  // method that returns anything else (a plain value, an Observable) fails its call, uncached,
  // rather than having its callers silently receive a Promise. Only runs of the method pay.
  const produce: AnyMethod =
    returns === 'unchecked'
      ? function checkedReturn(this: unknown, ...args: unknown[]): unknown {
          const result = original.apply(this, args);
          if (result instanceof Promise || typeof (result as PromiseLike<unknown> | null)?.then === 'function') return result;
          throw new CacheConfigError(uncheckedReturn(region.name, className, methodName, describeReturned(result)));
        }
      : original;

  // The hit path of every @Cached call: kept free of allocations beyond the arguments and the
  // producer closure (bench/scenarios/memory-hit.ts measures it).
  return function cachedMethod(this: unknown, ...args: unknown[]): unknown {
    let key: string | typeof BYPASS;
    try {
      key = keyOrBypass(args);
    } catch (error) {
      return Promise.reject(error);
    }
    if (key === BYPASS) return original.apply(this, args);
    return region.getOrCompute(key, promisePolicy, produce, this, args);
  };
}

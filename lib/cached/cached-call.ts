import { defer, from, isObservable, lastValueFrom, mergeMap, of, toArray, type Observable } from 'rxjs';
import { CacheKeyError } from '../errors.js';
import type { CachedMetadata } from '../decorators/cached.decorator.js';
import type { CacheRegion, CachedCallPolicy } from '../regions/cache-region.js';
import { ttlToMs } from '../ttl.js';
import { createCallKeyer } from './call-key.js';

/** An Observable that emitted other than exactly one value: returned as is, never cached. */
class UncacheableEmissions {
  constructor(readonly values: unknown[]) {}
}

/** What a decorated method returns, which decides what the wrapper returns on a hit. */
export type ReturnKind = 'promise' | 'observable';

type AnyMethod = (this: unknown, ...args: unknown[]) => unknown;

/**
 * Wraps a method so that its calls go through `region`: same arguments, same entry. The
 * wrapper returns a Promise (or a cold Observable for methods declared to return one).
 */
export function createCachedCall(
  region: CacheRegion,
  metadata: CachedMetadata,
  className: string,
  methodName: string,
  original: AnyMethod,
  returns: ReturnKind,
): AnyMethod {
  const { options } = metadata;
  const keyOf = createCallKeyer(region.name, className, methodName, options, (key, context) =>
    region.fit(key, context),
  );
  const ttlMs =
    options.ttl === undefined
      ? undefined
      : ttlToMs(options.ttl, `@Cached('${region.name}') option "ttl" on ${className}.${methodName}()`);
  const unless = options.unless;
  const condition = options.condition;
  const bypassOnKeyError = region.options.onKeyError === 'bypass';

  const promisePolicy: CachedCallPolicy = { ttlMs, unless };
  const observablePolicy: CachedCallPolicy = {
    ttlMs,
    unless: (result) => result instanceof UncacheableEmissions || (unless?.(result) ?? false),
  };

  const produceObservable = async (result: unknown): Promise<unknown> => {
    if (!isObservable(result)) return result;
    const values = await lastValueFrom(result.pipe(toArray()));
    return values.length === 1 ? values[0] : new UncacheableEmissions(values);
  };

  function lookup(self: unknown, args: unknown[]): Promise<unknown> | { bypass: true } {
    if (condition && !condition(...args)) {
      region.countBypass();
      return { bypass: true };
    }
    let key: string;
    try {
      key = keyOf(args);
    } catch (error) {
      if (bypassOnKeyError && error instanceof CacheKeyError) {
        region.countBypass();
        return { bypass: true };
      }
      return Promise.reject(error);
    }
    if (returns === 'observable') {
      return region.lookup(key, async () => produceObservable(await original.apply(self, args)), observablePolicy);
    }
    return region.lookup(key, async () => original.apply(self, args), promisePolicy);
  }

  if (returns === 'observable') {
    return function cachedObservable(this: unknown, ...args: unknown[]): Observable<unknown> {
      return defer(() => {
        const outcome = lookup(this, args);
        if (!(outcome instanceof Promise)) {
          const direct = original.apply(this, args);
          return isObservable(direct) ? direct : from(Promise.resolve(direct));
        }
        return from(outcome).pipe(
          mergeMap((value) => (value instanceof UncacheableEmissions ? from(value.values) : of(value))),
        );
      });
    };
  }
  return function cachedMethod(this: unknown, ...args: unknown[]): unknown {
    const outcome = lookup(this, args);
    if (outcome instanceof Promise) return outcome;
    return original.apply(this, args);
  };
}

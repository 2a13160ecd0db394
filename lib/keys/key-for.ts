import {
  KEY_FOR,
  keyForAnonymous,
  keyForBadNamespace,
  keyForNeedsInstance,
  keyForNoMethod,
  keyForOtherRegion,
  type KeyCaller,
} from '../cache-regions.messages.js';
import { getCachedMetadata, type CachedMetadata } from '../metadata/cached-metadata.js';
import { CacheKeyError } from '../errors.js';
import { createCallKeyer } from './call-key.js';
import { isNamespaceProblem, resolveNamespace, wrappedNamespace } from './key-namespace.js';

/**
 * The logical key `@Cached` uses for `target.method(...args)` in region `region` (unfitted:
 * `region.get`/`delete` fit it exactly as the cached call does; fitting twice would hash twice).
 *
 * `target` is the class or an instance. An instance is needed when the key depends on it: a
 * function `namespace` is applied to it (the namespace recorded when it was wrapped, if it was),
 * and a `key` option runs with `this` bound to it. Given the class, a `key` that reads `this`
 * throws CacheKeyError rather than return a key no call uses.
 * @param caller who asks, as its messages name it: `keyFor()` by default; the invalidation API
 *   (`CacheRegions.invalidate()`…) passes its own, so that the fix they suggest is a call of it.
 * @throws CacheKeyError for an unknown method, a method cached in another region, a class where an
 *   instance is needed, an anonymous class without namespace, or unusable arguments.
 */
export function keyForCall(
  region: string,
  target: Function | object,
  method: string,
  args: readonly unknown[],
  caller: KeyCaller = KEY_FOR,
): string {
  const isClass = typeof target === 'function';
  const cls = (isClass ? target : target.constructor) as Function;
  const className = cls?.name ?? '';
  const fn = (cls?.prototype as Record<string, unknown> | undefined)?.[method];
  if (typeof fn !== 'function') throw new CacheKeyError(keyForNoMethod(region, className || 'the class', method));
  const metadata = getCachedMetadata(fn);
  if (metadata && metadata.region !== region) {
    throw new CacheKeyError(keyForOtherRegion(region, className, method, metadata.region));
  }
  const options = metadata?.options;
  const namespace = namespaceFor(region, target, isClass, className, method, options?.namespace, caller);
  const context = { region, className, methodName: method };
  const keyThis = isClass && options?.key ? classStandIn(region, className, method, caller) : target;
  return createCallKeyer(namespace, context, options?.key, keyThis, (key) => key)(args);
}

function namespaceFor(
  region: string,
  target: Function | object,
  isClass: boolean,
  className: string,
  method: string,
  option: CachedMetadata['options']['namespace'],
  caller: KeyCaller,
): string {
  if (!isClass) {
    // The namespace this very instance writes, as resolved when the explorer wrapped it.
    const recorded = wrappedNamespace((target as Record<string, unknown>)[method]);
    if (recorded !== undefined) return recorded;
  } else if (typeof option === 'function') {
    throw new CacheKeyError(
      keyForNeedsInstance(region, className, method, 'has a per-instance namespace (a function of the instance)', caller),
    );
  }
  const resolved = resolveNamespace(option, className, method, target);
  if (!isNamespaceProblem(resolved)) return resolved.namespace;
  if (resolved.kind === 'anonymous') throw new CacheKeyError(keyForAnonymous(region, method, caller));
  throw new CacheKeyError(keyForBadNamespace(region, className, method, resolved.problem, caller));
}

/**
 * `this` of a `key` option when keyFor() was given the class: reading anything from it means the
 * key depends on an instance, which only the caller can name.
 */
function classStandIn(region: string, className: string, method: string, caller: KeyCaller): object {
  const refuse = (): never => {
    throw new CacheKeyError(keyForNeedsInstance(region, className, method, 'has a key option that reads `this`', caller));
  };
  return new Proxy(Object.create(null) as object, {
    get: refuse,
    has: refuse,
    ownKeys: refuse,
    getOwnPropertyDescriptor: refuse,
    getPrototypeOf: refuse,
  });
}

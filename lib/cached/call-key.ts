import type { CachedOptions } from '../decorators/cached.decorator.js';
import { buildCallKey } from '../keys/key-builder.js';
import type { KeyContext } from '../keys/key-material.js';

/** Fits a logical key into a region's store limits (the region's `fit`). */
export type KeyFitter = (key: string, context: KeyContext) => string;

/**
 * Builds the function that turns a call's arguments into its stored key: the namespace
 * (`Class.method` or the `namespace` option), then the `key` option's material or all arguments.
 * `@Cached`, the interceptor and `region.keyFor` share it, so they always agree.
 */
export function createCallKeyer(
  region: string,
  className: string,
  methodName: string,
  options: Pick<CachedOptions, 'key' | 'namespace'> | undefined,
  fit: KeyFitter,
): (args: readonly unknown[]) => string {
  const namespace = options?.namespace ?? `${className}.${methodName}`;
  const context: KeyContext = { region, className, methodName };
  const material = options?.key;
  if (material) {
    return (args) => fit(buildCallKey(namespace, [material(...args)], context), context);
  }
  return (args) => fit(buildCallKey(namespace, args, context), context);
}

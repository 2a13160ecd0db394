import { callKeyPrefix } from './key-builder.js';
import { serializeArgs } from './key-material.js';
import type { KeyContext } from './key-material.js';

/** Fits a logical key into a region's store limits (the region's `fit`). */
export type KeyFitter = (key: string, context: KeyContext) => string;

/** The `key` option: a call's key material from its arguments. */
export type KeyMaterialOf = (this: unknown, ...args: any[]) => unknown;

/**
 * Builds the function that turns a call's arguments into its stored key: the namespace, then the
 * `key` option's material or all arguments. `@Cached`, the interceptor and `region.keyFor` share
 * it, so they always agree.
 * @param namespace already resolved (see `cached-namespace.ts`): `Class.method` or the option's.
 * @param keyThis `this` of the `key` option: the provider instance, so a key can read its state.
 */
export function createCallKeyer(
  namespace: string,
  context: KeyContext,
  material: KeyMaterialOf | undefined,
  keyThis: unknown,
  fit: KeyFitter,
): (args: readonly unknown[]) => string {
  // The same key as buildCallKey(namespace, args, context), with the namespace part built once.
  const prefix = callKeyPrefix(namespace);
  if (material) {
    return (args) => fit(prefix + serializeArgs([material.apply(keyThis, args as unknown[])], context), context);
  }
  return (args) => fit(prefix + serializeArgs(args, context), context);
}

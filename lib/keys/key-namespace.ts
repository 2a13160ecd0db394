import type { CachedNamespace } from '../metadata/cached-metadata.js';

/** A method's namespace in keys, and whether the `namespace` option chose it. */
export interface ResolvedNamespace {
  readonly namespace: string;
  /** `true` when set by the option (a string or a function's result); shared namespaces must be. */
  readonly explicit: boolean;
}

/** Why a namespace cannot be used; the caller words it as a config or a key error. */
export type NamespaceProblem =
  /** No option, and a class without a name: `Class.method` would tell nothing apart. */
  | { readonly kind: 'anonymous' }
  /** Not a non-empty string (or a function that returned one); `problem` says what it was. */
  | { readonly kind: 'invalid'; readonly problem: string };

/** A function namespace on a controller handler, which has no instance of its own to apply it to. */
export type HandlerNamespaceProblem = NamespaceProblem | { readonly kind: 'handler-function' };

/**
 * The namespace of `className.methodName` with the `namespace` option `option`, for the instance
 * `instance` (a function namespace is applied to it). Returns a problem instead of throwing, so
 * startup (CacheConfigError) and keyFor (CacheKeyError) can each say it their way.
 *
 * The default, `Class.method`, needs a class name: an anonymous class has none to tell it apart.
 */
export function resolveNamespace(
  option: CachedNamespace | undefined,
  className: string,
  methodName: string,
  instance: object,
): ResolvedNamespace | NamespaceProblem {
  if (option === undefined) {
    return className === '' ? { kind: 'anonymous' } : { namespace: `${className}.${methodName}`, explicit: false };
  }
  if (typeof option === 'string') return checked(option, 'is');
  if (typeof option !== 'function') return { kind: 'invalid', problem: `is ${describe(option)}` };
  let result: unknown;
  try {
    result = option(instance);
  } catch (error) {
    return { kind: 'invalid', problem: `threw: ${error instanceof Error ? error.message : String(error)}` };
  }
  return checked(result, 'returned');
}

/** The namespace of a controller handler: a string option or `Class.method`, never a function. */
export function resolveHandlerNamespace(
  option: CachedNamespace | undefined,
  className: string,
  methodName: string,
): ResolvedNamespace | HandlerNamespaceProblem {
  if (typeof option === 'function') return { kind: 'handler-function' };
  // Handlers have no instance a string or default namespace could depend on.
  return resolveNamespace(option, className, methodName, {});
}

/** Metadata on a wrapped method: the namespace its instance resolved at startup. */
const WRAPPED_NAMESPACE = 'cache-regions:wrapped-namespace';

/**
 * Records on a provider's wrapped method the namespace it writes, so keyFor(instance) gives
 * exactly that key even when a function namespace reads state that changed since startup.
 */
export function recordWrappedNamespace(wrapper: Function, namespace: string): void {
  Reflect.defineMetadata(WRAPPED_NAMESPACE, namespace, wrapper);
}

/** The namespace recorded by {@link recordWrappedNamespace}, if `method` is such a wrapper. */
export function wrappedNamespace(method: unknown): string | undefined {
  return typeof method === 'function'
    ? (Reflect.getOwnMetadata(WRAPPED_NAMESPACE, method) as string | undefined)
    : undefined;
}

/** Narrows a resolution to its problem. */
export function isNamespaceProblem<P extends HandlerNamespaceProblem>(value: ResolvedNamespace | P): value is P {
  return 'kind' in value;
}

function checked(value: unknown, verb: 'is' | 'returned'): ResolvedNamespace | NamespaceProblem {
  if (typeof value === 'string' && value !== '') return { namespace: value, explicit: true };
  return {
    kind: 'invalid',
    problem: `${verb} ${typeof value === 'string' ? '"" (an empty string)' : describe(value)}`,
  };
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'object') return `an object (${Object.prototype.toString.call(value)})`;
  return `a ${typeof value} (${String(value)})`;
}

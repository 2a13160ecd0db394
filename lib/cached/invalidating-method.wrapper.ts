import { describeReturned, invalidationMapperResult } from '../cache-regions.messages.js';
import { CacheKeyError } from '../errors.js';
import type { CachedCallTarget, InvalidationSpec } from '../metadata/invalidation-metadata.js';
import type { CacheRegions } from '../regions/cache-regions.service.js';

type AnyMethod = (this: unknown, ...args: unknown[]) => unknown;

/** One invalidation of a call of the decorated method: its instance, arguments and result. */
type Step = (self: unknown, args: unknown[], result: unknown) => Promise<unknown>;

/** The invalidation API without its compile-time types: the explorer checked the targets at startup. */
interface UntypedRegions {
  invalidate(target: Function, method: string, ...args: unknown[]): Promise<boolean>;
  set(value: unknown, target: Function, method: string, ...args: unknown[]): Promise<void>;
  get(name: string): { clear(): Promise<void> };
}

/**
 * Wraps a write method so that its `@CacheEvict` and `@CachePut` happen around its calls:
 * evictions with `beforeInvocation` before it runs; once its Promise resolves, the other
 * evictions, then the puts (so that a put is not undone by an eviction of the same call). Each
 * goes through the `CacheRegions` API, so the keys are `@Cached`'s own. The call rejects when an
 * invalidation fails, after every one of its group was tried: the caller must not take an
 * invalidation that did not happen for one that did.
 * @param who for each spec, the decorator and where it is, for messages.
 */
export function wrapInvalidatingMethod(
  regions: CacheRegions,
  original: AnyMethod,
  specs: readonly InvalidationSpec[],
  who: readonly string[],
): AnyMethod {
  const api = regions as unknown as UntypedRegions;
  const before: Step[] = [];
  const evictions: Step[] = [];
  const puts: Step[] = [];
  specs.forEach((spec, index) => {
    if (spec.kind === 'put') {
      const argsOf = mapperOf(spec, who[index]);
      puts.push((self, args, result) => api.set(result, spec.target, spec.method, ...argsOf(self, args)));
      return;
    }
    const { scope } = spec;
    let step: Step;
    if (scope.of === 'region') {
      step = () => api.get(scope.region).clear();
    } else {
      const argsOf = mapperOf(scope, who[index]);
      step = (self, args) => api.invalidate(scope.target, scope.method, ...argsOf(self, args));
    }
    (spec.beforeInvocation ? before : evictions).push(step);
  });

  return async function invalidating(this: unknown, ...args: unknown[]): Promise<unknown> {
    await runAll(before, this, args, undefined);
    const result = await original.apply(this, args);
    await runAll(evictions, this, args, result);
    await runAll(puts, this, args, result);
    return result;
  };
}

/** Runs every step (concurrently); rejects with the first failure once all have settled. */
async function runAll(steps: readonly Step[], self: unknown, args: unknown[], result: unknown): Promise<void> {
  if (steps.length === 0) return;
  // A step that throws synchronously (its mapper) fails like one that rejects.
  const outcomes = await Promise.allSettled(steps.map(async (step) => step(self, args, result)));
  const failed = outcomes.find((outcome) => outcome.status === 'rejected');
  if (failed) throw failed.reason;
}

/** The cached method's arguments from the decorated method's, checked to be an array. */
function mapperOf(target: CachedCallTarget, who: string): (self: unknown, args: unknown[]) => readonly unknown[] {
  const name = `${target.target.name || '(anonymous class)'}.${target.method}`;
  return (self, args) => {
    const mapped: unknown = target.args.apply(self, args);
    if (!Array.isArray(mapped)) throw new CacheKeyError(invalidationMapperResult(who, name, describeReturned(mapped)));
    return mapped;
  };
}

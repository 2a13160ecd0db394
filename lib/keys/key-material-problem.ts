/**
 * Thrown while encoding key material; each container on the way out prepends its path segment
 * (`.user`, `[3]`), so the happy path pays nothing for error locations. The walker turns it into a
 * `CacheKeyError` at the top.
 */
export class KeyMaterialProblem extends Error {
  readonly segments: string[] = [];
}

/** `error` as a problem located one `segment` further out. */
export function withSegment(error: unknown, segment: string): KeyMaterialProblem {
  const problem = asProblem(error);
  problem.segments.unshift(segment);
  return problem;
}

/** A getter or a toJSON deep inside may throw anything; report it at the place it surfaced. */
export function asProblem(error: unknown): KeyMaterialProblem {
  if (error instanceof KeyMaterialProblem) return error;
  return new KeyMaterialProblem(`could not be read: ${describeError(error)}`, { cause: error });
}

/** `TypeError: boom` for an Error, `String(error)` for anything else thrown. */
export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

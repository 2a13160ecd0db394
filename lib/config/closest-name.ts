/**
 * The candidate that `input` is most plausibly a typo of, for "did you mean …?" hints in error
 * messages; `undefined` when none is close enough.
 *
 * Distance is the number of single-character insertions, deletions, substitutions or swaps of two
 * neighbouring characters (optimal string alignment), compared case-insensitively, so `FILES`
 * suggests `files` and `epxire` suggests `expire`. A candidate counts as a typo when its distance
 * is at most `max(2, floor(input.length / 3))` and smaller than the longer of the two names (a
 * name that shares nothing with the input is not a typo of it). The closest candidate wins; on a
 * tie, the first in `candidates`. An empty input has no suggestion.
 */
export function closestName(input: string, candidates: readonly string[]): string | undefined {
  if (input.length === 0) {
    return undefined;
  }
  const needle = input.toLowerCase();
  const limit = Math.max(2, Math.floor(input.length / 3));
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const distance = editDistance(needle, candidate.toLowerCase());
    if (
      distance <= limit &&
      distance < Math.max(needle.length, candidate.length) &&
      distance < bestDistance
    ) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** Optimal string alignment distance: Levenshtein plus adjacent transpositions (cost 1). */
function editDistance(a: string, b: string): number {
  // Three rolling rows: the transposition step looks two rows back.
  let beforePrevious: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      let distance = Math.min(previous[j] + 1, current[j - 1] + 1, substitution);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        distance = Math.min(distance, beforePrevious[j - 2] + 1);
      }
      current.push(distance);
    }
    beforePrevious = previous;
    previous = current;
  }
  return previous[b.length];
}

/**
 * Longest delay a Node.js timer takes: 2^31 − 1 ms, about 24.8 days. A longer one fires after
 * 1 ms instead (with only a TimeoutOverflowWarning), which would turn a sweep interval into a busy
 * loop and a time-out into none.
 */
export const MAX_TIMER_MS = 2_147_483_647;

/** Bounds of one integer option; `why` explains the upper bound in error messages. */
export interface IntegerBounds {
  readonly min: number;
  readonly max?: number;
  readonly why?: string;
}

/** `an integer from 1 to 10` / `an integer >= 1`. */
export function describeBounds(bounds: IntegerBounds): string {
  return bounds.max === undefined ? `an integer >= ${bounds.min}` : `an integer from ${bounds.min} to ${bounds.max}`;
}

/** Whether `value` is an integer within `bounds`. */
export function withinBounds(value: unknown, bounds: IntegerBounds): value is number {
  return (
    typeof value === 'number' &&
    Number.isInteger(value) &&
    value >= bounds.min &&
    (bounds.max === undefined || value <= bounds.max)
  );
}

import type { RegionOptions } from '../cache-regions.options.js';

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

const TIMER: Omit<IntegerBounds, 'min'> = {
  max: MAX_TIMER_MS,
  why: `Longer delays overflow Node's timers (at most ${MAX_TIMER_MS} ms, about 24.8 days)`,
};

/**
 * The integer options of a region and their bounds: one table for `forRoot` validation and the
 * flat-config parser, so both refuse the same values. Memcached's `timeoutMs` and `retries` are
 * held well below the timer limit, because a call waits up to `retries × 2 × timeoutMs` for a dead
 * server before it runs uncached (10 × 2 × 60000 ms + delays stays a few minutes short of it).
 */
export const INTEGER_BOUNDS = {
  lockWaitMs: { min: 0, ...TIMER },
  breakerThreshold: { min: 1 },
  breakerCooldownMs: { min: 1, ...TIMER },
  maxEntries: { min: 1 },
  maxBytes: { min: 1 },
  timeoutMs: {
    min: 1,
    max: 60_000,
    why: 'A call waits up to timeoutMs for each memcached attempt; a cache that waits longer than a minute is slower than no cache',
  },
  retries: {
    min: 1,
    max: 10,
    why: 'Each attempt may wait timeoutMs again before the call runs uncached; more than 10 attempts only delay that',
  },
  maxValueBytes: { min: 1 },
  sweepIntervalMs: { min: 1, ...TIMER },
} as const satisfies Partial<Record<keyof RegionOptions, IntegerBounds>>;

/** A region option with integer bounds. */
export type IntegerOption = keyof typeof INTEGER_BOUNDS;

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

import { HealthIndicatorService } from '@nestjs/terminus';

/** Whether the installed terminus has `degraded()` (12 has; 11 knows only up and down). */
export const TERMINUS_HAS_DEGRADED =
  typeof (new HealthIndicatorService().check('probe') as { degraded?: unknown }).degraded === 'function';

/**
 * A degraded region's details as the installed terminus reports them: `status: 'degraded'` on 12,
 * `status: 'up'` with `degraded: true` on 11 (the indicator's fallback there).
 */
export function degradedDetails<T extends object>(details: T): T & { status: string } {
  return TERMINUS_HAS_DEGRADED ? { status: 'degraded', ...details } : { status: 'up', degraded: true, ...details };
}

/** The overall status of a check whose only unhealthy regions still serve: `degraded` (12), `ok` (11). */
export const DEGRADED_OVERALL = TERMINUS_HAS_DEGRADED ? 'degraded' : 'ok';

import { BadRequestException, Controller, Get, Query, UseGuards } from '@nestjs/common';
import { Cached } from '../../lib/index.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import type { SampleUser } from '../auth/sample-user.js';
import { UserGuard } from '../auth/user.guard.js';
import { parseIsoDate } from '../leases/lease-dates.js';
import { ReportsService, type DailyReport, type LeaseReport } from './reports.service.js';

/** `GET /reports/daily?date=YYYY-MM-DD` and `GET /reports/leases`, with an `x-user` header. */
@Controller('reports')
@UseGuards(UserGuard)
export class ReportsController {
  constructor(private readonly reports: ReportsService) {}

  /**
   * Cached as a whole response for 5 minutes, keyed by method, path, query and (vary) the user:
   * the guard runs before the cache, so each user has their own entry.
   */
  @Get('daily')
  @Cached('functions', { vary: ['user'], ttl: '5m' })
  async daily(@CurrentUser() user: SampleUser, @Query('date') text?: string): Promise<DailyReport> {
    const date = parseIsoDate(text);
    if (!date) {
      throw new BadRequestException(`Query parameter "date" must be a date like 2026-01-31; got ${JSON.stringify(text ?? null)}.`);
    }
    return this.reports.daily(user, date);
  }

  /** The user's lease report: cached by `ReportsService.leases`, evicted when a lease of theirs changes. */
  @Get('leases')
  leases(@CurrentUser() user: SampleUser): Promise<LeaseReport> {
    return this.reports.leases(user);
  }
}

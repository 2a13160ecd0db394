import { BadRequestException, Controller, Get, Query, UseGuards } from '@nestjs/common';
import { CurrentUser } from '../auth/current-user.decorator.js';
import type { SampleUser } from '../auth/sample-user.js';
import { UserGuard } from '../auth/user.guard.js';
import { parseIsoDate } from './lease-dates.js';
import { LeaseService, type LeaseExpiration } from './lease.service.js';

function requireDate(name: string, text: string | undefined): Date {
  const date = parseIsoDate(text);
  if (!date) {
    throw new BadRequestException(`Query parameter "${name}" must be a date like 2026-01-31; got ${JSON.stringify(text ?? null)}.`);
  }
  return date;
}

/** `GET /leases/expiration?leaseDate=YYYY-MM-DD&policyDate=YYYY-MM-DD` with an `x-user` header. */
@Controller('leases')
@UseGuards(UserGuard)
export class LeasesController {
  constructor(private readonly leases: LeaseService) {}

  @Get('expiration')
  expiration(
    @CurrentUser() user: SampleUser,
    @Query('leaseDate') leaseDate?: string,
    @Query('policyDate') policyDate?: string,
  ): Promise<LeaseExpiration> {
    return this.leases.expiration(user, requireDate('leaseDate', leaseDate), requireDate('policyDate', policyDate));
  }
}

import {
  BadRequestException,
  Body,
  Controller,
  Get,
  Put,
  Query,
  ServiceUnavailableException,
  UseGuards,
} from '@nestjs/common';
import { CacheStoreError } from '../../lib/index.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import type { SampleUser } from '../auth/sample-user.js';
import { UserGuard } from '../auth/user.guard.js';
import type { LeaseRecord } from './lease-book.js';
import { parseIsoDate } from './lease-dates.js';
import { LeaseService, type LeaseExpiration } from './lease.service.js';

/** Longest extension `PUT /leases` accepts, in months. */
const MAX_EXTENSION_MONTHS = 120;

function requireDate(name: string, text: string | undefined, where = 'Query parameter'): Date {
  const date = parseIsoDate(text);
  if (!date) {
    throw new BadRequestException(`${where} "${name}" must be a date like 2026-01-31; got ${JSON.stringify(text ?? null)}.`);
  }
  return date;
}

/**
 * `GET /leases/expiration?leaseDate=YYYY-MM-DD&policyDate=YYYY-MM-DD` and
 * `PUT /leases` with `{ leaseDate, policyDate, extensionMonths }`, each with an `x-user` header.
 */
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

  /**
   * Records the user's lease; its cached expiration and the user's lease report are evicted.
   * 503 when the store could not evict them (the lease is recorded, but the old entries may still
   * be served: retry once the store is back).
   */
  @Put()
  async update(
    @CurrentUser() user: SampleUser,
    @Body() body: { leaseDate?: string; policyDate?: string; extensionMonths?: unknown } = {},
  ): Promise<LeaseRecord> {
    const extensionMonths = body.extensionMonths ?? 0;
    if (!Number.isInteger(extensionMonths) || (extensionMonths as number) < 0 || (extensionMonths as number) > MAX_EXTENSION_MONTHS) {
      throw new BadRequestException(
        `Body field "extensionMonths" must be a whole number of months from 0 to ${MAX_EXTENSION_MONTHS}; got ${JSON.stringify(extensionMonths)}.`,
      );
    }
    const lease = {
      leaseDate: requireDate('leaseDate', body.leaseDate, 'Body field'),
      policyDate: requireDate('policyDate', body.policyDate, 'Body field'),
      extensionMonths: extensionMonths as number,
    };
    try {
      return await this.leases.updateLease(user, lease);
    } catch (error) {
      if (!(error instanceof CacheStoreError)) throw error;
      throw new ServiceUnavailableException({
        statusCode: 503,
        error: 'Service Unavailable',
        recorded: true,
        evicted: false,
        message: error.message,
      });
    }
  }
}

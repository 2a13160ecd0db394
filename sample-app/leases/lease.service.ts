import { Injectable } from '@nestjs/common';
import { Cached, CacheEvict } from '../../lib/index.js';
import type { SampleUser } from '../auth/sample-user.js';
import { ReportsService } from '../reports/reports.service.js';
import { LeaseBook, type LeaseRecord } from './lease-book.js';
import { formatIsoDate, leaseExpiresOn, leaseTermMonths } from './lease-dates.js';

/** A computed lease expiration, as cached in the `functions` region and returned by the API. */
export interface LeaseExpiration {
  /** Name of the user it was computed for. */
  user: string;
  leaseDate: string;
  policyDate: string;
  /** The term, with any extension recorded for the lease. */
  termMonths: number;
  /** Last day of the lease, `YYYY-MM-DD`. */
  expiresOn: string;
  /** When this value was computed (ISO timestamp): unchanged while it is served from the cache. */
  computedAt: string;
  /** How many times this process ran the computation when it produced this value. */
  run: number;
}

/** A change to a user's lease, as `PUT /leases` receives it. */
export interface LeaseUpdate {
  leaseDate: Date;
  policyDate: Date;
  /** Months granted on top of the term. */
  extensionMonths: number;
}

/** Lease computations, cached per user and dates in the `functions` region (60 minutes). */
@Injectable()
export class LeaseService {
  private runs = 0;

  constructor(private readonly book: LeaseBook) {}

  /**
   * The lease's expiration for `user`. The key covers all three arguments, so each user (and
   * each pair of dates) gets its own entry.
   */
  @Cached('functions')
  async expiration(user: SampleUser, leaseDate: Date, policyDate: Date): Promise<LeaseExpiration> {
    this.runs++;
    const extension = this.book.extensionMonths(user, formatIsoDate(leaseDate), formatIsoDate(policyDate));
    return {
      user: user.name,
      leaseDate: formatIsoDate(leaseDate),
      policyDate: formatIsoDate(policyDate),
      termMonths: leaseTermMonths(leaseDate, policyDate) + extension,
      expiresOn: formatIsoDate(leaseExpiresOn(leaseDate, policyDate, extension)),
      computedAt: new Date().toISOString(),
      run: this.runs,
    };
  }

  /**
   * Records `user`'s lease. Once it is recorded, the entries it changes are evicted: that user's
   * expiration for these dates (the same arguments `expiration()` is called with, so the same
   * key) and that user's lease report. Other users' entries stay.
   */
  @CacheEvict(LeaseService, 'expiration', (user: SampleUser, lease: LeaseUpdate) => [user, lease.leaseDate, lease.policyDate])
  @CacheEvict(ReportsService, 'leases', (user: SampleUser) => [user])
  async updateLease(user: SampleUser, lease: LeaseUpdate): Promise<LeaseRecord> {
    const record: LeaseRecord = {
      leaseDate: formatIsoDate(lease.leaseDate),
      policyDate: formatIsoDate(lease.policyDate),
      extensionMonths: lease.extensionMonths,
    };
    this.book.record(user, record);
    return record;
  }
}

import { Injectable } from '@nestjs/common';
import { Cached } from '../../lib/index.js';
import type { SampleUser } from '../auth/sample-user.js';
import { LeaseBook, type LeaseRecord } from '../leases/lease-book.js';
import { formatIsoDate, leaseExpiresOn, parseIsoDate } from '../leases/lease-dates.js';

/** A user's daily report, as the `GET /reports/daily` handler returns (and caches) it. */
export interface DailyReport {
  date: string;
  /** Name of the user the report is for. */
  user: string;
  /** Leases the user has to review that day (sample data derived from the date and user). */
  leasesToReview: number;
  /** When this report was built (ISO timestamp): unchanged while it is served from the cache. */
  generatedAt: string;
  /** How many reports this process had built when it built this one. */
  run: number;
}

/** A user's lease report, as `GET /reports/leases` returns it. */
export interface LeaseReport {
  /** Name of the user the report is for. */
  user: string;
  /** The user's recorded leases, each with its last day. */
  leases: Array<LeaseRecord & { expiresOn: string }>;
  /** When this report was built (ISO timestamp): unchanged while it is served from the cache. */
  generatedAt: string;
  /** How many lease reports this process had built when it built this one. */
  run: number;
}

/**
 * Builds reports. The daily report is not cached here (its controller handler is, as an
 * interceptor); the lease report is, per user, until a lease of that user changes.
 */
@Injectable()
export class ReportsService {
  private runs = 0;
  private leaseReportRuns = 0;

  constructor(private readonly book: LeaseBook) {}

  /** Builds `user`'s report for the UTC day `date`. */
  async daily(user: SampleUser, date: Date): Promise<DailyReport> {
    this.runs++;
    return {
      date: formatIsoDate(date),
      user: user.name,
      leasesToReview: (date.getUTCDate() * 7 + user.id * 3) % 11,
      generatedAt: new Date().toISOString(),
      run: this.runs,
    };
  }

  /**
   * `user`'s lease report, cached per user id in the `functions` region. `LeaseService.updateLease`
   * evicts it (`@CacheEvict(ReportsService, 'leases', …)`), so it never lists an old lease.
   */
  @Cached('functions', { key: (user: SampleUser) => user.id })
  async leases(user: SampleUser): Promise<LeaseReport> {
    this.leaseReportRuns++;
    const leases = this.book.leasesOf(user).map((lease) => {
      const end = leaseExpiresOn(parseIsoDate(lease.leaseDate)!, parseIsoDate(lease.policyDate)!, lease.extensionMonths);
      return { ...lease, expiresOn: formatIsoDate(end) };
    });
    return { user: user.name, leases, generatedAt: new Date().toISOString(), run: this.leaseReportRuns };
  }
}

import { Injectable } from '@nestjs/common';
import { Cached } from '../../lib/index.js';
import type { SampleUser } from '../auth/sample-user.js';
import { formatIsoDate, leaseExpiresOn, leaseTermMonths } from './lease-dates.js';

/** A computed lease expiration, as cached in the `functions` region and returned by the API. */
export interface LeaseExpiration {
  /** Name of the user it was computed for. */
  user: string;
  leaseDate: string;
  policyDate: string;
  termMonths: number;
  /** Last day of the lease, `YYYY-MM-DD`. */
  expiresOn: string;
  /** When this value was computed (ISO timestamp): unchanged while it is served from the cache. */
  computedAt: string;
  /** How many times this process ran the computation when it produced this value. */
  run: number;
}

/** Lease computations, cached per user and dates in the `functions` region (60 minutes). */
@Injectable()
export class LeaseService {
  private runs = 0;

  /**
   * The lease's expiration for `user`. The key covers all three arguments, so each user (and
   * each pair of dates) gets its own entry.
   */
  @Cached('functions')
  async expiration(user: SampleUser, leaseDate: Date, policyDate: Date): Promise<LeaseExpiration> {
    this.runs++;
    return {
      user: user.name,
      leaseDate: formatIsoDate(leaseDate),
      policyDate: formatIsoDate(policyDate),
      termMonths: leaseTermMonths(leaseDate, policyDate),
      expiresOn: formatIsoDate(leaseExpiresOn(leaseDate, policyDate)),
      computedAt: new Date().toISOString(),
      run: this.runs,
    };
  }
}

import { Injectable } from '@nestjs/common';
import type { SampleUser } from '../auth/sample-user.js';

/** A user's recorded lease, as `PUT /leases` stores it and the lease report lists it. */
export interface LeaseRecord {
  /** `YYYY-MM-DD`. */
  leaseDate: string;
  /** `YYYY-MM-DD`. */
  policyDate: string;
  /** Months granted on top of the term. */
  extensionMonths: number;
}

/**
 * The sample's lease "database": each user's leases by dates, in this process's memory (a real
 * app keeps them in a database every instance shares).
 */
@Injectable()
export class LeaseBook {
  private readonly byUser = new Map<number, Map<string, LeaseRecord>>();

  /** Records (or replaces) `user`'s lease with these dates. */
  record(user: SampleUser, lease: LeaseRecord): void {
    let leases = this.byUser.get(user.id);
    if (!leases) this.byUser.set(user.id, (leases = new Map()));
    leases.set(`${lease.leaseDate}|${lease.policyDate}`, { ...lease });
  }

  /** Months granted on `user`'s lease with these dates; 0 when none is recorded. */
  extensionMonths(user: SampleUser, leaseDate: string, policyDate: string): number {
    return this.byUser.get(user.id)?.get(`${leaseDate}|${policyDate}`)?.extensionMonths ?? 0;
  }

  /** `user`'s recorded leases, oldest lease date first. */
  leasesOf(user: SampleUser): LeaseRecord[] {
    const leases = [...(this.byUser.get(user.id)?.values() ?? [])];
    return leases.sort((a, b) => a.leaseDate.localeCompare(b.leaseDate) || a.policyDate.localeCompare(b.policyDate));
  }
}

import { Injectable } from '@nestjs/common';
import type { SampleUser } from '../auth/sample-user.js';
import { formatIsoDate } from '../leases/lease-dates.js';

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

/** Builds daily reports. Not cached itself: the controller handler is (as an interceptor). */
@Injectable()
export class ReportsService {
  private runs = 0;

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
}

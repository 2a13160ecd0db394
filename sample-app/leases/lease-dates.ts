const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Parses a calendar date `YYYY-MM-DD` into a Date at UTC midnight, or `undefined` when the text
 * is not a real date (`2026-02-30` is refused, not rolled over).
 */
export function parseIsoDate(text: string | undefined): Date | undefined {
  const match = ISO_DATE.exec(text ?? '');
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
    ? date
    : undefined;
}

/** A Date's UTC calendar day as `YYYY-MM-DD`. */
export function formatIsoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** `date` plus `months` calendar months, clamped to the month's last day (Jan 31 + 1 → Feb 28/29). */
export function addMonths(date: Date, months: number): Date {
  const target = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + months, 1));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(date.getUTCDate(), lastDay));
  return target;
}

/** Lease term in months: 24 for leases signed on or after the policy date, 12 before it. */
export function leaseTermMonths(leaseDate: Date, policyDate: Date): number {
  return leaseDate.getTime() >= policyDate.getTime() ? 24 : 12;
}

/**
 * The last day of a lease: the day before its anniversary after the term, plus `extensionMonths`
 * granted on it.
 */
export function leaseExpiresOn(leaseDate: Date, policyDate: Date, extensionMonths = 0): Date {
  const end = addMonths(leaseDate, leaseTermMonths(leaseDate, policyDate) + extensionMonths);
  end.setUTCDate(end.getUTCDate() - 1);
  return end;
}

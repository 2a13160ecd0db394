/** Memcached reads an expiry above this many seconds (30 days) as an absolute Unix time. */
export const MEMCACHED_RELATIVE_EXPIRY_MAX_S = 30 * 24 * 60 * 60;

/**
 * The latest absolute expiry memcached can hold: its expiry field is a 32-bit unsigned number of
 * seconds (memjs writes it with `writeUInt32BE` and throws a RangeError beyond), so no entry can
 * outlive 2106-02-07T06:28:15Z.
 */
export const MEMCACHED_MAX_EXPIRY_S = 2 ** 32 - 1;

/**
 * The expiry field memcached needs for an entry that expires at `expiresAt` (epoch ms, 0 =
 * never), as seen at `now` (epoch ms). Returns seconds: 0 for never; relative seconds up to 30
 * days; absolute Unix seconds beyond (where memcached would misread a relative value as a date in
 * 1970 and drop the item at once).
 *
 * Relative values are rounded up and get one extra second, because memcached's clock ticks once
 * a second: a 1 s item could otherwise vanish a few milliseconds after it was written. The store
 * checks the exact `expiresAt` on every read, so the extra second is never served. A time already
 * past still yields 1, never 0 (which would mean "keep forever").
 *
 * Absolute values stop at {@link MEMCACHED_MAX_EXPIRY_S}. The region refuses longer ttls up front
 * (`MemcachedStore.maxTtlMs`); the clamp covers the milliseconds between that check and the write,
 * and ends such an entry early, which a cache may always do, instead of failing the write.
 */
export function toMemcachedExpiry(expiresAt: number, now: number): number {
  if (expiresAt === 0) return 0;
  const remainingS = Math.max(1, Math.ceil((expiresAt - now) / 1_000) + 1);
  if (remainingS <= MEMCACHED_RELATIVE_EXPIRY_MAX_S) return remainingS;
  return Math.min(Math.ceil(expiresAt / 1_000), MEMCACHED_MAX_EXPIRY_S);
}

/**
 * The expiry field for an entry that expires at `expiresAt` (epoch ms, 0 = never) in memcached's
 * absolute form, Unix seconds, whatever the ttl (memcached reads any value over 30 days as one).
 * For locks: a request that a hung server runs when it resumes then expires when it was meant
 * to, not a whole ttl later.
 */
export function toAbsoluteMemcachedExpiry(expiresAt: number): number {
  if (expiresAt === 0) return 0;
  return Math.min(Math.ceil(expiresAt / 1_000), MEMCACHED_MAX_EXPIRY_S);
}

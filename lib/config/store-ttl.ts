import { CacheConfigError } from '../errors.js';
import type { CacheStore } from '../stores/cache-store.js';
import { ttlBeyondStore } from './config.messages.js';

/**
 * Refuses a lifetime the region's store cannot keep, asking the store ({@link CacheStore.maxTtlMs})
 * rather than knowing store kinds. An entry lives its ttl plus, where the region adds it, its
 * `staleTtl`; 0 (no expiry) always fits.
 *
 * @param shownTtl the ttl as the message shows it, e.g. `"36500d"` or `3153600000 s`.
 * @throws CacheConfigError naming `where`, the store's limit as a date, and the fix.
 */
export function checkStoreTtl(
  store: Pick<CacheStore, 'kind' | 'maxTtlMs'>,
  ttlMs: number,
  staleTtlMs: number,
  where: string,
  shownTtl: string,
): void {
  if (ttlMs === 0) return;
  const maxTtlMs = store.maxTtlMs;
  if (maxTtlMs === undefined || ttlMs + staleTtlMs <= maxTtlMs) return;
  throw new CacheConfigError(ttlBeyondStore(shownTtl, where, store.kind, maxTtlMs, Date.now(), staleTtlMs));
}

/** `3153600000 s`: a ttl in ms, as seconds, for messages about resolved (not as-written) ttls. */
export const shownSeconds = (ms: number): string => `${ms / 1_000} s`;

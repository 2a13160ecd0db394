/**
 * What a region says: each message names the region and the store, says what happened and what
 * to do. Kept apart so the flow in `cache-region.ts` and `guarded-store.ts` reads without them.
 */

/** The text of a store error (its message, or what was thrown). */
export const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));

export const breakerOpened = (region: string, kind: string, failures: number, cooldownMs: number): string =>
  `Region "${region}": ${failures} consecutive ${kind} store failures; leaving the store alone for ${cooldownMs} ms (calls run uncached).`;

export const breakerClosed = (region: string, kind: string): string =>
  `Region "${region}": ${kind} store answers again; caching resumed.`;

export const storeOperationFailed = (region: string, kind: string, operation: string, error: unknown): string =>
  `Region "${region}": ${kind} store ${operation}() failed, ${operation === 'delete' || operation === 'clear' ? 'not applied' : 'running uncached'}: ${errorText(error)}`;

export const storeFailedClosed = (region: string, kind: string, operation: string, error: unknown): string =>
  `Region "${region}": ${kind} store ${operation}() failed: ${errorText(error)}. Check the store, or set failOpen: true to treat failures as misses.`;

export const invalidationNotApplied = (region: string, kind: string, operation: string, error: unknown): string =>
  `Region "${region}": ${operation}() was not applied, the ${kind} store failed: ${errorText(error)}. Entries it was to remove may still be served; check the store and retry.`;

export const storePaused = (region: string, kind: string, operation: string, cooldownMs: number): string =>
  `Region "${region}": the ${kind} store failed repeatedly and is paused for up to ${cooldownMs} ms, so ${operation}() was not attempted. Check the store, or set failOpen: true to treat this as a miss.`;

export const readTimedOut = (timeoutMs: number): string => `no answer within ${timeoutMs} ms (timeoutMs)`;

export const valueTooLarge = (
  region: string,
  kind: string,
  byteLength: number,
  maxBytes: number,
  remedy: string | undefined,
): string =>
  `Region "${region}": a value ${Number.isFinite(byteLength) ? `of ${byteLength} bytes` : 'too large to measure'} exceeds the ${kind} store's limit of ${maxBytes} bytes and was not cached (logged once; see stats().oversize). ${remedy === undefined ? 'Cache smaller values.' : `Cache smaller values, or ${remedy}.`}`;

export const streamsUnsupported = (region: string, kind: string, method: string): string =>
  `Region "${region}" uses the ${kind} store, which has no ${method}(). Streams are for file regions: use get()/set() here, or move this data to a region with store: 'file'.`;

export const invalidKey = (region: string, key: unknown): string =>
  `Invalid cache key ${JSON.stringify(key) ?? String(key)} for region "${region}": use a non-empty string (or region.keyFor(Class, 'method', args)).`;

export const refreshFailed = (region: string, error: unknown): string =>
  `Region "${region}": background refresh failed, serving the stale value until staleTtl ends: ${String(error)}`;

/** How a bounded ping ended. */
export type PingOutcome = { ok: true; ms: number } | { ok: false; ms: number; message: string };

/**
 * Runs `ping` and settles within `timeoutMs` whatever the store does: a hung server (SIGSTOPed
 * memcached) must not hang the health check. A late answer is ignored, a late failure swallowed.
 */
export function pingWithin(ping: () => Promise<void>, timeoutMs: number): Promise<PingOutcome> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  return new Promise((resolve) => {
    const timer = setTimeout(
      () => resolve({ ok: false, ms: elapsed(), message: `no answer to ping within ${timeoutMs} ms` }),
      timeoutMs,
    );
    let pinging: Promise<void>;
    try {
      pinging = Promise.resolve(ping());
    } catch (error) {
      pinging = Promise.reject(error);
    }
    pinging.then(
      () => {
        clearTimeout(timer);
        resolve({ ok: true, ms: elapsed() });
      },
      (error: unknown) => {
        clearTimeout(timer);
        resolve({ ok: false, ms: elapsed(), message: failureMessage(error) });
      },
    );
  });
}

/** The store's own words when they already say it was the ping; a trailing period would clash with what follows. */
function failureMessage(error: unknown): string {
  const message = (error instanceof Error ? error.message : String(error)).trim().replace(/\.+$/, '');
  return /\bping\b/i.test(message) ? message : `ping failed: ${message}`;
}

import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { fitKey } from '../keys/key-builder.js';
import type { KeyContext } from '../keys/key-material.js';
import { lockSpaceKey } from '../keys/key-space.js';
import type { CacheStore, StoreEntry } from '../stores/cache-store.js';
import type { GuardedStore } from './guarded-store.js';

/** Milliseconds between attempts to release a lock left in doubt by a store outage. */
const LOCK_RELEASE_RETRY_MS = 1_000;

/** What waiting for a key's lock ended with. */
export type LockOutcome =
  /** Another process stored the value meanwhile: use it, compute nothing. */
  | { readonly found: StoreEntry }
  /** Compute the value: holding the lock (`release` it afterwards) or not (waited long enough, or the store failed). */
  | { readonly found?: undefined; readonly release?: () => Promise<boolean> };

/**
 * `lock: true`: single flight across processes. The first process to `add` a key's lock entry
 * computes the value; the others poll the store for it until `lockWaitMs`, then compute
 * themselves rather than fail. A crashed holder's lock expires after `lockTtl`. Lock entries live
 * in the internal key space (`!lock|…`), which no user key can name.
 */
export class CrossProcessLock {
  /** Set by close(): background releases stop. */
  private closed = false;

  constructor(
    private readonly guarded: GuardedStore,
    private readonly add: NonNullable<CacheStore['add']>,
    private readonly lockTtlMs: number,
    private readonly lockWaitMs: number,
    private readonly context: KeyContext,
  ) {}

  /**
   * Waits for `key`'s lock; meanwhile and once it is taken, looks for the value (`look`), since
   * our miss may predate the previous holder's write.
   */
  async acquire(key: string, look: () => Promise<StoreEntry | undefined>): Promise<LockOutcome> {
    const { store, breaker } = this.guarded;
    // Always hashed when long: the lock must exist whatever the region's onLongKey says.
    const lockKey = fitKey(lockSpaceKey(key), store.keyLimits, 'hash', this.context);
    const token = randomUUID();
    const deadline = Date.now() + this.lockWaitMs;
    for (let delay = 10; ; delay = Math.min(delay * 2, 100)) {
      const outcome = await this.take(lockKey, token);
      if (outcome === 'failed') {
        // The store could not be asked (or did not answer): compute now rather than wait for a
        // lock nobody may hold, and release ours if the request is applied after all.
        this.releaseWhenAnswered(lockKey, token);
        return {};
      }
      if (outcome === 'held') {
        const release = () => this.release(lockKey, token);
        const entry = await look();
        if (entry !== undefined && (entry.freshUntil === 0 || entry.freshUntil > Date.now())) {
          await release();
          return { found: entry };
        }
        return { release };
      }
      if (Date.now() >= deadline || !breaker.allows()) return {};
      await sleep(Math.min(delay, Math.max(1, deadline - Date.now())));
      const entry = await look();
      if (entry !== undefined) return { found: entry };
    }
  }

  /** Stops background releases (the region is closing). */
  close(): void {
    this.closed = true;
  }

  /** One attempt at the lock: taken, held by another, or the store failed (so nobody knows). */
  private async take(lockKey: string, token: string): Promise<'held' | 'busy' | 'failed'> {
    const { breaker } = this.guarded;
    if (!breaker.allows()) return 'failed';
    try {
      const added = await this.add(lockKey, { value: token, expiresAt: Date.now() + this.lockTtlMs, freshUntil: 0 });
      breaker.success();
      return added ? 'held' : 'busy';
    } catch (error) {
      breaker.failure();
      this.guarded.failed('add', error);
      return 'failed';
    }
  }

  /**
   * Releases our lock if it is still ours (after lockTtl another process may hold it). Resolves
   * `false` when the store could not be asked; then the release is retried in the background.
   */
  private async release(lockKey: string, token: string): Promise<boolean> {
    const released = await this.tryRelease(lockKey, token);
    if (!released) this.releaseWhenAnswered(lockKey, token);
    return released;
  }

  private async tryRelease(lockKey: string, token: string): Promise<boolean> {
    try {
      const current = await this.guarded.readRaw(lockKey);
      if (current?.value === token) await this.guarded.store.delete(lockKey);
      return true;
    } catch (error) {
      this.guarded.failed('delete', error);
      return false;
    }
  }

  /**
   * Keeps trying, once a second, to release a lock of ours that may be held in the store — one
   * whose taking or release failed while the store was out — until the store answers or the lock
   * would have expired anyway, so that no lock outlives an outage to block callers afterwards.
   */
  private releaseWhenAnswered(lockKey: string, token: string): void {
    const until = Date.now() + this.lockTtlMs;
    void (async () => {
      while (!this.closed && Date.now() < until) {
        await sleep(LOCK_RELEASE_RETRY_MS, undefined, { ref: false });
        if (this.closed || (await this.tryRelease(lockKey, token))) return;
      }
    })();
  }
}

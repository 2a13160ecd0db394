import type { StoreEntry } from '../cache-store.js';
import type { HashRing } from './hash-ring.js';

/**
 * Where a memcached operation may go when servers fail. A key lives on its owner (the ring's
 * choice); while the owner is out, only fills and reads may use one other server, the key's
 * fallback (the next server on the ring), and fills are written there as short-lived failover
 * copies. Everything that must not be undone when the owner returns goes to the owner, and fails
 * with it:
 *
 * | plan | owner in | owner out |
 * |---|---|---|
 * | `read` (get, has) | owner | fallback, if in; else fails, nothing sent |
 * | `fill` (a miss's value) | owner | fallback as a failover copy, if in; else fails, nothing sent |
 * | `owner` (set, add, delete, locks, generation, pings) | owner | owner (it may be back; a success brings it in) |
 * | `fallback` (removing a failover copy) | fallback, if in; else nothing | the same |
 *
 * "Out" is this process's view: a server whose request failed in transport (refused, reset,
 * timed out) is out for {@link ServerStates} `outMs`, then tried again; any answer brings it in.
 */
export type RoutePlan = 'read' | 'fill' | 'owner' | 'fallback';

/** Where one attempt goes: a server index, and whether it is the key's fallback. */
export interface Route {
  readonly server: number;
  readonly failover: boolean;
}

/** Per-server failure state of one store, as this process sees it. */
export class ServerStates {
  /** Epoch ms until which a server is out (left alone). */
  private readonly outUntil: number[];
  /** Whether a server's last request failed in transport and it has not answered since. */
  private readonly unreachable: boolean[];
  /** Epoch ms at which the current outage of a server began (0 while it answers). */
  private readonly outSince: number[];
  /** Latest `outUntil` of any server: lets the common case (all in) skip the per-server look. */
  private anyOutUntil = 0;
  /** The route to each server as its keys' owner, and as a fallback: an attempt allocates none. */
  readonly ownerRoutes: readonly Route[];
  readonly failoverRoutes: readonly Route[];

  constructor(
    count: number,
    /** Milliseconds a failed server is left out before it is tried again. */
    readonly outMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.outUntil = new Array<number>(count).fill(0);
    this.unreachable = new Array<boolean>(count).fill(false);
    this.outSince = new Array<number>(count).fill(0);
    this.ownerRoutes = Array.from({ length: count }, (_, server) => Object.freeze({ server, failover: false }));
    this.failoverRoutes = Array.from({ length: count }, (_, server) => Object.freeze({ server, failover: true }));
  }

  /** Whether `server` is out now. */
  isOut(server: number): boolean {
    return this.outUntil[server] > this.now();
  }

  /** Whether every server is in (the fast path of routing: no clock read while none failed). */
  allIn(): boolean {
    if (this.anyOutUntil === 0) return true;
    if (this.anyOutUntil > this.now()) return false;
    // Every outage has ended: later calls need no clock until the next failure.
    this.anyOutUntil = 0;
    return true;
  }

  /**
   * Records a transport failure. With `leaveOut`, `server` is out for `outMs` from now (its keys
   * fail over); without (a lone server, which has nowhere to fail over to), it is only counted
   * down. Returns `true` when it was in until now (a new outage, worth a log line).
   */
  failed(server: number, leaveOut = true): boolean {
    const now = this.now();
    const wasIn = !this.unreachable[server] && this.outUntil[server] <= now;
    this.unreachable[server] = true;
    if (!leaveOut) return wasIn;
    this.outUntil[server] = now + this.outMs;
    this.anyOutUntil = Math.max(this.anyOutUntil, this.outUntil[server]);
    if (this.outSince[server] === 0) this.outSince[server] = now;
    return wasIn;
  }

  /** Records an answer from `server`: it is in again, its outage (if any) over. */
  answered(server: number): void {
    if (!this.unreachable[server] && this.outUntil[server] === 0) return;
    this.unreachable[server] = false;
    this.outUntil[server] = 0;
    this.outSince[server] = 0;
  }

  /** Servers out now, or whose last request failed in transport and that have not answered since. */
  downCount(): number {
    const now = this.now();
    let down = 0;
    for (let i = 0; i < this.outUntil.length; i++) {
      if (this.outUntil[i] > now || this.unreachable[i]) down++;
    }
    return down;
  }

  /** Epoch ms since which `server` has been failing, or 0 when it answers. */
  failingSince(server: number): number {
    return this.outSince[server];
  }
}

/**
 * The route of one attempt for a memcached key under `plan`, or `undefined` when no server may
 * take it (the caller fails the operation without sending anything).
 */
export function routeKey(ring: HashRing, states: ServerStates, key: string, plan: RoutePlan): Route | undefined {
  if (plan === 'fallback') {
    const fallback = ring.fallback(key);
    return fallback === ring.lookup(key) || states.isOut(fallback) ? undefined : states.failoverRoutes[fallback];
  }
  const owner = ring.lookup(key);
  if (plan === 'owner' || states.allIn() || !states.isOut(owner)) return states.ownerRoutes[owner];
  const fallback = ring.fallback(key);
  if (fallback === owner || states.isOut(fallback)) return undefined;
  return states.failoverRoutes[fallback];
}

/**
 * The copy of a fill written to a key's fallback at `now`: it lives at most `failoverTtlMs`, so an
 * old copy cannot come back at a later outage.
 */
export function failoverCopy(entry: StoreEntry, now: number, failoverTtlMs: number): StoreEntry {
  const until = now + failoverTtlMs;
  if (entry.expiresAt !== 0 && entry.expiresAt <= until) return entry;
  return { value: entry.value, expiresAt: until, freshUntil: entry.freshUntil === 0 ? 0 : Math.min(entry.freshUntil, until) };
}

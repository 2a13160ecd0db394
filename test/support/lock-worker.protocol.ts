// What test/integration/cross-process-lock.spec.ts and its worker processes
// (lock-worker.child.ts) agree on: the worker's regions, its arguments, and the job files.
import { join } from 'node:path';

/** `lockTtl` of the `shortLock` region, in ms. */
export const SHORT_LOCK_TTL_MS = 2_000;
/** `lockWaitMs` of the `impatient` region. */
export const IMPATIENT_WAIT_MS = 800;

/** The regions every worker has, one per lock setting the tests need. */
export const LOCK_REGIONS = {
  /** The plain stampede case: waiters wait for the holder's 300 ms run, however slow the machine. */
  locked: { lock: true, lockWaitMs: 15_000 },
  /** The control: single flight in each process only. */
  unlocked: { lock: false },
  /** A crashed holder's lock must free the key after 2 s, well before the 10 s wait ends. */
  shortLock: { lock: true, lockTtl: `${SHORT_LOCK_TTL_MS}ms`, lockWaitMs: 10_000 },
  /** Waiters give up on a slow holder after 800 ms; the lock itself lasts far longer. */
  impatient: { lock: true, lockTtl: 30, lockWaitMs: IMPATIENT_WAIT_MS },
} as const;

/** Name of one of {@link LOCK_REGIONS}. */
export type LockRegionName = keyof typeof LOCK_REGIONS;

/** The JSON arguments of a worker process. */
export interface LockWorkerArgs {
  /** Name of this worker, in its run records, values and job file names. */
  id: string;
  store: 'memcached' | 'file';
  /** memcached `host:port` (store 'memcached'). */
  memcached?: string;
  /** Shared cache directory (store 'file'). */
  dir?: string;
  /** Where the parent writes job files. */
  jobDir: string;
}

/** One round of calls: `calls` concurrent calls of the region's @Cached method on `key`. */
export interface LockJob {
  region: LockRegionName;
  key: string;
  calls: number;
  /** Milliseconds the method takes. */
  sleepMs: number;
  /** File each run of the method appends a {@link RunRecord} line to. */
  runsFile: string;
}

/** One line of a runs file. */
export interface RunRecord {
  id: string;
  /** Epoch ms when the method started. */
  at: number;
}

/** A worker with no job for this long (ms), or whose parent is gone, exits. */
export const WORKER_IDLE_MS = 60_000;

/** What a worker prints, as `result <job number> <json>`, when a job's calls have settled. */
export interface LockJobResult {
  /** Distinct values its callers got. */
  values: string[];
  /** Messages of calls that failed. */
  errors: string[];
  /** Epoch ms when the calls started, and when the last one settled. */
  startedAt: number;
  finishedAt: number;
  /** Callers of this job that waited for another caller's flight (in this process). */
  coalesced: number;
}

/**
 * Path of a worker's job file number `n` (1, 2, …). The parent writes it complete under a
 * temporary name and renames it, so a worker never reads half a job.
 */
export function jobFile(jobDir: string, id: string, n: number): string {
  return join(jobDir, `${id}.${n}.json`);
}

/**
 * Throughput measurement: timed loops of awaited calls, interleaved rounds, per-round ratios.
 */
import { median, quantile, spread } from './stats.js';

/** One call of a subject; `i` is the call's sequence number (to pick arguments). */
export type Operation = (i: number) => unknown;

/** A subject of a throughput comparison. */
export interface Subject {
  /** Shown in the table. */
  name: string;
  /** One call; awaited before the caller makes its next one. */
  op: Operation;
}

/** Options of {@link compareThroughput}. */
export interface ThroughputOptions {
  /** Callers running at once, each awaiting its call before making the next. Default: 1. */
  concurrency?: number;
  /** Milliseconds each subject runs per round. Default: 250. */
  durationMs?: number;
  /** Rounds that count. Default: 7. */
  rounds?: number;
  /** Rounds run first and thrown away (JIT warm-up, connection set-up). Default: 1. */
  warmupRounds?: number;
  /**
   * Calls a caller makes between two looks at the clock. A loop of memory hits never yields to
   * the event loop, so a timer could not stop it; the clock is read every `batch` calls. Default: 1.
   */
  batch?: number;
  /**
   * The operations are synchronous: call them without `await` (which would add the cost of a
   * microtask to every call). Default: false.
   */
  sync?: boolean;
  /**
   * `'wall'`: calls per second of elapsed time. `'cpu'`: calls per second of this process's CPU
   * time (user + system, all threads), which other load on the machine barely changes; only for
   * CPU-bound subjects (no I/O waits). Default: `'wall'`.
   */
  clock?: Clock;
  /**
   * Also time every call (elapsed ms from the call to its answer) and report each subject's p99 per
   * round. Costs two clock reads per call, the same for every subject. Default: false.
   */
  latencies?: boolean;
}

/** How a throughput is timed (see {@link ThroughputOptions.clock}). */
export type Clock = 'wall' | 'cpu';

/** Milliseconds on `clock` since an arbitrary origin. */
function now(clock: Clock): number {
  if (clock === 'wall') return performance.now();
  const { user, system } = process.cpuUsage();
  return (user + system) / 1_000;
}

/** Ops/s of every subject in every counted round (rounds aligned across subjects). */
export interface ThroughputResult {
  /** Subject name → ops/s per counted round. */
  samples: Map<string, number[]>;
  /** Median ops/s of a subject. */
  median(name: string): number;
  /** Spread (half range / median) of a subject's rounds. */
  spread(name: string): number;
  /** Per-round ratios of two subjects' throughput. */
  perRound(name: string, baseline: string): number[];
  /** Subject name → the p99 call latency (ms) of each counted round; empty without `latencies`. */
  p99: Map<string, number[]>;
}

const gc = (globalThis as { gc?: () => void }).gc;

/*
 * The timing loops are compiled once per operation (`new Function`), so each subject runs in a
 * loop of its own. A single shared loop would see every subject at its `op(i)` call, turn
 * megamorphic, and run every subject slower than code that calls one method, as an app does.
 */
type AsyncLoop = (
  op: Operation,
  concurrency: number,
  durationMs: number,
  batch: number,
  now: () => number,
  latencies: number[] | undefined,
) => Promise<number>;
type SyncLoop = (op: Operation, durationMs: number, batch: number, now: () => number) => number;

const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (...source: string[]) => AsyncLoop;

const ASYNC_LOOP = `
  let calls = 0;
  let done = false;
  const start = now();
  const end = start + durationMs;
  const caller = async (first) => {
    let i = first;
    while (!done) {
      if (latencies === undefined) {
        for (let k = 0; k < batch; k++) {
          await op(i);
          i += concurrency;
        }
      } else {
        for (let k = 0; k < batch; k++) {
          const sent = performance.now();
          await op(i);
          latencies.push(performance.now() - sent);
          i += concurrency;
        }
      }
      calls += batch;
      if (now() >= end) done = true;
    }
  };
  const callers = [];
  for (let c = 0; c < concurrency; c++) callers.push(caller(c));
  await Promise.all(callers);
  return (calls / (now() - start)) * 1000;`;

// The result is compared with a counter so the engine cannot drop the call as dead code.
const SYNC_LOOP = `
  let calls = 0;
  let sink = 0;
  const start = now();
  const end = start + durationMs;
  for (let i = 0; ; ) {
    for (let k = 0; k < batch; k++, i++) {
      if (op(i) === sink) sink++;
    }
    calls += batch;
    if (now() >= end) break;
  }
  return (calls / (now() - start)) * 1000;`;

const asyncLoops = new WeakMap<Operation, AsyncLoop>();
const syncLoops = new WeakMap<Operation, SyncLoop>();

function asyncLoopOf(op: Operation): AsyncLoop {
  let loop = asyncLoops.get(op);
  if (!loop) {
    loop = new AsyncFunction('op', 'concurrency', 'durationMs', 'batch', 'now', 'latencies', ASYNC_LOOP);
    asyncLoops.set(op, loop);
  }
  return loop;
}

function syncLoopOf(op: Operation): SyncLoop {
  let loop = syncLoops.get(op);
  if (!loop) {
    loop = new Function('op', 'durationMs', 'batch', 'now', SYNC_LOOP) as SyncLoop;
    syncLoops.set(op, loop);
  }
  return loop;
}

const clocks: Record<Clock, () => number> = { wall: () => now('wall'), cpu: () => now('cpu') };

/**
 * Runs `op` from `concurrency` callers for about `durationMs` and returns calls per second.
 * Callers start together; the measure ends when the first caller sees the deadline (the others
 * finish the call they are in, which is counted).
 */
export function measureThroughput(
  op: Operation,
  concurrency = 1,
  durationMs = 250,
  batch = 1,
  clock: Clock = 'wall',
  latencies?: number[],
): Promise<number> {
  return asyncLoopOf(op)(op, concurrency, durationMs, batch, clocks[clock], latencies);
}

/** Runs a synchronous `op` for about `durationMs`; returns calls per second. */
export function measureSyncThroughput(op: Operation, durationMs = 250, batch = 1_000, clock: Clock = 'wall'): number {
  return syncLoopOf(op)(op, durationMs, batch, clocks[clock]);
}

/**
 * Measures every subject in each round, one after the other, in an order rotated from round to
 * round (so no subject always runs first or right after another's garbage).
 */
export async function compareThroughput(
  subjects: readonly Subject[],
  options: ThroughputOptions = {},
): Promise<ThroughputResult> {
  const {
    concurrency = 1,
    durationMs = 250,
    rounds = 7,
    warmupRounds = 1,
    batch = 1,
    sync = false,
    clock = 'wall',
    latencies = false,
  } = options;
  const samples = new Map<string, number[]>(subjects.map((subject) => [subject.name, []]));
  const p99 = new Map<string, number[]>(subjects.map((subject) => [subject.name, []]));
  for (let round = 0; round < warmupRounds + rounds; round++) {
    for (let s = 0; s < subjects.length; s++) {
      const subject = subjects[(s + round) % subjects.length];
      gc?.();
      const times: number[] | undefined = latencies && !sync ? [] : undefined;
      const opsPerSecond = sync
        ? measureSyncThroughput(subject.op, durationMs, batch, clock)
        : await measureThroughput(subject.op, concurrency, durationMs, batch, clock, times);
      if (round >= warmupRounds) {
        samples.get(subject.name)!.push(opsPerSecond);
        if (times !== undefined) p99.get(subject.name)!.push(quantile(times, 0.99));
      }
    }
  }
  const of = (name: string): number[] => {
    const values = samples.get(name);
    if (!values) throw new Error(`No subject named "${name}" in this comparison.`);
    return values;
  };
  return {
    samples,
    median: (name) => median(of(name)),
    spread: (name) => spread(of(name)),
    perRound: (name, baseline) => of(name).map((value, round) => value / of(baseline)[round]),
    p99,
  };
}

// `lock: true` across real processes: several Node processes, each a Nest application context,
// call one @Cached method on one cold key against one memcached / one shared directory, and the
// method's runs are counted in a shared file. Workers boot once per store (booting is the slow
// part) and run one job per test; see test/support/lock-worker.child.ts.
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { makeTempDir } from '../support/file-test-dirs.js';
import { startFileChild, type FileChild } from '../support/file-children.js';
import {
  IMPATIENT_WAIT_MS,
  jobFile,
  SHORT_LOCK_TTL_MS,
  type LockJob,
  type LockJobResult,
  type LockWorkerArgs,
  type RunRecord,
} from '../support/lock-worker.protocol.js';
import { describeMemcached, useMemcached } from '../support/memcached.js';

/** Worker processes of the stampede tests. */
const PROCESSES = 4;
/** Concurrent calls in each process. */
const CALLS = 50;
/** Milliseconds the cached method takes. */
const METHOD_MS = 300;

type StoreArgs = Pick<LockWorkerArgs, 'store' | 'memcached' | 'dir'>;

/** A worker process and the jobs sent to it. */
class Worker {
  readonly child: FileChild;
  private jobs = 0;
  private stderr = '';

  constructor(
    readonly id: string,
    private readonly jobDir: string,
    store: StoreArgs,
  ) {
    this.child = startFileChild('lock-worker.child.ts', { ...store, id, jobDir } satisfies LockWorkerArgs);
    this.child.process.stderr!.on('data', (text: string) => {
      this.stderr += text;
    });
  }

  get alive(): boolean {
    return this.child.process.exitCode === null && this.child.process.signalCode === null;
  }

  /** Starts a job; returns its number, for {@link result}. */
  send(job: LockJob): number {
    const path = jobFile(this.jobDir, this.id, ++this.jobs);
    writeFileSync(`${path}.tmp`, JSON.stringify(job));
    renameSync(`${path}.tmp`, path);
    return this.jobs;
  }

  /** The report of job `n`, once its calls have settled. */
  async result(n: number): Promise<LockJobResult> {
    const prefix = `result ${n} `;
    for (;;) {
      const line = this.child.lines.find((item) => item.startsWith(prefix));
      if (line !== undefined) return JSON.parse(line.slice(prefix.length)) as LockJobResult;
      if (!this.alive) {
        throw new Error(`worker ${this.id} exited (${this.child.process.exitCode ?? this.child.process.signalCode}) before job ${n} ended: ${this.stderr}`);
      }
      await sleep(10);
    }
  }

  async kill(): Promise<void> {
    if (this.alive) this.child.process.kill('SIGKILL');
    await this.child.exited;
  }
}

/** Every run of the method recorded in `runsFile`, in order. */
function runsIn(runsFile: string): RunRecord[] {
  if (!existsSync(runsFile)) return [];
  return readFileSync(runsFile, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as RunRecord);
}

/**
 * The tests for one store kind, on {@link PROCESSES} workers booted once. `storeArgs` gives the
 * workers' store options; it is called in `beforeAll`, once the backend is up.
 */
function lockTests(storeArgs: (scratch: string) => StoreArgs): void {
  let scratch: Awaited<ReturnType<typeof makeTempDir>>;
  let store: StoreArgs;
  let jobDir: string;
  let pool: Worker[] = [];
  /** A worker of its own for the test that kills it. */
  let victim: Worker;
  /** Every worker started, so that none outlives the tests, even when booting fails. */
  const started: Worker[] = [];

  const boot = async (ids: string[]) => {
    const workers = ids.map((id) => new Worker(id, jobDir, store));
    started.push(...workers);
    await Promise.all(workers.map((worker) => worker.child.waitForLine('ready')));
    return workers;
  };

  beforeAll(async () => {
    scratch = await makeTempDir('lock');
    jobDir = join(scratch.path, 'jobs');
    mkdirSync(jobDir);
    store = storeArgs(scratch.path);
    // The crash test's victim boots with the pool: booting is what takes time.
    [victim, ...pool] = await boot(['victim', ...Array.from({ length: PROCESSES }, (_, index) => `w${index}`)]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all(started.splice(0).map((worker) => worker.kill()));
    await scratch?.remove();
  });

  /** A job on a fresh cold key, with its own runs file. */
  const newJob = (region: LockJob['region'], sleepMs = METHOD_MS): LockJob => ({
    region,
    key: `rate-${randomUUID()}`,
    calls: CALLS,
    sleepMs,
    runsFile: join(scratch.path, `runs-${randomUUID()}.jsonl`),
  });

  /** Sends `job` to every pool worker at once and returns their reports. */
  const stampede = (job: LockJob) => {
    const numbers = pool.map((worker) => worker.send(job));
    return Promise.all(pool.map((worker, index) => worker.result(numbers[index])));
  };

  it(`lock: true — ${PROCESSES} processes × ${CALLS} calls of a cold key run the method once`, async () => {
    const job = newJob('locked');
    const reports = await stampede(job);
    const runs = runsIn(job.runsFile);
    expect(runs).toHaveLength(1);
    const values = [...new Set(reports.flatMap((report) => report.values))];
    expect(values).toEqual([`${job.key} by ${runs[0].id} at ${runs[0].at}`]);
    expect(reports.flatMap((report) => report.errors)).toEqual([]);
    // In each process, every call but the first waited for that process's flight.
    for (const report of reports) expect(report.coalesced).toBeGreaterThanOrEqual(CALLS - 1);
  });

  it('lock: false — the same load runs the method once per process (control)', async () => {
    const job = newJob('unlocked');
    const reports = await stampede(job);
    const runs = runsIn(job.runsFile);
    expect(runs.length).toBeGreaterThan(1);
    // In-process single flight still holds: at most one run per process.
    expect(new Set(runs.map((run) => run.id)).size).toBe(runs.length);
    for (const report of reports) expect(report.values).toHaveLength(1);
    console.info(`lock: false, ${store.store}: ${runs.length} runs in ${PROCESSES} processes`);
  });

  it('a crashed lock holder blocks the key for about lockTtl, then a waiter computes', async () => {
    const holder = victim;
    const job = newJob('shortLock');
    // The holder takes the lock and computes for far longer than the test waits.
    holder.send({ ...job, sleepMs: 10_000 });
    await holder.child.waitForLine(`run ${holder.id}`);
    await holder.kill();

    const waiter = pool[0];
    const report = await waiter.result(waiter.send(job));
    const [held, computed, ...more] = runsIn(job.runsFile);
    expect(more).toEqual([]);
    expect(held.id).toBe(holder.id);
    expect(computed.id).toBe(waiter.id);
    expect(report.values).toEqual([`${job.key} by ${waiter.id} at ${computed.at}`]);
    // The dead holder's lock kept the key until its ttl, then no longer than polling slack plus
    // memcached's one-second expiry clock (and a busy machine's delays): far less than the
    // waiter's lockWaitMs (10 s).
    const blockedMs = computed.at - held.at;
    expect(blockedMs).toBeGreaterThanOrEqual(SHORT_LOCK_TTL_MS - 50);
    expect(blockedMs).toBeLessThan(SHORT_LOCK_TTL_MS + 5_000);
    console.info(`crashed holder, ${store.store}: key blocked ${blockedMs} ms, lockTtl ${SHORT_LOCK_TTL_MS} ms`);
  }, 60_000);

  it('a waiter gives up after lockWaitMs on a slow holder and computes itself', async () => {
    // Long enough that the waiter, which computes about IMPATIENT_WAIT_MS after it starts, does
    // so before the holder is done even when starting it took a busy machine a few seconds.
    const HOLDER_MS = 6_000;
    const [holder, waiter] = pool;
    const job = newJob('impatient');
    const runLine = `run ${holder.id}`;
    const earlierRuns = holder.child.lines.filter((line) => line === runLine).length;
    const held = holder.send({ ...job, sleepMs: HOLDER_MS });
    await holder.child.waitForLine(runLine, earlierRuns + 1);
    const waited = waiter.send(job);

    const [holderReport, waiterReport] = await Promise.all([holder.result(held), waiter.result(waited)]);
    const runs = runsIn(job.runsFile);
    expect(runs.map((run) => run.id)).toEqual([holder.id, waiter.id]);
    // Each process got its own computation: the waiter neither failed nor waited for the holder.
    expect(holderReport.values).toEqual([`${job.key} by ${holder.id} at ${runs[0].at}`]);
    expect(waiterReport.values).toEqual([`${job.key} by ${waiter.id} at ${runs[1].at}`]);
    expect(waiterReport.errors).toEqual([]);
    const waitedMs = runs[1].at - waiterReport.startedAt;
    expect(waitedMs).toBeGreaterThanOrEqual(IMPATIENT_WAIT_MS - 20);
    expect(runs[1].at).toBeLessThan(runs[0].at + HOLDER_MS);
    console.info(`slow holder, ${store.store}: waiter computed after ${waitedMs} ms, lockWaitMs ${IMPATIENT_WAIT_MS}`);
  }, 60_000);
}

describeMemcached('lock across processes: memcached region', () => {
  const memcached = useMemcached();

  lockTests(() => ({ store: 'memcached', memcached: memcached().address }));
});

describe('lock across processes: file region', () => {
  lockTests((scratch) => ({ store: 'file', dir: join(scratch, 'cache') }));
});

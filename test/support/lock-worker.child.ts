// Worker process of test/integration/cross-process-lock.spec.ts: boots a Nest application context
// with the regions of LOCK_REGIONS on one memcached or one shared directory, says "ready", then
// runs jobs as their files appear (job 1, 2, …): each job calls the region's @Cached method on
// one key `calls` times at once and ends with a "result <n> <json>" line. Every run of the method
// is appended to the job's runs file, so the parent counts runs across processes. It runs until
// it is killed: booting is the slow part, so one worker serves several tests.
import 'reflect-metadata';
import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { Cached, CacheRegions, CacheRegionsModule, type RegionOptions } from '../../lib/index.js';
import { childArgs, tellParent } from './file-child-args.js';
import {
  jobFile,
  LOCK_REGIONS,
  type LockJob,
  type LockJobResult,
  type LockRegionName,
  type LockWorkerArgs,
  type RunRecord,
  WORKER_IDLE_MS,
} from './lock-worker.protocol.js';

const args = childArgs<LockWorkerArgs>();
/** The job being run; jobs run one after the other. */
let job: LockJob;

async function compute(key: string): Promise<string> {
  const at = Date.now();
  appendFileSync(job.runsFile, `${JSON.stringify({ id: args.id, at } satisfies RunRecord)}\n`);
  tellParent(`run ${args.id}`);
  await sleep(job.sleepMs);
  return `${key} by ${args.id} at ${at}`;
}

@Injectable()
class RateService {
  @Cached('locked')
  locked(key: string): Promise<string> {
    return compute(key);
  }

  @Cached('unlocked')
  unlocked(key: string): Promise<string> {
    return compute(key);
  }

  @Cached('shortLock')
  shortLock(key: string): Promise<string> {
    return compute(key);
  }

  @Cached('impatient')
  impatient(key: string): Promise<string> {
    return compute(key);
  }
}

const store: RegionOptions =
  args.store === 'memcached' ? { store: 'memcached', servers: [args.memcached!] } : { store: 'file', dir: args.dir! };
const regions = Object.fromEntries(
  Object.entries(LOCK_REGIONS).map(([name, lock]) => [name, { ...store, ttl: 60, ...lock }]),
);

@Module({
  imports: [CacheRegionsModule.forRoot({ regions })],
  providers: [RateService],
})
class WorkerModule {}

const app = await NestFactory.createApplicationContext(WorkerModule, { logger: false });
const rates = app.get(RateService);
const cacheRegions = app.get(CacheRegions);
tellParent('ready');

const parent = process.ppid;
const parentAlive = () => {
  try {
    process.kill(parent, 0);
    return true;
  } catch {
    return false;
  }
};
for (let n = 1; ; n++) {
  const path = jobFile(args.jobDir, args.id, n);
  // A file is the start signal: every worker sees it within a few ms, and it needs no stdin.
  const idleUntil = Date.now() + WORKER_IDLE_MS;
  for (let polls = 1; !existsSync(path); polls++) {
    // Never outlive the test run, however it ends.
    if (polls % 250 === 0 && (!parentAlive() || Date.now() > idleUntil)) process.exit(0);
    await sleep(2);
  }
  job = JSON.parse(readFileSync(path, 'utf8')) as LockJob;
  const region: LockRegionName = job.region;
  const coalescedBefore = cacheRegions.get(region).stats().coalesced;
  const startedAt = Date.now();
  const settled = await Promise.allSettled(Array.from({ length: job.calls }, () => rates[region](job.key)));
  const values = new Set<string>();
  const errors: string[] = [];
  for (const outcome of settled) {
    if (outcome.status === 'fulfilled') values.add(outcome.value);
    else errors.push(String((outcome.reason as Error)?.message ?? outcome.reason));
  }
  const result: LockJobResult = {
    values: [...values],
    errors,
    startedAt,
    finishedAt: Date.now(),
    coalesced: cacheRegions.get(region).stats().coalesced - coalescedBefore,
  };
  tellParent(`result ${n} ${JSON.stringify(result)}`);
}

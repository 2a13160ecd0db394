/**
 * One of the processes of the multi-process stampedes: on `prepare` it builds the subject (an app
 * with a `lock: true` region, or cache-manager on memcached or Redis); on `go` it makes `callers`
 * concurrent calls of one cold key and answers how often the method ran here, and how many store
 * calls of the region failed.
 */
import { Injectable } from '@nestjs/common';
import { Cached, type RegionOptions } from '../../lib/index.js';
import { startBenchApp, type BenchApp } from '../harness/bench-app.js';
import { serveRequests } from '../harness/children.js';
import { sleep } from '../harness/fixtures.js';
import { memcachedCacheManager, redisCacheManager } from '../harness/peers.js';

/** What the parent asks this child to prepare. */
export interface StampedeRequest {
  op: 'prepare' | 'go';
  subject?: 'cached-memcached' | 'cached-file' | 'cached-redis' | 'cache-manager-memcached' | 'cache-manager-redis';
  memcached?: string;
  /** The Redis url, for the redis subjects. */
  redis?: string;
  dir?: string;
  key?: string;
  callers?: number;
  workMs?: number;
}

let runs = 0;
let workMs = 0;

async function expensiveReport(key: string): Promise<{ key: string; pid: number }> {
  runs++;
  await sleep(workMs);
  return { key, pid: process.pid };
}

@Injectable()
class ReportService {
  @Cached('stampede')
  async build(key: string): Promise<{ key: string; pid: number }> {
    return expensiveReport(key);
  }
}

let call: ((key: string) => Promise<unknown>) | undefined;
let close: (() => Promise<void>) | undefined;
/** Store errors of the region so far (a lock that could not be taken fails open): 0 for the peers. */
let storeErrors: () => number = () => 0;
let prepared: Required<Pick<StampedeRequest, 'key' | 'callers'>> | undefined;

/**
 * Resolves once the region's Redis connection is up, as in an app that has been running: the
 * stampede is on a cold key, not a cold connection (whose first commands may time out on a busy
 * machine, and then run unlocked, failing open).
 */
async function connected(bench: BenchApp): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (bench.region('stampede').stats().storeInfo?.connected !== 1) {
    if (Date.now() > deadline) throw new Error('the redis region did not connect within 10 s');
    await sleep(10);
  }
}

async function prepare(request: StampedeRequest): Promise<void> {
  runs = 0;
  storeErrors = () => 0;
  workMs = request.workMs ?? 200;
  prepared = { key: request.key!, callers: request.callers! };
  if (request.subject === 'cache-manager-memcached') {
    const { cache, close: closeCache } = memcachedCacheManager(request.memcached!);
    call = (key) => cache.wrap(key, () => expensiveReport(key));
    close = closeCache;
    return;
  }
  if (request.subject === 'cache-manager-redis') {
    const { cache, close: closeCache } = redisCacheManager(request.redis!);
    await cache.get('bench:warm-up'); // connected, as the region is
    call = (key) => cache.wrap(key, () => expensiveReport(key));
    close = closeCache;
    return;
  }
  const region: RegionOptions =
    request.subject === 'cached-file'
      ? { store: 'file', dir: request.dir!, lock: true, ttl: 600 }
      : request.subject === 'cached-redis'
        ? { store: 'redis', url: request.redis!, lock: true, ttl: 600 }
        : { store: 'memcached', servers: [request.memcached!], lock: true, ttl: 600 };
  const bench: BenchApp = await startBenchApp({ regions: { stampede: region } }, [ReportService]);
  if (request.subject === 'cached-redis') await connected(bench);
  storeErrors = () => bench.region('stampede').stats().errors;
  const service = bench.get(ReportService);
  call = (key) => service.build(key);
  close = () => bench.close();
}

await serveRequests(async (raw) => {
  const request = raw as unknown as StampedeRequest;
  if (request.op === 'prepare') {
    await prepare(request);
    return { ready: true };
  }
  const { key, callers } = prepared!;
  const started = performance.now();
  const results = await Promise.all(Array.from({ length: callers }, () => call!(key)));
  const ms = performance.now() - started;
  const producers = new Set(results.map((result) => (result as { pid: number }).pid));
  const errors = storeErrors();
  await close!();
  return { runs, ms, producers: [...producers], errors };
});
// Stdin ended: the parent is done with this process.
process.exit(0);

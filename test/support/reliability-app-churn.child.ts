// Child process of test/reliability/app-churn.spec.ts, run with --expose-gc: opens, uses and
// closes an app with memory, file and memcached regions `cycles` times, and reports the heap in
// use (after forced collections) before and after, and the active handles and timers left.
// Then it measures what one app retains when it is kept referenced after close(), to show
// what a leak of one app per cycle would look like.
import 'reflect-metadata';
import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { getHeapSpaceStatistics } from 'node:v8';
import { Cached, CacheRegions, CacheRegionsModule } from '../../lib/index.js';
import { childArgs, tellParent } from './file-child-args.js';

/** What the child reports, as one JSON line. */
export interface ChurnReport {
  cycles: number;
  /** Heap in use without code space, bytes, after forced collections: after the warm-up, and after all cycles. */
  heapBefore: number;
  heapAfter: number;
  /** Bytes retained per app when `keptApps` closed apps stay referenced. */
  retainedPerApp: number;
  keptApps: number;
  /** Active resources (handles, timers) before the first app, and after the last one closed. */
  resourcesBefore: string[];
  resourcesAfter: string[];
  runs: number;
}

const args = childArgs<{ memcached: string; dir: string; cycles: number; warmup: number; keep: number }>();
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run this child with --expose-gc');

let runs = 0;

@Injectable()
class ChurnService {
  @Cached('functions')
  async remote(n: number): Promise<number> {
    runs++;
    return n * 2;
  }

  @Cached('files')
  async disk(n: number): Promise<Buffer> {
    runs++;
    return Buffer.alloc(2_048, n);
  }

  @Cached('hot')
  async local(n: number): Promise<{ n: number }> {
    runs++;
    return { n };
  }
}

@Module({
  imports: [
    CacheRegionsModule.forRoot({
      keyPrefix: 'churn',
      regions: {
        functions: { store: 'memcached', servers: [args.memcached], ttl: 60, timeoutMs: 200 },
        files: { store: 'file', dir: args.dir, ttl: 60, sweepIntervalMs: 1_000 },
        hot: { store: 'memory', ttl: 60, maxEntries: 100 },
      },
    }),
  ],
  providers: [ChurnService],
})
class ChurnModule {}

/** One app's life: boot, cache through every region, read stats, close. Returns the closed app. */
async function cycle(index: number) {
  const app = await NestFactory.createApplicationContext(ChurnModule, { logger: false });
  const service = app.get(ChurnService);
  for (const n of [index % 7, index % 7, 100 + index]) {
    await service.remote(n);
    await service.disk(n);
    await service.local(n);
  }
  const regions = app.get(CacheRegions);
  await regions.get('files').set(`doc-${index % 5}`, Buffer.alloc(4_096, index));
  await regions.get('files').get(`doc-${index % 5}`);
  regions.stats();
  await app.close();
  return app;
}

/**
 * Bytes of JavaScript data in use once nothing more can be collected (a few full collections, with
 * turns in between): the heap without the code space, where compiled code keeps growing for a while
 * as V8 optimizes more functions, which is not a leak.
 */
async function settledHeap(): Promise<number> {
  let heap = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 6; i++) {
    await sleep(10);
    await nextTurn();
    gc!();
    const code = getHeapSpaceStatistics().find((space) => space.space_name === 'code_space')?.space_used_size ?? 0;
    heap = Math.min(heap, process.memoryUsage().heapUsed - code);
  }
  return heap;
}

const resourcesBefore = process.getActiveResourcesInfo();
for (let i = 0; i < args.warmup; i++) await cycle(i);
const heapBefore = await settledHeap();
for (let i = 0; i < args.cycles; i++) await cycle(args.warmup + i);
const heapAfter = await settledHeap();
await sleep(20);
const resourcesAfter = process.getActiveResourcesInfo();

// Calibration: the same cycle, but the closed apps stay referenced.
const kept: unknown[] = [];
const heapBeforeKeeping = await settledHeap();
for (let i = 0; i < args.keep; i++) kept.push(await cycle(10_000 + i));
const retainedPerApp = Math.round(((await settledHeap()) - heapBeforeKeeping) / args.keep);

const report: ChurnReport = {
  cycles: args.cycles,
  heapBefore,
  heapAfter,
  retainedPerApp,
  keptApps: kept.length,
  resourcesBefore,
  resourcesAfter,
  runs,
};
tellParent(JSON.stringify(report));

/**
 * Stampede on Redis: 1,000 concurrent callers of one cold key, in one process (single flight) and
 * spread over 4 processes (250 callers each) with `lock: true`, where only the `SET NX PX` lock in
 * Redis can keep the other processes from computing too; cache-manager + Keyv + `@keyv/redis`
 * beside each. The method takes 200 ms. Every process is connected to Redis before the callers
 * start. The redis-server is this scenario's own.
 */
import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Cached } from '../../lib/index.js';
import { startRedis } from '../../test/support/redis.js';
import type { StampedeRequest } from '../children/stampede.child.js';
import { startBenchApp } from '../harness/bench-app.js';
import { startChild } from '../harness/children.js';
import { sleep } from '../harness/fixtures.js';
import { redisCacheManager } from '../harness/peers.js';
import { formatMs, type Verdict } from '../harness/report.js';
import type { Scenario } from '../harness/scenario.js';

const CALLERS = 1_000;
const PROCESSES = 4;
const WORK_MS = 200;

let runs = 0;
async function expensiveReport(key: string): Promise<string> {
  runs++;
  await sleep(WORK_MS);
  return `report ${key}`;
}

@Injectable()
class SharedReports {
  @Cached('shared')
  async build(key: string): Promise<string> {
    return expensiveReport(key);
  }
}

/** Makes `CALLERS` concurrent calls of one cold key; returns how often the method ran. */
async function storm(call: (key: string) => Promise<unknown>): Promise<{ runs: number; ms: number }> {
  runs = 0;
  const key = `cold-${randomUUID()}`;
  const started = performance.now();
  await Promise.all(Array.from({ length: CALLERS }, () => call(key)));
  return { runs, ms: performance.now() - started };
}

const exactlyOne = (count: number): Verdict => (count === 1 ? 'pass' : 'miss');
const plural = (count: number) => `${count} run${count === 1 ? '' : 's'}`;

/** `--only redis-stampede`. */
export const redisStampede: Scenario = {
  id: 'redis-stampede',
  needsRedis: true,
  async run({ report, log }) {
    const server = await startRedis();
    const scenario = `Stampede: ${CALLERS.toLocaleString('en')} callers, 1 cold key`;
    try {
      log('redis stampede, one process');
      const bench = await startBenchApp(
        { keyPrefix: 'bench-stampede', regions: { shared: { store: 'redis', url: server.url } } },
        [SharedReports],
      );
      const shared = bench.get(SharedReports);
      const cached = await storm((key) => shared.build(key));
      report.add({
        scenario,
        subject: '`@Cached`, redis region, 1 process',
        value: plural(cached.runs),
        ratio: `all answered in ${formatMs(cached.ms)}`,
        target: '1 run',
        result: exactlyOne(cached.runs),
      });
      const manager = redisCacheManager(server.url);
      const peer = await storm((key) => manager.cache.wrap(key, () => expensiveReport(key)));
      report.add({
        scenario,
        subject: '`cache-manager` `wrap()`, `@keyv/redis`, 1 process',
        value: plural(peer.runs),
        ratio: `all answered in ${formatMs(peer.ms)}`,
      });
      await manager.close();
      await bench.close();

      log(`redis stampede, ${PROCESSES} processes`);
      const children = Array.from({ length: PROCESSES }, () => startChild('stampede.child.ts'));
      try {
        const subjects: [StampedeRequest['subject'], string, boolean][] = [
          ['cached-redis', '`@Cached`, redis region, `lock: true`', true],
          ['cache-manager-redis', '`cache-manager` `wrap()`, `@keyv/redis`', false],
        ];
        for (const [subject, label, target] of subjects) {
          const prepare: StampedeRequest = {
            op: 'prepare',
            subject,
            redis: server.url,
            key: `cold-${randomUUID()}`,
            callers: CALLERS / PROCESSES,
            workMs: WORK_MS,
          };
          const ready = await Promise.all(children.map((child) => child.request(prepare)));
          const failed = ready.find((answer) => 'error' in answer);
          if (failed) throw new Error(`stampede child failed to prepare ${subject}: ${String(failed.error)}`);
          const started = performance.now();
          const answers = await Promise.all(
            children.map((child) => child.request<{ runs: number; errors: number; error?: string }>({ op: 'go' })),
          );
          const ms = performance.now() - started;
          const error = answers.find((answer) => answer.error);
          if (error) throw new Error(`stampede child failed on ${subject}: ${error.error}`);
          const total = answers.reduce((sum, answer) => sum + answer.runs, 0);
          // A lock request that failed (timed out) runs the method unlocked: say so beside the count.
          const errors = answers.reduce((sum, answer) => sum + answer.errors, 0);
          report.add({
            scenario,
            subject: `${label}, ${PROCESSES} processes`,
            value: plural(total),
            ratio: `all answered in ${formatMs(ms)}${errors > 0 ? `; ${errors} store calls failed (failing open)` : ''}`,
            ...(target ? { target: '1 run', result: exactlyOne(total) } : {}),
          });
        }
      } finally {
        await Promise.all(children.map((child) => child.close()));
      }
    } finally {
      await server.kill();
    }
  },
};

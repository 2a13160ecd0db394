/**
 * Stampede: 1,000 concurrent callers of one cold key. In one process (single flight), and spread
 * over 4 processes (250 callers each) with `lock: true` on memcached and on files, where only a
 * lock in the store can keep the other processes from computing too. The method takes 200 ms.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { createCache } from 'cache-manager';
import { Cached } from '../../lib/index.js';
import { startBenchApp } from '../harness/bench-app.js';
import { startChild } from '../harness/children.js';
import { memcachedCacheManager } from '../harness/peers.js';
import { sleep } from '../harness/fixtures.js';
import { formatMs, type Verdict } from '../harness/report.js';
import { memcachedOf, type Scenario } from '../harness/scenario.js';
import type { StampedeRequest } from '../children/stampede.child.js';

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
class LocalReports {
  @Cached('local')
  async build(key: string): Promise<string> {
    return expensiveReport(key);
  }
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

/** `--only stampede`. */
export const stampede: Scenario = {
  id: 'stampede',
  needsMemcached: true,
  async run(context) {
    const { report, log } = context;
    const memcached = memcachedOf(context);
    log('stampede, one process');
    const bench = await startBenchApp(
      {
        keyPrefix: 'bench-stampede',
        regions: { local: { store: 'memory' }, shared: { store: 'memcached', servers: [memcached.address] } },
      },
      [LocalReports, SharedReports],
    );
    const scenario = `Stampede: ${CALLERS.toLocaleString('en')} callers, 1 cold key`;
    const oneProcess = (subject: string, outcome: { runs: number; ms: number }, target = true) =>
      report.add({
        scenario,
        subject: `${subject}, 1 process`,
        value: `${outcome.runs} run${outcome.runs === 1 ? '' : 's'}`,
        ratio: `all answered in ${formatMs(outcome.ms)}`,
        ...(target ? { target: '1 run', result: exactlyOne(outcome.runs) } : {}),
      });
    const local = bench.get(LocalReports);
    oneProcess('`@Cached`, memory region', await storm((key) => local.build(key)));
    const shared = bench.get(SharedReports);
    oneProcess('`@Cached`, memcached region', await storm((key) => shared.build(key)));
    const memoryManager = createCache();
    oneProcess(
      '`cache-manager` `wrap()`, in-memory',
      await storm((key) => memoryManager.wrap(key, () => expensiveReport(key))),
      false,
    );
    const remoteManager = memcachedCacheManager(memcached.address);
    oneProcess(
      '`cache-manager` `wrap()`, memcached',
      await storm((key) => remoteManager.cache.wrap(key, () => expensiveReport(key))),
      false,
    );
    await memoryManager.disconnect();
    await remoteManager.close();
    await bench.close();

    log(`stampede, ${PROCESSES} processes`);
    const dir = mkdtempSync(join(tmpdir(), 'ncr-bench-stampede-'));
    const children = Array.from({ length: PROCESSES }, () => startChild('stampede.child.ts'));
    try {
      const subjects: [StampedeRequest['subject'], string, boolean][] = [
        ['cached-memcached', '`@Cached`, memcached region, `lock: true`', true],
        ['cached-file', '`@Cached`, file region, `lock: true`', true],
        ['cache-manager-memcached', '`cache-manager` `wrap()`, memcached', false],
      ];
      for (const [subject, label, target] of subjects) {
        const key = `cold-${randomUUID()}`;
        const prepare: StampedeRequest = {
          op: 'prepare',
          subject,
          memcached: memcached.address,
          dir,
          key,
          callers: CALLERS / PROCESSES,
          workMs: WORK_MS,
        };
        const ready = await Promise.all(children.map((child) => child.request(prepare)));
        const failed = ready.find((answer) => 'error' in answer);
        if (failed) throw new Error(`stampede child failed to prepare ${subject}: ${String(failed.error)}`);
        const started = performance.now();
        const answers = await Promise.all(
          children.map((child) => child.request<{ runs: number; error?: string }>({ op: 'go' })),
        );
        const ms = performance.now() - started;
        const error = answers.find((answer) => answer.error);
        if (error) throw new Error(`stampede child failed on ${subject}: ${error.error}`);
        const total = answers.reduce((sum, answer) => sum + answer.runs, 0);
        report.add({
          scenario,
          subject: `${label}, ${PROCESSES} processes`,
          value: `${total} run${total === 1 ? '' : 's'}`,
          ratio: `all answered in ${formatMs(ms)}`,
          ...(target ? { target: '1 run', result: exactlyOne(total) } : {}),
        });
      }
    } finally {
      await Promise.all(children.map((child) => child.close()));
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

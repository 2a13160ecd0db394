/**
 * `npm run bench`: this project against the libraries a NestJS user would otherwise pick, side
 * by side in one run. Prints a Markdown table (stdout) and progress (stderr).
 *
 * Usage: `node --expose-gc --import ./bench/support/register.mjs bench/run.ts [options]`
 * - `--quick`: fewer, shorter rounds (to try the bench out; noisier figures).
 * - `--only <ids>`: comma-separated scenario ids (see `scenarios` below).
 * - `--wall-clock`: time CPU-bound comparisons by elapsed time instead of CPU time.
 * - `--out <file>`: also write the Markdown to a file.
 * Set `BENCH_DEBUG=1` to see the child processes' stderr.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startMemcached, stopAllMemcached, type MemcachedProcess } from '../test/support/memcached.js';
import { redisAvailable, stopAllRedis } from '../test/support/redis.js';
import { Report } from './harness/report.js';
import type { Scenario } from './harness/scenario.js';
import { fileRegion } from './scenarios/file-region.js';
import { keyBuilding } from './scenarios/key-building.js';
import { memcachedHit } from './scenarios/memcached-hit.js';
import { memcachedOutage } from './scenarios/memcached-outage.js';
import { memoryHit } from './scenarios/memory-hit.js';
import { missPath } from './scenarios/miss-path.js';
import { memoryRss } from './scenarios/memory-rss.js';
import { redisHit } from './scenarios/redis-hit.js';
import { redisOutage } from './scenarios/redis-outage.js';
import { redisStampede } from './scenarios/redis-stampede.js';
import { stampede } from './scenarios/stampede.js';

/** `cache-manager 7.2.9, keyv 5.6.0, …`: the installed versions of the peers. */
function peerVersions(): string {
  const peers = ['cache-manager', 'keyv', '@keyv/memcache', '@keyv/redis', '@redis/client', 'ioredis', 'lru-cache', 'memjs'];
  return peers
    .map((name) => {
      const manifest = new URL(`../node_modules/${name}/package.json`, import.meta.url);
      return `${name} ${(JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version}`;
    })
    .join(', ');
}

/**
 * In run order; ids for `--only`: memory-hit, memcached-hit, redis-hit, miss-path, keys, stampede,
 * redis-stampede, outage, redis-outage, file, memory-rss.
 */
const scenarios: Scenario[] = [
  memoryHit,
  memcachedHit,
  redisHit,
  missPath,
  keyBuilding,
  stampede,
  redisStampede,
  memcachedOutage,
  redisOutage,
  fileRegion,
  memoryRss,
];

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    'wall-clock': { type: 'boolean', default: false },
    out: { type: 'string' },
  },
});
const only = values.only?.split(',').map((id) => id.trim());
const unknown = only?.filter((id) => !scenarios.some((scenario) => scenario.id === id)) ?? [];
if (unknown.length > 0) {
  console.error(`Unknown scenario ${unknown.join(', ')}; known: ${scenarios.map((s) => s.id).join(', ')}.`);
  process.exit(2);
}
if (typeof (globalThis as { gc?: unknown }).gc !== 'function') {
  console.error('Note: run node with --expose-gc (as `npm run bench` does) so rounds start from a collected heap.');
}

const started = performance.now();
const log = (message: string) =>
  console.error(`[bench ${((performance.now() - started) / 1_000).toFixed(0).padStart(3)} s] ${message}`);
const report = new Report();
let memcached: MemcachedProcess | undefined;
try {
  memcached = await startMemcached({ memoryMb: 256 });
} catch (error) {
  console.error(`No memcached, its scenarios are skipped: ${(error as Error).message}`);
}
try {
  for (const scenario of scenarios) {
    if (only && !only.includes(scenario.id)) continue;
    if (scenario.needsMemcached && !memcached) {
      report.note(`Scenario "${scenario.id}" skipped: no memcached binary (apt-get install -y memcached).`);
      continue;
    }
    if (scenario.needsRedis && !redisAvailable) {
      report.note(`Scenario "${scenario.id}" skipped: no redis-server binary (apt-get install -y redis-server).`);
      continue;
    }
    await scenario.run({
      report,
      memcached,
      quick: values.quick ?? false,
      cpuBoundClock: values['wall-clock'] ? 'wall' : 'cpu',
      log,
    });
  }
} finally {
  await stopAllMemcached();
  await stopAllRedis();
}

const seconds = ((performance.now() - started) / 1_000).toFixed(0);
report.note(`Peers: ${peerVersions()}.`);
report.note(
  `Node ${process.version} on ${process.platform}/${process.arch}, run took ${seconds} s` +
    `${values.quick ? ' (--quick: fewer, shorter rounds)' : ''}; ` +
    `CPU-bound rows timed by ${values['wall-clock'] ? 'elapsed' : 'process CPU'} time.`,
);
const markdown = report.toMarkdown();
console.log(markdown);
if (values.out) writeFileSync(values.out, `${markdown}\n`);
const misses = report.misses;
if (misses.length > 0) {
  console.error(`Targets missed: ${misses.map((row) => `${row.scenario} / ${row.subject}`).join('; ')}`);
}

/**
 * Redis hit path at 1 and 64 concurrent callers, values of about 200 bytes, on a redis-server this
 * scenario starts on a free loopback port: `@Cached` on a redis region vs what a user would write
 * instead — raw ioredis `get` + `JSON.parse` of the JSON they stored (the baseline; it gives the
 * Date back as a string), and ioredis `getBuffer` + v8 deserialize (which keeps it) — vs
 * `cache-manager` + Keyv + `@keyv/redis`. The raw client is `new Redis(url)` with ioredis's
 * defaults. At 64 callers every call is also timed, for the p99 latency.
 */
import { Injectable } from '@nestjs/common';
import { Redis } from 'ioredis';
import { deserialize, serialize } from 'node:v8';
import { Cached } from '../../lib/index.js';
import { startRedis } from '../../test/support/redis.js';
import { startBenchApp } from '../harness/bench-app.js';
import { argPairs, pickArgs, profile } from '../harness/fixtures.js';
import { redisCacheManager } from '../harness/peers.js';
import { atLeast, formatMs, formatRate, formatRatio, summarize, type Verdict } from '../harness/report.js';
import type { Scenario } from '../harness/scenario.js';
import { median } from '../harness/stats.js';
import { compareThroughput, type Subject } from '../harness/throughput.js';

const TTL_SECONDS = 3_600;
let produced = 0;

async function loadProfile(id: number, locale: string): Promise<Record<string, unknown>> {
  produced++;
  return { ...profile(id), locale };
}

@Injectable()
class RedisProfileService {
  @Cached('functions')
  async profile(id: number, locale: string): Promise<Record<string, unknown>> {
    return loadProfile(id, locale);
  }
}

const both = (a: Verdict, b: Verdict): Verdict => (a === 'pass' && b === 'pass' ? 'pass' : 'miss');

/** `--only redis-hit`. */
export const redisHit: Scenario = {
  id: 'redis-hit',
  needsRedis: true,
  async run({ report, quick, log }) {
    log('redis hit path');
    const server = await startRedis();
    const client = new Redis(server.url);
    const peer = redisCacheManager(server.url, TTL_SECONDS * 1_000);
    const bench = await startBenchApp(
      { keyPrefix: 'bench', regions: { functions: { store: 'redis', url: server.url, ttl: TTL_SECONDS } } },
      [RedisProfileService],
    );
    try {
      const service = bench.get(RedisProfileService);
      const version = /^redis_version:(.+)$/m.exec(await client.info('server'))?.[1]?.trim() ?? 'unknown';
      const jsonKey = (id: number, locale: string) => `raw:json:profile:${id}:${locale}`;
      const v8Key = (id: number, locale: string) => `raw:v8:profile:${id}:${locale}`;
      for (const [id, locale] of argPairs) {
        const value = { ...profile(id), locale };
        await client.set(jsonKey(id, locale), JSON.stringify(value), 'EX', TTL_SECONDS);
        await client.set(v8Key(id, locale), serialize(value), 'EX', TTL_SECONDS);
      }

      const subjects: Subject[] = [
        {
          name: '@Cached',
          op: (i) => {
            const [id, locale] = pickArgs(i);
            return service.profile(id, locale);
          },
        },
        {
          name: 'ioredis',
          op: async (i) => {
            const [id, locale] = pickArgs(i);
            const text = await client.get(jsonKey(id, locale));
            return text === null ? undefined : (JSON.parse(text) as unknown);
          },
        },
        {
          name: 'ioredis v8',
          op: async (i) => {
            const [id, locale] = pickArgs(i);
            const bytes = await client.getBuffer(v8Key(id, locale));
            return bytes === null ? undefined : (deserialize(bytes) as unknown);
          },
        },
        {
          name: 'cache-manager',
          op: (i) => {
            const [id, locale] = pickArgs(i);
            return peer.cache.wrap(`profile:${JSON.stringify([id, locale])}`, () => loadProfile(id, locale));
          },
        },
      ];
      for (const subject of subjects) for (let i = 0; i < argPairs.length; i++) await subject.op(i);
      const sample = { ...profile(argPairs[0][0]), locale: argPairs[0][1] };
      const jsonBytes = Buffer.byteLength(JSON.stringify(sample));
      const v8Bytes = serialize(sample).length;

      for (const concurrency of [1, 64]) {
        produced = 0;
        const result = await compareThroughput(subjects, {
          concurrency,
          // Many short rounds, as for memcached: each ratio pairs subjects measured a moment apart.
          durationMs: quick ? 100 : 200,
          rounds: quick ? 5 : 11,
          warmupRounds: 1,
          latencies: concurrency > 1,
        });
        const scenario = `Redis hit, ${concurrency} caller${concurrency > 1 ? 's' : ''}`;
        const row = (name: string, subject: string) => ({ scenario, subject, ...summarize(result.samples.get(name)!, formatRate) });
        const vs = (name: string, baseline = 'ioredis') => median(result.perRound(name, baseline));
        const p99 = (name: string) => median(result.p99.get(name)!);
        const latency = (name: string) =>
          concurrency > 1 ? ` · p99 ${formatMs(p99(name))} (${formatRatio(p99(name) / p99('ioredis'))} raw)` : '';
        const vsRaw = vs('@Cached');
        const vsPeer = vs('@Cached', 'cache-manager');
        report.add({
          ...row('@Cached', '`@Cached`, redis region'),
          ratio: `${formatRatio(vsRaw)} ioredis · ${formatRatio(vsPeer)} cache-manager${latency('@Cached')}`,
          ...(concurrency === 1
            ? { target: '≥ 1.5× cache-manager', result: atLeast(vsPeer, 1.5) }
            : { target: '≥ 0.90× ioredis · ≥ 1.5× cache-manager', result: both(atLeast(vsRaw, 0.9), atLeast(vsPeer, 1.5)) }),
        });
        report.add({
          ...row('ioredis', `raw ioredis \`get\` + \`JSON.parse\` (${jsonBytes} B; the Date comes back a string)`),
          ratio: `1.00× (baseline)${latency('ioredis')}`,
        });
        report.add({
          ...row('ioredis v8', `raw ioredis \`getBuffer\` + v8 deserialize (${v8Bytes} B)`),
          ratio: `${formatRatio(vs('ioredis v8'))} ioredis${latency('ioredis v8')}`,
        });
        report.add({
          ...row('cache-manager', '`cache-manager` + Keyv + `@keyv/redis`'),
          ratio: `${formatRatio(vs('cache-manager'))} ioredis${latency('cache-manager')}`,
        });
        if (produced > 0) report.note(`${scenario}: ${produced} calls missed the cache during the measure (evictions?).`);
      }
      report.note(`Redis scenarios: redis-server ${version} on a loopback port of its own, no persistence.`);
    } finally {
      await bench.close();
      await peer.close();
      client.disconnect();
      await server.kill();
    }
  },
};

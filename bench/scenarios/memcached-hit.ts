/**
 * Memcached hit path at 1 and 64 concurrent callers, values of about 200 bytes: `@Cached` on a
 * memcached region (and on one with signed items) vs what a user would write instead — raw memjs
 * `get` + `JSON.parse` of the JSON they stored (the baseline; it gives the Date back as a string),
 * and memjs `get` + v8 deserialize (which keeps it) — vs `cache-manager` + Keyv + `@keyv/memcache`.
 * At 64 callers every call is also timed, for the p99 latency.
 */
import { Injectable } from '@nestjs/common';
import { deserialize, serialize } from 'node:v8';
import memjs from 'memjs';
import { Cached } from '../../lib/index.js';
import { startBenchApp } from '../harness/bench-app.js';
import { argPairs, pickArgs, profile } from '../harness/fixtures.js';
import { memcachedCacheManager } from '../harness/peers.js';
import { atLeast, formatMs, formatRate, formatRatio, summarize } from '../harness/report.js';
import { memcachedOf, type Scenario } from '../harness/scenario.js';
import { median } from '../harness/stats.js';
import { compareThroughput, type Subject } from '../harness/throughput.js';

const TTL_SECONDS = 3_600;
let produced = 0;

async function loadProfile(id: number, locale: string): Promise<Record<string, unknown>> {
  produced++;
  return { ...profile(id), locale };
}

@Injectable()
class RemoteProfileService {
  @Cached('functions')
  async profile(id: number, locale: string): Promise<Record<string, unknown>> {
    return loadProfile(id, locale);
  }
}

/** The same method on a region whose items are signed (`signingKeys`). */
@Injectable()
class SignedProfileService {
  @Cached('signed')
  async profile(id: number, locale: string): Promise<Record<string, unknown>> {
    return loadProfile(id, locale);
  }
}

const silent = { log: () => undefined };

/** `--only memcached-hit`. */
export const memcachedHit: Scenario = {
  id: 'memcached-hit',
  needsMemcached: true,
  async run(context) {
    const { report, quick, log } = context;
    const memcached = memcachedOf(context);
    log('memcached hit path');
    const bench = await startBenchApp(
      {
        keyPrefix: 'bench',
        regions: {
          functions: { store: 'memcached', servers: [memcached.address], ttl: TTL_SECONDS },
          signed: {
            store: 'memcached',
            servers: [memcached.address],
            ttl: TTL_SECONDS,
            signingKeys: ['bench-signing-key-0123456789abcdef'],
          },
        },
      },
      [RemoteProfileService, SignedProfileService],
    );
    const service = bench.get(RemoteProfileService);
    const signedService = bench.get(SignedProfileService);

    const client = memjs.Client.create(memcached.address, { logger: silent });
    const jsonKey = (id: number, locale: string) => `raw:json:profile:${id}:${locale}`;
    const v8Key = (id: number, locale: string) => `raw:v8:profile:${id}:${locale}`;
    const rawGet = (key: string, decode: (bytes: Buffer) => unknown) =>
      new Promise<unknown>((resolve, reject) =>
        client.get(key, (error, value) => (error ? reject(error) : resolve(value ? decode(value) : undefined))),
      );
    const fromJson = (bytes: Buffer) => JSON.parse(bytes.toString('utf8')) as unknown;
    for (const [id, locale] of argPairs) {
      const value = { ...profile(id), locale };
      await client.set(jsonKey(id, locale), JSON.stringify(value), { expires: TTL_SECONDS });
      await client.set(v8Key(id, locale), serialize(value), { expires: TTL_SECONDS });
    }

    const peer = memcachedCacheManager(memcached.address, TTL_SECONDS * 1_000);

    const subjects: Subject[] = [
      {
        name: '@Cached',
        op: (i) => {
          const [id, locale] = pickArgs(i);
          return service.profile(id, locale);
        },
      },
      {
        name: '@Cached signed',
        op: (i) => {
          const [id, locale] = pickArgs(i);
          return signedService.profile(id, locale);
        },
      },
      {
        name: 'memjs',
        op: (i) => {
          const [id, locale] = pickArgs(i);
          return rawGet(jsonKey(id, locale), fromJson);
        },
      },
      {
        name: 'memjs v8',
        op: (i) => {
          const [id, locale] = pickArgs(i);
          return rawGet(v8Key(id, locale), deserialize);
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
        // Many short rounds: each ratio pairs subjects measured a moment apart, and the median of
        // those ratios holds up when other work on the machine comes and goes.
        durationMs: quick ? 100 : 200,
        rounds: quick ? 5 : 11,
        warmupRounds: 1,
        latencies: concurrency > 1,
      });
      const scenario = `Memcached hit, ${concurrency} caller${concurrency > 1 ? 's' : ''}`;
      const row = (name: string, subject: string) => ({ scenario, subject, ...summarize(result.samples.get(name)!, formatRate) });
      const vs = (name: string, baseline = 'memjs') => median(result.perRound(name, baseline));
      const p99 = (name: string) => median(result.p99.get(name)!);
      // At 64 callers a row also shows its p99 latency, and how it compares with raw memjs's.
      const latency = (name: string) =>
        concurrency > 1 ? ` · p99 ${formatMs(p99(name))} (${formatRatio(p99(name) / p99('memjs'))} raw)` : '';
      const vsRaw = vs('@Cached');
      const vsPeer = vs('@Cached', 'cache-manager');
      const p99VsRaw = p99('@Cached') / p99('memjs');
      report.add({
        ...row('@Cached', '`@Cached`, memcached region'),
        ratio: `${formatRatio(vsRaw)} memjs · ${formatRatio(vsPeer)} cache-manager${latency('@Cached')}`,
        ...(concurrency === 1
          ? {
              target: '≥ 0.90× memjs · > 1× cache-manager',
              result: atLeast(vsRaw, 0.9) === 'pass' && vsPeer > 1 ? 'pass' : 'miss',
            }
          : {
              target: '≥ 0.90× memjs · p99 ≤ 1.5× raw',
              result: atLeast(vsRaw, 0.9) === 'pass' && p99VsRaw <= 1.5 ? 'pass' : 'miss',
            }),
      });
      report.add({
        ...row('@Cached signed', '`@Cached`, memcached region with `signingKeys` (HMAC-SHA256)'),
        ratio: `${formatRatio(vs('@Cached signed'))} memjs${latency('@Cached signed')}`,
      });
      report.add({
        ...row('memjs', `raw memjs \`get\` + \`JSON.parse\` (${jsonBytes} B; the Date comes back a string)`),
        ratio: `1.00× (baseline)${latency('memjs')}`,
      });
      report.add({
        ...row('memjs v8', `raw memjs \`get\` + v8 deserialize (${v8Bytes} B)`),
        ratio: `${formatRatio(vs('memjs v8'))} memjs${latency('memjs v8')}`,
      });
      report.add({
        ...row('cache-manager', '`cache-manager` + Keyv + `@keyv/memcache`'),
        ratio: `${formatRatio(vs('cache-manager'))} memjs${latency('cache-manager')}`,
      });
      if (produced > 0) report.note(`${scenario}: ${produced} calls missed the cache during the measure (evictions?).`);
    }
    await peer.close();
    client.close();
    await bench.close();
  },
};

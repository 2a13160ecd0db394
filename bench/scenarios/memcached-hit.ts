/**
 * Memcached hit path at 1 and 64 concurrent callers, values of about 200 bytes: `@Cached` on a
 * memcached region (and on one with signed items) vs raw memjs `get` + v8 deserialize (a value stored the same way, the practical
 * limit) vs `cache-manager` + Keyv + `@keyv/memcache`.
 */
import { Injectable } from '@nestjs/common';
import { deserialize, serialize } from 'node:v8';
import memjs from 'memjs';
import { Cached } from '../../lib/index.js';
import { startBenchApp } from '../harness/bench-app.js';
import { argPairs, pickArgs, profile } from '../harness/fixtures.js';
import { memcachedCacheManager } from '../harness/peers.js';
import { atLeast, formatRate, formatRatio, summarize } from '../harness/report.js';
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
    const rawKey = (id: number, locale: string) => `raw:profile:${id}:${locale}`;
    const rawGet = (key: string) =>
      new Promise<unknown>((resolve, reject) =>
        client.get(key, (error, value) => (error ? reject(error) : resolve(value ? deserialize(value) : undefined))),
      );
    for (const [id, locale] of argPairs) {
      await client.set(rawKey(id, locale), serialize({ ...profile(id), locale }), { expires: TTL_SECONDS });
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
          return rawGet(rawKey(id, locale));
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
    const encoded = serialize({ ...profile(argPairs[0][0]), locale: argPairs[0][1] }).length;

    for (const concurrency of [1, 64]) {
      produced = 0;
      const result = await compareThroughput(subjects, {
        concurrency,
        durationMs: quick ? 150 : 400,
        rounds: quick ? 3 : 5,
        warmupRounds: 1,
      });
      const scenario = `Memcached hit, ${concurrency} caller${concurrency > 1 ? 's' : ''}`;
      const row = (name: string, subject: string) => ({ scenario, subject, ...summarize(result.samples.get(name)!, formatRate) });
      const vsRaw = median(result.perRound('@Cached', 'memjs'));
      report.add({
        ...row('@Cached', '`@Cached`, memcached region'),
        ratio: `${formatRatio(vsRaw)} memjs`,
        ...(concurrency === 64 ? { target: '≥ 0.90× memjs', result: atLeast(vsRaw, 0.9) } : {}),
      });
      report.add({
        ...row('@Cached signed', '`@Cached`, memcached region with `signingKeys` (HMAC-SHA256)'),
        ratio: `${formatRatio(median(result.perRound('@Cached signed', 'memjs')))} memjs`,
      });
      report.add({ ...row('memjs', `raw memjs \`get\` + v8 deserialize (${encoded} B)`), ratio: '1.00× (baseline)' });
      report.add({
        ...row('cache-manager', '`cache-manager` + Keyv + `@keyv/memcache`'),
        ratio: `${formatRatio(median(result.perRound('cache-manager', 'memjs')))} memjs`,
      });
      if (produced > 0) report.note(`${scenario}: ${produced} calls missed the cache during the measure (evictions?).`);
    }
    await peer.close();
    client.close();
    await bench.close();
  },
};

/**
 * Memory hit path: a method of two arguments (number, short string), every call a hit.
 * `@Cached` on a memory region vs a hand-written async `Map` + `JSON.stringify` memo (the
 * practical limit), `cache-manager` 7 `wrap()` on its default in-memory store, and an async memo
 * on `lru-cache`. Each caller awaits every call, as application code does.
 */
import { Injectable } from '@nestjs/common';
import { createCache } from 'cache-manager';
import { LRUCache } from 'lru-cache';
import { Cached } from '../../lib/index.js';
import { startBenchApp } from '../harness/bench-app.js';
import { argPairs, pickArgs, profile } from '../harness/fixtures.js';
import { atLeast, formatRate, formatRatio, summarize } from '../harness/report.js';
import type { Scenario } from '../harness/scenario.js';
import { median } from '../harness/stats.js';
import { compareThroughput, type Subject } from '../harness/throughput.js';

/** The ttl of the caches that take one (the hand-written memo has none). */
const TTL_MS = 3_600_000;

/** The method every subject caches. */
async function loadProfile(id: number, locale: string): Promise<Record<string, unknown>> {
  return { ...profile(id), locale };
}

@Injectable()
class ProfileService {
  @Cached('hot')
  async profile(id: number, locale: string): Promise<Record<string, unknown>> {
    return loadProfile(id, locale);
  }
}

@Injectable()
class EternalProfileService {
  @Cached('eternal')
  async profile(id: number, locale: string): Promise<Record<string, unknown>> {
    return loadProfile(id, locale);
  }
}

/** `--only memory-hit`. */
export const memoryHit: Scenario = {
  id: 'memory-hit',
  async run({ report, quick, cpuBoundClock, log }) {
    log('memory hit path');
    const bench = await startBenchApp(
      {
        regions: {
          hot: { store: 'memory', maxEntries: 10_000, ttl: TTL_MS / 1_000 },
          eternal: { store: 'memory', maxEntries: 10_000 },
        },
      },
      [ProfileService, EternalProfileService],
    );
    const service = bench.get(ProfileService);
    const eternal = bench.get(EternalProfileService);

    const memo = new Map<string, unknown>();
    const asyncMemo = async (id: number, locale: string) => {
      const key = JSON.stringify([id, locale]);
      const hit = memo.get(key);
      if (hit !== undefined) return hit;
      const value = await loadProfile(id, locale);
      memo.set(key, value);
      return value;
    };
    const cacheManager = createCache({ ttl: TTL_MS });
    const lru = new LRUCache<string, object>({ max: 10_000, ttl: TTL_MS });
    const lruMemo = async (id: number, locale: string) => {
      const key = JSON.stringify([id, locale]);
      const hit = lru.get(key);
      if (hit !== undefined) return hit;
      const value = await loadProfile(id, locale);
      lru.set(key, value);
      return value;
    };

    const subjects: Subject[] = [
      // Arguments are passed one by one, as application code calls a method (not spread).
      {
        name: '@Cached',
        op: (i) => {
          const [id, locale] = pickArgs(i);
          return service.profile(id, locale);
        },
      },
      {
        name: '@Cached no ttl',
        op: (i) => {
          const [id, locale] = pickArgs(i);
          return eternal.profile(id, locale);
        },
      },
      {
        name: 'memo',
        op: (i) => {
          const [id, locale] = pickArgs(i);
          return asyncMemo(id, locale);
        },
      },
      {
        name: 'cache-manager',
        op: (i) => {
          const [id, locale] = pickArgs(i);
          return cacheManager.wrap(`profile:${JSON.stringify([id, locale])}`, () => loadProfile(id, locale));
        },
      },
      {
        name: 'lru-cache',
        op: (i) => {
          const [id, locale] = pickArgs(i);
          return lruMemo(id, locale);
        },
      },
    ];
    // Fill every cache first: every measured call is a hit.
    for (const subject of subjects) for (let i = 0; i < argPairs.length; i++) await subject.op(i);

    const result = await compareThroughput(subjects, {
      durationMs: quick ? 100 : 200,
      rounds: quick ? 3 : 9,
      warmupRounds: 1,
      batch: 1_024,
      clock: cpuBoundClock,
    });
    const scenario = 'Memory hit, 2 args';
    const row = (name: string, subject: string) => ({
      scenario,
      subject,
      ...summarize(result.samples.get(name)!, formatRate),
    });
    const vs = (name: string, baseline: string) => median(result.perRound(name, baseline));
    const cachedRow = (name: string, subject: string) => {
      const vsMemo = vs(name, 'memo');
      const vsCacheManager = vs(name, 'cache-manager');
      report.add({
        ...row(name, subject),
        ratio: `${formatRatio(vsMemo)} memo · ${formatRatio(vsCacheManager)} cache-manager`,
        target: '≥ 0.90× memo · ≥ 2.5× cache-manager',
        result: atLeast(vsMemo, 0.9) === 'pass' && atLeast(vsCacheManager, 2.5) === 'pass' ? 'pass' : 'miss',
      });
    };
    cachedRow('@Cached', '`@Cached`, memory region, ttl 1 h');
    cachedRow('@Cached no ttl', '`@Cached`, memory region, no ttl');
    report.add({ ...row('memo', 'async `Map` + `JSON.stringify` memo'), ratio: '1.00× (baseline)' });
    report.add({
      ...row('cache-manager', '`cache-manager` 7 `wrap()`, in-memory, ttl 1 h'),
      ratio: `${formatRatio(vs('cache-manager', 'memo'))} memo`,
    });
    report.add({
      ...row('lru-cache', 'async memo on `lru-cache` `get`, ttl 1 h'),
      ratio: `${formatRatio(vs('lru-cache', 'memo'))} memo`,
    });
    await cacheManager.disconnect();
    await bench.close();
  },
};

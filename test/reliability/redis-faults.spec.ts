/**
 * Fault injection with a real redis-server: a paced load of `@Cached` calls (64 in flight) on a
 * region with `failOpen` while the server is SIGKILLed, restarted, SIGSTOPped and SIGCONTed. Every
 * call must return the right value, none may throw, no call may wait much longer than
 * `timeoutMs`, the breaker must open during the faults and close after them, and caching must
 * resume. Also: an app that boots while its Redis is down starts, runs uncached, and caches once
 * Redis is up.
 *
 * The figures per phase are printed as a Markdown table for the README. `SOAK=1` runs 10× the
 * calls over five fault cycles.
 */
import { Injectable, Module } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { setTimeout as sleep } from 'node:timers/promises';
import { isDeepStrictEqual } from 'node:util';
import { Cached, type CacheRegion, CacheRegions, CacheRegionsModule, type RegionStats } from '../../lib/index.js';
import { describeRedis, useRedis } from '../support/redis.js';
import { latencyFigures, markdownTable, runPacedLoad, type CallRecord } from './paced-load.js';

const SOAK = process.env.SOAK === '1';
const CYCLES = SOAK ? 5 : 1;
const TOTAL_CALLS = SOAK ? 200_000 : 20_000;
const IN_FLIGHT = 64;
const PHASE_MS = 2_000;
const PHASES = 1 + 4 * CYCLES;
const TIMEOUT_MS = 250;
/** As in memcached-faults.spec.ts: a loaded 2-core machine's event loop, the method, the error path. */
const LATENCY_SLACK_MS = 600;
const COOLDOWN_MS = 500;

interface Quote {
  user: number;
  n: number;
  price: number;
  at: Date;
  tags: Map<string, string>;
}

function expectedQuote(user: { id: number; tier: string }, n: number): Quote {
  return {
    user: user.id,
    n,
    price: user.id * 1_000 + n,
    at: new Date(Date.UTC(2026, 0, 1) + n * 86_400_000),
    tags: new Map([['tier', user.tier]]),
  };
}

@Injectable()
class QuoteService {
  runs = 0;

  @Cached('sessions')
  async quote(user: { id: number; tier: string }, n: number): Promise<Quote> {
    this.runs++;
    return expectedQuote(user, n);
  }
}

@Module({ providers: [QuoteService] })
class QuoteModule {}

type Phase = 'healthy' | 'killed' | 'restarted' | 'paused' | 'resumed';

/** Deterministic arguments of call `index`: 8 users × 50 numbers, revisited often. */
function argsOf(index: number): [{ id: number; tier: string }, number] {
  const mixed = Math.imul(index + 1, 2654435761) >>> 0;
  const id = 1 + (mixed % 8);
  return [{ id, tier: id % 2 === 0 ? 'gold' : 'basic' }, (mixed >>> 8) % 50];
}

describeRedis('redis faults under load', () => {
  const redis = useRedis();
  const apps: TestingModule[] = [];

  afterEach(async () => {
    redis().resume(); // a test that failed midway may leave it stopped
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });

  async function createApp(url: string) {
    const app = await Test.createTestingModule({
      imports: [
        CacheRegionsModule.forRoot({
          keyPrefix: 'faults',
          regions: {
            sessions: { store: 'redis', url, ttl: '1h', failOpen: true, timeoutMs: TIMEOUT_MS, breakerCooldownMs: COOLDOWN_MS },
          },
        }),
        QuoteModule,
      ],
    }).compile();
    app.useLogger(false);
    await app.init();
    apps.push(app);
    return { quotes: app.get(QuoteService), region: app.get(CacheRegions).get('sessions') };
  }

  it(
    `${TOTAL_CALLS} @Cached calls, ${IN_FLIGHT} in flight, through kill / restart / SIGSTOP / SIGCONT`,
    async () => {
      const { quotes, region } = await createApp(redis().url);
      const actions: [Phase, () => void | Promise<void>][] = [];
      for (let cycle = 0; cycle < CYCLES; cycle++) {
        actions.push(
          ['killed', () => redis().kill()],
          ['restarted', () => redis().restart()],
          ['paused', () => redis().pause()],
          ['resumed', () => redis().resume()],
        );
      }
      const samples: Sample[] = [];
      const sampler = setInterval(() => samples.push({ at: performance.now(), ...region.stats() }), 20);
      const marks: PhaseMark[] = [{ phase: 'healthy', at: performance.now() }];
      const faults = injectFaults(actions, marks);
      const records = await runPacedLoad({
        total: TOTAL_CALLS,
        concurrency: IN_FLIGHT,
        ratePerSec: TOTAL_CALLS / ((PHASES * PHASE_MS) / 1_000),
        call: async (index) => {
          const [user, n] = argsOf(index);
          return isDeepStrictEqual(await quotes.quote(user, n), expectedQuote(user, n));
        },
      });
      await faults;
      clearInterval(sampler);
      samples.push({ at: performance.now(), ...region.stats() });

      const threw = records.filter((record) => record.outcome === 'threw');
      expect(threw.map((record) => String(record.error)).slice(0, 3)).toEqual([]);
      expect(records.filter((record) => record.outcome === 'wrong').length).toBe(0);
      expect(records.reduce((max, record) => Math.max(max, record.ms), 0)).toBeLessThan(TIMEOUT_MS + LATENCY_SLACK_MS);

      const report = phaseReport(records, marks, samples);
      console.info(
        `\nredis faults: ${TOTAL_CALLS} calls, ${IN_FLIGHT} in flight, timeoutMs ${TIMEOUT_MS}, ` +
          `breakerCooldownMs ${COOLDOWN_MS}, ${quotes.runs} method runs\n${markdownTable(report)}\n`,
      );
      for (const row of report) {
        if (row.phase === 'healthy') {
          expect(row.errors).toBe(0);
          expect(row.hits).toBeGreaterThan(0);
        }
        if (row.phase === 'killed' || row.phase === 'paused') {
          expect(row.errors).toBeGreaterThan(0);
          expect(row['breaker openings']).toBeGreaterThan(0);
        }
        if (row.phase === 'restarted' || row.phase === 'resumed') {
          expect(row['caching resumed after ms']).not.toBe('never');
          expect(row['breaker open at end']).toBe(false);
        }
      }

      // After the load, the region caches again: a new key runs the method once.
      await sleep(COOLDOWN_MS);
      const before = quotes.runs;
      const user = { id: 99, tier: 'gold' };
      expect(await quotes.quote(user, 1)).toEqual(expectedQuote(user, 1));
      expect(await quotes.quote(user, 1)).toEqual(expectedQuote(user, 1));
      expect(quotes.runs).toBe(before + 1);
      expect(region.stats().breakerOpen).toBe(false);
    },
    PHASES * PHASE_MS + 30_000,
  );

  it('boots while Redis is down, runs uncached within timeoutMs, and caches once Redis is up', async () => {
    const server = redis();
    await server.kill();
    const { quotes, region } = await createApp(server.url);
    const user = { id: 1, tier: 'basic' };
    for (let call = 0; call < 20; call++) {
      const started = performance.now();
      expect(await quotes.quote(user, call)).toEqual(expectedQuote(user, call));
      expect(performance.now() - started).toBeLessThan(TIMEOUT_MS + LATENCY_SLACK_MS);
    }
    expect(quotes.runs).toBe(20);
    expect(region.stats().breakerOpened).toBeGreaterThan(0);
    await server.restart();
    // Caching resumes once the breaker lets a probe through and the client has reconnected.
    const started = performance.now();
    await waitFor(async () => {
      await quotes.quote(user, 0);
      return region.stats().hits > 0;
    });
    console.info(`redis back after a boot without it: caching resumed after ${Math.round(performance.now() - started)} ms`);
    expect(performance.now() - started).toBeLessThan(10_000);
  });
});

interface PhaseMark {
  phase: Phase;
  at: number;
}

interface Sample extends RegionStats {
  at: number;
}

/** Runs one fault action at the start of each phase after the first, PHASE_MS apart. */
async function injectFaults(actions: [Phase, () => void | Promise<void>][], marks: PhaseMark[]): Promise<void> {
  const started = marks[0].at;
  for (const [index, [phase, action]] of actions.entries()) {
    const wait = started + (index + 1) * PHASE_MS - performance.now();
    if (wait > 0) await sleep(wait);
    marks.push({ phase, at: performance.now() });
    await action();
  }
}

/** Figures per phase: calls, latency, errors and breaker openings counted, caching resumption. */
function phaseReport(records: CallRecord[], marks: PhaseMark[], samples: Sample[]) {
  return marks.map((mark, index) => {
    const end = marks[index + 1]?.at ?? Number.POSITIVE_INFINITY;
    const calls = records.filter((record) => record.startedAt >= mark.at && record.startedAt < end);
    const first = samples.find((sample) => sample.at >= mark.at) ?? samples[samples.length - 1];
    const last = [...samples].reverse().find((sample) => sample.at < end) ?? samples[samples.length - 1];
    const resumed = samples.find(
      (sample, at) => sample.at >= mark.at && sample.at < end && !sample.breakerOpen && at > 0 && sample.hits > samples[at - 1].hits,
    );
    const { p50, p99, max } = latencyFigures(calls);
    return {
      phase: mark.phase,
      calls: calls.length,
      'p50 ms': p50,
      'p99 ms': p99,
      'max ms': max,
      threw: calls.filter((record) => record.outcome === 'threw').length,
      wrong: calls.filter((record) => record.outcome === 'wrong').length,
      hits: last.hits - first.hits,
      errors: last.errors - first.errors,
      'breaker openings': last.breakerOpened - first.breakerOpened,
      'breaker open at end': last.breakerOpen,
      'caching resumed after ms':
        mark.phase !== 'restarted' && mark.phase !== 'resumed' ? '—' : resumed ? Math.round(resumed.at - mark.at) : 'never',
    };
  });
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  for (const started = Date.now(); !(await condition()); await sleep(20)) {
    if (Date.now() - started > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
  }
}

/**
 * Redis down (the server is SIGKILLed: the port refuses connections) and hung (SIGSTOPped:
 * connections stay open, nothing answers) under an app that was connected and serving: the
 * latency of each `@Cached` call until the region's circuit breaker opens, and of the 1,000 after
 * it opened; cache-manager + Keyv + `@keyv/redis` over a few calls only, each abandoned after
 * {@link PEER_CALL_CAP_MS} (its client queues commands until it reconnects). Region defaults:
 * `timeoutMs` 500, breaker after 5 consecutive failures with no success for `timeoutMs`.
 */
import { Injectable } from '@nestjs/common';
import { Cached } from '../../lib/index.js';
import { startRedis, type RedisProcess } from '../../test/support/redis.js';
import { startBenchApp } from '../harness/bench-app.js';
import { redisCacheManager } from '../harness/peers.js';
import { formatMs, formatRatio } from '../harness/report.js';
import type { Scenario, ScenarioContext } from '../harness/scenario.js';
import { median, quantile } from '../harness/stats.js';

const CALLS = 1_000;
/** Target: a call with the breaker open costs at most this (median), in ms. */
const OPEN_BREAKER_TARGET_MS = 0.01;
/** The longest the `@Cached` calls go on for the breaker to open, in ms. */
const OPEN_WAIT_CAP_MS = 10_000;
/** A cache-manager call still pending after this long is counted as hung and left behind. */
const PEER_CALL_CAP_MS = 3_000;
/** How long, once Redis is back, the peer's calls left behind get to finish before a forced close. */
const PEER_SETTLE_CAP_MS = 10_000;

@Injectable()
class QuoteService {
  @Cached('fragile')
  async quote(id: number): Promise<{ id: number; price: number }> {
    return { id, price: id * 1.5 };
  }
}

/** The `@Cached` calls of one outage, before and after the breaker opened. */
interface CachedTimings {
  /** Per call until the breaker opened, ms. */
  before: number[];
  /** Milliseconds from the first call to the breaker opening. */
  untilOpenMs: number;
  /** Per call of the {@link CALLS} made once it was open, ms. */
  after: number[];
}

/** The peer's calls of one outage. */
interface PeerTimings {
  /** Per call, ms (at most {@link PEER_CALL_CAP_MS}). */
  latencies: number[];
  errors: number;
  /** Calls that had not settled within {@link PEER_CALL_CAP_MS}. */
  hung: number;
}

/** The two subjects, connected and warm, before the outage starts. */
interface Subjects {
  cached(): Promise<CachedTimings>;
  peer(calls: number): Promise<PeerTimings>;
  /** Once Redis is back: lets the peer's pending calls finish, then closes both. */
  close(): Promise<void>;
}

async function connect(server: RedisProcess): Promise<Subjects> {
  const bench = await startBenchApp(
    { keyPrefix: 'bench-outage', regions: { fragile: { store: 'redis', url: server.url } } },
    [QuoteService],
  );
  const service = bench.get(QuoteService);
  const region = bench.region('fragile');
  const peer = redisCacheManager(server.url);
  // Peer calls left behind. Each one that fails goes on to a `set`, which reopens a client closed
  // under it and reconnects forever: they are let finish once Redis is back, before the close.
  const pending: Promise<unknown>[] = [];
  // Both connected and answering before Redis goes away.
  await service.quote(-1);
  await peer.cache.wrap('quote:warm', async () => ({ id: -1, price: 0 }));
  if (region.stats().errors > 0) throw new Error('redis-outage: the region could not reach Redis before the outage');

  return {
    async cached() {
      // Until the breaker opens: it waits for `breakerThreshold` failures and a quiet window of
      // `timeoutMs` without a success, and the last success came just before the outage.
      const before: number[] = [];
      const first = performance.now();
      while (!region.stats().breakerOpen && performance.now() - first < OPEN_WAIT_CAP_MS) {
        const started = performance.now();
        await service.quote(before.length);
        before.push(performance.now() - started);
      }
      const untilOpenMs = performance.now() - first;
      const after: number[] = [];
      for (let i = 0; i < CALLS && region.stats().breakerOpen; i++) {
        const started = performance.now();
        await service.quote(i);
        after.push(performance.now() - started);
      }
      return { before, untilOpenMs, after };
    },
    async peer(calls) {
      const latencies: number[] = [];
      let errors = 0;
      let hung = 0;
      for (let i = 0; i < calls; i++) {
        const started = performance.now();
        let timer: NodeJS.Timeout | undefined;
        const capped = new Promise<'hung'>((resolve) => (timer = setTimeout(() => resolve('hung'), PEER_CALL_CAP_MS)));
        const call = peer.cache.wrap(`quote:${i}`, async () => ({ id: i, price: i * 1.5 })).then(
          () => 'done' as const,
          () => 'threw' as const,
        );
        pending.push(call);
        const outcome = await Promise.race([call, capped]);
        clearTimeout(timer);
        latencies.push(performance.now() - started);
        if (outcome === 'threw') errors++;
        if (outcome === 'hung') hung++;
      }
      return { latencies, errors, hung };
    },
    async close() {
      await bench.close();
      let timer: NodeJS.Timeout | undefined;
      const settled = await Promise.race([
        Promise.all(pending).then(() => true),
        new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), PEER_SETTLE_CAP_MS))),
      ]);
      clearTimeout(timer);
      await peer.close(!settled);
    },
  };
}

function addRows({ report }: ScenarioContext, state: string, cached: CachedTimings, peer: PeerTimings): void {
  const scenario = `Redis ${state}`;
  const { before, after } = cached;
  const all = [...before, ...after];
  const mean = all.reduce((sum, ms) => sum + ms, 0) / all.length;
  report.add({
    scenario,
    subject: `\`@Cached\`: ${before.length.toLocaleString('en')} calls until the breaker opened (${formatMs(cached.untilOpenMs)})`,
    value: `${formatMs(median(before))}/call`,
    ratio: `max ${formatMs(Math.max(...before))}`,
  });
  const opened = after.length > 0;
  report.add({
    scenario,
    subject: opened ? `\`@Cached\`: the next ${after.length.toLocaleString('en')} calls (breaker open)` : '`@Cached`, breaker open',
    value: opened ? `${formatMs(median(after))}/call` : `not open after ${formatMs(OPEN_WAIT_CAP_MS)}`,
    ratio: opened ? `p99 ${formatMs(quantile(after, 0.99))}; mean of all ${all.length.toLocaleString('en')}: ${formatMs(mean)}` : '',
    target: `≤ ${formatMs(OPEN_BREAKER_TARGET_MS)}/call`,
    result: opened && median(after) <= OPEN_BREAKER_TARGET_MS ? 'pass' : 'miss',
  });
  const outcomes = [
    peer.errors > 0 ? `${peer.errors} threw` : '',
    peer.hung > 0 ? `${peer.hung} still pending after ${formatMs(PEER_CALL_CAP_MS)} (left behind)` : '',
  ].filter(Boolean);
  report.add({
    scenario,
    subject: `\`cache-manager\` + Keyv + \`@keyv/redis\` (${peer.latencies.length} calls)`,
    value: peer.hung === peer.latencies.length ? `> ${formatMs(PEER_CALL_CAP_MS)}/call` : `${formatMs(median(peer.latencies))}/call`,
    ratio: `${formatRatio(median(peer.latencies) / mean)} \`@Cached\`'s mean${outcomes.length > 0 ? `; ${outcomes.join(', ')}` : ''}`,
  });
}

/** `--only redis-outage`. */
export const redisOutage: Scenario = {
  id: 'redis-outage',
  needsRedis: true,
  async run(context) {
    const { log, quick } = context;
    const server = await startRedis();
    try {
      log('redis down');
      const down = await connect(server);
      await server.kill();
      const downCached = await down.cached();
      const downPeer = await down.peer(quick ? 2 : 3);
      await server.restart();
      await down.close();
      addRows(context, 'down (killed: connection refused)', downCached, downPeer);

      log('redis hung');
      const hung = await connect(server);
      server.pause();
      const hungCached = await hung.cached();
      const hungPeer = await hung.peer(2);
      server.resume();
      await hung.close();
      addRows(context, 'hung (SIGSTOP)', hungCached, hungPeer);
    } finally {
      server.resume();
      await server.kill();
    }
  },
};

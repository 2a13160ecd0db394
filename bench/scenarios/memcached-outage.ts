/**
 * Memcached down (the port refuses connections) and hung (the server is SIGSTOPped: connections
 * open, nothing answers): the latency of each of 1,000 consecutive `@Cached` calls, before and
 * after the region's circuit breaker opens; cache-manager + Keyv + `@keyv/memcache` over a few
 * calls only (each one pays the full time-outs). Region defaults: `timeoutMs` 500, `retries` 2,
 * breaker after 5 consecutive failures.
 */
import { Injectable } from '@nestjs/common';
import { Cached } from '../../lib/index.js';
import { startMemcached, type MemcachedProcess } from '../../test/support/memcached.js';
import { startBenchApp } from '../harness/bench-app.js';
import { memcachedCacheManager } from '../harness/peers.js';
import { formatMs, formatRatio } from '../harness/report.js';
import type { Scenario, ScenarioContext } from '../harness/scenario.js';
import { median, quantile } from '../harness/stats.js';

const CALLS = 1_000;

@Injectable()
class QuoteService {
  @Cached('fragile')
  async quote(id: number): Promise<{ id: number; price: number }> {
    return { id, price: id * 1.5 };
  }
}

interface Timings {
  /** Per call, ms. */
  latencies: number[];
  /** Per call: whether the breaker was open once the call returned. */
  open: boolean[];
  errors: number;
}

async function timeCachedCalls(server: MemcachedProcess): Promise<Timings & { close(): Promise<void> }> {
  const bench = await startBenchApp(
    { keyPrefix: 'bench-outage', regions: { fragile: { store: 'memcached', servers: [server.address] } } },
    [QuoteService],
  );
  const service = bench.get(QuoteService);
  const region = bench.region('fragile');
  const latencies: number[] = [];
  const open: boolean[] = [];
  for (let i = 0; i < CALLS; i++) {
    const started = performance.now();
    await service.quote(i);
    latencies.push(performance.now() - started);
    open.push(region.stats().breakerOpen);
  }
  return { latencies, open, errors: 0, close: () => bench.close() };
}

async function timeCacheManagerCalls(server: MemcachedProcess, calls: number): Promise<Timings & { close(): Promise<void> }> {
  const { cache, close } = memcachedCacheManager(server.address);
  const latencies: number[] = [];
  let errors = 0;
  for (let i = 0; i < calls; i++) {
    const started = performance.now();
    try {
      await cache.wrap(`quote:${i}`, async () => ({ id: i, price: i * 1.5 }));
    } catch {
      errors++;
    }
    latencies.push(performance.now() - started);
  }
  return { latencies, open: [], errors, close };
}

function addRows({ report }: ScenarioContext, state: string, cached: Timings, peer: Timings): void {
  const scenario = `Memcached ${state}`;
  const before = cached.latencies.filter((_, i) => !cached.open[i]);
  const after = cached.latencies.filter((_, i) => cached.open[i]);
  const mean = cached.latencies.reduce((sum, ms) => sum + ms, 0) / cached.latencies.length;
  report.add({
    scenario,
    subject: `\`@Cached\`: ${before.length} calls until the breaker opened`,
    value: `${formatMs(median(before))}/call`,
    ratio: `max ${formatMs(Math.max(...before))}`,
  });
  report.add({
    scenario,
    subject: `\`@Cached\`: the next ${after.length} calls (breaker open)`,
    value: `${formatMs(median(after))}/call`,
    ratio: `p99 ${formatMs(quantile(after, 0.99))}; mean of all ${CALLS}: ${formatMs(mean)}`,
  });
  const peerMedian = median(peer.latencies);
  report.add({
    scenario,
    subject: `\`cache-manager\` + Keyv + \`@keyv/memcache\` (${peer.latencies.length} calls)`,
    value: `${formatMs(peerMedian)}/call`,
    ratio: `${formatRatio(peerMedian / mean)} \`@Cached\`'s mean${peer.errors > 0 ? `; ${peer.errors} calls threw` : ''}`,
  });
}

/** `--only outage`. */
export const memcachedOutage: Scenario = {
  id: 'outage',
  needsMemcached: true,
  async run(context) {
    const { log, quick } = context;
    const server = await startMemcached();
    try {
      log('memcached down');
      await server.stop();
      const downCached = await timeCachedCalls(server);
      await downCached.close();
      const downPeer = await timeCacheManagerCalls(server, quick ? 2 : 3);
      await downPeer.close();
      addRows(context, 'down (connection refused)', downCached, downPeer);

      log('memcached hung');
      await server.restart();
      server.pause();
      const hungCached = await timeCachedCalls(server);
      const hungPeer = await timeCacheManagerCalls(server, 2);
      server.resume();
      await hungCached.close();
      await hungPeer.close();
      addRows(context, 'hung (SIGSTOP)', hungCached, hungPeer);
    } finally {
      server.resume();
      await server.kill();
    }
  },
};

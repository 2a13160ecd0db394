/**
 * Fills a memory region (or, for reference, a plain `Map`) with small entries in a fresh process
 * and answers its resident memory growth: the region through 1 M `@Cached` misses of
 * `Scores.of(id)` (a number each), the Map through an async memo with the same keys and values.
 */
import { Injectable } from '@nestjs/common';
import { Cached } from '../../lib/index.js';
import { startBenchApp } from '../harness/bench-app.js';
import { serveRequests } from '../harness/children.js';

/** What the child answers. */
export interface RssResult {
  /** Entries held at the end. */
  entries: number;
  /** The region's own estimate of its size (bytes), when it keeps one. */
  estimatedBytes?: number;
  /** RSS and heap growth from before the fill to after it, both after a full GC (bytes). */
  rssGrowth: number;
  heapGrowth: number;
  /** Inserts per second during the fill. */
  insertsPerSecond: number;
}

const gc = (globalThis as { gc?: () => void }).gc;

@Injectable()
class Scores {
  @Cached('small')
  async of(id: number): Promise<number> {
    return id % 1_000;
  }
}

function settled(): { rss: number; heap: number } {
  gc?.();
  gc?.();
  return { rss: process.memoryUsage.rss(), heap: process.memoryUsage().heapUsed };
}

await serveRequests(async (request) => {
  const count = request.entries as number;
  if (request.subject === 'map') {
    // Filled as a hand-written async memo would be, so both sides leave similar garbage behind.
    const map = new Map<string, number>();
    const memo = async (id: number): Promise<number> => {
      const key = `Scores.of|${id}`;
      const hit = map.get(key);
      if (hit !== undefined) return hit;
      const value = await Promise.resolve(id % 1_000);
      map.set(key, value);
      return value;
    };
    const before = settled();
    const started = performance.now();
    for (let id = 0; id < count; id++) await memo(id);
    const seconds = (performance.now() - started) / 1_000;
    const after = settled();
    return {
      entries: map.size,
      rssGrowth: after.rss - before.rss,
      heapGrowth: after.heap - before.heap,
      insertsPerSecond: count / seconds,
    } satisfies RssResult;
  }
  const maxBytes = request.maxBytes as number | undefined;
  const bench = await startBenchApp(
    { regions: { small: { store: 'memory', maxEntries: count, ...(maxBytes === undefined ? {} : { maxBytes }) } } },
    [Scores],
  );
  const scores = bench.get(Scores);
  const before = settled();
  const started = performance.now();
  for (let id = 0; id < count; id++) await scores.of(id);
  const seconds = (performance.now() - started) / 1_000;
  const after = settled();
  const info = bench.region('small').stats().storeInfo ?? {};
  await bench.close();
  return {
    entries: Number(info.entries),
    ...(info.bytes === undefined ? {} : { estimatedBytes: Number(info.bytes) }),
    rssGrowth: after.rss - before.rss,
    heapGrowth: after.heap - before.heap,
    insertsPerSecond: count / seconds,
  } satisfies RssResult;
});
process.exit(0);

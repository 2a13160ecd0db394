/**
 * Memory: resident memory of a memory region holding 1 M small entries (`maxBytes: 64 MiB`,
 * `maxEntries: 1 M`), filled through `@Cached`, against a plain `Map` of the same keys and values.
 * Each is measured in a fresh child process, from a collected heap to a collected heap.
 */
import { startChild } from '../harness/children.js';
import { formatRate, formatRatio } from '../harness/report.js';
import type { Scenario } from '../harness/scenario.js';
import type { RssResult } from '../children/memory-rss.child.js';

const MiB = 1024 * 1024;

async function measure(request: object): Promise<RssResult> {
  const child = startChild('memory-rss.child.ts', {}, ['--expose-gc']);
  try {
    const result = await child.request<RssResult & { error?: string }>(request);
    if (result.error) throw new Error(`memory-rss child failed: ${result.error}`);
    return result;
  } finally {
    await child.close();
  }
}

/** `--only memory-rss`. */
export const memoryRss: Scenario = {
  id: 'memory-rss',
  async run({ report, quick, log }) {
    log('memory region RSS');
    const entries = quick ? 200_000 : 1_000_000;
    const maxBytes = 64 * MiB;
    const region = await measure({ subject: 'region', entries, maxBytes });
    const map = await measure({ subject: 'map', entries });
    const mib = (bytes: number) => `${(bytes / MiB).toFixed(1)} MiB`;
    const scenario = `Memory region, ${entries.toLocaleString('en')} small entries`;
    report.add({
      scenario,
      subject: '`@Cached` memory region, `maxBytes` 64 MiB: RSS growth',
      value: mib(region.rssGrowth),
      ratio:
        `${formatRatio(region.rssGrowth / map.rssGrowth)} Map; ${region.entries.toLocaleString('en')} held, ` +
        `estimated ${mib(region.estimatedBytes ?? 0)}, heap +${mib(region.heapGrowth)}; ` +
        `filled at ${formatRate(region.insertsPerSecond, 'misses/s')}`,
    });
    report.add({
      scenario,
      subject: 'async memo on a plain `Map`, same keys and values: RSS growth',
      value: mib(map.rssGrowth),
      ratio: `1.00× (baseline); heap +${mib(map.heapGrowth)}`,
    });
  },
};

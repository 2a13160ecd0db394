/**
 * Memory: resident memory of a memory region holding 1 M small entries, filled through `@Cached`,
 * against a plain `Map` of the same keys and values. The region holds every entry: once bounded
 * by `maxEntries` only, once also by a `maxBytes` large enough for all of them (which adds the
 * size bookkeeping). Each is measured in a fresh child process, from a collected heap to a
 * collected heap.
 */
import { startChild } from '../harness/children.js';
import { atLeast, formatRate, formatRatio } from '../harness/report.js';
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
    // Room for every entry (about 250 estimated bytes each), so both regions hold as many as the Map.
    const maxBytes = 512 * MiB;
    const region = await measure({ subject: 'region', entries });
    const sized = await measure({ subject: 'region', entries, maxBytes });
    const map = await measure({ subject: 'map', entries });
    const mib = (bytes: number) => `${(bytes / MiB).toFixed(1)} MiB`;
    const scenario = `Memory region, ${entries.toLocaleString('en')} small entries`;
    const regionRow = (result: RssResult, subject: string) => {
      const vsMap = result.rssGrowth / map.rssGrowth;
      report.add({
        scenario,
        subject,
        value: mib(result.rssGrowth),
        ratio:
          `${formatRatio(vsMap)} Map; ${result.entries.toLocaleString('en')} held, ` +
          `${result.estimatedBytes === undefined ? '' : `estimated ${mib(result.estimatedBytes)}, `}heap +${mib(result.heapGrowth)}; ` +
          `filled at ${formatRate(result.insertsPerSecond, 'misses/s')}`,
        target: '≤ 1.3× Map',
        result: atLeast(1.3, vsMap),
      });
    };
    regionRow(region, '`@Cached` memory region, `maxEntries` 1 M: RSS growth');
    regionRow(sized, '`@Cached` memory region, `maxEntries` 1 M, `maxBytes` 512 MiB: RSS growth');
    report.add({
      scenario,
      subject: 'async memo on a plain `Map`, same keys and values: RSS growth',
      value: mib(map.rssGrowth),
      ratio: `1.00× (baseline); heap +${mib(map.heapGrowth)}`,
    });
  },
};

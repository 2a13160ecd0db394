/**
 * Miss path: what a caller waits for when its key is not cached — read, compute, store. The
 * method computes a 200-byte record at once, so a row is the cache's own cost of a miss; each
 * call has fresh arguments. Since write-through, a miss resolves once its entry is stored (the
 * price of "the next reader in any process finds it"); the uncached method is the baseline.
 */
import { Injectable } from '@nestjs/common';
import { Cached } from '../../lib/index.js';
import { makeTempDir } from '../../test/support/file-test-dirs.js';
import { startBenchApp } from '../harness/bench-app.js';
import { profile } from '../harness/fixtures.js';
import { formatRate, summarize } from '../harness/report.js';
import { memcachedOf, type Scenario } from '../harness/scenario.js';
import { median } from '../harness/stats.js';
import { compareThroughput, type Subject } from '../harness/throughput.js';

async function loadProfile(id: number): Promise<Record<string, unknown>> {
  return profile(id);
}

@Injectable()
class MemoryProfiles {
  @Cached('memory')
  async profile(id: number): Promise<Record<string, unknown>> {
    return loadProfile(id);
  }
}

@Injectable()
class MemcachedProfiles {
  @Cached('memcached')
  async profile(id: number): Promise<Record<string, unknown>> {
    return loadProfile(id);
  }
}

@Injectable()
class FileProfiles {
  @Cached('file')
  async profile(id: number): Promise<Record<string, unknown>> {
    return loadProfile(id);
  }
}

/** `--only miss-path`. */
export const missPath: Scenario = {
  id: 'miss-path',
  needsMemcached: true,
  async run(context) {
    const { report, quick, log } = context;
    log('miss path (read, compute, store)');
    const dir = await makeTempDir('bench-miss');
    const bench = await startBenchApp(
      {
        // Every run of the bench starts with empty regions: no key of an earlier run is a hit.
        keyPrefix: `miss${Date.now().toString(36)}`,
        regions: {
          memory: { store: 'memory', maxEntries: 100_000, ttl: 3_600 },
          memcached: { store: 'memcached', servers: [memcachedOf(context).address], ttl: 3_600 },
          file: { store: 'file', dir: dir.path, ttl: 3_600, maxBytes: 256 * 1024 * 1024 },
        },
      },
      [MemoryProfiles, MemcachedProfiles, FileProfiles],
    );
    // Fresh arguments for every call of every subject: each call is a miss.
    let next = 0;
    const subjects: Subject[] = [
      { name: 'uncached', op: () => loadProfile(++next) },
      { name: 'memory', op: () => bench.get(MemoryProfiles).profile(++next) },
      { name: 'memcached', op: () => bench.get(MemcachedProfiles).profile(++next) },
      { name: 'file', op: () => bench.get(FileProfiles).profile(++next) },
    ];
    try {
      const result = await compareThroughput(subjects, {
        durationMs: quick ? 100 : 200,
        rounds: quick ? 3 : 7,
        warmupRounds: 1,
      });
      const scenario = 'Miss (compute + store), 1 caller';
      const row = (name: string, subject: string) => {
        const perCallUs = result.samples.get(name)!.map((opsPerSecond) => 1e6 / opsPerSecond);
        report.add({
          scenario,
          subject,
          ...summarize(result.samples.get(name)!, formatRate),
          // A miss costs a hundred times an uncached call or more: the time per call says more than a ratio.
          ratio: `${median(perCallUs).toFixed(1)} µs/call`,
        });
      };
      row('uncached', 'the method itself, uncached');
      row('memory', '`@Cached` miss, memory region');
      row('memcached', '`@Cached` miss, memcached region (resolves once stored)');
      row('file', '`@Cached` miss, file region (resolves once stored)');
    } finally {
      await bench.close();
      await dir.remove();
    }
  },
};

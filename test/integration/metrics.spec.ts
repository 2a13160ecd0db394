/**
 * The metrics sink: what regions report (matching stats()), the Prometheus adapter's output
 * format, the `metrics` option's validation, and no clock read on a hit without a sink.
 */
import { Injectable } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Counter, Registry } from 'prom-client';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  Cached,
  CacheConfigError,
  CacheRegions,
  CacheRegionsModule,
  CacheStoreError,
  type CacheMetricsSink,
  type CacheOperation,
} from '../../lib/index.js';
import { DEFAULT_LATENCY_BUCKETS, PrometheusCacheMetrics } from '../../lib/observability/prometheus/index.js';
import { describeMemcached, useMemcached } from '../support/memcached.js';
import { makeTempDir } from '../support/file-test-dirs.js';
import { closeRegionsApps, createRegionsApp } from '../support/regions-app.js';

/** Counts each call by `kind region operation`; keeps every latency. */
class RecordingSink implements CacheMetricsSink {
  readonly counts = new Map<string, number>();
  readonly latencies: Array<{ region: string; operation: CacheOperation; ms: number }> = [];

  protected count(kind: string, region: string, operation: CacheOperation): void {
    const key = `${kind} ${region} ${operation}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }
  hit(region: string, operation: CacheOperation): void {
    this.count('hit', region, operation);
  }
  miss(region: string, operation: CacheOperation): void {
    this.count('miss', region, operation);
  }
  stale(region: string, operation: CacheOperation): void {
    this.count('stale', region, operation);
  }
  error(region: string, operation: CacheOperation): void {
    this.count('error', region, operation);
  }
  latency(region: string, operation: CacheOperation, ms: number): void {
    this.latencies.push({ region, operation, ms });
  }
  /** Latencies recorded per operation of `region`. */
  timed(region: string): Record<string, number> {
    const byOperation: Record<string, number> = {};
    for (const sample of this.latencies.filter((s) => s.region === region)) {
      byOperation[sample.operation] = (byOperation[sample.operation] ?? 0) + 1;
    }
    return byOperation;
  }
}

/** A sink with the optional methods too. */
class FullRecordingSink extends RecordingSink implements Required<CacheMetricsSink> {
  coalesced(region: string, operation: CacheOperation): void {
    this.count('coalesced', region, operation);
  }
  bypassed(region: string, operation: CacheOperation): void {
    this.count('bypassed', region, operation);
  }
  oversize(region: string, operation: CacheOperation): void {
    this.count('oversize', region, operation);
  }
}

@Injectable()
class QuoteService {
  runs = 0;
  /** Quotes for id 0 are never cached. */
  @Cached('prices', { condition: (id: number) => id !== 0 })
  async quote(id: number): Promise<number> {
    this.runs++;
    await sleep(5);
    return id + 0.5;
  }
}

@Injectable()
class PriceService {
  runs = 0;
  @Cached('prices')
  async price(id: number): Promise<number> {
    this.runs++;
    await sleep(5);
    return id * 10;
  }
}

const createApp = createRegionsApp;

afterEach(async () => {
  await closeRegionsApps();
  vi.restoreAllMocks();
});

describe('metrics sink', () => {
  it('receives hits, misses and stale reads per region and operation, matching stats()', async () => {
    const sink = new RecordingSink();
    const app = await createApp(
      { metrics: sink, regions: { prices: { store: 'memory' }, notes: { store: 'memory', ttl: '50ms', staleTtl: '1h' } } },
      [PriceService],
    );
    const prices = app.get(PriceService);
    const regions = app.get(CacheRegions);

    await Promise.all(Array.from({ length: 12 }, (_, i) => prices.price(i % 4))); // 4 misses, 8 coalesced
    await Promise.all(Array.from({ length: 9 }, (_, i) => prices.price(i % 3))); // 9 hits
    const notes = regions.get('notes');
    // The entry's 50 ms of freshness end when the test moves the clock, not when the machine does.
    vi.useFakeTimers({ toFake: ['Date'] });
    onTestFinished(() => {
      vi.useRealTimers();
    });
    await notes.set('n', 'text');
    await notes.get('n'); // hit
    await notes.get('absent'); // miss
    vi.setSystemTime(Date.now() + 80);
    await notes.get('n'); // stale
    vi.useRealTimers();
    await notes.has('n');
    await notes.delete('n');
    await notes.clear();

    expect(Object.fromEntries(sink.counts)).toEqual({
      'miss prices get': 4,
      'hit prices get': 9,
      'hit notes get': 1,
      'miss notes get': 1,
      'stale notes get': 1,
    });
    expect(regions.get('prices').stats()).toMatchObject({ hits: 9, misses: 4, coalesced: 8, errors: 0 });
    expect(notes.stats()).toMatchObject({ hits: 1, misses: 1, stale: 1, errors: 0 });

    // Every store call was timed once: reads of waiting callers are not store calls.
    expect(sink.timed('prices')).toEqual({ get: 13, set: 4 });
    expect(sink.timed('notes')).toEqual({ get: 3, set: 1, has: 1, delete: 1, clear: 1 });
    expect(sink.latencies.every((s) => Number.isFinite(s.ms) && s.ms >= 0)).toBe(true);
  });

  it('receives coalesced, bypassed and oversize counts when the sink has those methods, matching stats()', async () => {
    const dir = await makeTempDir('metrics-oversize');
    try {
      const sink = new FullRecordingSink();
      const app = await createApp(
        {
          metrics: sink,
          regions: { prices: { store: 'memory' }, files: { store: 'file', dir: dir.path, maxBytes: 1_000 } },
        },
        [QuoteService],
      );
      const quotes = app.get(QuoteService);
      const regions = app.get(CacheRegions);
      await Promise.all(Array.from({ length: 6 }, () => quotes.quote(7))); // 1 miss, 5 coalesced
      await quotes.quote(0);
      await quotes.quote(0); // 2 bypassed
      await regions.get('files').set('big', Buffer.alloc(5_000)); // over maxBytes: not stored
      await regions.get('files').set('small', Buffer.alloc(10));

      expect(Object.fromEntries(sink.counts)).toEqual({
        'miss prices get': 1,
        'coalesced prices get': 5,
        'bypassed prices get': 2,
        'oversize files set': 1,
      });
      expect(regions.get('prices').stats()).toMatchObject({ misses: 1, coalesced: 5, bypassed: 2 });
      expect(regions.get('files').stats()).toMatchObject({ oversize: 1, sets: 1, errors: 0 });
      expect(quotes.runs).toBe(3);
    } finally {
      await closeRegionsApps();
      await dir.remove();
    }
  });

  it('keeps caching when an optional method throws', async () => {
    const sink = new FullRecordingSink();
    sink.coalesced = () => {
      throw new Error('broken adapter');
    };
    const app = await createApp({ metrics: sink, regions: { prices: { store: 'memory' } } }, [QuoteService]);
    const quotes = app.get(QuoteService);
    expect(await Promise.all([quotes.quote(3), quotes.quote(3)])).toEqual([3.5, 3.5]);
    expect(quotes.runs).toBe(1);
    expect(app.get(CacheRegions).get('prices').stats()).toMatchObject({ misses: 1, coalesced: 1 });
  });

  it('is taken from forRootAsync factories too', async () => {
    const sink = new RecordingSink();
    const app = await Test.createTestingModule({
      imports: [
        CacheRegionsModule.forRootAsync({
          regions: ['prices'],
          useFactory: async () => ({ metrics: sink, regions: { prices: { store: 'memory' } } }),
        }),
      ],
    }).compile();
    await app.init();
    const region = app.get(CacheRegions).get('prices');
    await region.get('a');
    await region.set('a', 1);
    await region.get('a');
    await app.close();
    expect(Object.fromEntries(sink.counts)).toEqual({ 'miss prices get': 1, 'hit prices get': 1 });
  });

  it('does not read the clock on a hit without a sink, and does with one', async () => {
    const bare = (await createApp({ regions: { prices: { store: 'memory' } } })).get(CacheRegions).get('prices');
    const watched = (await createApp({ metrics: new RecordingSink(), regions: { prices: { store: 'memory' } } }))
      .get(CacheRegions)
      .get('prices');
    await bare.getOrSet('k', () => 1);
    await watched.getOrSet('k', () => 1);

    const now = vi.spyOn(performance, 'now');
    for (let i = 0; i < 1_000; i++) await bare.getOrSet('k', () => 2);
    expect(now).not.toHaveBeenCalled();
    for (let i = 0; i < 10; i++) await watched.getOrSet('k', () => 2);
    expect(now.mock.calls.length).toBeGreaterThanOrEqual(20); // start and end of each store read
  });

  it('keeps caching when the sink throws', async () => {
    const sink = new RecordingSink();
    sink.hit = () => {
      throw new Error('label clash');
    };
    const app = await createApp({ metrics: sink, regions: { prices: { store: 'memory' } } }, [PriceService]);
    const prices = app.get(PriceService);
    expect(await prices.price(2)).toBe(20);
    expect(await prices.price(2)).toBe(20);
    expect(prices.runs).toBe(1);
    expect(app.get(CacheRegions).get('prices').stats()).toMatchObject({ hits: 1, misses: 1 });
  });

  it.each([
    [{}, 'hit, miss, stale, error, latency are missing'],
    [{ hit() {}, miss() {}, stale() {}, error() {} }, 'latency is missing'],
    [42, 'hit, miss, stale, error, latency are missing'],
  ])('refuses an invalid metrics option (%j) at bootstrap', async (metrics, missing) => {
    const compiling = Test.createTestingModule({
      imports: [CacheRegionsModule.forRoot({ metrics: metrics as never, regions: { a: {} } })],
    }).compile();
    await expect(compiling).rejects.toThrow(CacheConfigError);
    await expect(compiling).rejects.toThrow(`Invalid option "metrics" in CacheRegionsModule options: expected a CacheMetricsSink (an object with hit, miss, stale, error, latency methods), but ${missing}.`);
  });
});

describeMemcached('metrics sink with a failing store', () => {
  const memcached = useMemcached({ perTest: true });

  it('reports each failed store call as an error of its operation, and times it', async () => {
    const sink = new RecordingSink();
    const app = await createApp({
      metrics: sink,
      regions: {
        remote: { store: 'memcached', servers: [memcached().address], timeoutMs: 200, retries: 1, breakerThreshold: 100 },
      },
    });
    const region = app.get(CacheRegions).get('remote');
    await region.set('k', 1);
    expect(await region.get('k')).toBe(1);
    await memcached().kill();

    for (let i = 0; i < 5; i++) expect(await region.get(`k${i}`)).toBeUndefined();
    await region.set('k', 2);
    // An invalidation that could not be applied rejects, failOpen or not.
    await expect(region.delete('k')).rejects.toBeInstanceOf(CacheStoreError);

    expect(Object.fromEntries(sink.counts)).toEqual({
      'hit remote get': 1,
      'miss remote get': 5,
      'error remote get': 5,
      'error remote set': 1,
      'error remote delete': 1,
    });
    expect(region.stats()).toMatchObject({ hits: 1, misses: 5, errors: 7 });
    expect(sink.timed('remote')).toEqual({ get: 6, set: 2, delete: 1 });
  });
});

describe('PrometheusCacheMetrics', () => {
  it('exposes counters and a latency histogram labelled by region and operation, in Prometheus text format', async () => {
    const registry = new Registry();
    const app = await createApp(
      { metrics: new PrometheusCacheMetrics({ registry }), regions: { prices: { store: 'memory' }, other: { store: 'memory' } } },
      [PriceService],
    );
    const prices = app.get(PriceService);
    for (const id of [1, 2, 3]) await prices.price(id); // 3 misses
    for (const id of [1, 1, 2, 3, 3]) await prices.price(id); // 5 hits
    await app.get(CacheRegions).get('other').get('absent'); // 1 miss

    const text = await registry.metrics();
    const lines = text.split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        '# HELP cache_regions_hits_total Cache reads answered with a fresh cached value.',
        '# TYPE cache_regions_hits_total counter',
        'cache_regions_hits_total{region="prices",operation="get"} 5',
        '# TYPE cache_regions_misses_total counter',
        'cache_regions_misses_total{region="prices",operation="get"} 3',
        'cache_regions_misses_total{region="other",operation="get"} 1',
        '# TYPE cache_regions_stale_total counter',
        '# TYPE cache_regions_errors_total counter',
        '# TYPE cache_regions_store_duration_seconds histogram',
        'cache_regions_store_duration_seconds_count{region="prices",operation="get"} 8',
        'cache_regions_store_duration_seconds_count{region="prices",operation="set"} 3',
        'cache_regions_store_duration_seconds_bucket{le="+Inf",region="prices",operation="get"} 8',
        'cache_regions_store_duration_seconds_count{region="other",operation="get"} 1',
      ]),
    );
    // One bucket line per default bound plus +Inf, cumulative, and a sum in seconds.
    const buckets = lines.filter(
      (line) => line.startsWith('cache_regions_store_duration_seconds_bucket{') && line.includes('region="prices",operation="get"'),
    );
    expect(buckets).toHaveLength(DEFAULT_LATENCY_BUCKETS.length + 1);
    const counts = buckets.map((line) => Number(line.split(' ').pop()));
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    const sum = lines.find((line) => line.startsWith('cache_regions_store_duration_seconds_sum{region="prices",operation="get"}'));
    expect(Number(sum!.split(' ').pop())).toBeGreaterThanOrEqual(0);
    expect(Number(sum!.split(' ').pop())).toBeLessThan(1); // memory reads, in seconds rather than ms
    expect(text).not.toContain('cache_regions_errors_total{');
  });

  it('counts coalesced and bypassed calls and oversize values', async () => {
    const dir = await makeTempDir('metrics-prometheus');
    try {
      const registry = new Registry();
      const app = await createApp(
        {
          metrics: new PrometheusCacheMetrics({ registry }),
          regions: { prices: { store: 'memory' }, files: { store: 'file', dir: dir.path, maxBytes: 1_000 } },
        },
        [QuoteService],
      );
      const quotes = app.get(QuoteService);
      await Promise.all([quotes.quote(1), quotes.quote(1), quotes.quote(1)]);
      await quotes.quote(0);
      await app.get(CacheRegions).get('files').set('big', Buffer.alloc(2_000));

      const lines = (await registry.metrics()).split('\n');
      expect(lines).toEqual(
        expect.arrayContaining([
          "# HELP cache_regions_coalesced_total Calls answered with another caller's computation of the same key instead of their own.",
          '# TYPE cache_regions_coalesced_total counter',
          'cache_regions_coalesced_total{region="prices",operation="get"} 2',
          '# TYPE cache_regions_bypassed_total counter',
          'cache_regions_bypassed_total{region="prices",operation="get"} 1',
          '# TYPE cache_regions_oversize_total counter',
          'cache_regions_oversize_total{region="files",operation="set"} 1',
        ]),
      );
    } finally {
      await closeRegionsApps();
      await dir.remove();
    }
  });

  it('takes a prefix and buckets, and shares its metrics with a second instance on the same registry', async () => {
    const registry = new Registry();
    const first = new PrometheusCacheMetrics({ registry, prefix: 'app_cache_', buckets: [0.001, 0.1] });
    const second = new PrometheusCacheMetrics({ registry, prefix: 'app_cache_', buckets: [0.001, 0.1] });
    first.hit('a', 'get');
    second.hit('a', 'get');
    second.error('a', 'set');
    first.latency('a', 'get', 0.5);
    first.latency('a', 'get', 50);
    first.latency('a', 'get', 5_000);
    const lines = (await registry.metrics()).split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        'app_cache_hits_total{region="a",operation="get"} 2',
        'app_cache_errors_total{region="a",operation="set"} 1',
        'app_cache_store_duration_seconds_bucket{le="0.001",region="a",operation="get"} 1',
        'app_cache_store_duration_seconds_bucket{le="0.1",region="a",operation="get"} 2',
        'app_cache_store_duration_seconds_bucket{le="+Inf",region="a",operation="get"} 3',
        'app_cache_store_duration_seconds_sum{region="a",operation="get"} 5.0505',
        'app_cache_store_duration_seconds_count{region="a",operation="get"} 3',
      ]),
    );
  });

  it('uses prom-client\'s global registry by default', () => {
    const metrics = new PrometheusCacheMetrics({ prefix: 'ncr_default_registry_test_' });
    try {
      expect(metrics.registry.getSingleMetric('ncr_default_registry_test_hits_total')).toBeDefined();
    } finally {
      metrics.registry.removeSingleMetric('ncr_default_registry_test_hits_total');
      for (const name of ['misses_total', 'stale_total', 'errors_total', 'store_duration_seconds']) {
        metrics.registry.removeSingleMetric(`ncr_default_registry_test_${name}`);
      }
    }
  });

  it('refuses a registry where its name is taken by another kind of metric', () => {
    const registry = new Registry();
    new Counter({ name: 'cache_regions_store_duration_seconds', help: 'not a histogram', registers: [registry] });
    expect(() => new PrometheusCacheMetrics({ registry })).toThrow(
      'PrometheusCacheMetrics: the registry already has a metric "cache_regions_store_duration_seconds" that is not a histogram. Give PrometheusCacheMetrics another "prefix" or its own registry.',
    );
  });
});

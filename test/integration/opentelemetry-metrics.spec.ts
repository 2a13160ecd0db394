/**
 * The OpenTelemetry adapter of the metrics sink, read back through the OpenTelemetry SDK's own
 * metric reader: the same counts as stats() and the Prometheus adapter, under the app's meter.
 */
import { Injectable } from '@nestjs/common';
import { metrics } from '@opentelemetry/api';
import { DataPointType, MeterProvider, MetricReader, type HistogramMetricData, type MetricData } from '@opentelemetry/sdk-metrics';
import { setTimeout as sleep } from 'node:timers/promises';
import { Cached, CacheRegions } from '../../lib/index.js';
import { DEFAULT_LATENCY_BUCKETS, OpenTelemetryCacheMetrics } from '../../lib/observability/opentelemetry/index.js';
import { makeTempDir } from '../support/file-test-dirs.js';
import { closeRegionsApps, createRegionsApp } from '../support/regions-app.js';

/** A pull reader: collect() reads every instrument now. */
class ReaderForTests extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

/** A data point's value by `name region operation` (histograms: their count), and the histograms. */
async function collect(reader: ReaderForTests): Promise<{ values: Map<string, number>; metrics: MetricData[] }> {
  const { resourceMetrics, errors } = await reader.collect();
  expect(errors).toEqual([]);
  const all = resourceMetrics.scopeMetrics.flatMap((scope) => {
    expect(scope.scope.name).toBe('nest-cache-regions');
    return scope.metrics;
  });
  const values = new Map<string, number>();
  for (const metric of all) {
    for (const point of metric.dataPoints) {
      const key = `${metric.descriptor.name} ${String(point.attributes.region)} ${String(point.attributes.operation)}`;
      values.set(key, typeof point.value === 'number' ? point.value : (point.value as { count: number }).count);
    }
  }
  return { values, metrics: all };
}

@Injectable()
class PriceService {
  runs = 0;
  /** Prices of id 0 are never cached. */
  @Cached('prices', { condition: (id: number) => id !== 0 })
  async price(id: number): Promise<number> {
    this.runs++;
    await sleep(5);
    return id * 10;
  }
}

let provider: MeterProvider;
let reader: ReaderForTests;

beforeEach(() => {
  reader = new ReaderForTests();
  provider = new MeterProvider({ readers: [reader] });
});

afterEach(async () => {
  await closeRegionsApps();
  metrics.disable();
  await provider.shutdown();
});

describe('OpenTelemetryCacheMetrics', () => {
  it('records counters and a latency histogram by region and operation, matching stats()', async () => {
    const dir = await makeTempDir('metrics-otel');
    try {
      const app = await createRegionsApp(
        {
          metrics: new OpenTelemetryCacheMetrics({ meterProvider: provider }),
          regions: { prices: { store: 'memory' }, other: { store: 'memory' }, files: { store: 'file', dir: dir.path, maxBytes: 1_000 } },
        },
        [PriceService],
      );
      const prices = app.get(PriceService);
      for (const id of [1, 2, 3]) await prices.price(id); // 3 misses
      for (const id of [1, 1, 2, 3, 3]) await prices.price(id); // 5 hits
      await Promise.all([prices.price(4), prices.price(4), prices.price(4)]); // 1 miss, 2 coalesced
      await prices.price(0); // bypassed
      const regions = app.get(CacheRegions);
      await regions.get('other').get('absent'); // 1 miss
      await regions.get('files').set('big', Buffer.alloc(2_000)); // oversize

      const { values, metrics: all } = await collect(reader);
      const stats = regions.get('prices').stats();
      expect(values.get('cache_regions.hits prices get')).toBe(stats.hits);
      expect(stats.hits).toBe(5);
      expect(values.get('cache_regions.misses prices get')).toBe(stats.misses);
      expect(stats.misses).toBe(4);
      expect(values.get('cache_regions.misses other get')).toBe(1);
      expect(values.get('cache_regions.coalesced prices get')).toBe(2);
      expect(values.get('cache_regions.bypassed prices get')).toBe(1);
      expect(values.get('cache_regions.oversize files set')).toBe(1);
      expect([...values.keys()].filter((key) => key.startsWith('cache_regions.errors'))).toEqual([]);
      // One latency per store call: 9 reads and 4 writes of prices.
      expect(values.get('cache_regions.store.duration prices get')).toBe(9);
      expect(values.get('cache_regions.store.duration prices set')).toBe(4);

      const histogram = all.find((metric) => metric.descriptor.name === 'cache_regions.store.duration') as HistogramMetricData;
      expect(histogram.dataPointType).toBe(DataPointType.HISTOGRAM);
      expect(histogram.descriptor.unit).toBe('s');
      const point = histogram.dataPoints.find((p) => p.attributes.region === 'prices' && p.attributes.operation === 'get')!;
      expect(point.value.buckets.boundaries).toEqual(DEFAULT_LATENCY_BUCKETS);
      expect(point.value.sum).toBeGreaterThanOrEqual(0);
      expect(point.value.sum).toBeLessThan(1); // memory reads, in seconds rather than ms
      const hits = all.find((metric) => metric.descriptor.name === 'cache_regions.hits')!;
      expect(hits.descriptor.description).toBe('Cache reads answered with a fresh cached value.');
    } finally {
      await dir.remove();
    }
  });

  it("uses the app's global meter provider by default, and takes a prefix and buckets", async () => {
    metrics.setGlobalMeterProvider(provider);
    const sink = new OpenTelemetryCacheMetrics({ prefix: 'app.cache.', buckets: [0.001, 0.1] });
    sink.hit('a', 'get');
    sink.hit('a', 'get');
    sink.error('b', 'set');
    sink.latency('a', 'get', 50);
    const { values, metrics: all } = await collect(reader);
    expect(values.get('app.cache.hits a get')).toBe(2);
    expect(values.get('app.cache.errors b set')).toBe(1);
    const histogram = all.find((metric) => metric.descriptor.name === 'app.cache.store.duration') as HistogramMetricData;
    expect(histogram.dataPoints[0].value.buckets).toEqual({ boundaries: [0.001, 0.1], counts: [0, 1, 0] });
  });

  it('takes a meter', async () => {
    const sink = new OpenTelemetryCacheMetrics({ meter: provider.getMeter('nest-cache-regions') });
    sink.stale('a', 'get');
    expect((await collect(reader)).values.get('cache_regions.stale a get')).toBe(1);
  });
});

/**
 * The memory store's short hit path (`peekFresh`, no entry built) counts, reports and expires
 * exactly as the full read does: each scenario runs on two twin regions, one whose store peeks
 * and one whose store overrides `get` (so every read takes the full path), and their answers,
 * `stats()` and metrics sink calls must agree step by step.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { CacheRegions, type CacheMetricsSink, type CacheOperation, type CacheRegion } from '../../lib/index.js';
import type { RegionOptions } from '../../lib/cache-regions.options.js';
import type { StoreEntry } from '../../lib/stores/cache-store.js';
import { MemoryStore, type MemoryStoreOptions } from '../../lib/stores/memory.store.js';
import { closeRegionsApps, createRegionsApp } from '../support/regions-app.js';

/** Overrides `get` (and `set`), so it never peeks: every read takes the full path. Fails on demand. */
class ReadingStore extends MemoryStore {
  failing = false;
  override get(key: string) {
    if (this.failing) throw new Error('backend down');
    return super.get(key);
  }
  override set(key: string, entry: StoreEntry) {
    if (this.failing) throw new Error('backend down');
    super.set(key, entry);
  }
}

/** Peeks (and counts it): the short path. Fails on demand. */
class PeekingStore extends ReadingStore {
  peeked = 0;
  override peekFresh(key: string): unknown {
    this.peeked++;
    if (this.failing) throw new Error('backend down');
    return super.peekFresh(key);
  }
}

/** Every sink call of each region, in order; latencies by operation only (their times differ). */
class TranscriptSink implements Required<CacheMetricsSink> {
  readonly calls = new Map<string, string[]>();
  private note(region: string, call: string): void {
    const calls = this.calls.get(region) ?? [];
    calls.push(call);
    this.calls.set(region, calls);
  }
  hit(region: string, operation: CacheOperation): void {
    this.note(region, `hit ${operation}`);
  }
  miss(region: string, operation: CacheOperation): void {
    this.note(region, `miss ${operation}`);
  }
  stale(region: string, operation: CacheOperation): void {
    this.note(region, `stale ${operation}`);
  }
  error(region: string, operation: CacheOperation): void {
    this.note(region, `error ${operation}`);
  }
  latency(region: string, operation: CacheOperation): void {
    this.note(region, `latency ${operation}`);
  }
  coalesced(region: string, operation: CacheOperation): void {
    this.note(region, `coalesced ${operation}`);
  }
  bypassed(region: string, operation: CacheOperation): void {
    this.note(region, `bypassed ${operation}`);
  }
  oversize(region: string, operation: CacheOperation): void {
    this.note(region, `oversize ${operation}`);
  }
}

type Twin = { region: CacheRegion; store: PeekingStore | ReadingStore };
type Step = (twin: Twin, log: unknown[]) => Promise<void>;

const STORE: MemoryStoreOptions = { maxEntries: 100, clone: false };

/**
 * Runs `steps` on both twins, one step at a time on each in turn (the fake clock moves between
 * steps only), and returns what each logged, its `stats()` after every step and its sink calls.
 */
async function runTwins(
  options: Omit<RegionOptions, 'store'>,
  steps: Step[],
  storeOptions: MemoryStoreOptions = STORE,
): Promise<{ fast: unknown[]; full: unknown[]; peeked: number; sink: TranscriptSink }> {
  const sink = new TranscriptSink();
  const fastStore = new PeekingStore(storeOptions);
  const fullStore = new ReadingStore(storeOptions);
  const app = await createRegionsApp({
    metrics: sink,
    regions: { fast: { ...options, store: fastStore }, full: { ...options, store: fullStore } },
  });
  const regions = app.get(CacheRegions);
  const twins = { fast: { region: regions.get('fast'), store: fastStore }, full: { region: regions.get('full'), store: fullStore } };
  const logs = { fast: [] as unknown[], full: [] as unknown[] };
  for (const step of steps) {
    for (const name of ['fast', 'full'] as const) {
      await step(twins[name], logs[name]);
      // Background refreshes of stale entries end within a few turns of the event loop.
      await sleep(5);
      logs[name].push(twins[name].region.stats());
    }
  }
  return { fast: logs.fast, full: logs.full, peeked: fastStore.peeked, sink };
}

const getOrSet =
  (key: string, value: unknown): Step =>
  async ({ region }, log) => {
    log.push(await region.getOrSet(key, () => value));
  };

/** Moves the fake clock to `ms` after the scenario's start (once, before the fast twin's turn). */
function at(start: { t0: number }, ms: number): Step {
  return async ({ region }) => {
    if (region.name === 'fast') vi.setSystemTime(start.t0 + ms);
  };
}

function expectTwinsAgree(result: Awaited<ReturnType<typeof runTwins>>): void {
  expect(result.fast).toEqual(result.full);
  expect(result.sink.calls.get('fast')).toEqual(result.sink.calls.get('full'));
  expect(result.peeked).toBeGreaterThan(0);
}

describe('the memory hit path (peekFresh) against the full read', () => {
  const start = { t0: 0 };

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    start.t0 = Date.now();
  });
  afterEach(async () => {
    vi.useRealTimers();
    await closeRegionsApps();
  });

  it('counts hits and misses alike, falsy values included, and expires to the millisecond', async () => {
    const result = await runTwins({ ttl: 1 }, [
      getOrSet('a', 'A1'),
      getOrSet('a', 'A2'),
      ...[0, null, false, ''].flatMap((value, i) => [getOrSet(`falsy${i}`, value), getOrSet(`falsy${i}`, 'other')]),
      at(start, 999),
      getOrSet('a', 'A3'),
      at(start, 1_000),
      getOrSet('a', 'A4'),
      getOrSet('a', 'A5'),
    ]);
    expectTwinsAgree(result);
    expect(result.fast.filter((entry) => typeof entry !== 'object' || entry === null)).toEqual([
      'A1', 'A1', 0, 0, null, null, false, false, '', '', 'A1', 'A4', 'A4',
    ]);
    expect(result.fast.at(-1)).toMatchObject({ hits: 7, misses: 6, errors: 0 });
  });

  it('serves a stale entry and refreshes it alike (staleTtl)', async () => {
    const result = await runTwins({ ttl: 1, staleTtl: 10 }, [
      getOrSet('s', 'S1'),
      at(start, 999),
      getOrSet('s', 'S2'),
      at(start, 1_000),
      getOrSet('s', 'S3'),
      getOrSet('s', 'S4'),
      at(start, 12_000),
      getOrSet('s', 'S5'),
    ]);
    expectTwinsAgree(result);
    expect(result.fast.filter((entry) => typeof entry === 'string')).toEqual(['S1', 'S1', 'S1', 'S3', 'S5']);
    expect(result.fast.at(-1)).toMatchObject({ hits: 2, stale: 1, misses: 2 });
  });

  it('keeps entries without ttl, and clones them alike', async () => {
    const value = { n: 1 };
    const result = await runTwins(
      {},
      [
        getOrSet('e', value),
        async ({ region }, log) => {
          const got = (await region.getOrSet<unknown>('e', () => 'other')) as { n: number };
          log.push(got !== value, got);
          got.n = 2;
        },
        at(start, 365 * 86_400_000),
        getOrSet('e', 'other'),
      ],
      { maxEntries: 100, clone: true },
    );
    expectTwinsAgree(result);
    expect(result.fast.at(-2)).toEqual({ n: 1 });
    expect(result.fast.at(-1)).toMatchObject({ hits: 2, misses: 1 });
  });

  it('counts store failures, opens and closes the breaker alike', async () => {
    const failing =
      (on: boolean): Step =>
      async ({ store }) => {
        store.failing = on;
      };
    const result = await runTwins({ ttl: 60, breakerThreshold: 2, breakerCooldownMs: 1_000 }, [
      getOrSet('b', 'B1'),
      getOrSet('b', 'B2'),
      failing(true),
      getOrSet('b', 'B3'),
      getOrSet('b', 'B4'),
      failing(false),
      // Open: the store is not called, the call is a miss.
      getOrSet('b', 'B5'),
      at(start, 1_000),
      // The probe after the cool-down reads the store and closes the breaker.
      getOrSet('b', 'B6'),
      getOrSet('b', 'B7'),
    ]);
    expectTwinsAgree(result);
    // The failed read and write of B3 open the breaker; B1 stays stored and the probe finds it.
    expect(result.fast.filter((entry) => typeof entry === 'string')).toEqual(['B1', 'B1', 'B3', 'B4', 'B5', 'B1', 'B1']);
    const stats = result.fast.filter((entry) => typeof entry === 'object');
    expect(stats[6]).toMatchObject({ breakerOpen: true, breakerOpened: 1, errors: 2, misses: 4 });
    expect(stats.at(-1)).toMatchObject({ hits: 3, misses: 4, errors: 2, breakerOpen: false, breakerOpened: 1 });
  });
});

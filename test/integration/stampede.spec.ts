// Stampede protection in one process: single flight for @Cached and getOrSet, errors shared by
// every waiter, stale-while-revalidate, for memory, memcached and file regions on real backends.
import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { vi, type TestContext } from 'vitest';
import {
  Cached,
  type CacheRegion,
  CacheRegions,
  CacheRegionsModule,
  type CacheStore,
  type RegionOptions,
  type StoreEntry,
} from '../../lib/index.js';
import { MemoryStore } from '../../lib/stores/memory.store.js';
import { makeTempDir } from '../support/file-test-dirs.js';
import { describeMemcached, useMemcached } from '../support/memcached.js';

/** Concurrent callers of one cold key. */
const CALLERS = 1_000;

/** A quote service whose own fields count its runs and decide how it behaves. */
@Injectable()
class QuoteService {
  runs = 0;
  fail = false;
  /** Milliseconds one run takes. */
  delayMs = 50;
  /** When set, runs take until it resolves instead (a test decides when a refresh ends). */
  gate: Promise<void> | undefined;

  @Cached('quotes')
  async quote(symbol: string): Promise<string> {
    const run = ++this.runs;
    await (this.gate ?? sleep(this.delayMs));
    if (this.fail) throw new Error(`upstream down (run ${run})`);
    return `${symbol}#${run}`;
  }
}

@Module({ providers: [QuoteService] })
class QuoteModule {}

/**
 * A fresh app, closed when the test ends (tests may run concurrently); a unique key prefix keeps
 * each test's entries apart on the shared memcached and directory.
 */
async function createApp(quotes: RegionOptions, test: TestContext) {
  const app = await Test.createTestingModule({
    imports: [CacheRegionsModule.forRoot({ keyPrefix: `t${randomUUID().slice(0, 8)}`, regions: { quotes } }), QuoteModule],
  }).compile();
  app.useLogger(false);
  await app.init();
  test.onTestFinished(() => app.close());
  return { quotes: app.get(QuoteService), region: app.get(CacheRegions).get('quotes') };
}

/** Calls `call` `count` times without waiting in between, and settles them all. */
function stampede<T>(count: number, call: () => Promise<T>): Promise<PromiseSettledResult<T>[]> {
  return Promise.allSettled(Array.from({ length: count }, call));
}

function fulfilled<T>(results: PromiseSettledResult<T>[]): T[] {
  return results.map((result) => {
    if (result.status === 'rejected') throw result.reason;
    return result.value;
  });
}

/** A promise the test resolves when it chooses (`open()`): runs wait on it instead of sleeping. */
function gate(): { closed: Promise<void>; open: () => void } {
  let open = () => {};
  const closed = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { closed, open };
}

/**
 * Waits until every one of `callers` has had its store read answered (a miss, or a wait for the
 * flight) while the run is held back, however long a busy machine takes to answer 1,000 reads.
 */
async function everyCallerJoined(region: CacheRegion, callers: number): Promise<void> {
  await vi.waitFor(
    () => {
      const { misses, coalesced } = region.stats();
      expect(misses + coalesced).toBe(callers);
    },
    { timeout: 15_000 },
  );
}

/** Single-flight tests for one store, with and without `lock`. */
function singleFlightTests(store: () => RegionOptions): void {
  describe.each([false, true])('lock: %s', (lock) => {
    const options = (): RegionOptions => ({ ...store(), ttl: 60, lock, lockWaitMs: 20_000 });

    it(`runs a @Cached method once for ${CALLERS} concurrent callers of a cold key`, async (test) => {
      const app = await createApp(options(), test);
      const run = gate();
      app.quotes.gate = run.closed;
      const calls = stampede(CALLERS, () => app.quotes.quote('ACME'));
      await everyCallerJoined(app.region, CALLERS);
      run.open();
      const values = fulfilled(await calls);
      expect(new Set(values)).toEqual(new Set(['ACME#1']));
      expect(app.quotes.runs).toBe(1);
      expect(app.region.stats()).toMatchObject({ misses: 1, coalesced: CALLERS - 1, hits: 0 });
      // Stored: a later caller is answered without a run (or joins the flight until the write lands).
      expect(await app.quotes.quote('ACME')).toBe('ACME#1');
      expect(app.quotes.runs).toBe(1);
    });

    it(`runs a getOrSet factory once for ${CALLERS} concurrent callers of a cold key`, async (test) => {
      const app = await createApp(options(), test);
      let runs = 0;
      const run = gate();
      const create = async () => {
        runs++;
        await run.closed;
        return { rate: 1.08, run: runs };
      };
      const calls = stampede(CALLERS, () => app.region.getOrSet('eur-usd', create));
      await everyCallerJoined(app.region, CALLERS);
      run.open();
      const values = fulfilled(await calls);
      expect(values.every((value) => value.run === 1 && value.rate === 1.08)).toBe(true);
      expect(runs).toBe(1);
      expect(app.region.stats()).toMatchObject({ misses: 1, coalesced: CALLERS - 1 });
      // Callers are answered before the write lands; it lands soon after.
      await vi.waitFor(async () => expect(await app.region.get('eur-usd')).toEqual({ rate: 1.08, run: 1 }), {
        timeout: 15_000,
      });
    });

    it(`gives an error of the method to all ${CALLERS} waiters and caches nothing`, async (test) => {
      const app = await createApp(options(), test);
      app.quotes.fail = true;
      const run = gate();
      app.quotes.gate = run.closed;
      const calls = stampede(CALLERS, () => app.quotes.quote('ACME'));
      await everyCallerJoined(app.region, CALLERS);
      run.open();
      app.quotes.gate = undefined;
      const results = await calls;
      expect(app.quotes.runs).toBe(1);
      expect(results.every((result) => result.status === 'rejected')).toBe(true);
      const reasons = new Set(results.map((result) => (result as PromiseRejectedResult).reason as Error));
      // One error object, the method's own, shared by every waiter.
      expect(reasons.size).toBe(1);
      expect([...reasons][0].message).toBe('upstream down (run 1)');
      expect(app.region.stats()).toMatchObject({ misses: 1, coalesced: CALLERS - 1, sets: 0 });
      expect(await app.region.has(app.region.keyFor(QuoteService, 'quote', ['ACME']))).toBe(false);

      // Nothing was cached and no lock is left behind: the next call runs again at once, long
      // before lockWaitMs (20 s) would have let it, however busy the machine.
      app.quotes.fail = false;
      const started = Date.now();
      expect(await app.quotes.quote('ACME')).toBe('ACME#2');
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(app.quotes.runs).toBe(2);
    });

    it(`gives a getOrSet factory's error to all ${CALLERS} waiters and caches nothing`, async (test) => {
      const app = await createApp(options(), test);
      let runs = 0;
      const run = gate();
      const failing = async (): Promise<number> => {
        runs++;
        await run.closed;
        throw new Error('rates unavailable');
      };
      const calls = stampede(CALLERS, () => app.region.getOrSet('eur-usd', failing));
      await everyCallerJoined(app.region, CALLERS);
      run.open();
      const results = await calls;
      expect(runs).toBe(1);
      expect(results.filter((result) => result.status === 'rejected')).toHaveLength(CALLERS);
      expect(await app.region.get('eur-usd')).toBeUndefined();
      expect(await app.region.getOrSet('eur-usd', () => 1.08)).toBe(1.08);
    });
  });
}

/**
 * staleTtl tests for one store. memcached's own expiry ticks once a second, but the region checks
 * `freshUntil` and `expiresAt` to the millisecond, so a 1 s ttl and seconds of staleTtl are exact
 * on every store. The stale windows are wide (8 s and more) so that a busy machine's slow steps
 * stay inside them, and refreshes end when the test says. They mostly wait, so they run
 * concurrently (each app has its own service).
 */
function staleTests(store: () => RegionOptions): void {
  const TTL_MS = 1_000;
  const STALE_MS = 8_000;
  /** Waits for something the region does in the background. */
  const soon = { timeout: 15_000 };

  describe.each([false, true])('lock: %s', (lock) => {
    it('serves the stale value to every caller while exactly one refresh runs', async (test) => {
      const app = await createApp({ ...store(), ttl: '1s', staleTtl: '30s', lock, lockWaitMs: 2_000 }, test);
      expect(await app.quotes.quote('ACME')).toBe('ACME#1');
      await sleep(TTL_MS + 200);

      const refresh = gate();
      app.quotes.gate = refresh.closed;
      const first = fulfilled(await stampede(50, () => app.quotes.quote('ACME')));
      expect(new Set(first)).toEqual(new Set(['ACME#1']));
      expect(app.region.stats().stale).toBe(50);
      await vi.waitFor(() => expect(app.quotes.runs).toBe(2), soon);

      // While the refresh is still running, callers keep getting the stale value and start none.
      const second = fulfilled(await stampede(50, () => app.quotes.quote('ACME')));
      expect(new Set(second)).toEqual(new Set(['ACME#1']));
      expect(app.region.stats().stale).toBe(100);
      expect(app.quotes.runs).toBe(2);

      refresh.open();
      await vi.waitFor(() => expect(app.region.stats().sets).toBe(2), soon);
      expect(await app.quotes.quote('ACME')).toBe('ACME#2');
      expect(app.quotes.runs).toBe(2);
      expect(app.region.stats()).toMatchObject({ stale: 100, hits: 1, misses: 1 });
    });

    it('keeps serving the stale value while refreshes fail, until staleTtl ends', async (test) => {
      const app = await createApp({ ...store(), ttl: '1s', staleTtl: `${STALE_MS}ms`, lock, lockWaitMs: 2_000 }, test);
      expect(await app.quotes.quote('ACME')).toBe('ACME#1');
      // The entry is written as the call returns: its staleTtl ends about 9 s from here.
      const storedAt = Date.now();
      await sleep(TTL_MS + 200);

      app.quotes.fail = true;
      const stale = fulfilled(await stampede(20, () => app.quotes.quote('ACME')));
      expect(new Set(stale)).toEqual(new Set(['ACME#1']));
      // One refresh for the 20 callers; it fails after 50 ms, and the next stale caller tries again.
      await vi.waitFor(() => expect(app.region.stats().refreshErrors).toBe(1), soon);
      expect(app.quotes.runs).toBe(2);
      expect(await app.quotes.quote('ACME')).toBe('ACME#1');
      await vi.waitFor(() => expect(app.region.stats().refreshErrors).toBe(2), soon);
      expect(app.quotes.runs).toBe(3);
      expect(app.region.stats()).toMatchObject({ stale: 21, sets: 1, refreshErrors: 2 });

      // Once staleTtl has passed the old value is gone: the call runs the (failing) method.
      await sleep(Math.max(0, storedAt + TTL_MS + STALE_MS + 300 - Date.now()));
      await expect(app.quotes.quote('ACME')).rejects.toThrow('upstream down (run 4)');
      app.quotes.fail = false;
      expect(await app.quotes.quote('ACME')).toBe('ACME#5');
      expect(app.region.stats().stale).toBe(21);
    }, 60_000);
  });
}

describe('memory region', () => {
  describe('single flight', () => singleFlightTests(() => ({ store: 'memory' })));
});

describeMemcached('memcached region', () => {
  const memcached = useMemcached();
  const store = (): RegionOptions => ({ store: 'memcached', servers: [memcached().address] });

  describe('single flight', () => singleFlightTests(store));
  describe.concurrent('staleTtl', () => staleTests(store));
});

describe('file region', () => {
  let dir: Awaited<ReturnType<typeof makeTempDir>>;
  beforeAll(async () => {
    dir = await makeTempDir('stampede');
  });
  afterAll(async () => {
    await dir.remove();
  });
  const store = (): RegionOptions => ({ store: 'file', dir: dir.path });

  describe('single flight', () => singleFlightTests(store));
  describe.concurrent('staleTtl', () => staleTests(store));
});

/**
 * A client of a shared store on a slow link: every operation reaches the store at once, but its
 * answer arrives `latencyMs` later (a congested network, or a busy event loop).
 */
class SlowLinkStore implements CacheStore {
  readonly kind = 'memory';
  readonly keyLimits = { maxBytes: 4_096 };

  constructor(
    private readonly shared: MemoryStore,
    private readonly latencyMs: number,
  ) {}

  private answer<T>(result: T | Promise<T>): Promise<T> {
    return sleep(this.latencyMs).then(() => result);
  }

  get(key: string) {
    return this.answer(this.shared.get(key));
  }
  set(key: string, entry: StoreEntry) {
    return this.answer(this.shared.set(key, entry));
  }
  add(key: string, entry: StoreEntry) {
    return this.answer(this.shared.add(key, entry));
  }
  delete(key: string) {
    return this.answer(this.shared.delete(key));
  }
  has(key: string) {
    return this.answer(this.shared.has(key));
  }
  clear() {
    return this.answer(this.shared.clear());
  }
}

describe('lock: true, a waiter whose miss was answered late', () => {
  it('does not compute again after the holder stored the value and released the lock', async (test) => {
    // Two apps on one store stand for two processes; custom stores get keys without the app's
    // prefix, so both address the same entry and the same lock.
    const shared = new MemoryStore({ maxEntries: 100, clone: false });
    const fast = await createApp({ store: shared, ttl: 60, lock: true, lockWaitMs: 5_000 }, test);
    const slow = await createApp({ store: new SlowLinkStore(shared, 300), ttl: 60, lock: true, lockWaitMs: 5_000 }, test);
    let runs = 0;
    const create = async () => {
      runs++;
      await sleep(100);
      return `run ${runs}`;
    };
    // The slow app's read misses at 0 ms and is answered at 300 ms; by then the fast app has
    // computed (100 ms), stored the value and released its lock, so the slow app's `add` wins.
    const [a, b] = await Promise.all([fast.region.getOrSet('eur-usd', create), slow.region.getOrSet('eur-usd', create)]);
    expect(a).toBe('run 1');
    expect(b).toBe('run 1');
    expect(runs).toBe(1);
  });
});

/**
 * A resolved call means a stored entry: `@Cached`, `getOrSet` and the controller interceptor
 * resolve once their miss has been written (or the write failed or outlived the region's
 * timeout), so a second app instance on the same store that reads right after finds it.
 * And an invalidation that could not be applied rejects, failOpen or not.
 */
import { Controller, Get, Injectable, Module, Param } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  Cached,
  CacheRegions,
  CacheRegionsModule,
  CacheStoreError,
  type CacheRegion,
  type CacheStore,
  type RegionOptions,
  type StoreEntry,
} from '../../lib/index.js';
import { MemoryStore } from '../../lib/stores/memory.store.js';
import { makeTempDir } from '../support/file-test-dirs.js';
import { describeMemcached, startMemcached, useMemcached } from '../support/memcached.js';

/**
 * Large enough that its write takes a while after the method returns (so a reader racing an
 * unawaited write loses), small enough for memcached's item size and the region's timeout.
 */
const DOCUMENT = 'd'.repeat(1024 * 1024);

@Injectable()
class ImportService {
  runs = 0;
  @Cached('data')
  async document(name: string): Promise<string> {
    this.runs++;
    return `${name}:${DOCUMENT}`;
  }
}

@Controller('docs')
class DocsController {
  @Cached('data')
  @Get(':name')
  async doc(@Param('name') name: string): Promise<{ name: string; body: string }> {
    return { name, body: DOCUMENT };
  }
}

@Module({ providers: [ImportService], controllers: [DocsController] })
class ImportModule {}

const apps: TestingModule[] = [];

async function startApp(data: RegionOptions): Promise<{ app: TestingModule; region: CacheRegion; imports: ImportService }> {
  const app = await Test.createTestingModule({
    imports: [CacheRegionsModule.forRoot({ regions: { data } }), ImportModule],
  }).compile();
  app.useLogger(false);
  await app.init();
  apps.push(app);
  return { app, region: app.get(CacheRegions).get('data'), imports: app.get(ImportService) };
}

afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

function writeThroughSuite(name: string, options: () => RegionOptions): void {
  describe(`${name}: a resolved call means a stored entry`, () => {
    it('@Cached: another instance reading right after the call finds the entry', async () => {
      const [a, b] = [await startApp(options()), await startApp(options())];
      for (let i = 0; i < 3; i++) {
        await a.imports.document(`${name}-cached-${i}`);
        const key = b.region.keyFor(ImportService, 'document', [`${name}-cached-${i}`]);
        expect((await b.region.get<string>(key))?.length).toBe(`${name}-cached-${i}:`.length + DOCUMENT.length);
      }
      expect(a.region.stats().sets).toBe(3);
    }, 30_000);

    it('getOrSet: another instance reading right after finds the entry', async () => {
      const [a, b] = [await startApp(options()), await startApp(options())];
      for (let i = 0; i < 3; i++) {
        await a.region.getOrSet(`${name}-get-or-set-${i}`, async () => DOCUMENT);
        expect((await b.region.get<string>(`${name}-get-or-set-${i}`))?.length).toBe(DOCUMENT.length);
      }
    }, 30_000);

    it('a cached controller handler: the response is stored before it is sent', async () => {
      const a = await startApp(options());
      const b = await startApp(options());
      const httpApp = a.app.createNestApplication();
      httpApp.useLogger(false);
      await httpApp.init();
      try {
        const response = await request(httpApp.getHttpServer()).get(`/docs/${name}-handler`).expect(200);
        expect(response.body.name).toBe(`${name}-handler`);
        // The interceptor's key: method, path, query (see the README's controller keys).
        const key = b.region.keyFor(DocsController, 'doc', ['GET', `/docs/${name}-handler`, []]);
        expect(await b.region.get(key)).toMatchObject({ name: `${name}-handler` });
      } finally {
        await httpApp.close();
      }
    }, 30_000);
  });
}

/** A user store whose writes wait until the test lets them through: the region's logic, seen from outside. */
class GatedStore implements CacheStore {
  readonly kind = 'gated';
  readonly keyLimits = { maxBytes: 1_024 };
  private readonly inner = new MemoryStore({ maxEntries: 100, clone: false });
  private readonly gates: (() => void)[] = [];
  writesWaiting = 0;
  get(key: string) {
    return this.inner.get(key);
  }
  async set(key: string, entry: StoreEntry): Promise<void> {
    this.writesWaiting++;
    await new Promise<void>((open) => this.gates.push(open));
    this.writesWaiting--;
    this.inner.set(key, entry);
  }
  delete(key: string) {
    return this.inner.delete(key);
  }
  has(key: string) {
    return this.inner.has(key);
  }
  clear() {
    this.inner.clear();
  }
  openGates(): void {
    for (const open of this.gates.splice(0)) open();
  }
}

describe('write-through with a store whose writes are slow', () => {
  it('the call resolves only after the write, and a caller arriving meanwhile counts as a hit', async () => {
    const store = new GatedStore();
    const { imports, region } = await startApp({ store });
    let settled = false;
    const first = imports.document('gated').then((value) => {
      settled = true;
      return value;
    });
    while (store.writesWaiting === 0) await new Promise((resolve) => setImmediate(resolve));
    // The value is computed, its write is pending: the call has not resolved yet.
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(false);
    const second = imports.document('gated');
    expect(region.stats()).toMatchObject({ misses: 1, hits: 1, coalesced: 0 });
    store.openGates();
    expect(await first).toBe(await second);
    expect(imports.runs).toBe(1);
    expect(region.stats().sets).toBe(1);
  });

  it('a cached controller handler answers only after its entry is stored', async () => {
    const store = new GatedStore();
    const { app } = await startApp({ store });
    const httpApp = app.createNestApplication();
    httpApp.useLogger(false);
    await httpApp.init();
    try {
      let answered = false;
      const response = request(httpApp.getHttpServer())
        .get('/docs/gated')
        .then((res) => {
          answered = true;
          return res;
        });
      while (store.writesWaiting === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      // Give a response that was not held back every chance to arrive.
      for (let i = 0; i < 20 && !answered; i++) await new Promise((resolve) => setTimeout(resolve, 5));
      expect(answered).toBe(false);
      store.openGates();
      expect((await response).body.name).toBe('gated');
    } finally {
      await httpApp.close();
    }
  });

  it('a caller arriving while the value is still being computed counts as coalesced', async () => {
    const store = new GatedStore();
    const { imports, region } = await startApp({ store });
    const first = imports.document('computing');
    const second = imports.document('computing');
    expect(region.stats()).toMatchObject({ misses: 1, coalesced: 1, hits: 0 });
    while (store.writesWaiting === 0) await new Promise((resolve) => setImmediate(resolve));
    store.openGates();
    expect(await first).toBe(await second);
  });
});

describe('file store', () => {
  let dir: { path: string; remove(): Promise<void> };
  beforeAll(async () => {
    dir = await makeTempDir('write-through');
  });
  afterAll(async () => {
    await dir.remove();
  });
  writeThroughSuite('file', () => ({ store: 'file', dir: dir.path, ttl: 60 }));
});

describeMemcached('memcached store', () => {
  const memcached = useMemcached({ maxItemSize: '4m', memoryMb: 128 });
  const options = (): RegionOptions => ({
    store: 'memcached',
    servers: [memcached().address],
    ttl: 60,
    maxValueBytes: 4 * 1024 * 1024,
    // Generous: a write that outlives the timeout resolves the call before it lands, by design.
    timeoutMs: 5_000,
  });
  writeThroughSuite('memcached', options);

  it('a hung server delays a miss by about the region timeout, then the call resolves uncached', async () => {
    const { imports } = await startApp({ ...options(), timeoutMs: 300, retries: 1 });
    memcached().pause();
    try {
      const started = performance.now();
      expect(await imports.document('hung')).toContain('hung:');
      // The read and the write each wait at most timeoutMs; generous margin for a loaded machine.
      expect(performance.now() - started).toBeLessThan(10_000);
    } finally {
      memcached().resume();
    }
  }, 30_000);

  describe('an invalidation that could not be applied rejects', () => {
    it('delete() and clear() with the server down, failOpen true: CacheStoreError, counted', async () => {
      const gone = await startMemcached();
      const { region } = await startApp({ store: 'memcached', servers: [gone.address], ttl: 60, timeoutMs: 200, retries: 1 });
      await region.set('k', 'v');
      await gone.kill();
      const errors = region.stats().errors;
      await expect(region.delete('k')).rejects.toBeInstanceOf(CacheStoreError);
      await expect(region.delete('k')).rejects.toThrow(/delete\(\) was not applied/);
      await expect(region.clear()).rejects.toThrow(/clear\(\) was not applied/);
      expect(region.stats().errors).toBe(errors + 3);
      expect(region.stats().deletes).toBe(0);
    }, 30_000);

    it('with the circuit breaker open the invalidation is still tried, and applies once the store is back', async () => {
      const server = await startMemcached();
      const regionOptions: RegionOptions = { store: 'memcached', servers: [server.address], ttl: 60, timeoutMs: 200, retries: 1 };
      const tripped = await startApp({ ...regionOptions, breakerThreshold: 2, breakerCooldownMs: 600_000 });
      const other = await startApp(regionOptions);
      await server.kill();
      for (let i = 0; i < 3; i++) await tripped.region.get(`miss-${i}`);
      expect(tripped.region.stats().breakerOpen).toBe(true);
      await expect(tripped.region.delete('k')).rejects.toBeInstanceOf(CacheStoreError);
      await server.restart();
      await other.region.set('k', 'v');
      expect(await other.region.get('k')).toBe('v');
      // The breaker is still open (long cool-down), yet the delete reaches the store.
      expect(await tripped.region.delete('k')).toBe(true);
      expect(await other.region.get('k')).toBeUndefined();
      await server.kill();
    }, 30_000);
  });
});

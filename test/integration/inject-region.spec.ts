import { Injectable, Module } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { PassThrough } from 'node:stream';
import {
  type CacheRegion,
  CacheRegions,
  CacheRegionsModule,
  CacheStoreError,
  CacheUnsupportedError,
  getRegionToken,
  InjectRegion,
  type CacheStore,
} from '../../lib/index.js';
import { MemoryStore } from '../../lib/stores/memory.store.js';

@Injectable()
class NotesService {
  constructor(@InjectRegion('notes') readonly notes: CacheRegion) {}
}

@Module({ providers: [NotesService], exports: [NotesService] })
class NotesModule {}

/** A user's own store: memory underneath, failing on demand. */
class FlakyStore extends MemoryStore implements CacheStore {
  failing = false;
  calls = 0;
  constructor() {
    super({ maxEntries: 100, clone: false });
  }
  override get(key: string) {
    this.calls++;
    if (this.failing) throw new Error('backend down');
    return super.get(key);
  }
  override set(key: string, entry: Parameters<MemoryStore['set']>[1]) {
    this.calls++;
    if (this.failing) throw new Error('backend down');
    return super.set(key, entry);
  }
}

describe('@InjectRegion and CacheRegion', () => {
  let app: TestingModule;
  let notes: CacheRegion;
  const flaky = new FlakyStore();
  const strict = new FlakyStore();

  beforeEach(async () => {
    flaky.failing = false;
    strict.failing = false;
    app = await Test.createTestingModule({
      imports: [
        CacheRegionsModule.forRoot({
          keyPrefix: 'test',
          regions: {
            notes: { store: 'memory', ttl: 60 },
            other: { store: 'memory' },
            flaky: { store: flaky, breakerThreshold: 3, breakerCooldownMs: 200 },
            strict: { store: strict, failOpen: false },
            off: { store: 'none' },
          },
        }),
        NotesModule,
      ],
    }).compile();
    await app.init();
    notes = app.get(NotesService).notes;
  });
  afterEach(async () => {
    await app.close();
  });

  it('injects the named region into a provider of another module', () => {
    expect(notes.name).toBe('notes');
    expect(notes.store.kind).toBe('memory');
    expect(app.get(getRegionToken('notes'))).toBe(notes);
  });

  it('gets, sets, checks and deletes values', async () => {
    expect(await notes.get('k')).toBeUndefined();
    await notes.set('k', { a: 1 });
    expect(await notes.get('k')).toEqual({ a: 1 });
    expect(await notes.has('k')).toBe(true);
    await notes.delete('k');
    expect(await notes.has('k')).toBe(false);
    expect(notes.stats()).toMatchObject({ hits: 1, misses: 1, sets: 1, deletes: 1 });
  });

  it('honours a per-call ttl', async () => {
    // The 300 ms pass when the test moves the clock: no window a busy machine could miss.
    vi.useFakeTimers({ toFake: ['Date'] });
    onTestFinished(() => {
      vi.useRealTimers();
    });
    await notes.set('brief', 'v', { ttl: '300ms' });
    expect(await notes.get('brief')).toBe('v');
    vi.setSystemTime(Date.now() + 400);
    expect(await notes.get('brief')).toBeUndefined();
  });

  it('getOrSet runs create once for concurrent callers and stores the result', async () => {
    let runs = 0;
    const create = async () => {
      runs++;
      await new Promise((resolve) => setTimeout(resolve, 30));
      return 'made';
    };
    const results = await Promise.all(Array.from({ length: 50 }, () => notes.getOrSet('g', create)));
    expect(results.every((r) => r === 'made')).toBe(true);
    expect(runs).toBe(1);
    expect(await notes.getOrSet('g', create)).toBe('made');
    expect(runs).toBe(1);
  });

  it('keeps regions apart and clears only one', async () => {
    const other = app.get(CacheRegions).get('other');
    await notes.set('same', 'notes');
    await other.set('same', 'other');
    expect(await notes.get('same')).toBe('notes');
    await notes.clear();
    expect(await notes.get('same')).toBeUndefined();
    expect(await other.get('same')).toBe('other');
  });

  it('lists regions and their stats through CacheRegions', () => {
    const regions = app.get(CacheRegions);
    expect(regions.names()).toEqual(['notes', 'other', 'flaky', 'strict', 'off']);
    expect(regions.get('notes')).toBe(notes);
    expect(Object.keys(regions.stats())).toEqual(regions.names());
    expect(() => regions.get('nope')).toThrow(/"nope" is not configured; configured regions: notes, other/);
  });

  it('rejects empty keys with a CacheKeyError', async () => {
    await expect(notes.get('')).rejects.toThrow(/Invalid cache key "" for region "notes"/);
  });

  it('rejects streams on regions whose store has none', async () => {
    await expect(notes.getStream('k')).rejects.toThrow(CacheUnsupportedError);
    await expect(notes.setStream('k', new PassThrough())).rejects.toThrow(/store: 'file'/);
  });

  it('fails open: store errors are misses, counted, and the breaker stops calling the store', async () => {
    const flakyRegion = app.get(CacheRegions).get('flaky');
    // The breaker's 200 ms cool-down ends when the test moves the clock, not during the loop.
    vi.useFakeTimers({ toFake: ['Date'] });
    onTestFinished(() => {
      vi.useRealTimers();
    });
    flaky.failing = true;
    for (let i = 0; i < 10; i++) {
      expect(await flakyRegion.get('k')).toBeUndefined();
      await flakyRegion.set('k', i);
    }
    const stats = flakyRegion.stats();
    expect(stats.breakerOpen).toBe(true);
    expect(stats.breakerOpened).toBe(1);
    // 3 failures open the breaker; the remaining calls never reach the store.
    expect(flaky.calls).toBe(3);
    expect(stats.errors).toBe(3);
    expect(stats.misses).toBe(10);

    flaky.failing = false;
    vi.setSystemTime(Date.now() + 250);
    await flakyRegion.set('k', 'back');
    expect(await flakyRegion.get('k')).toBe('back');
    expect(flakyRegion.stats().breakerOpen).toBe(false);
  });

  it('throws CacheStoreError from direct calls when failOpen is false', async () => {
    const strictRegion = app.get(CacheRegions).get('strict');
    strict.failing = true;
    await expect(strictRegion.get('k')).rejects.toThrow(CacheStoreError);
    await expect(strictRegion.set('k', 1)).rejects.toThrow(/Region "strict": memory store set\(\) failed: backend down/);
  });

  it('a none region caches nothing', async () => {
    const off = app.get(CacheRegions).get('off');
    await off.set('k', 1);
    expect(await off.get('k')).toBeUndefined();
    let runs = 0;
    await off.getOrSet('k', () => ++runs);
    await off.getOrSet('k', () => ++runs);
    expect(runs).toBe(2);
  });
});

describe('overriding a region in tests', () => {
  it('replaces the provider behind getRegionToken', async () => {
    const fake = { name: 'notes', get: async () => 'from fake' };
    const app = await Test.createTestingModule({
      imports: [CacheRegionsModule.forRoot({ regions: { notes: {} } }), NotesModule],
    })
      .overrideProvider(getRegionToken('notes'))
      .useValue(fake)
      .compile();
    await app.init();
    expect(await app.get(NotesService).notes.get('x')).toBe('from fake');
    await app.close();
  });
});

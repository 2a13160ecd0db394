/**
 * Fuzzed arguments through the whole key path, as a running app uses it: `@Cached` arguments →
 * the key builder → the region's fitting → the memcached store's key layout (`cacheKey`, the key
 * memcached really gets) or the file store's path. test/unit/key-builder.properties.spec.ts covers
 * the key builder alone; this covers what the stores add (namespaces, generations, digests,
 * directories).
 */
import { Test, type TestingModule } from '@nestjs/testing';
import fc from 'fast-check';
import memjs from 'memjs';
import { relative, sep } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isDeepStrictEqual } from 'node:util';
import { type CacheRegion, CacheRegions } from '../../lib/index.js';
import type { FileStore } from '../../lib/stores/file.store.js';
import { entryFileDigest } from '../../lib/stores/file/file-paths.js';
import type { MemcachedStore } from '../../lib/stores/memcached.store.js';
import { startFileChild } from '../support/file-children.js';
import { listTree, makeTempDir } from '../support/file-test-dirs.js';
import { describeMemcached, useMemcached } from '../support/memcached.js';
import { argumentLists, awkwardText, tricky } from './key-arbitraries.js';
import { KeyedService, keyedAppModule } from './keyed-app.js';

const RUNS = { numRuns: process.env.SOAK === '1' ? 5_000 : 400 };
/** What memcached cannot take in a key: whitespace and control characters. */
const NOT_IN_MEMCACHED_KEYS = /[\s\p{Cc}]/u;

describeMemcached('fuzzed keys through regions and stores', () => {
  const memcached = useMemcached();
  let dir: Awaited<ReturnType<typeof makeTempDir>>;
  let app: TestingModule;
  let regions: CacheRegions;

  beforeAll(async () => {
    dir = await makeTempDir('fuzz-keys');
    app = await Test.createTestingModule({ imports: [keyedAppModule(memcached().address, dir.path)] }).compile();
    app.useLogger(false);
    await app.init();
    regions = app.get(CacheRegions);
  });
  afterAll(async () => {
    await app?.close();
    await dir?.remove();
  });

  /** The memcached key a `@Cached` call of `method` with `args` is stored under. */
  async function memcachedKey(region: CacheRegion, method: 'compute' | 'computeLong', args: unknown[]) {
    const key = region.fit(region.keyFor(KeyedService, method, args));
    return (region.store as MemcachedStore).cacheKey(key);
  }

  function expectMemcachedKey(key: string): void {
    expect(Buffer.byteLength(key, 'utf8')).toBeLessThanOrEqual(250);
    expect(key).not.toMatch(NOT_IN_MEMCACHED_KEYS);
    // No lone surrogate: the key survives UTF-8, so memcached gets exactly these characters.
    expect(Buffer.from(key, 'utf8').toString('utf8')).toBe(key);
  }

  it.each([
    ['functions', 'compute'],
    ['long', 'computeLong'],
  ] as const)(
    'region "%s": memcached keys of any arguments are valid, stable and never shared by different calls',
    async (name, method) => {
      const region = regions.get(name);
      const logicalByKey = new Map<string, string>();
      let hashed = 0;
      await fc.assert(
        fc.asyncProperty(argumentLists, async (args) => {
          const logical = region.keyFor(KeyedService, method, args);
          const key = await memcachedKey(region, method, args);
          expectMemcachedKey(key);
          expect(await memcachedKey(region, method, args)).toBe(key);
          if (key.includes('#sha256:')) hashed++;
          const seen = logicalByKey.get(key);
          if (seen !== undefined) expect(seen).toBe(logical);
          logicalByKey.set(key, logical);
        }),
        RUNS,
      );
      // Both paths were exercised: keys kept readable, and long or awkward keys hashed.
      expect(hashed).toBeGreaterThan(RUNS.numRuns / 20);
      expect(logicalByKey.size - hashed).toBeGreaterThan(RUNS.numRuns / 20);
    },
  );

  it('two argument lists share a memcached key only when they are structurally equal', async () => {
    const region = regions.get('functions');
    let equalPairs = 0;
    let differentPairs = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(tricky, { maxLength: 2 }), fc.array(tricky, { maxLength: 2 }), async (a, b) => {
        const sameKey = (await memcachedKey(region, 'compute', a)) === (await memcachedKey(region, 'compute', b));
        const sameValue = isDeepStrictEqual(a, b);
        if (sameValue) equalPairs++;
        else differentPairs++;
        expect(sameKey).toBe(sameValue);
      }),
      { numRuns: RUNS.numRuns * 2 },
    );
    expect(equalPairs).toBeGreaterThan(10);
    expect(differentPairs).toBeGreaterThan(10);
  });

  it('the key is the one memcached really holds: @Cached stores under cacheKey(), and hits it', async () => {
    const service = app.get(KeyedService);
    const raw = memjs.Client.create(memcached().address, { logger: { log: () => undefined }, retries: 1 });
    try {
      const lists = fc.sample(argumentLists, { seed: 7, numRuns: 60 });
      for (const args of lists) await service.compute(...args);
      await sleep(50); // callers do not wait for writes
      const runs = service.runs;
      for (const args of lists) {
        const stored = await raw.get(await memcachedKey(regions.get('functions'), 'compute', args));
        expect(stored.value).not.toBeNull();
        await service.compute(...args);
      }
      expect(service.runs).toBe(runs);
    } finally {
      raw.close();
    }
  });

  it('the same arguments give the same memcached keys and file paths in another process', async () => {
    const seed = 20_261_126;
    const numRuns = 150;
    const child = startFileChild('reliability-keys.child.ts', { memcached: memcached().address, dir: dir.path, seed, numRuns });
    const exit = await child.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    const theirs = JSON.parse(child.lines.at(-1)!) as { memcachedKeys: string[]; filePaths: string[] };
    const files = regions.get('files');
    const ours = { memcachedKeys: [] as string[], filePaths: [] as string[] };
    for (const args of fc.sample(argumentLists, { seed, numRuns })) {
      ours.memcachedKeys.push(await memcachedKey(regions.get('functions'), 'compute', args));
      const fileKey = files.fit(files.keyFor(KeyedService, 'load', args));
      ours.filePaths.push(relative(dir.path, `${(files.store as FileStore).directory}/${entryFileDigest(fileKey)}`));
    }
    expect(theirs).toEqual(ours);
  }, 30_000);

  it('file entries of any key stay inside the region directory: one file per distinct key', async () => {
    const files = regions.get('files');
    const regionDir = (files.store as FileStore).directory;
    const pathLike = fc.constantFrom('../../etc/passwd', '/etc/passwd', '..', '.', 'a/../../b', '\u0000', '..\\..\\x', '');
    const keyText = fc.oneof(
      awkwardText,
      pathLike,
      fc.tuple(pathLike, awkwardText).map(([a, b]) => a + b),
      fc.string({ minLength: 3_000, maxLength: 9_000 }), // over the store's key limit: hashed
    );
    const stored = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(keyText, fc.nat(), async (key, value) => {
        fc.pre(key !== '');
        await files.set(key, value);
        stored.set(key, value);
        expect(await files.get(key)).toBe(value);
      }),
      RUNS,
    );
    // @Cached calls with any arguments too.
    const service = app.get(KeyedService);
    for (const args of fc.sample(argumentLists, { seed: 11, numRuns: 100 })) await service.load(...args);
    await sleep(50);

    const tree = await listTree(dir.path);
    const entryFiles = tree.files.filter((path) => !path.includes(`${sep}.locks${sep}`));
    for (const path of [...tree.files, ...tree.dirs]) {
      // Everything is in the file region's directory (or is that directory).
      expect(path === regionDir || path.startsWith(regionDir + sep)).toBe(true);
    }
    for (const path of entryFiles) expect(relative(regionDir, path)).toMatch(/^[0-9a-f]{2}\/[0-9a-f]{2}\/[0-9a-f]{64}$/);
    // Every distinct key has its own file, and still reads its own value.
    const distinct = new Set([...stored.keys()].map((key) => files.fit(key)));
    expect(entryFiles.length).toBeGreaterThanOrEqual(distinct.size);
    for (const [key, value] of stored) expect(await files.get(key)).toBe(value);
  });
});

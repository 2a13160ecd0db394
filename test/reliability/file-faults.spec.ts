/**
 * The file store under faults, seen through `@Cached` and `CacheRegion`: entry files damaged by
 * hand, writers SIGKILLed in the middle of a write, a full disk, a read-only disk, a cache
 * directory below a regular file and a directory where an entry file should be. Whatever happens
 * on disk, every call returns the right value, none throws, the region never returns a damaged
 * value, and `stats().errors` counts what went wrong.
 *
 * The store-level view of the same faults is in test/stores/file*.spec.ts.
 */
import { Injectable, Module } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { appendFile, copyFile, mkdir, readFile, rm, stat, truncate, utimes, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isDeepStrictEqual } from 'node:util';
import { Cached, type CacheRegion, CacheRegions, CacheRegionsModule, type RegionOptions } from '../../lib/index.js';
import type { FileStore } from '../../lib/stores/file.store.js';
import { entryFileDigest } from '../../lib/stores/file/file-paths.js';
import { startFileChild, type FileChild } from '../support/file-children.js';
import { makeTempDir, mountTmpfs, regionFiles } from '../support/file-test-dirs.js';
import { documentBytes, DOCUMENT_PREFIX } from './documents.js';

const KiB = 1024;
const MiB = 1024 * KiB;

interface Summary {
  name: string;
  lines: string[];
  at: Date;
  sizes: Map<string, number>;
}

function expectedSummary(name: string): Summary {
  return {
    name,
    lines: Array.from({ length: 20 }, (_, i) => `${name} line ${i}`),
    at: new Date(Date.UTC(2026, 0, name.length)),
    sizes: new Map([[name, name.length * 100]]),
  };
}

@Injectable()
class ImportService {
  runs = 0;

  /** A Buffer value: stored raw on disk. */
  @Cached('files')
  async document(name: string, size: number): Promise<Buffer> {
    this.runs++;
    return documentBytes(name, size);
  }

  /** A structured value: stored through the value codec. */
  @Cached('files')
  async summary(name: string): Promise<Summary> {
    this.runs++;
    return expectedSummary(name);
  }
}

@Module({ providers: [ImportService] })
class ImportModule {}

describe('file regions under faults', () => {
  let dir: Awaited<ReturnType<typeof makeTempDir>>;
  const apps: TestingModule[] = [];
  const children: FileChild[] = [];

  beforeEach(async () => {
    dir = await makeTempDir('reliability-files');
  });
  afterEach(async () => {
    for (const child of children.splice(0)) child.process.kill('SIGKILL');
    await Promise.all(apps.splice(0).map((app) => app.close()));
    await dir.remove();
  });

  async function createApp(cacheDir: string, options: RegionOptions = {}) {
    const app = await Test.createTestingModule({
      imports: [
        CacheRegionsModule.forRoot({
          keyPrefix: DOCUMENT_PREFIX,
          regions: {
            files: { store: 'file', dir: cacheDir, ttl: '5d', breakerCooldownMs: 100, ...options },
          },
        }),
        ImportModule,
      ],
    }).compile();
    app.useLogger(false);
    await app.init();
    apps.push(app);
    const region = app.get(CacheRegions).get('files');
    return { imports: app.get(ImportService), region };
  }

  /** The entry file of `ImportService[method](...args)`. */
  function entryFile(region: CacheRegion, method: keyof ImportService, args: unknown[]): string {
    const digest = entryFileDigest(region.fit(region.keyFor(ImportService, method, args)));
    return join((region.store as FileStore).directory, digest.slice(0, 2), digest.slice(2, 4), digest);
  }

  /** Calls both methods for every name and checks every value; resolves how many were wrong. */
  async function callAll(imports: ImportService, names: readonly string[], size: number): Promise<number> {
    const results = await Promise.all(
      names.flatMap((name) => [
        imports.document(name, size).then((value) => value.equals(documentBytes(name, size))),
        imports.summary(name).then((value) => isDeepStrictEqual(value, expectedSummary(name))),
      ]),
    );
    return results.filter((right) => !right).length;
  }

  /** Waits until the region has no write in flight (callers of @Cached do not wait for writes). */
  async function settled(region: CacheRegion, names: readonly string[], size: number): Promise<void> {
    for (let i = 0; i < 100; i++) {
      const present = await Promise.all(
        names.flatMap((name) => [
          region.has(region.keyFor(ImportService, 'document', [name, size])),
          region.has(region.keyFor(ImportService, 'summary', [name])),
        ]),
      );
      if (present.every(Boolean)) return;
      await sleep(10);
    }
    throw new Error('entries were not written within 1 s');
  }

  describe('entry files damaged by hand read as misses, are counted, and are rewritten', () => {
    const SIZE = 96 * KiB;
    type Damage = (path: string) => Promise<void>;
    const flip = (offset: (size: number) => number, mask = 0x5a): Damage => async (path) => {
      const bytes = await readFile(path);
      bytes[offset(bytes.length)] ^= mask;
      await writeFile(path, bytes);
    };
    const damages: [string, Damage][] = [
      ['emptied', (path) => truncate(path, 0)],
      ['cut inside the header', (path) => truncate(path, 30)],
      ['cut by one byte', (path) => stat(path).then((s) => truncate(path, s.size - 1))],
      ['one byte appended', (path) => appendFile(path, 'x')],
      ['header byte flipped', flip(() => 9)],
      ['key byte flipped', flip(() => 46)],
      ['last payload byte flipped', flip((size) => size - 1)],
      // Past the header and key (under 200 bytes here) in every entry, small or large.
      ['one bit of the payload flipped', flip((size) => Math.floor(size * 0.75), 0x01)],
      ['end of the payload zero-filled (same size, as after a power loss)', async (path) => {
        const bytes = await readFile(path);
        bytes.fill(0, Math.max(bytes.length - 4_096, Math.floor(bytes.length * 0.75)));
        await writeFile(path, bytes);
      }],
      ['replaced by random bytes of the same size', async (path) => {
        const { size } = await stat(path);
        await writeFile(path, Buffer.from(Array.from({ length: size }, (_, i) => (i * 7919 + 13) & 0xff)));
      }],
    ];
    const names = damages.map((_, index) => `doc-${index}`);

    it('through @Cached: every value stays right, each damaged file counts as an error', async () => {
      const { imports, region } = await createApp(join(dir.path, 'cache'));
      expect(await callAll(imports, names, SIZE)).toBe(0);
      await settled(region, names, SIZE);
      expect(imports.runs).toBe(names.length * 2);

      // Damage both entries (Buffer and codec) of each name, each name a different way.
      for (const [index, [, damage]] of damages.entries()) {
        await damage(entryFile(region, 'document', [names[index], SIZE]));
        await damage(entryFile(region, 'summary', [names[index]]));
      }
      const errorsBefore = region.stats().errors;
      expect(await callAll(imports, names, SIZE)).toBe(0);
      // Every damaged entry was a miss: the method ran again for each.
      expect(imports.runs).toBe(names.length * 4);
      expect(region.stats().errors - errorsBefore).toBe(names.length * 2);

      // Rewritten, they are hits again.
      await settled(region, names, SIZE);
      expect(await callAll(imports, names, SIZE)).toBe(0);
      expect(imports.runs).toBe(names.length * 4);
    });

    it.each(damages)('through region.get: %s → a miss, never a damaged value', async (_label, damage) => {
      const { region } = await createApp(join(dir.path, 'cache'));
      const value = documentBytes('direct', SIZE);
      await region.set('direct', value);
      await region.set('structured', expectedSummary('direct'));
      const files = (region.store as FileStore).directory;
      const pathOf = (key: string) => {
        const digest = entryFileDigest(region.fit(key));
        return join(files, digest.slice(0, 2), digest.slice(2, 4), digest);
      };
      await damage(pathOf('direct'));
      await damage(pathOf('structured'));
      expect(await region.get('direct')).toBeUndefined();
      expect(await region.get('structured')).toBeUndefined();
      expect(region.stats().errors).toBe(2);
    });

    it('a stream of a damaged Buffer entry fails instead of ending normally', async () => {
      const { region } = await createApp(join(dir.path, 'cache'));
      await region.set('streamed', documentBytes('streamed', 4 * MiB));
      const digest = entryFileDigest(region.fit('streamed'));
      const path = join((region.store as FileStore).directory, digest.slice(0, 2), digest.slice(2, 4), digest);
      await flip((size) => size - MiB)(path);
      const stream = await region.getStream('streamed');
      // The damage can only show at the end of the bytes; the reader must not take them as whole.
      const outcome = await (async () => {
        try {
          for await (const chunk of stream!) void chunk;
          return 'ended';
        } catch (error) {
          return (error as Error).message;
        }
      })();
      expect(outcome).not.toBe('ended');
      expect(await region.get('streamed')).toBeUndefined();
      expect(region.stats().errors).toBeGreaterThanOrEqual(1);
    });

    it('a file copied over another entry (a valid entry of another key) reads as a miss', async () => {
      const { imports, region } = await createApp(join(dir.path, 'cache'));
      expect(await callAll(imports, ['a', 'b'], SIZE)).toBe(0);
      await settled(region, ['a', 'b'], SIZE);
      await copyFile(entryFile(region, 'document', ['a', SIZE]), entryFile(region, 'document', ['b', SIZE]));
      await copyFile(entryFile(region, 'summary', ['a']), entryFile(region, 'summary', ['b']));
      expect(await callAll(imports, ['a', 'b'], SIZE)).toBe(0);
      expect(imports.runs).toBe(6);
    });
  });

  it('writers SIGKILLed mid-write in other processes: readers get a miss or the whole value', async () => {
    const cacheDir = join(dir.path, 'cache');
    const names = ['k0', 'k1', 'k2', 'k3'];
    const SIZE = 3 * MiB;
    const start = (mode: 'set' | 'stream') => {
      const child = startFileChild('reliability-file-writer.child.ts', { dir: cacheDir, names, size: SIZE, mode });
      children.push(child);
      return child;
    };
    const { imports, region } = await createApp(cacheDir);
    let reads = 0;
    let hits = 0;
    const wrong: string[] = [];
    let reading = true;
    // This process reads all along, through the region and through @Cached.
    const reader = (async () => {
      while (reading) {
        for (const name of names) {
          const key = region.keyFor(ImportService, 'document', [name, SIZE]);
          const found = await region.get<Buffer>(key);
          reads++;
          if (found !== undefined) {
            hits++;
            if (!found.equals(documentBytes(name, SIZE))) wrong.push(`region.get(${name})`);
          }
          if (!(await imports.document(name, SIZE)).equals(documentBytes(name, SIZE))) wrong.push(`@Cached ${name}`);
        }
      }
    })();

    // Two set() writers, killed at different moments of their loops, and a setStream() writer
    // killed while half of a value is in its temporary file.
    const writers = [start('set'), start('set'), start('stream')];
    await Promise.all(
      writers.map(async (writer, index) => {
        if (index < 2) {
          await writer.waitForLine('ready');
          await sleep(20 + index * 45);
        } else {
          await writer.waitForLine('midway', 2);
        }
        writer.process.kill('SIGKILL');
        await writer.exited;
      }),
    );
    reading = false;
    await reader;
    expect(wrong).toEqual([]);
    expect(reads).toBeGreaterThan(0);
    expect(hits).toBeGreaterThan(0);
    expect(region.stats().errors).toBe(0);

    // The killed writers left temporary files only; once old they are swept, entries stay whole.
    const files = (region.store as FileStore).directory;
    const { temps } = await regionFiles(files);
    expect(temps.length).toBeGreaterThan(0);
    const longAgo = new Date(Date.now() - 10 * 60_000);
    await Promise.all(temps.map((path) => utimes(path, longAgo, longAgo)));
    // stats() above started the region's first walk, which may have listed the files before
    // utimes(): the first sweep() joins that walk, the second starts after it.
    await (region.store as FileStore).sweep();
    await (region.store as FileStore).sweep();
    expect((await regionFiles(files)).temps).toEqual([]);
    for (const name of names) {
      const found = await region.get<Buffer>(region.keyFor(ImportService, 'document', [name, SIZE]));
      if (found !== undefined) expect(found.equals(documentBytes(name, SIZE))).toBe(true);
    }
  }, 90_000);

  describe('on a small tmpfs', () => {
    let tmpfs: Awaited<ReturnType<typeof mountTmpfs>>;
    beforeEach(async (ctx) => {
      tmpfs = await mountTmpfs(dir.path, MiB);
      if (tmpfs === undefined) {
        console.warn('SKIPPED: cannot mount a tmpfs here (needs root); region-level ENOSPC/EROFS untested');
        ctx.skip();
      }
    });
    afterEach(async () => {
      await Promise.all(apps.splice(0).map((app) => app.close()));
      tmpfs?.unmount();
    });

    it('a full disk (ENOSPC): values stay right, failed writes count, no partial file is left', async () => {
      const { imports, region } = await createApp(tmpfs!.path);
      const names = Array.from({ length: 10 }, (_, i) => `big-${i}`);
      const SIZE = 200 * KiB; // ten of them cannot fit in 1 MiB
      for (let round = 0; round < 3; round++) {
        for (const name of names) expect(await callAll(imports, [name], SIZE)).toBe(0);
        await sleep(150); // writes settle; a breaker opened by failed writes closes again
      }
      const stats = region.stats();
      expect(stats.errors).toBeGreaterThan(0);
      expect(stats.hits).toBeGreaterThan(0); // what fitted is cached
      expect((await regionFiles((region.store as FileStore).directory)).temps).toEqual([]);

      // Space freed: caching of the rest resumes.
      await region.clear();
      await sleep(150); // past the breaker's cool-down, should it have opened
      const runs = imports.runs;
      expect(await callAll(imports, names.slice(0, 3), SIZE)).toBe(0);
      await settled(region, names.slice(0, 3), SIZE);
      expect(await callAll(imports, names.slice(0, 3), SIZE)).toBe(0);
      expect(imports.runs).toBe(runs + 6);
    });

    it('a read-only disk (EROFS): cached values are still served, new ones run uncached', async () => {
      const { imports, region } = await createApp(tmpfs!.path);
      const SIZE = 20 * KiB;
      expect(await callAll(imports, ['kept'], SIZE)).toBe(0);
      await settled(region, ['kept'], SIZE);
      tmpfs!.remountReadOnly();
      await sleep(40);
      const errorsBefore = region.stats().errors;
      for (let round = 0; round < 3; round++) {
        expect(await callAll(imports, ['kept', 'new-1', 'new-2'], SIZE)).toBe(0);
        await sleep(20);
      }
      expect(region.stats().errors).toBeGreaterThan(errorsBefore);
      expect(region.stats().hits).toBeGreaterThan(0);
      expect(await region.get(region.keyFor(ImportService, 'summary', ['new-1']))).toBeUndefined();
    });
  });

  it('a cache directory below a regular file (ENOTDIR): uncached until it is a directory again', async () => {
    const blocker = join(dir.path, 'blocker');
    await writeFile(blocker, 'a regular file where the cache directory should be');
    const { imports, region } = await createApp(join(blocker, 'cache'));
    for (let round = 0; round < 4; round++) {
      expect(await callAll(imports, ['a', 'b'], 1_000)).toBe(0);
      await sleep(20); // each failed write settles (callers arriving meanwhile share its result)
    }
    expect(imports.runs).toBe(16);
    expect(region.stats().errors).toBeGreaterThan(0);
    expect(region.stats().breakerOpened).toBeGreaterThan(0);

    await rm(blocker);
    await mkdir(blocker);
    // Caching resumes after the breaker's cool-down: soon a whole round is served from the cache.
    let cachedRound = false;
    for (let round = 0; round < 30 && !cachedRound; round++) {
      await sleep(50);
      const runs = imports.runs;
      expect(await callAll(imports, ['a', 'b'], 1_000)).toBe(0);
      cachedRound = imports.runs === runs;
    }
    expect(cachedRound).toBe(true);
    expect(region.stats().breakerOpen).toBe(false);
  });

  it('a directory where an entry file should be (EISDIR): that key runs uncached, others cache', async () => {
    const { imports, region } = await createApp(join(dir.path, 'cache'));
    const blocked = entryFile(region, 'summary', ['blocked']);
    await mkdir(blocked, { recursive: true });
    await writeFile(join(blocked, 'inside'), 'x');
    for (let round = 0; round < 3; round++) {
      expect(await imports.summary('blocked')).toEqual(expectedSummary('blocked'));
      expect(await imports.summary('free')).toEqual(expectedSummary('free'));
      await sleep(20);
    }
    expect(imports.runs).toBe(4);
    expect(region.stats().errors).toBeGreaterThan(0);
    expect(await readFile(join(blocked, 'inside'), 'utf8')).toBe('x');
    expect(dirname(blocked).startsWith((region.store as FileStore).directory)).toBe(true);
  });
});

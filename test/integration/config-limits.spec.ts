/**
 * Configuration that cannot work stops the app at bootstrap, through forRoot and forRootAsync:
 * a store instance shared by two regions, a directory with a NUL byte, a reserved region name,
 * timer-overflowing integers. Valid neighbours of each still start.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CacheConfigError,
  CacheRegions,
  CacheRegionsModule,
  type CacheRegionsOptions,
} from '../../lib/index.js';
import { MemoryStore } from '../../lib/stores/memory.store.js';
import { bootstrapError, closeRegionsApps, createRegionsApp } from '../support/regions-app.js';

/** The error an app with just `module` fails to start with. */
const startupError = (module: ReturnType<typeof CacheRegionsModule.forRoot>) => bootstrapError({ imports: [module] });

describe('configuration refused at bootstrap', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ncr-config-limits-'));
  });
  afterEach(async () => {
    await closeRegionsApps();
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses one store instance given to two regions, which would read each other\'s entries', async () => {
    const store = new MemoryStore({ maxEntries: 100, clone: false });
    const error = await startupError(CacheRegionsModule.forRoot({ regions: { admin: { store }, public: { store } } }));
    expect(error).toBeInstanceOf(CacheConfigError);
    expect(error.message).toMatch(/^Regions "admin" and "public" are given the same store instance: .* Give each region its own instance/);

    // One instance each: the regions stay apart.
    const app = await createRegionsApp({
      regions: {
        admin: { store: new MemoryStore({ maxEntries: 100, clone: false }) },
        public: { store: new MemoryStore({ maxEntries: 100, clone: false }) },
      },
    });
    const regions = app.get(CacheRegions);
    await regions.get('admin').set('salary:7', 1_000_000);
    expect(await regions.get('public').get('salary:7')).toBeUndefined();
  });

  it('refuses a file region whose dir contains a NUL byte', async () => {
    const error = await startupError(
      CacheRegionsModule.forRoot({ regions: { files: { store: 'file', dir: `${dir}\0evil` } } }),
    );
    expect(error).toBeInstanceOf(CacheConfigError);
    expect(error.message).toMatch(/^Invalid option "dir" in region "files": the path contains a NUL byte/);
  });

  it('refuses the region name "__proto__" from parsed configuration and leaves Object.prototype alone', async () => {
    const options = JSON.parse('{"regions": {"__proto__": {"store": "memory"}}}') as CacheRegionsOptions;
    const error = await startupError(CacheRegionsModule.forRoot(options));
    expect(error).toBeInstanceOf(CacheConfigError);
    expect(error.message).toMatch(/^Invalid region name "__proto__" in CacheRegionsModule options "regions"/);
    expect(Object.getPrototypeOf({})).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).store).toBeUndefined();
  });

  it('refuses "constructor" named by a forRootAsync factory and by its declared names', async () => {
    expect(() =>
      CacheRegionsModule.forRootAsync({ regions: ['constructor'], useFactory: () => ({ regions: {} }) }),
    ).toThrow(/^Invalid region name "constructor" in CacheRegionsModule\.forRootAsync "regions"/);
    const error = await startupError(
      CacheRegionsModule.forRootAsync({
        regions: ['ok'],
        useFactory: async () => ({ regions: { ok: {}, constructor: {} } }),
      }),
    );
    expect(error).toBeInstanceOf(CacheConfigError);
    expect(error.message).toMatch(/^Invalid region name "constructor"/);
  });

  it('rejects a bad ttl given to setStream() before the store is called: no store error', async () => {
    const app = await createRegionsApp({ regions: { files: { store: 'file', dir, ttl: '5d' } } });
    const files = app.get(CacheRegions).get('files');
    for (const ttl of ['0ms', 0.0004, 1e20]) {
      await expect(files.setStream('doc', Readable.from([Buffer.from('bytes')]), { ttl })).rejects.toBeInstanceOf(
        CacheConfigError,
      );
    }
    await expect(files.setStream('doc', Readable.from([Buffer.from('bytes')]), { ttl: 0.0004 })).rejects.toThrow(
      /^Invalid ttl 0\.0004 for region "files" setStream\(\) option "ttl": it rounds to 0 ms/,
    );
    expect(files.stats()).toMatchObject({ errors: 0, sets: 0, breakerOpen: false });
    await files.setStream('doc', Readable.from([Buffer.from('bytes')]), { ttl: '1h' });
    expect(await files.get('doc')).toEqual(Buffer.from('bytes'));
  });

  it('refuses a sweep interval that would overflow the timer and become a busy loop', async () => {
    const error = await startupError(
      CacheRegionsModule.forRoot({ regions: { files: { store: 'file', dir, sweepIntervalMs: 30 * 86_400_000 } } }),
    );
    expect(error).toBeInstanceOf(CacheConfigError);
    expect(error.message).toMatch(/^Invalid option "sweepIntervalMs" in region "files": expected an integer from 1 to 2147483647/);
  });
});

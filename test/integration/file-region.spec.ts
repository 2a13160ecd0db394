import { Injectable, Module } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { Cached, CacheRegions, CacheRegionsModule, type CacheRegion, InjectRegion } from '../../lib/index.js';
import { makeTempDir } from '../support/file-test-dirs.js';

@Injectable()
class ImportService {
  reads = 0;
  constructor(@InjectRegion('files') readonly files: CacheRegion) {}

  @Cached('files')
  async readFile(path: string): Promise<Buffer> {
    this.reads++;
    return readFile(path);
  }
}

@Module({ providers: [ImportService] })
class ImportModule {}

async function createApp(dir: string): Promise<TestingModule> {
  const app = await Test.createTestingModule({
    imports: [CacheRegionsModule.forRoot({ keyPrefix: 'imp', regions: { files: { store: 'file', dir, ttl: '5d' } } }), ImportModule],
  }).compile();
  await app.init();
  return app;
}

describe('file region', () => {
  let dir: Awaited<ReturnType<typeof makeTempDir>>;
  beforeEach(async () => {
    dir = await makeTempDir('file-region');
  });
  afterEach(async () => {
    await dir.remove();
  });

  it('caches import files read by @Cached readFile(path), across app restarts', async () => {
    const source = join(dir.path, 'report.txt');
    await writeFile(source, 'imported text\n');
    const cacheDir = join(dir.path, 'cache');

    const first = await createApp(cacheDir);
    const imports = first.get(ImportService);
    const a = await imports.readFile(source);
    const b = await imports.readFile(source);
    expect(Buffer.isBuffer(b)).toBe(true);
    expect(b.toString()).toBe('imported text\n');
    expect(a.equals(b)).toBe(true);
    expect(imports.reads).toBe(1);
    await first.close();

    await writeFile(source, 'changed on the other server\n');
    const second = await createApp(cacheDir);
    expect((await second.get(ImportService).readFile(source)).toString()).toBe('imported text\n');
    expect(second.get(ImportService).reads).toBe(0);
    await second.close();
  });

  it('streams values in and out through the region', async () => {
    const app = await createApp(join(dir.path, 'cache'));
    const files = app.get(ImportService).files;
    const chunks = Array.from({ length: 64 }, (_, i) => Buffer.alloc(16_384, i));
    await files.setStream('big', Readable.from(chunks), { ttl: '1h' });
    const stream = await files.getStream('big');
    expect(stream).toBeDefined();
    expect((await buffer(stream!)).equals(Buffer.concat(chunks))).toBe(true);
    expect(await files.getStream('absent')).toBeUndefined();
    expect(files.stats()).toMatchObject({ sets: 1, hits: 1, misses: 1 });
    await app.close();
  });

  it('reads a damaged entry as a miss and counts it in stats().errors', async () => {
    const cacheDir = join(dir.path, 'cache');
    const app = await createApp(cacheDir);
    const files = app.get(ImportService).files;
    await files.set('doc', { title: 'kept' });
    const regionDir = join(cacheDir, 'imp.files');
    const [l1] = await readdir(regionDir);
    const [l2] = await readdir(join(regionDir, l1));
    const [name] = await readdir(join(regionDir, l1, l2));
    const path = join(regionDir, l1, l2, name);
    const bytes = await readFile(path);
    await writeFile(path, bytes.subarray(0, bytes.length - 3));
    expect(await files.get('doc')).toBeUndefined();
    expect(files.stats().errors).toBe(1);
    await app.close();
  });

  it('boots with an unusable directory and runs uncached (fail open)', async () => {
    const blocker = join(dir.path, 'not-a-dir');
    await writeFile(blocker, 'a regular file where the cache directory should be');
    const app = await createApp(join(blocker, 'cache'));
    const imports = app.get(ImportService);
    const source = join(dir.path, 'a.txt');
    await writeFile(source, 'A');
    expect((await imports.readFile(source)).toString()).toBe('A');
    await new Promise((resolve) => setTimeout(resolve, 50)); // let the failed write settle
    expect((await imports.readFile(source)).toString()).toBe('A');
    expect(imports.reads).toBe(2);
    const stats = app.get(CacheRegions).get('files').stats();
    expect(stats.errors).toBeGreaterThanOrEqual(2);
    await app.close();
  });
});

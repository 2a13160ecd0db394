import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, stat, truncate, utimes, writeFile, appendFile, copyFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { Readable } from 'node:stream';
import { CacheConfigError, CacheStoreError, CacheUnsupportedError } from '../../lib/errors.js';
import { StoreValueTooLargeError, type StoreEntry } from '../../lib/stores/cache-store.js';
import { FileStore, type FileStoreOptions } from '../../lib/stores/file.store.js';
import { ENTRY_STREAM_CHUNK_BYTES } from '../../lib/stores/file/entry-read-stream.js';
import { entryFileDigest, mutexPath, regionDirName, regionPaths } from '../../lib/stores/file/file-paths.js';
import { listTree, makeTempDir, mountTmpfs, regionFiles } from '../support/file-test-dirs.js';

const entry = (value: unknown, expiresAt = 0, freshUntil = 0): StoreEntry => ({ value, expiresAt, freshUntil });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const MiB = 1024 * 1024;

describe('FileStore', () => {
  let dir: Awaited<ReturnType<typeof makeTempDir>>;
  const stores: FileStore[] = [];
  const warnings: string[] = [];

  const makeStore = (options: Partial<FileStoreOptions> = {}, region = 'files') => {
    const store = new FileStore(
      { dir: dir.path, sweepIntervalMs: 60_000, ...options },
      { region, namespace: `app:${region}`, warn: (message) => warnings.push(message) },
    );
    stores.push(store);
    return store;
  };
  const fileOf = (store: FileStore, key: string) => {
    const digest = entryFileDigest(key);
    return join(store.directory, digest.slice(0, 2), digest.slice(2, 4), digest);
  };
  const until = async (condition: () => Promise<boolean>, timeoutMs = 15_000) => {
    for (const started = Date.now(); !(await condition()); await sleep(20)) {
      if (Date.now() - started > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    }
  };

  beforeEach(async () => {
    dir = await makeTempDir('file-store');
    warnings.length = 0;
  });
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((store) => store.close()));
    await dir.remove();
  });

  it('round-trips typed values, Buffers, expiry and freshUntil', async () => {
    const store = makeStore();
    const value = { at: new Date(5), tags: new Set(['a']), map: new Map([[1, 'one']]), big: 10n ** 20n, text: 'é' };
    const expiresAt = Date.now() + 60_000;
    await store.set('typed', entry(value, expiresAt, expiresAt - 1_000));
    expect(await store.get('typed')).toEqual({ value, expiresAt, freshUntil: expiresAt - 1_000 });
    await store.set('bytes', entry(Buffer.from('raw')));
    const bytes = await store.get('bytes');
    expect(Buffer.isBuffer(bytes?.value) && bytes.value.toString()).toBe('raw');
  });

  it('does not touch the disk before the first operation', async () => {
    const target = join(dir.path, 'later');
    const store = makeStore({ dir: target });
    store.describe();
    await expect(stat(target)).rejects.toMatchObject({ code: 'ENOENT' });
    await store.set('k', entry(1));
    expect((await store.get('k'))?.value).toBe(1);
  });

  it('keeps every file inside the region directory, whatever the key', async () => {
    const store = makeStore();
    const keys = [
      '../../etc/passwd',
      '/etc/passwd',
      '..',
      '.',
      'a/../../../b',
      'nul\0byte/../x',
      '\0',
      '..\\..\\windows',
      '🙂'.repeat(2_560), // 10 KiB of UTF-8
      'ж'.repeat(5_000),
      '\uD800', // lone surrogates: distinct keys, distinct files
      '\uDBFF',
    ];
    for (const [i, key] of keys.entries()) await store.set(key, entry(i));
    for (const [i, key] of keys.entries()) expect((await store.get(key))?.value, JSON.stringify(key.slice(0, 20))).toBe(i);

    const { files, dirs } = await listTree(dir.path);
    for (const path of [...files, ...dirs]) expect(path.startsWith(store.directory + sep) || path === store.directory).toBe(true);
    const entryFiles = files.map((path) => relative(store.directory, path)).filter((path) => !path.startsWith('.locks'));
    expect(entryFiles).toHaveLength(keys.length);
    for (const path of entryFiles) expect(path).toMatch(/^[0-9a-f]{2}\/[0-9a-f]{2}\/[0-9a-f]{64}$/);
  });

  it('refuses region names that could leave the directory, without creating anything', async () => {
    for (const region of ['..', '../other', 'a/b', '', 'x\0y', '.hidden']) {
      expect(() => makeStore({}, region)).toThrow(CacheConfigError);
    }
    expect((await listTree(dir.path)).files).toEqual([]);
  });

  it('creates files 0600 and directories 0700', async () => {
    const store = makeStore({ dir: join(dir.path, 'cache') });
    await store.set('k', entry('v'));
    await store.setStream('s', Readable.from([Buffer.from('x')]), 0);
    await store.set('expired', entry('v', Date.now() - 1));
    expect(await store.add('expired', entry('w'))).toBe(true); // goes through the lock directory
    const { files, dirs } = await listTree(join(dir.path, 'cache'));
    expect(dirs.some((path) => path.endsWith('.locks'))).toBe(true);
    for (const path of [join(dir.path, 'cache'), ...dirs]) expect(((await stat(path)).mode & 0o777).toString(8), path).toBe('700');
    expect(files).toHaveLength(3);
    for (const path of files) expect(((await stat(path)).mode & 0o777).toString(8), path).toBe('600');
  });

  it('stores Buffers raw, right after the header', async () => {
    const store = makeStore();
    const value = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7) & 0xff));
    await store.set('raw', entry(value));
    const file = await readFile(fileOf(store, 'raw'));
    expect(file.subarray(file.length - value.length).equals(value)).toBe(true);
    expect(file.length - value.length).toBe(44 + Buffer.byteLength('raw', 'utf16le'));
  });

  it('checks the key stored in the header: a file copied under another name is a miss', async () => {
    const store = makeStore();
    await store.set('original', entry('secret'));
    await mkdir(join(fileOf(store, 'other'), '..'), { recursive: true });
    await copyFile(fileOf(store, 'original'), fileOf(store, 'other'));
    expect(await store.get('other')).toBeUndefined();
    expect(await store.has('other')).toBe(false);
    expect((await store.get('original'))?.value).toBe('secret');
  });

  describe('damaged files read as misses, are removed and counted', () => {
    const damages: [string, (path: string) => Promise<void>][] = [
      ['truncated payload', (path) => stat(path).then((s) => truncate(path, s.size - 3))],
      ['truncated header', (path) => truncate(path, 20)],
      ['empty file', (path) => truncate(path, 0)],
      ['garbled header', (path) => flipByte(path, 12)],
      ['garbled magic', (path) => flipByte(path, 0)],
      ['garbled key', (path) => flipByte(path, 45)],
      ['bytes appended (wrong payload length)', (path) => appendFile(path, 'extra')],
      ['garbled codec payload', (path) => stat(path).then((s) => flipByte(path, s.size - 60, 0xff))],
    ];
    it.each(damages)('%s', async (_label, damage) => {
      const store = makeStore();
      await store.set('victim', entry({ text: 'x'.repeat(100) }));
      await store.set('bystander', entry('fine'));
      const path = fileOf(store, 'victim');
      await damage(path);
      expect(await store.get('victim')).toBeUndefined();
      await expect(stat(path)).rejects.toMatchObject({ code: 'ENOENT' });
      expect(store.describe().corrupt).toBe(1);
      expect(warnings.join('\n')).toContain(path);
      expect((await store.get('bystander'))?.value).toBe('fine');
    });

    it('each damaged file counts once: found by a read and a sweep at once, or rewritten and damaged again', async () => {
      const store = makeStore();
      for (let round = 1; round <= 40; round++) {
        // A new file at the same path often gets the removed one's inode number back.
        await store.set('victim', entry({ round }));
        await truncate(fileOf(store, 'victim'), 30);
        const [read] = await Promise.all([store.get('victim'), store.sweep(), store.has('victim')]);
        expect(read).toBeUndefined();
        expect(store.describe().corrupt, `round ${round}`).toBe(round);
      }
    });
  });

  it('reads expired entries as misses and removes them', async () => {
    const store = makeStore();
    // The store's clock (Date.now) is moved on by hand: no wall-clock window to miss.
    vi.useFakeTimers({ toFake: ['Date'] });
    onTestFinished(() => {
      vi.useRealTimers();
    });
    await store.set('old', entry('v', Date.now() + 50));
    await store.set('older', entry('v', Date.now() + 50));
    expect(await store.has('old')).toBe(true);
    vi.setSystemTime(Date.now() + 80);
    expect(await store.get('old')).toBeUndefined();
    expect(await store.has('older')).toBe(false);
    expect((await regionFiles(store.directory)).entries).toEqual([]);
    expect(store.describe().corrupt).toBe(0);
  });

  it('sweeps expired files, stale temporary files and damaged files on its timer', async () => {
    const store = makeStore({ sweepIntervalMs: 50 });
    await store.set('short', entry('v', Date.now() + 100));
    await store.set('long', entry('v', Date.now() + 60_000));
    await store.set('damaged', entry('v'));
    await truncate(fileOf(store, 'damaged'), 30);
    const staleTemp = `${fileOf(store, 'long')}.x-1.tmp`;
    const freshTemp = `${fileOf(store, 'long')}.x-2.tmp`;
    await writeFile(staleTemp, 'half a value');
    await writeFile(freshTemp, 'a write in progress');
    const longAgo = new Date(Date.now() - 10 * 60_000);
    await utimes(staleTemp, longAgo, longAgo);

    await until(async () => (await regionFiles(store.directory)).entries.length === 1);
    await until(async () => (await regionFiles(store.directory)).temps.length === 1);
    expect((await regionFiles(store.directory)).entries).toEqual([fileOf(store, 'long')]);
    expect((await regionFiles(store.directory)).temps).toEqual([freshTemp]);
    expect(store.describe()).toMatchObject({ entries: 1, corrupt: 1 });
  });

  it('stops sweeping on close()', async () => {
    await makeStore().set('expired', entry('v', Date.now() - 1));
    // Closed before its timer could fire once (no await in between): no sweep ever runs.
    const store = makeStore({ sweepIntervalMs: 20 });
    await store.close();
    await sleep(150);
    expect((await regionFiles(store.directory)).entries).toHaveLength(1);
  });

  describe('maxBytes', () => {
    const VALUE_BYTES = 100 * 1024;
    const totalOnDisk = async (store: FileStore) => {
      const { entries } = await regionFiles(store.directory);
      const sizes = await Promise.all(entries.map(async (path) => (await stat(path)).size));
      return sizes.reduce((sum, size) => sum + size, 0);
    };

    it('evicts the least recently used entries as entries are written', async () => {
      const maxBytes = 1 * MiB;
      const store = makeStore({ maxBytes });
      for (let i = 0; i < 30; i += 1) {
        await store.set(`k${i}`, entry(Buffer.alloc(VALUE_BYTES, i)));
        expect((await store.get('k0'))?.value).toBeDefined(); // k0 stays the most recently read
        expect(await totalOnDisk(store)).toBeLessThanOrEqual(maxBytes * 1.1);
      }
      expect(await totalOnDisk(store)).toBeLessThanOrEqual(maxBytes);
      expect(await store.get('k1')).toBeUndefined();
      expect((await store.get('k29'))?.value).toBeDefined();
      expect(store.describe().evicted).toBeGreaterThanOrEqual(20);
      expect(store.describe().bytes).toBe(await totalOnDisk(store));
    });

    it('counts files already on disk (a restart) before evicting', async () => {
      const before = makeStore();
      for (let i = 0; i < 20; i += 1) await before.set(`old${i}`, entry(Buffer.alloc(VALUE_BYTES)));
      await before.close();
      const store = makeStore({ maxBytes: 1 * MiB });
      await store.set('new', entry(Buffer.alloc(VALUE_BYTES)));
      expect(await totalOnDisk(store)).toBeLessThanOrEqual(1 * MiB);
      expect((await store.get('new'))?.value).toBeDefined();
      expect(store.describe().bytes).toBe(await totalOnDisk(store));
    });

    it('rejects a value larger than maxBytes without writing anything', async () => {
      const store = makeStore({ maxBytes: 64 * 1024 });
      await expect(store.set('big', entry(Buffer.alloc(65 * 1024)))).rejects.toBeInstanceOf(StoreValueTooLargeError);
      const source = Readable.from((function* () { for (let i = 0; i < 100; i += 1) yield Buffer.alloc(1024); })());
      await expect(store.setStream('big', source, 0)).rejects.toBeInstanceOf(StoreValueTooLargeError);
      expect(source.destroyed).toBe(true);
      expect(await regionFiles(store.directory)).toEqual({ entries: [], temps: [] });
    });
  });

  it('clear() removes this region only', async () => {
    const files = makeStore({}, 'files');
    const other = makeStore({}, 'other');
    await files.set('a', entry(1));
    await files.set('b', entry(2));
    await other.set('a', entry('kept'));
    const foreign = join(files.directory, 'README');
    await writeFile(foreign, 'not ours');
    await files.clear();
    expect(await files.get('a')).toBeUndefined();
    expect(await files.get('b')).toBeUndefined();
    expect(files.describe().entries).toBe(0);
    expect((await other.get('a'))?.value).toBe('kept');
    expect(await readFile(foreign, 'utf8')).toBe('not ours');
    await files.set('c', entry(3));
    expect((await files.get('c'))?.value).toBe(3);
  });

  it('delete() and has()', async () => {
    const store = makeStore();
    await store.set('k', entry('v'));
    expect(await store.has('k')).toBe(true);
    expect(await store.delete('k')).toBe(true);
    expect(await store.delete('k')).toBe(false);
    expect(await store.has('k')).toBe(false);
  });

  it('add() stores once among concurrent callers and replaces expired entries', async () => {
    const store = makeStore();
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => store.add('lock', entry(i, Date.now() + 60_000))));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect((await store.get('lock'))?.value).toBe(results.indexOf(true));
    await store.set('lapsed', entry('old', Date.now() - 1));
    expect(await store.add('lapsed', entry('new'))).toBe(true);
    expect((await store.get('lapsed'))?.value).toBe('new');
    expect(await store.add('lapsed', entry('newer'))).toBe(false);
    expect((await regionFiles(store.directory)).temps).toEqual([]);
  });

  it('add() replaces a dead entry under a mutex file in lockDir, and breaks a stale mutex', async () => {
    const lockDir = join(dir.path, 'locks');
    const store = makeStore({ lockDir });
    await store.set('job', entry('crashed holder', Date.now() - 1));
    const mutex = mutexPath(regionPaths(dir.path, regionDirName('app:files'), lockDir), entryFileDigest('job'));
    await mkdir(lockDir);
    await writeFile(mutex, '');
    expect(await store.add('job', entry('me'))).toBe(false); // another process is replacing it
    const longAgo = new Date(Date.now() - 60_000);
    await utimes(mutex, longAgo, longAgo);
    expect(await store.add('job', entry('me'))).toBe(true);
    expect((await store.get('job'))?.value).toBe('me');
    await expect(stat(mutex)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('replacing an entry: readers racing the writes see the old value, the new one or a miss, never a part', async () => {
    const writer = makeStore();
    const reader = makeStore(); // another instance: knows nothing of the writer's files
    const values = [Buffer.alloc(MiB, 1), Buffer.alloc(2 * MiB, 2)];
    await writer.set('v', entry(values[0]));
    let writing = true;
    const seen = new Set<string>();
    const reading = (async () => {
      while (writing) {
        const got = (await reader.get('v'))?.value as Buffer | undefined;
        seen.add(got === undefined ? 'miss' : String(values.findIndex((value) => value.equals(got))));
      }
    })();
    for (let i = 1; i <= 40; i++) await writer.set('v', entry(values[i % 2]));
    writing = false;
    await reading;
    expect([...seen].filter((outcome) => outcome === '-1')).toEqual([]);
    expect(((await reader.get('v'))?.value as Buffer).equals(values[0])).toBe(true);
    expect((await regionFiles(writer.directory)).temps).toEqual([]);
    expect(reader.describe().corrupt + writer.describe().corrupt).toBe(0);
  });

  describe('streams', () => {
    it('misses, streams strings and refuses values with no byte form', async () => {
      const store = makeStore();
      expect(await store.getStream('absent')).toBeUndefined();
      await store.set('text', entry('héllo'));
      expect(await collect((await store.getStream('text'))!)).toEqual(Buffer.from('héllo'));
      await store.set('object', entry({ a: 1 }));
      await expect(store.getStream('object')).rejects.toBeInstanceOf(CacheUnsupportedError);
      await store.setStream('empty', Readable.from([]), 0);
      expect(await collect((await store.getStream('empty'))!)).toEqual(Buffer.alloc(0));
    });

    it('reads a streamed value back through get() as a Buffer, with its expiry', async () => {
      const store = makeStore();
      const expiresAt = Date.now() + 60_000;
      await store.setStream('s', Readable.from(generated(1 * MiB, 64 * 1024)), expiresAt);
      const got = await store.get('s');
      expect(got?.expiresAt).toBe(expiresAt);
      expect(Buffer.isBuffer(got?.value)).toBe(true);
      expect(sha256(got?.value as Buffer)).toBe(sha256(Buffer.concat([...generated(1 * MiB, 64 * 1024)])));
    });

    it('writes and reads 200 MiB with well under 64 MiB of resident memory growth', async () => {
      const store = makeStore();
      const size = 200 * MiB;
      const expected = createHash('sha256');
      for (const chunk of generated(size, MiB)) expected.update(chunk);
      const baseline = process.memoryUsage().rss;
      let peak = baseline;
      const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
      try {
        await store.setStream('huge', Readable.from(generated(size, MiB)), 0);
        const stream = await store.getStream('huge');
        const actual = createHash('sha256');
        let bytes = 0;
        for await (const chunk of stream!) {
          actual.update(chunk as Buffer);
          bytes += (chunk as Buffer).length;
          peak = Math.max(peak, process.memoryUsage().rss);
        }
        expect(bytes).toBe(size);
        expect(actual.digest('hex')).toBe(expected.digest('hex'));
      } finally {
        clearInterval(sampler);
      }
      expect(peak - baseline).toBeLessThan(64 * MiB);
      expect((await stat(fileOf(store, 'huge'))).size).toBe(size + 44 + Buffer.byteLength('huge', 'utf16le'));
    });

    it('keeps an open stream whole when the entry is replaced or deleted meanwhile', async () => {
      const store = makeStore();
      await store.set('v', entry(Buffer.alloc(2 * MiB, 1)));
      const stream = await store.getStream('v');
      await store.set('v', entry(Buffer.alloc(3 * MiB, 2)));
      await store.delete('v');
      expect((await collect(stream!)).equals(Buffer.alloc(2 * MiB, 1))).toBe(true);
    });

    it('streams values of every size whole: within the first read, one chunk past it, many chunks', async () => {
      const store = makeStore();
      const chunk = ENTRY_STREAM_CHUNK_BYTES;
      // The first read holds the header (44 bytes and the key) and the first payload bytes.
      const inFirstRead = chunk - 44 - 2 * 'sNNNNNNN'.length;
      for (const size of [1, 1_000, inFirstRead - 1, inFirstRead, inFirstRead + 1, chunk, 3 * chunk + 7, 2 * MiB + 3]) {
        const value = Buffer.alloc(size);
        for (let i = 0; i < size; i++) value[i] = (i * 7 + size) & 0xff;
        const key = `s${String(size).padStart(7, '0')}`;
        await store.set(key, entry(value));
        expect((await collect((await store.getStream(key))!)).equals(value)).toBe(true);
      }
    });

    it('a file cut short under an open stream fails the stream and is removed', async () => {
      const store = makeStore();
      await store.set('v', entry(Buffer.alloc(MiB, 3)));
      const stream = await store.getStream('v');
      await truncate(fileOf(store, 'v'), MiB / 2); // written to in place: the open handle sees it
      await expect(collect(stream!)).rejects.toBeInstanceOf(CacheStoreError);
      expect(await store.get('v')).toBeUndefined();
      expect(store.describe().corrupt).toBe(1);
    });

    it('a stream destroyed before its end closes its file', async () => {
      const store = makeStore();
      await store.set('v', entry(Buffer.alloc(MiB, 4)));
      const openFiles = async () => (await readdir('/proc/self/fd')).length;
      const before = await openFiles();
      const stream = (await store.getStream('v'))!;
      await new Promise((resolve) => stream.once('readable', resolve));
      expect(await openFiles()).toBe(before + 1);
      stream.destroy();
      await new Promise((resolve) => stream.once('close', resolve));
      expect(await openFiles()).toBe(before);
    });

    it('rejects with the source error and leaves no temporary file', async () => {
      const store = makeStore();
      const failing = Readable.from((async function* () {
        yield Buffer.alloc(1024);
        throw new Error('upstream broke');
      })());
      await expect(store.setStream('s', failing, 0)).rejects.toThrow('upstream broke');
      expect(await regionFiles(store.directory)).toEqual({ entries: [], temps: [] });
    });
  });

  describe('disk errors reject the operation; the constructor never throws', () => {
    it('a cache directory below a regular file (ENOTDIR)', async () => {
      await writeFile(join(dir.path, 'file'), 'x');
      const store = makeStore({ dir: join(dir.path, 'file', 'cache') });
      const failure = store.set('k', entry('v'));
      await expect(failure).rejects.toBeInstanceOf(CacheStoreError);
      await expect(failure).rejects.toMatchObject({ cause: { code: 'ENOTDIR' } });
      await expect(store.get('k')).rejects.toMatchObject({ cause: { code: 'ENOTDIR' } });
      await expect(store.setStream('k', Readable.from([Buffer.from('x')]), 0)).rejects.toMatchObject({ cause: { code: 'ENOTDIR' } });
      await expect(store.add('k', entry('v'))).rejects.toBeInstanceOf(CacheStoreError);
    });

    // Tests run as root, which ignores permission bits: a small tmpfs gives real ENOSPC/EROFS.
    it('a full disk (ENOSPC) and a read-only disk (EROFS), on a tmpfs', async (ctx) => {
      const tmpfs = await mountTmpfs(dir.path, 1 * MiB);
      if (tmpfs === undefined) {
        console.warn('SKIPPED: cannot mount a tmpfs here (needs root); ENOSPC/EROFS untested');
        ctx.skip();
        return;
      }
      try {
        const store = makeStore({ dir: tmpfs.path });
        await store.set('small', entry('fits', Date.now() + 60_000));
        await store.set('soon', entry('expires', Date.now() + 30));
        const full = store.set('big', entry(Buffer.alloc(2 * MiB)));
        await expect(full).rejects.toBeInstanceOf(CacheStoreError);
        await expect(full).rejects.toMatchObject({ cause: { code: 'ENOSPC' } });
        await expect(store.setStream('big', Readable.from(generated(2 * MiB, 64 * 1024)), 0)).rejects.toMatchObject({
          cause: { code: 'ENOSPC' },
        });
        expect((await regionFiles(store.directory)).temps).toEqual([]);
        expect((await store.get('small'))?.value).toBe('fits');

        tmpfs.remountReadOnly();
        await sleep(40);
        expect((await store.get('small'))?.value).toBe('fits');
        expect(await store.get('soon')).toBeUndefined(); // expired: a miss, though it cannot be removed
        await expect(store.set('k', entry('v'))).rejects.toMatchObject({ cause: { code: 'EROFS' } });
        await expect(store.delete('small')).rejects.toMatchObject({ cause: { code: 'EROFS' } });
        await expect(store.clear()).rejects.toBeInstanceOf(CacheStoreError);
        await store.close();
      } finally {
        tmpfs.unmount();
      }
    });
  });
});

async function flipByte(path: string, offset: number, mask = 0x55): Promise<void> {
  const bytes = await readFile(path);
  bytes[offset] ^= mask;
  await writeFile(path, bytes);
}

function* generated(size: number, chunkBytes: number): Generator<Buffer> {
  for (let at = 0, index = 0; at < size; at += chunkBytes, index += 1) {
    const chunk = Buffer.alloc(Math.min(chunkBytes, size - at), index & 0xff);
    chunk.writeUInt32BE(index, 0);
    yield chunk;
  }
}

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

describe('FileStore isolation by namespace', () => {
  it('keeps apps with different key prefixes in one directory apart, also on clear()', async () => {
    const dir = await makeTempDir('isolation');
    const one = new FileStore({ dir: dir.path, sweepIntervalMs: 60_000 }, { region: 'files', namespace: 'one:files' });
    const two = new FileStore({ dir: dir.path, sweepIntervalMs: 60_000 }, { region: 'files', namespace: 'two:files' });
    const plain = new FileStore({ dir: dir.path, sweepIntervalMs: 60_000 }, { region: 'files', namespace: 'files' });
    try {
      await one.set('k', { value: 'one', expiresAt: 0, freshUntil: 0 });
      await two.set('k', { value: 'two', expiresAt: 0, freshUntil: 0 });
      await plain.set('k', { value: 'plain', expiresAt: 0, freshUntil: 0 });
      expect(plain.directory).toBe(join(dir.path, 'files'));
      expect(one.directory).toBe(join(dir.path, 'one.files'));
      expect((await one.get('k'))?.value).toBe('one');
      await one.clear();
      expect(await one.get('k')).toBeUndefined();
      expect((await two.get('k'))?.value).toBe('two');
      expect((await plain.get('k'))?.value).toBe('plain');
    } finally {
      await Promise.all([one.close(), two.close(), plain.close()]);
      await dir.remove();
    }
  });
});

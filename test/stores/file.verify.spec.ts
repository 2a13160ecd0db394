import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { crc32 } from 'node:zlib';
import { encodeValue } from '../../lib/serialization/value-codec.js';
import type { StoreEntry } from '../../lib/stores/cache-store.js';
import { FileStore, type FileStoreOptions } from '../../lib/stores/file.store.js';
import { entryFileDigest } from '../../lib/stores/file/file-paths.js';
import { SETTLED_MS } from '../../lib/stores/file/verified-files.js';
import { makeTempDir } from '../support/file-test-dirs.js';

const entry = (value: unknown, expiresAt = 0): StoreEntry => ({ value, expiresAt, freshUntil: 0 });
const MiB = 1024 * 1024;

/** Asserts a read value; Buffers by their bytes (a deep equality of big Buffers is slow). */
function expectValue(got: StoreEntry | undefined, value: unknown): void {
  if (Buffer.isBuffer(value)) expect(Buffer.isBuffer(got?.value) && value.equals(got.value)).toBe(true);
  else expect(got?.value).toEqual(value);
}

/** Flips one byte in place: same file (inode), new modification and change times. */
async function flipByte(path: string, offset: number): Promise<void> {
  const bytes = await readFile(path);
  bytes[offset] ^= 0x5a;
  await writeFile(path, bytes);
}

describe('FileStore payload checks (verifyReads) and the file format', () => {
  let dir: Awaited<ReturnType<typeof makeTempDir>>;
  const stores: FileStore[] = [];
  const warnings: string[] = [];

  const makeStore = (options: Partial<FileStoreOptions> = {}) => {
    const store = new FileStore(
      { dir: dir.path, sweepIntervalMs: 60_000, ...options },
      { region: 'files', namespace: 'app:files', warn: (message) => warnings.push(message) },
    );
    stores.push(store);
    return store;
  };
  const fileOf = (store: FileStore, key: string) => {
    const digest = entryFileDigest(key);
    return join(store.directory, digest.slice(0, 2), digest.slice(2, 4), digest);
  };
  /** Makes every file written so far old enough to be remembered once checked. */
  const settle = () => vi.setSystemTime(Date.now() + SETTLED_MS + 1_000);

  beforeEach(async () => {
    dir = await makeTempDir('file-verify');
    warnings.length = 0;
    vi.useFakeTimers({ toFake: ['Date'] });
  });
  afterEach(async () => {
    vi.useRealTimers();
    await Promise.all(stores.splice(0).map((store) => store.close()));
    await dir.remove();
  });

  describe("verifyReads: 'once' (the default)", () => {
    it.each([
      ['a Buffer (raw payload)', randomBytes(200_000)],
      ['an object (codec payload)', { id: 7, tags: ['a', 'b'], text: 'x'.repeat(5_000) }],
    ])('remembers %s checked once, and checks it again after a write in place', async (_label, value) => {
      const store = makeStore();
      await store.set('k', entry(value));
      settle();
      expectValue(await store.get('k'), value);
      expect(store.describe()).toMatchObject({ verified: 1, corrupt: 0 });
      expectValue(await store.get('k'), value);
      expect(store.describe()).toMatchObject({ verified: 1, corrupt: 0 });

      const path = fileOf(store, 'k');
      await flipByte(path, (await stat(path)).size - 100);
      expect(await store.get('k')).toBeUndefined();
      expect(store.describe()).toMatchObject({ verified: 0, corrupt: 1 });
    });

    it('does not remember a file changed within the last SETTLED_MS', async () => {
      const store = makeStore();
      await store.set('k', entry(Buffer.from('fresh')));
      expectValue(await store.get('k'), Buffer.from('fresh'));
      expect(store.describe().verified).toBe(0);
    });

    it('checks a replacement written by set() (a new file) before serving it', async () => {
      const store = makeStore();
      await store.set('k', entry(Buffer.alloc(100_000, 1)));
      settle();
      await store.get('k');
      await store.set('k', entry(Buffer.alloc(100_000, 2)));
      settle();
      expectValue(await store.get('k'), Buffer.alloc(100_000, 2));
      expect(store.describe().verified).toBe(1);
      await flipByte(fileOf(store, 'k'), 5_000);
      expect(await store.get('k')).toBeUndefined();
      expect(store.describe().corrupt).toBe(1);
    });

    it('forgets files on delete() and clear()', async () => {
      const store = makeStore();
      await store.set('a', entry(Buffer.from('a')));
      await store.set('b', entry(Buffer.from('b')));
      settle();
      await store.get('a');
      await store.get('b');
      expect(store.describe().verified).toBe(2);
      await store.delete('a');
      expect(store.describe().verified).toBe(1);
      await store.clear();
      expect(store.describe().verified).toBe(0);
    });
  });

  describe("verifyReads: 'always'", () => {
    it('checks every read and remembers nothing', async () => {
      const store = makeStore({ verifyReads: 'always' });
      const value = randomBytes(300_000);
      await store.set('k', entry(value));
      settle();
      expectValue(await store.get('k'), value);
      expectValue(await store.get('k'), value);
      expect(store.describe().verified).toBe(0);
      await flipByte(fileOf(store, 'k'), 1_000);
      expect(await store.get('k')).toBeUndefined();
      expect(store.describe().corrupt).toBe(1);
    });
  });

  describe('payload sizes and read paths', () => {
    // Up to 64 KiB: one read. Up to 8 MiB: one Buffer for the file, read in two halves. Larger:
    // a 4 MiB first read, then 4 MiB pieces into a separate payload Buffer.
    it.each([
      ['40 KiB', 40 * 1024],
      ['64 KiB + 1', 64 * 1024 + 1],
      ['3 MiB', 3 * MiB],
      ['8 MiB', 8 * MiB],
      ['8 MiB + 1', 8 * MiB + 1],
      ['13 MiB', 13 * MiB + 12_345],
    ])('a %s Buffer reads back whole, and a flipped byte in each half reads as damage', async (_label, size) => {
      const store = makeStore({ verifyReads: 'always' });
      const value = randomBytes(size);
      await store.set('k', entry(value));
      const got = (await store.get('k'))?.value as Buffer;
      expect(got.length).toBe(size);
      expect(got.equals(value)).toBe(true);

      const path = fileOf(store, 'k');
      const fileSize = (await stat(path)).size;
      const headerBytes = fileSize - size;
      for (const at of [headerBytes + Math.floor(size / 4), fileSize - 1]) {
        await store.set('k', entry(value));
        await flipByte(path, at);
        expect(await store.get('k')).toBeUndefined();
      }
      expect(store.describe().corrupt).toBe(2);
    });
  });

  describe('format version 1 files (written by 0.1.x)', () => {
    /** The version 1 layout: as version 2, with SHA-256 prefixes where version 2 has CRC-32. */
    const sha256Prefix = (...parts: Buffer[]) => {
      const hash = createHash('sha256');
      for (const part of parts) hash.update(part);
      return hash.digest().readUInt32BE(0);
    };
    const writeV1 = async (path: string, key: string, value: unknown, expiresAt = 0) => {
      const raw = Buffer.isBuffer(value);
      const payload = raw ? value : encodeValue(value);
      const keyBytes = Buffer.from(key, 'utf16le');
      const header = Buffer.alloc(44 + keyBytes.length);
      header.write('NCRF', 0, 'latin1');
      header[4] = 1;
      header[5] = raw ? 2 : 1;
      header[6] = raw ? 1 : 0;
      header.writeDoubleBE(expiresAt, 8);
      header.writeDoubleBE(0, 16);
      header.writeBigUInt64BE(BigInt(payload.length), 24);
      header.writeUInt32BE(keyBytes.length, 32);
      header.writeUInt32BE(raw ? crc32(payload) : sha256Prefix(payload), 36);
      keyBytes.copy(header, 44);
      header.writeUInt32BE(sha256Prefix(header.subarray(0, 40), keyBytes), 40);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, Buffer.concat([header, payload]));
    };

    it.each([
      ['a Buffer', randomBytes(150_000)],
      ['an object', { user: 'ann', ids: [1, 2, 3], at: new Date(1_700_000_000_000) }],
    ])('reads %s from a version 1 file', async (_label, value) => {
      const store = makeStore();
      await writeV1(fileOf(store, 'old'), 'old', value);
      expectValue(await store.get('old'), value);
      expect(store.describe().corrupt).toBe(0);
    });

    it('treats a damaged version 1 file as damage', async () => {
      const store = makeStore();
      const path = fileOf(store, 'old');
      await writeV1(path, 'old', { text: 'y'.repeat(1_000) });
      await flipByte(path, (await stat(path)).size - 10);
      expect(await store.get('old')).toBeUndefined();
      expect(store.describe().corrupt).toBe(1);
    });

    it('writes version 2 over a version 1 entry', async () => {
      const store = makeStore();
      const path = fileOf(store, 'old');
      await writeV1(path, 'old', 'before');
      await store.set('old', entry('after'));
      expect((await readFile(path))[4]).toBe(2);
      expect((await store.get('old'))?.value).toBe('after');
    });
  });
});

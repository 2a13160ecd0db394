import { mkdir, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { StoreEntry } from '../../lib/stores/cache-store.js';
import { FileStore, type FileStoreOptions } from '../../lib/stores/file.store.js';
import { entryFileDigest } from '../../lib/stores/file/file-paths.js';
import type { ChurnerArgs, ChurnerReport } from '../support/file-churner.child.js';
import { startFileChild, type FileChild } from '../support/file-children.js';
import { countFanout, makeTempDir, regionFiles } from '../support/file-test-dirs.js';

// The file store's leaf directories (<region>/<d0d1>/<d2d3>/) exist only while they hold a file,
// and the sweep removes first-level ones (<d0d1>/, at most 256) left without leaves: churning
// keys must not leave one empty directory per key ever written (up to 65,792 of them, each an
// inode and a block that every sweep and every startup scan lists). Removing a directory races
// with writers creating files in it, in this process and in others: a writer whose directory
// vanished makes it again, and nothing is lost.

const entry = (value: unknown, expiresAt = 0): StoreEntry => ({ value, expiresAt, freshUntil: 0 });
const KiB = 1024;

/** Keys whose entries share two leaf directories, `00/00/` and `00/01/` (found by search). */
const SAME_LEAF_KEYS = {
  '0000': ['race:36421', 'race:104781', 'race:183344', 'race:199965', 'race:239045', 'race:243054', 'race:347561', 'race:442690'],
  '0001': ['race:115477', 'race:270452', 'race:315554', 'race:406373', 'race:430082', 'race:465097', 'race:474816', 'race:522414'],
};

describe('FileStore fan-out directories', () => {
  let dir: Awaited<ReturnType<typeof makeTempDir>>;
  const stores: FileStore[] = [];
  const children: FileChild[] = [];

  const makeStore = (options: Partial<FileStoreOptions> = {}) => {
    const store = new FileStore({ dir: dir.path, sweepIntervalMs: 3_600_000, ...options }, { region: 'churn', namespace: 'churn' });
    stores.push(store);
    return store;
  };
  const startChurner = (args: Omit<ChurnerArgs, 'dir' | 'region'>) => {
    const child = startFileChild('file-churner.child.ts', { dir: dir.path, region: 'churn', ...args } satisfies ChurnerArgs);
    children.push(child);
    return child;
  };
  const reportOf = async (child: FileChild) => {
    const { code } = await child.exited;
    expect(code).toBe(0);
    return JSON.parse(child.lines.at(-1)!) as ChurnerReport;
  };

  beforeEach(async () => {
    dir = await makeTempDir('file-churn');
  });
  afterEach(async () => {
    for (const child of children.splice(0)) child.process.kill('SIGKILL');
    await Promise.all(stores.splice(0).map((store) => store.close()));
    await dir.remove();
  });

  it('the keys above share their leaf directories', () => {
    for (const [prefix, keys] of Object.entries(SAME_LEAF_KEYS)) {
      for (const key of keys) expect(entryFileDigest(key).slice(0, 4)).toBe(prefix);
    }
  });

  it('churning keys under maxBytes: the tree holds no more directories than its files need', async () => {
    const store = makeStore({ maxBytes: 64 * KiB });
    const value = Buffer.alloc(4 * KiB, 1);
    for (let i = 0; i < 2_000; i++) {
      await store.set(`churn:${i}`, entry(value));
      if (i % 250 === 249) {
        const tree = await countFanout(store.directory);
        expect(tree.emptyLeaves, `after ${i + 1} keys`).toBe(0);
        expect(tree.leaves, `after ${i + 1} keys`).toBeLessThanOrEqual(tree.files);
        expect(tree.entryBytes).toBeLessThanOrEqual(64 * KiB);
      }
    }
    // 2,000 keys were written; about 15 are left, with one leaf each; the sweep removes the
    // first-level directories left without leaves.
    await store.sweep();
    const tree = await countFanout(store.directory);
    expect(tree.files).toBeLessThanOrEqual(16);
    expect(tree.leaves).toBeLessThanOrEqual(tree.files);
    expect(tree.firstLevels).toBeLessThanOrEqual(tree.files);
  });

  it('delete(), clear() and expiry leave no empty directory behind', async () => {
    const store = makeStore();
    const keys = Array.from({ length: 50 }, (_, i) => `k${i}`);
    for (const key of keys) await store.set(key, entry(key));
    expect((await countFanout(store.directory)).leaves).toBe(50);
    for (const key of keys.slice(0, 25)) await store.delete(key);
    expect(await countFanout(store.directory)).toMatchObject({ leaves: 25, emptyLeaves: 0, files: 25 });
    await store.clear();
    expect(await countFanout(store.directory)).toMatchObject({ firstLevels: 0, leaves: 0, files: 0 });

    // Expired entries, removed by a read and by the sweep; the region and lock directories stay.
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      for (const key of keys) await store.set(key, entry(key, Date.now() + 1_000));
      // A dead entry replaced by add() goes through a mutex file in the lock directory.
      await store.set('lock', entry('crashed holder', Date.now() - 1));
      expect(await store.add('lock', entry('held', Date.now() + 3_600_000))).toBe(true);
      vi.setSystemTime(Date.now() + 2_000);
      expect(await store.get('k0')).toBeUndefined();
      await store.sweep();
    } finally {
      vi.useRealTimers();
    }
    expect(await countFanout(store.directory)).toEqual({ firstLevels: 1, leaves: 1, emptyLeaves: 0, files: 1, entryBytes: expect.any(Number) }); // 'lock' lives
    await store.delete('lock');
    expect(await countFanout(store.directory)).toMatchObject({ leaves: 0 });
    await store.sweep();
    expect(await readdir(store.directory)).toEqual(['.locks']);
  });

  it('the sweep removes empty directories others left (a process killed between unlink and rmdir)', async () => {
    const store = makeStore();
    await store.set('kept', entry('v'));
    const digest = entryFileDigest('kept');
    await mkdir(join(store.directory, digest.slice(0, 2), 'ff'), { recursive: true }); // empty leaf beside a live one
    await mkdir(join(store.directory, 'ab', 'cd'), { recursive: true });
    await mkdir(join(store.directory, 'ef'), { recursive: true }); // a first level without leaves
    await mkdir(join(store.directory, 'not-fanout'), { recursive: true }); // not ours: left alone
    await store.sweep();
    expect(await countFanout(store.directory)).toMatchObject({ firstLevels: 1, leaves: 1, emptyLeaves: 0, files: 1 });
    expect((await readdir(store.directory)).sort()).toEqual([digest.slice(0, 2), 'not-fanout']);
    expect((await store.get('kept'))?.value).toBe('v');
  });

  it('writers in several processes lose no write while directories come and go under them', async () => {
    // Four processes, each with its own keys in the same two leaf directories: each writes a key
    // (set, add or setStream), reads it back and deletes it, which removes the directory whenever
    // it was the last file there, while the others are about to write into it.
    const [leafA, leafB] = Object.values(SAME_LEAF_KEYS);
    const racers = [0, 1, 2, 3].map((id) =>
      startChurner({
        id,
        mode: 'race',
        keys: [leafA[2 * id], leafA[2 * id + 1], leafB[2 * id], leafB[2 * id + 1]],
        rounds: 150,
        valueBytes: 2 * KiB,
        sweepIntervalMs: 50,
      }),
    );
    await Promise.all(racers.map((racer) => racer.waitForLine('ready')));
    for (const racer of racers) racer.send('go');
    const reports = await Promise.all(racers.map(reportOf));
    for (const report of reports) {
      expect(report.errors).toEqual([]);
      expect(report.wrong).toEqual([]);
    }
    // The race took place: writes found their directory removed (by any of the processes).
    expect(reports.reduce((sum, report) => sum + report.leafWasGone, 0)).toBeGreaterThan(0);
    const regionDir = join(dir.path, 'churn');
    expect(await countFanout(regionDir)).toMatchObject({ leaves: 0, files: 0 });
    await makeStore().sweep();
    expect(await countFanout(regionDir)).toMatchObject({ firstLevels: 0 });
  }, 120_000);

  it('several processes churning one region: maxBytes holds and the tree stays bounded', async () => {
    const maxBytes = 256 * KiB;
    const churners = [0, 1, 2].map((id) =>
      startChurner({ id, mode: 'churn', keys: [], rounds: 1_500, valueBytes: 8 * KiB, maxBytes, sweepIntervalMs: 100 }),
    );
    await Promise.all(churners.map((churner) => churner.waitForLine('ready')));
    for (const churner of churners) churner.send('go');
    const regionDir = join(dir.path, 'churn');
    const done = Promise.all(churners.map(reportOf));
    let finished = false;
    void done.finally(() => {
      finished = true;
    });
    let samples = 0;
    while (!finished) {
      const tree = await countFanout(regionDir);
      // A directory is empty for a moment between its last file's removal and its own, or its
      // making and its first file; a process evicts a batch of files at once when a sweep brings
      // the others' files into its account. So a few dozen may be seen empty at once (the count
      // is no snapshot either), never one per key written (about 4,300 leaves for 4,500 keys).
      expect(tree.emptyLeaves).toBeLessThanOrEqual(64);
      expect(tree.leaves).toBeLessThanOrEqual(tree.files + 64);
      samples++;
    }
    const reports = await done;
    expect(samples).toBeGreaterThan(0);
    for (const report of reports) expect(report.errors).toEqual([]);

    // 4,500 keys were written. Once a sweep has seen everyone's files, the region is within
    // maxBytes (it evicts after its walk), and the next one leaves the directories its files need.
    const store = makeStore({ maxBytes });
    await store.sweep();
    await store.sweep();
    const tree = await countFanout(regionDir);
    expect(tree.entryBytes).toBeLessThanOrEqual(maxBytes);
    expect(tree.emptyLeaves).toBe(0);
    expect(tree.leaves).toBeLessThanOrEqual(tree.files);
    expect(tree.firstLevels).toBeLessThanOrEqual(tree.leaves);
    expect((await regionFiles(regionDir)).temps).toEqual([]);
    expect((await stat(regionDir)).isDirectory()).toBe(true);
  }, 120_000);
});

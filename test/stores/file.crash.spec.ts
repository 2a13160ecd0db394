import { utimes } from 'node:fs/promises';
import { FileStore } from '../../lib/stores/file.store.js';
import { startFileChild, type FileChild } from '../support/file-children.js';
import { checkPattern } from '../support/file-pattern.js';
import type { ReaderReport } from '../support/file-reader.child.js';
import { makeTempDir, regionFiles } from '../support/file-test-dirs.js';

// Real child processes (`node` + test/support/ts-runner.mjs, which loads the TypeScript
// sources through Vite's runnerImport): writers of one key, some SIGKILLed in the middle of a
// write, and readers in other processes that must only ever see a miss or a whole value.

const REGION = 'crash';
const KEY = 'shared:key';
const BASE_BYTES = 4 * 1024 * 1024;
const SET_WRITERS = 3;
const STREAM_WRITERS = 2;
const WRITERS = SET_WRITERS + STREAM_WRITERS;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('FileStore across processes', () => {
  let dir: Awaited<ReturnType<typeof makeTempDir>>;
  const children: FileChild[] = [];

  beforeEach(async () => {
    dir = await makeTempDir('file-crash');
  });
  afterEach(async () => {
    for (const child of children.splice(0)) child.process.kill('SIGKILL');
    await dir.remove();
  });

  const start = (script: string, args: object) => {
    const child = startFileChild(script, args);
    children.push(child);
    return child;
  };

  it('readers see a miss or one whole value while writers race and get SIGKILLed mid-write', async () => {
    const store = new FileStore({ dir: dir.path, sweepIntervalMs: 100 }, { region: REGION, namespace: REGION });
    const common = { dir: dir.path, region: REGION, key: KEY, baseBytes: BASE_BYTES };
    const writers = [
      ...Array.from({ length: SET_WRITERS }, (_, id) =>
        start('file-writer.child.ts', { ...common, id, mode: 'set', chunkBytes: 0, chunkDelayMs: 0 }),
      ),
      ...Array.from({ length: STREAM_WRITERS }, (_, index) =>
        start('file-writer.child.ts', {
          ...common,
          id: SET_WRITERS + index,
          mode: 'stream',
          chunkBytes: 256 * 1024,
          chunkDelayMs: 4,
        }),
      ),
    ];
    const readers = [0, 1].map(() => start('file-reader.child.ts', { ...common, writers: WRITERS }));
    // Every writer has stored a value once: from here on, each read finds one.
    await Promise.all([...writers, ...readers].map((child) => child.waitForLine('ready')));
    for (const reader of readers) reader.send('go');

    // Kill the set() writers at staggered moments (most of their time is spent writing), and
    // each streaming writer right after it reports being half-way through a value.
    const killing = Promise.all([
      ...writers.slice(0, SET_WRITERS).map(async (writer, index) => {
        await sleep(400 + index * 500);
        writer.process.kill('SIGKILL');
      }),
      ...writers.slice(SET_WRITERS).map(async (writer, index) => {
        await writer.waitForLine('midway', 2 + index);
        writer.process.kill('SIGKILL');
      }),
    ]);
    let killed = false;
    const allKilled = killing.then(() => {
      killed = true;
    });
    allKilled.catch(() => undefined); // awaited below; a failed read must not leave it unhandled

    // This process reads too, in between, until every writer is dead (and it had a value).
    const ownReads: (number | string | undefined)[] = [];
    while (!killed || !ownReads.some((read) => typeof read === 'number')) {
      const entry = await store.get(KEY);
      ownReads.push(entry === undefined ? undefined : checkPattern(entry.value as Buffer, BASE_BYTES, WRITERS));
    }
    await allKilled;
    const exits = await Promise.all(writers.map((writer) => writer.exited));
    expect(exits.map((exit) => exit.signal)).toEqual(Array(WRITERS).fill('SIGKILL'));
    // The readers stop once each has read a whole value at least once.
    await Promise.all(readers.map((reader) => reader.waitForLine('hit')));
    for (const reader of readers) reader.send('stop');

    const reports = await Promise.all(
      readers.map(async (reader) => {
        const { code } = await reader.exited;
        expect(code).toBe(0);
        return JSON.parse(reader.lines.at(-1)!) as ReaderReport;
      }),
    );
    for (const report of reports) {
      expect(report.bad).toEqual([]);
      expect(report.hits).toBeGreaterThan(0);
    }
    expect(ownReads.filter((read) => typeof read === 'string')).toEqual([]);
    expect(ownReads.filter((read) => typeof read === 'number').length).toBeGreaterThan(0);
    // The last writer may have been killed between removing the old version and renaming its
    // new one into place (README, file store: a reader then sees a miss): a miss or one whole value.
    const final = await store.get(KEY);
    if (final !== undefined) expect(typeof checkPattern(final.value as Buffer, BASE_BYTES, WRITERS)).toBe('number');

    // The streaming writers died with a temporary file open: it stays until it is old.
    const { temps } = await regionFiles(store.directory);
    expect(temps.length).toBeGreaterThanOrEqual(STREAM_WRITERS);
    const [fresh, ...stale] = temps;
    const longAgo = new Date(Date.now() - 10 * 60_000);
    await Promise.all(stale.map((path) => utimes(path, longAgo, longAgo)));
    // The sweep timer runs every 100 ms; the first sweep() joins a sweep that may have listed the
    // files before utimes(), the second starts after it.
    await store.sweep();
    await store.sweep();
    expect((await regionFiles(store.directory)).temps).toEqual([fresh]);
    expect((await regionFiles(store.directory)).entries).toHaveLength(final === undefined ? 0 : 1);
    await store.close();
  });

  it('add() racing in several processes stores each key exactly once', async () => {
    const store = new FileStore({ dir: dir.path, sweepIntervalMs: 60_000 }, { region: REGION, namespace: REGION });
    const fresh = Array.from({ length: 20 }, (_, i) => `lock:fresh:${i}`);
    const expired = Array.from({ length: 10 }, (_, i) => `lock:expired:${i}`);
    for (const key of expired) {
      await store.set(key, { value: 'old holder', expiresAt: Date.now() - 1_000, freshUntil: 0 });
    }
    const keys = [...fresh, ...expired];
    // All children start at the same instant, once every one is loaded, however long that takes.
    const racers = [0, 1, 2, 3].map((id) => start('file-adder.child.ts', { dir: dir.path, region: REGION, id, keys }));
    await Promise.all(racers.map((racer) => racer.waitForLine('ready')));
    for (const racer of racers) racer.send('go');
    const results = await Promise.all(
      racers.map(async (racer) => {
        const { code } = await racer.exited;
        expect(code).toBe(0);
        return JSON.parse(racer.lines.at(-1)!) as boolean[];
      }),
    );
    for (const [index, key] of keys.entries()) {
      const winners = results.flatMap((perChild, id) => (perChild[index] ? [id] : []));
      expect(winners, key).toHaveLength(1);
      expect((await store.get(key))?.value, key).toBe(winners[0]);
    }
    await store.close();
  });
});

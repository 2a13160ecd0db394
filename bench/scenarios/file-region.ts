/**
 * File region against the code a user would write instead, in the same directory tree, measured
 * the same way in interleaved rounds (order rotated; no fsync on either side; the page cache
 * holds everything, so this measures the code path, not the disk; `sync` runs before each timed
 * phase, library and baseline alike, so none pays for another's writeback):
 * - 200 × 1 MiB `set` against `fs.promises.writeFile` and against a raw atomic write (temporary
 *   file, write, close, rename: what the region guarantees, written by hand);
 * - `get` of each entry right after its writes (files younger than a second: checked on every
 *   read) against `readFile` right after `writeFile`;
 * - first `get` of each entry in a fresh process (children/file-read.child.ts) against
 *   `readFile` in a fresh process;
 * - `get` once every file was checked (`verifyReads: 'once'`, the steady state), and on a region
 *   that checks every read;
 * - `getStream` of each 1 MiB entry, read to the end, against `fs.createReadStream`;
 * - one 100 MiB Buffer; then `getStream` of a 1 GiB value in a child process, with its peak
 *   resident memory (see children/file-stream.child.ts).
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { open, readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { startBenchApp } from '../harness/bench-app.js';
import { startChild } from '../harness/children.js';
import { atLeast, formatBytesRate, formatRatio, summarize, type Verdict } from '../harness/report.js';
import type { Scenario } from '../harness/scenario.js';
import { median } from '../harness/stats.js';
import type { FirstReadResult } from '../children/file-read.child.js';
import type { StreamResult } from '../children/file-stream.child.js';

const MiB = 1024 * 1024;
const gc = (globalThis as { gc?: () => void }).gc;

/** Times one part of a phase: runs `work`, which moves `bytes`, and records MB/s as `name`. */
type Timer = (name: string, bytes: number, work: () => Promise<void>) => Promise<void>;

interface Phase {
  name: string;
  /** Runs the phase once, timing its parts with `time`. */
  run(time: Timer): Promise<void>;
}

/** Runs every phase once per round (order rotated); returns MB/s per timed part per round. */
async function rounds(phases: Phase[], count: number, warmup = 1): Promise<Map<string, number[]>> {
  const samples = new Map<string, number[]>();
  for (let round = 0; round < warmup + count; round++) {
    for (let p = 0; p < phases.length; p++) {
      const phase = phases[(p + round) % phases.length];
      gc?.();
      // Each phase starts with no dirty pages left by the previous one, whose writeback would
      // otherwise throttle whichever phase comes next.
      spawnSync('sync');
      await phase.run(async (name, bytes, work) => {
        const started = performance.now();
        await work();
        const seconds = (performance.now() - started) / 1_000;
        if (round < warmup) return;
        const list = samples.get(name) ?? [];
        list.push(bytes / 1e6 / seconds);
        samples.set(name, list);
      });
    }
  }
  return samples;
}

/** A phase that is one timed part. */
function single(name: string, bytes: number, work: () => Promise<void>): Phase {
  return { name, run: (time) => time(name, bytes, work) };
}

/** Reads a stream to its end; resolves the bytes it gave. */
async function drain(stream: Readable): Promise<number> {
  let bytes = 0;
  for await (const chunk of stream) bytes += (chunk as Buffer).length;
  return bytes;
}

/** `--only file`. */
export const fileRegion: Scenario = {
  id: 'file',
  async run({ report, quick, log }) {
    const root = mkdtempSync(join(tmpdir(), 'ncr-bench-file-'));
    const rawDir = join(root, 'raw');
    const cacheDir = join(root, 'cache');
    mkdirSync(rawDir);
    const bench = await startBenchApp(
      {
        regions: {
          files: { store: 'file', dir: cacheDir },
          // The same files under a second name, checked on every read instead of once per file.
          filesAlways: { store: 'file', dir: join(root, 'cache-always'), verifyReads: 'always' },
        },
      },
      [],
    );
    const region = bench.region('files');
    const always = bench.region('filesAlways');
    try {
      log('file region, 200 × 1 MiB');
      const block = randomBytes(MiB);
      const count = 200;
      const total = count * MiB;
      const check = (value: unknown, size: number) => {
        if (!Buffer.isBuffer(value) || value.length !== size) throw new Error('file region returned a wrong value');
      };
      const writes = await rounds(
        [
          {
            name: 'region',
            run: async (time) => {
              await time('region set', total, async () => {
                for (let i = 0; i < count; i++) await region.set(`blob-${i}`, block);
              });
              await time('region get after write', total, async () => {
                for (let i = 0; i < count; i++) check(await region.get(`blob-${i}`), MiB);
              });
            },
          },
          {
            name: 'raw',
            run: async (time) => {
              await time('raw write', total, async () => {
                for (let i = 0; i < count; i++) await writeFile(join(rawDir, `blob-${i}`), block);
              });
              await time('raw read after write', total, async () => {
                for (let i = 0; i < count; i++) check(await readFile(join(rawDir, `blob-${i}`)), MiB);
              });
            },
          },
          single('raw atomic write', total, async () => {
            for (let i = 0; i < count; i++) await atomicWrite(join(rawDir, `atomic-${i}`), block);
          }),
        ],
        quick ? 2 : 5,
      );
      for (let i = 0; i < count; i++) await always.set(`blob-${i}`, block);

      log('file region, first reads in fresh processes');
      const firstReads = await freshReads({ rawDir, cacheDir, count, size: MiB }, quick ? 3 : 7);

      log('file region, verified reads and streams');
      const reads = await rounds(
        [
          single('region get', total, async () => {
            for (let i = 0; i < count; i++) check(await region.get(`blob-${i}`), MiB);
          }),
          single('always get', total, async () => {
            for (let i = 0; i < count; i++) check(await always.get(`blob-${i}`), MiB);
          }),
          single('raw read', total, async () => {
            for (let i = 0; i < count; i++) check(await readFile(join(rawDir, `blob-${i}`)), MiB);
          }),
          single('region getStream', total, async () => {
            for (let i = 0; i < count; i++) {
              const stream = await region.getStream(`blob-${i}`);
              if (!stream || (await drain(stream)) !== MiB) throw new Error('getStream returned a wrong value');
            }
          }),
          single('raw createReadStream', total, async () => {
            for (let i = 0; i < count; i++) {
              if ((await drain(createReadStream(join(rawDir, `blob-${i}`)))) !== MiB) throw new Error('short read');
            }
          }),
        ],
        quick ? 2 : 5,
      );
      const what = '200 × 1 MiB Buffers';
      addPair(report, what, 'writes', writes, ['region set', 'region `set`'], ['raw write', 'raw `fs.promises.writeFile`'], 0.7);
      addVariant(report, what, 'writes', writes, ['raw atomic write', 'raw atomic write (temp file, write, close, rename)'], 'raw write');
      addVariant(report, what, 'writes', writes, ['region set', 'region `set` against the raw atomic write'], 'raw atomic write');
      addPair(
        report,
        what,
        'reads right after the writes',
        writes,
        ['region get after write', 'region `get`'],
        ['raw read after write', 'raw `readFile`'],
        0.8,
      );
      addPair(report, what, 'first reads, fresh process', firstReads, ['region', 'region `get`'], ['raw', 'raw `readFile`'], 0.8);
      addPair(report, what, 'reads, every file verified', reads, ['region get', 'region `get`'], ['raw read', 'raw `readFile`'], 0.8);
      addVariant(report, what, 'reads, every file verified', reads, ['always get', "region `get`, `verifyReads: 'always'`"], 'raw read');
      addPair(
        report,
        what,
        'streams read to the end',
        reads,
        ['region getStream', 'region `getStream`'],
        ['raw createReadStream', 'raw `fs.createReadStream`'],
        0.8,
      );
      await region.clear();
      await always.clear();

    log('file region, 100 MiB');
      const big = Buffer.alloc(100 * MiB);
      for (let offset = 0; offset < big.length; offset += MiB) block.copy(big, offset);
      const bigWrites = await rounds(
        [
          single('region set', big.length, () => region.set('big', big)),
          single('raw write', big.length, () => writeFile(join(rawDir, 'big'), big)),
        ],
        quick ? 2 : 5,
      );
      const bigReads = await rounds(
        [
          single('region get', big.length, async () => check(await region.get('big'), big.length)),
          single('raw read', big.length, async () => check(await readFile(join(rawDir, 'big')), big.length)),
        ],
        quick ? 2 : 5,
      );
      const bigWhat = 'one 100 MiB Buffer';
      addPair(report, bigWhat, 'writes', bigWrites, ['region set', 'region `set`'], ['raw write', 'raw `fs.promises.writeFile`'], 0.5);
      addPair(report, bigWhat, 'reads, verified', bigReads, ['region get', 'region `get`'], ['raw read', 'raw `readFile`'], 0.8);
      await region.clear();
      rmSync(rawDir, { recursive: true, force: true });
    } finally {
      await bench.close();
    }

    log('file region, 1 GiB stream');
    const streamBytes = (quick ? 256 : 1024) * MiB;
    try {
      const phase = async (name: 'write' | 'read') => {
        const child = startChild('file-stream.child.ts', {}, ['--expose-gc']);
        try {
          const result = await child.request<StreamResult & { error?: string }>({
            phase: name,
            dir: join(root, 'stream'),
            bytes: streamBytes,
          });
          if (result.error) throw new Error(`file-stream child failed (${name}): ${result.error}`);
          return result;
        } finally {
          await child.close();
        }
      };
      const written = await phase('write');
      const read = await phase('read');
      addStream(report, streamBytes, written, read);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  },
};

/** What a row shows: the sample name and the row's subject. */
type Subject = [sample: string, label: string];

/**
 * Two rows: the library's, with its ratio to the baseline and the target (≥ `min`× the
 * baseline), and the baseline's.
 */
function addPair(
  report: Parameters<Scenario['run']>[0]['report'],
  what: string,
  direction: string,
  samples: Map<string, number[]>,
  [ours, oursLabel]: Subject,
  [raw, rawLabel]: Subject,
  min: number,
): void {
  const scenario = `File region, ${what}, ${direction}`;
  const ratio = medianRatio(samples, ours, raw);
  report.add({
    scenario,
    subject: oursLabel,
    ...rates(samples, ours),
    ratio: `${formatRatio(ratio)} raw (rounds ${ratioRange(samples, ours, raw)})`,
    target: `≥ ${min.toFixed(2)}× raw`,
    result: atLeast(ratio, min),
  });
  report.add({ scenario, subject: rawLabel, ...rates(samples, raw), ratio: '1.00× (baseline)' });
}

/** An extra row, with its ratio to `baseline` and no target. */
function addVariant(
  report: Parameters<Scenario['run']>[0]['report'],
  what: string,
  direction: string,
  samples: Map<string, number[]>,
  [variant, label]: Subject,
  baseline: string,
): void {
  report.add({
    scenario: `File region, ${what}, ${direction}`,
    subject: label,
    ...rates(samples, variant),
    ratio: `${formatRatio(medianRatio(samples, variant, baseline))} ${baseline} (rounds ${ratioRange(samples, variant, baseline)})`,
  });
}

/** Per-round ratios of `phase` to `baseline`. */
function roundRatios(samples: Map<string, number[]>, phase: string, baseline: string): number[] {
  return samples.get(phase)!.map((value, round) => value / samples.get(baseline)![round]);
}

/** Median over rounds of `phase`'s rate divided by `baseline`'s in the same round. */
function medianRatio(samples: Map<string, number[]>, phase: string, baseline: string): number {
  return median(roundRatios(samples, phase, baseline));
}

/** `0.71–0.93×`: the lowest and highest per-round ratio. */
function ratioRange(samples: Map<string, number[]>, phase: string, baseline: string): string {
  const ratios = roundRatios(samples, phase, baseline);
  return `${Math.min(...ratios).toFixed(2)}–${formatRatio(Math.max(...ratios))}`;
}

/** Median and spread of a phase's MB/s samples, formatted. */
function rates(samples: Map<string, number[]>, phase: string): ReturnType<typeof summarize> {
  return summarize(samples.get(phase)!, (value) => formatBytesRate(value * 1e6));
}

/** Temporary file, write, close, rename: an atomic replacement, as a user would write it. */
async function atomicWrite(path: string, bytes: Buffer): Promise<void> {
  const temp = `${path}.${process.pid}.tmp`;
  const handle = await open(temp, 'wx');
  try {
    await handle.write(bytes, 0, bytes.length, 0);
  } finally {
    await handle.close();
  }
  await rename(temp, path);
}

/**
 * First reads of every entry in fresh processes: per round one child reads through the region and
 * one reads the raw files (order alternating), each timing its reads only. MB/s per round.
 */
async function freshReads(
  where: { rawDir: string; cacheDir: string; count: number; size: number },
  count: number,
): Promise<Map<string, number[]>> {
  const samples = new Map<string, number[]>([
    ['region', []],
    ['raw', []],
  ]);
  for (let round = 0; round < count; round++) {
    const order = round % 2 === 0 ? ['region', 'raw'] : ['raw', 'region'];
    for (const subject of order) {
      spawnSync('sync');
      const child = startChild('file-read.child.ts', {}, ['--expose-gc']);
      try {
        const result = await child.request<FirstReadResult & { error?: string }>({ subject, ...where });
        if (result.error) throw new Error(`file-read child failed (${subject}): ${result.error}`);
        samples.get(subject)!.push(result.bytesPerSecond / 1e6);
      } finally {
        await child.close();
      }
    }
  }
  return samples;
}

function addStream(
  report: Parameters<Scenario['run']>[0]['report'],
  bytes: number,
  written: StreamResult,
  read: StreamResult,
): void {
  const scenario = `File region, ${bytes >= 1024 * MiB ? `${bytes / 1024 / MiB} GiB` : `${bytes / MiB} MiB`} stream`;
  const mib = (value: number) => `${(value / MiB).toFixed(1)} MiB`;
  const verdict: Verdict = read.peakRssGrowth < 64 * MiB ? 'pass' : 'miss';
  report.add({
    scenario,
    subject: 'region `getStream`, read to the end (fresh process)',
    value: `RSS +${mib(read.peakRssGrowth)}`,
    ratio: `${formatBytesRate(read.bytesPerSecond)}, ${formatRatio(read.bytesPerSecond / read.rawBytesPerSecond)} raw \`createReadStream\``,
    target: 'RSS growth < 64 MiB',
    result: verdict,
  });
  report.add({
    scenario,
    subject: 'region `setStream` from a 1 MiB-chunk stream (fresh process)',
    value: `RSS +${mib(written.peakRssGrowth)}`,
    ratio: `${formatBytesRate(written.bytesPerSecond)}, ${formatRatio(written.bytesPerSecond / written.rawBytesPerSecond)} raw \`createWriteStream\``,
  });
}

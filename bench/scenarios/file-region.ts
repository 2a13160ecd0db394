/**
 * File region: set/get of 200 × 1 MiB Buffers and of one 100 MiB Buffer, against raw
 * `fs.promises` writeFile/readFile of the same bytes in the same directory tree (one call after
 * another, no fsync on either side; the page cache holds everything, so this measures the
 * code path, not the disk; `sync` runs before each timed phase so none pays for another's
 * writeback). Reads run on the default region (`verifyReads: 'once'`: a file's checksum is
 * checked on its first read, in the warm-up round) and on one that checks every read. Then
 * `getStream` of a 1 GiB value in a child process, with its peak resident memory (see
 * children/file-stream.child.ts).
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBenchApp } from '../harness/bench-app.js';
import { startChild } from '../harness/children.js';
import { atLeast, formatBytesRate, formatRatio, summarize, type Verdict } from '../harness/report.js';
import type { Scenario } from '../harness/scenario.js';
import { median } from '../harness/stats.js';
import type { StreamResult } from '../children/file-stream.child.js';

const MiB = 1024 * 1024;
const gc = (globalThis as { gc?: () => void }).gc;

interface Phase {
  name: string;
  /** Runs the phase once; returns the bytes it moved. */
  run(): Promise<number>;
}

/** Runs every phase once per round (order rotated); returns MB/s per phase per round. */
async function rounds(phases: Phase[], count: number, warmup = 1): Promise<Map<string, number[]>> {
  const samples = new Map<string, number[]>(phases.map((phase) => [phase.name, []]));
  for (let round = 0; round < warmup + count; round++) {
    for (let p = 0; p < phases.length; p++) {
      const phase = phases[(p + round) % phases.length];
      gc?.();
      // Each phase starts with no dirty pages left by the previous one, whose writeback would
      // otherwise throttle whichever phase comes next.
      spawnSync('sync');
      const started = performance.now();
      const bytes = await phase.run();
      const seconds = (performance.now() - started) / 1_000;
      if (round >= warmup) samples.get(phase.name)!.push(bytes / 1e6 / seconds);
    }
  }
  return samples;
}

/** `--only file`. */
export const fileRegion: Scenario = {
  id: 'file',
  async run({ report, quick, log }) {
    const root = mkdtempSync(join(tmpdir(), 'ncr-bench-file-'));
    const rawDir = join(root, 'raw');
    mkdirSync(rawDir);
    const bench = await startBenchApp(
      {
        regions: {
          files: { store: 'file', dir: join(root, 'cache') },
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
      const check = (value: unknown, size: number) => {
        if (!Buffer.isBuffer(value) || value.length !== size) throw new Error('file region returned a wrong value');
      };
      const small = await rounds(
        [
          {
            name: 'region set',
            run: async () => {
              for (let i = 0; i < count; i++) await region.set(`blob-${i}`, block);
              return count * MiB;
            },
          },
          {
            name: 'raw write',
            run: async () => {
              for (let i = 0; i < count; i++) await writeFile(join(rawDir, `blob-${i}`), block);
              return count * MiB;
            },
          },
        ],
        quick ? 2 : 5,
      );
      for (let i = 0; i < count; i++) await always.set(`blob-${i}`, block);
      const smallReads = await rounds(
        [
          {
            name: 'region get',
            run: async () => {
              for (let i = 0; i < count; i++) check(await region.get(`blob-${i}`), MiB);
              return count * MiB;
            },
          },
          {
            name: 'always get',
            run: async () => {
              for (let i = 0; i < count; i++) check(await always.get(`blob-${i}`), MiB);
              return count * MiB;
            },
          },
          {
            name: 'raw read',
            run: async () => {
              for (let i = 0; i < count; i++) check(await readFile(join(rawDir, `blob-${i}`)), MiB);
              return count * MiB;
            },
          },
        ],
        quick ? 2 : 5,
      );
      addPair(report, '200 × 1 MiB Buffers', small, 'region set', 'raw write', 'writes', 0.5);
      addPair(report, '200 × 1 MiB Buffers', smallReads, 'region get', 'raw read', 'reads', 0.8);
      addVariant(report, '200 × 1 MiB Buffers', smallReads, 'always get', 'raw read', "region `get`, `verifyReads: 'always'`");
      await region.clear();
      await always.clear();

      log('file region, 100 MiB');
      const big = Buffer.alloc(100 * MiB);
      for (let offset = 0; offset < big.length; offset += MiB) block.copy(big, offset);
      const bigWrites = await rounds(
        [
          { name: 'region set', run: async () => (await region.set('big', big), big.length) },
          { name: 'raw write', run: async () => (await writeFile(join(rawDir, 'big'), big), big.length) },
        ],
        quick ? 2 : 5,
      );
      const bigReads = await rounds(
        [
          { name: 'region get', run: async () => (check(await region.get('big'), big.length), big.length) },
          { name: 'raw read', run: async () => (check(await readFile(join(rawDir, 'big')), big.length), big.length) },
        ],
        quick ? 2 : 5,
      );
      addPair(report, 'one 100 MiB Buffer', bigWrites, 'region set', 'raw write', 'writes', 0.5);
      addPair(report, 'one 100 MiB Buffer', bigReads, 'region get', 'raw read', 'reads', 0.8);
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

function addPair(
  report: Parameters<Scenario['run']>[0]['report'],
  what: string,
  samples: Map<string, number[]>,
  ours: string,
  raw: string,
  direction: 'reads' | 'writes',
  min: number,
): void {
  const scenario = `File region, ${what}, ${direction}`;
  const ratio = medianRatio(samples, ours, raw);
  report.add({
    scenario,
    subject: `region \`${ours.split(' ')[1]}\``,
    ...rates(samples, ours),
    ratio: `${formatRatio(ratio)} raw`,
    target: `≥ ${min.toFixed(2)}× raw`,
    result: atLeast(ratio, min),
  });
  report.add({
    scenario,
    subject: `raw \`fs.promises.${direction === 'reads' ? 'readFile' : 'writeFile'}\``,
    ...rates(samples, raw),
    ratio: '1.00× (baseline)',
  });
}

/** An extra row for a variant of the region, with its ratio to raw and no target. */
function addVariant(
  report: Parameters<Scenario['run']>[0]['report'],
  what: string,
  samples: Map<string, number[]>,
  variant: string,
  raw: string,
  subject: string,
): void {
  report.add({
    scenario: `File region, ${what}, reads`,
    subject,
    ...rates(samples, variant),
    ratio: `${formatRatio(medianRatio(samples, variant, raw))} raw`,
  });
}

/** Median over rounds of `phase`'s rate divided by `baseline`'s in the same round. */
function medianRatio(samples: Map<string, number[]>, phase: string, baseline: string): number {
  return median(samples.get(phase)!.map((value, round) => value / samples.get(baseline)![round]));
}

/** Median and spread of a phase's MB/s samples, formatted. */
function rates(samples: Map<string, number[]>, phase: string): ReturnType<typeof summarize> {
  return summarize(samples.get(phase)!, (value) => formatBytesRate(value * 1e6));
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

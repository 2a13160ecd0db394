/**
 * Streams a large value through a file region in a fresh process, so that its resident memory
 * says what the stream costs. Phase `write`: `setStream` from a generated stream, then raw
 * `fs.createWriteStream` of the same bytes. Phase `read` (in another fresh process): `getStream`
 * read to the end, then raw `fs.createReadStream`. RSS is sampled on every chunk read and every
 * 5 ms; growth is counted from the level after a GC, just before the phase.
 */
import { createReadStream, createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { startBenchApp } from '../harness/bench-app.js';
import { serveRequests } from '../harness/children.js';

/** What the child answers for one phase (`write`: setStream; `read`: getStream). */
export interface StreamResult {
  bytesPerSecond: number;
  /** The same bytes through raw `fs.createWriteStream` / `fs.createReadStream`. */
  rawBytesPerSecond: number;
  /** Bytes of RSS above the level before the phase (after a GC), at its peak. */
  peakRssGrowth: number;
}

const CHUNK = 1024 * 1024;
const gc = (globalThis as { gc?: () => void }).gc;

/** A stream of `total` bytes in 1 MiB chunks (one buffer, written again and again). */
function generated(total: number): Readable {
  const chunk = Buffer.alloc(CHUNK, 0x5a);
  let left = total;
  return new Readable({
    read() {
      if (left <= 0) return this.push(null);
      const size = Math.min(CHUNK, left);
      left -= size;
      this.push(size === CHUNK ? chunk : chunk.subarray(0, size));
    },
  });
}

/** Runs `phase` while tracking the peak RSS; returns its duration (s) and peak growth (bytes). */
async function tracked(phase: (sample: () => void) => Promise<void>): Promise<{ seconds: number; growth: number }> {
  gc?.();
  const before = process.memoryUsage.rss();
  let peak = before;
  const sample = () => {
    const rss = process.memoryUsage.rss();
    if (rss > peak) peak = rss;
  };
  const timer = setInterval(sample, 5);
  const started = performance.now();
  try {
    await phase(sample);
  } finally {
    clearInterval(timer);
  }
  const seconds = (performance.now() - started) / 1_000;
  sample();
  return { seconds, growth: peak - before };
}

/** A sink that counts bytes and samples RSS on every chunk. */
async function drain(source: Readable, sample: () => void): Promise<number> {
  let bytes = 0;
  for await (const chunk of source) {
    bytes += (chunk as Buffer).length;
    sample();
  }
  return bytes;
}

await serveRequests(async (request) => {
  const dir = request.dir as string;
  const bytes = request.bytes as number;
  const rawPath = join(dir, 'raw.bin');
  mkdirSync(dir, { recursive: true });
  const bench = await startBenchApp({ regions: { files: { store: 'file', dir: join(dir, 'cache') } } }, []);
  const region = bench.region('files');
  try {
    if (request.phase === 'write') {
      // setStream consumes the source itself: RSS is sampled by the timer only.
      const ours = await tracked(() => region.setStream('huge', generated(bytes)));
      const raw = await tracked(() => pipeline(generated(bytes), createWriteStream(rawPath) as Writable));
      return { bytesPerSecond: bytes / ours.seconds, rawBytesPerSecond: bytes / raw.seconds, peakRssGrowth: ours.growth };
    }
    const ours = await tracked(async (sample) => {
      const stream = await region.getStream('huge');
      if (!stream) throw new Error('getStream missed the value written by the other process');
      const got = await drain(stream, sample);
      if (got !== bytes) throw new Error(`getStream gave ${got} bytes of ${bytes}`);
    });
    const raw = await tracked(async (sample) => {
      await drain(createReadStream(rawPath), sample);
    });
    return { bytesPerSecond: bytes / ours.seconds, rawBytesPerSecond: bytes / raw.seconds, peakRssGrowth: ours.growth };
  } finally {
    await bench.close();
  }
});
process.exit(0);

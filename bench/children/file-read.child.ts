/**
 * First reads in a fresh process: a file region's `get` of entries another process wrote (each
 * file's checksum is checked, as on any first read), or raw `fs.promises.readFile` of the same
 * bytes. One child per measurement, so no read profits from an earlier one in the same process;
 * only the reads are timed, not the process start or the app's boot.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startBenchApp } from '../harness/bench-app.js';
import { serveRequests } from '../harness/children.js';

/** What the child answers: the rate of the timed reads. */
export interface FirstReadResult {
  bytesPerSecond: number;
}

await serveRequests(async (request) => {
  const count = request.count as number;
  const size = request.size as number;
  const check = (value: unknown) => {
    if (!Buffer.isBuffer(value) || value.length !== size) throw new Error('a first read returned a wrong value');
  };
  if (request.subject === 'raw') {
    const rawDir = request.rawDir as string;
    const started = performance.now();
    for (let i = 0; i < count; i++) check(await readFile(join(rawDir, `blob-${i}`)));
    return { bytesPerSecond: (count * size) / ((performance.now() - started) / 1_000) };
  }
  const bench = await startBenchApp({ regions: { files: { store: 'file', dir: request.cacheDir as string } } }, []);
  try {
    const region = bench.region('files');
    const started = performance.now();
    for (let i = 0; i < count; i++) check(await region.get(`blob-${i}`));
    return { bytesPerSecond: (count * size) / ((performance.now() - started) / 1_000) };
  } finally {
    await bench.close();
  }
});
process.exit(0);

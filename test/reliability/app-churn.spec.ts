/**
 * Resource hygiene over many app lifetimes: 100 apps with memory, file and memcached regions are
 * opened, used and closed one after the other in a child process run with --expose-gc. After
 * them, the JavaScript heap has not grown beyond a small bound and no socket, timer or handle is left.
 * (test/integration/resource-hygiene.spec.ts checks a single app's close in detail.)
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ChurnReport } from '../support/reliability-app-churn.child.js';
import { makeTempDir } from '../support/file-test-dirs.js';
import { describeMemcached, useMemcached } from '../support/memcached.js';

const RUNNER = fileURLToPath(new URL('../support/ts-runner.mjs', import.meta.url));
const CHILD = fileURLToPath(new URL('../support/reliability-app-churn.child.ts', import.meta.url));
const CYCLES = process.env.SOAK === '1' ? 1_000 : 100;
const MiB = 1024 * 1024;
/**
 * Allowed growth of the JavaScript heap (code space excluded) over all cycles. Measured on a
 * 2-core CI machine: 0.3–0.45 MiB over 100 cycles after a 30-cycle warm-up, and it levels off
 * (V8's optimization data for functions that get hot late, not per-app state): 1,000 cycles grow
 * it only about twice as much. A closed app that stays referenced retains about 80 KiB, so this
 * bound catches any leak of a quarter of an app per cycle, with four times the measured noise as
 * margin. The test also checks, in the same run, that a leak of one app per cycle would exceed it.
 */
const GROWTH_BOUND = 2 * MiB;

/** Runs the churn child with node flags (startFileChild passes none) and returns its report. */
function runChurnChild(args: object): Promise<ChurnReport> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', RUNNER, CHILD, JSON.stringify(args)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    const hung = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('close', (code, signal) => {
      clearTimeout(hung);
      // The child must exit by itself once its last app is closed: nothing may keep it alive.
      if (code !== 0) {
        reject(new Error(`churn child exited (${code ?? signal}): ${stderr}`));
        return;
      }
      resolve(JSON.parse(stdout.trim().split('\n').at(-1)!) as ChurnReport);
    });
  });
}

describeMemcached('opening and closing many apps', () => {
  const memcached = useMemcached();

  it(`${CYCLES} open/close cycles leak no memory beyond ${GROWTH_BOUND / MiB} MiB, and no handle`, async () => {
    const dir = await makeTempDir('app-churn');
    try {
      const report = await runChurnChild({ memcached: memcached().address, dir: dir.path, cycles: CYCLES, warmup: 30, keep: 20 });
      const growth = report.heapAfter - report.heapBefore;
      console.info(
        `\napp churn: ${report.cycles} apps opened and closed; heap (without code) ${(report.heapBefore / MiB).toFixed(1)} → ` +
          `${(report.heapAfter / MiB).toFixed(1)} MiB (${growth >= 0 ? '+' : ''}${(growth / 1024).toFixed(0)} KiB); ` +
          `a closed app kept referenced retains ${(report.retainedPerApp / 1024).toFixed(0)} KiB\n`,
      );
      expect(report.runs).toBeGreaterThan(0);
      expect(growth).toBeLessThan(GROWTH_BOUND);
      // The bound is tight enough to catch a leak of one app per cycle.
      expect(report.retainedPerApp * report.cycles).toBeGreaterThan(GROWTH_BOUND);
      // Nothing the apps opened is left (what remains was there before the first app).
      const leftovers = [...report.resourcesAfter];
      for (const name of report.resourcesBefore) {
        const at = leftovers.indexOf(name);
        if (at !== -1) leftovers.splice(at, 1);
      }
      expect(leftovers).toEqual([]);
    } finally {
      await dir.remove();
    }
  }, 120_000);
});

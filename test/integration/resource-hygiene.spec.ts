import { startFileChild } from '../support/file-children.js';
import { makeTempDir } from '../support/file-test-dirs.js';
import { describeMemcached, startMemcached, useMemcached } from '../support/memcached.js';

describeMemcached('resource hygiene', () => {
  const memcached = useMemcached();

  /** `runs`: how often the two calls of the same cached method compute (2 when nothing can be stored). */
  async function runChild(memcachedAddress: string, runs: number) {
    const dir = await makeTempDir('hygiene');
    try {
      const child = startFileChild('app-lifecycle.child.ts', { memcached: memcachedAddress, dir: dir.path });
      // A child that does not exit by itself never does: the bound only needs to outlast a slow
      // boot on a busy machine.
      const exit = await Promise.race([
        child.exited,
        new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 60_000).unref()),
      ]);
      if (exit === 'hung') child.process.kill('SIGKILL');
      expect(exit).toEqual({ code: 0, signal: null });
      const report = JSON.parse(child.lines.at(-1) ?? '{}') as { runs: number; before: string[]; after: string[] };
      expect(report.runs).toBe(runs);
      // Nothing the app opened is left: what remains was there before it started (the pipes to
      // this test process, the TypeScript runner's own timers).
      const leftovers = [...report.after];
      for (const name of report.before) {
        const at = leftovers.indexOf(name);
        if (at !== -1) leftovers.splice(at, 1);
      }
      expect(leftovers).toEqual([]);
    } finally {
      await dir.remove();
    }
  }

  it('leaves no socket, timer or file handle after app.close(): the process exits by itself', async () => {
    await runChild(memcached().address, 1);
  }, 90_000);

  it('also when memcached was unreachable all along', async () => {
    const gone = await startMemcached();
    await gone.kill();
    // Nothing can be stored, so the second call computes again (write-through: no flight outlives
    // its failed write).
    await runChild(gone.address, 2);
  }, 90_000);
});

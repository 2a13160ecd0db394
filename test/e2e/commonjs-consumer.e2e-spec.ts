/**
 * A CommonJS Nest app (tsc `module: commonjs`, as `nest new` makes on Nest 11) installs the
 * packed tarball — what `npm publish` would ship, built by `prepack` — and `require()`s the
 * package (ESM-only; Node >= 20.19 loads it with require() while its graph has no top-level
 * await). It boots and serves a cached call.
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CONSUMER = join(ROOT, 'test/consumers/commonjs');
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');

describe('a CommonJS app that installs the packed package', () => {
  let packDir: string;

  beforeAll(async () => {
    packDir = await mkdtemp(join(tmpdir(), 'cache-regions-pack-'));
  });

  afterAll(async () => {
    await rm(packDir, { recursive: true, force: true });
    await rm(join(CONSUMER, 'node_modules'), { recursive: true, force: true });
    await rm(join(CONSUMER, 'dist'), { recursive: true, force: true });
  });

  it('requires it, boots and serves a cached call', { timeout: 240_000 }, async () => {
    // npm pack runs prepack (the build) first: the tarball holds dist/, not only the README.
    const { stdout: packed } = await run('npm', ['pack', '--json', '--pack-destination', packDir], { cwd: ROOT });
    const [tarball] = JSON.parse(packed) as { filename: string; files: { path: string }[] }[];
    expect(tarball.files.map((file) => file.path)).toEqual(expect.arrayContaining(['dist/index.js', 'dist/index.d.ts']));

    // Only the tarball is installed here; the Nest packages are found in the repository's
    // node_modules above, as a real app has them in its own.
    await run(
      'npm',
      ['install', '--no-save', '--no-package-lock', '--legacy-peer-deps', '--ignore-scripts', '--no-audit', '--no-fund', join(packDir, tarball.filename)],
      { cwd: CONSUMER },
    );
    await run(process.execPath, [TSC, '-p', 'tsconfig.json'], { cwd: CONSUMER });
    const compiled = await readFile(join(CONSUMER, 'dist/main.js'), 'utf8');
    expect(compiled).toContain('require("nest-cache-regions")');

    const { stdout } = await run(process.execPath, ['dist/main.js'], { cwd: CONSUMER });
    expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toEqual({ first: 42, second: 42, runs: 1, hits: 1, commonjs: true });
  });
});

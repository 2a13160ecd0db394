import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const README = new URL('../../README.md', import.meta.url);
/** Where README code is written to be imported (gitignored): inside the repo, so Vitest transforms it. */
const OUT_DIR = new URL('../.readme/', import.meta.url);

/**
 * The TypeScript block that follows `<!-- readme-test: <name> -->` in the README, written to a
 * module of its own with `'nest-cache-regions'` (and its subpaths) pointing at `lib/`, then
 * imported: the README's code runs as written.
 */
export async function importReadmeCode<T = Record<string, unknown>>(name: string): Promise<T> {
  const readme = await readFile(README, 'utf8');
  const marker = `<!-- readme-test: ${name} -->`;
  const at = readme.indexOf(marker);
  if (at < 0) throw new Error(`README has no "${marker}"`);
  const block = /^```ts\n([\s\S]*?)^```$/m.exec(readme.slice(at + marker.length));
  if (!block) throw new Error(`no \`\`\`ts block after "${marker}" in the README`);
  const code = block[1].replace(/from 'nest-cache-regions(\/[a-z]+)?'/g, (_, subpath: string | undefined) =>
    subpath === undefined ? "from '../../lib/index.js'" : `from '../../lib${subpathDir(subpath)}/index.js'`,
  );
  await mkdir(OUT_DIR, { recursive: true });
  const file = new URL(`${name}.ts`, OUT_DIR);
  await writeFile(file, code);
  return (await import(/* @vite-ignore */ fileURLToPath(file))) as T;
}

/** `/prometheus` → `/observability/prometheus`, as in package.json's exports. */
function subpathDir(subpath: string): string {
  return subpath === '/terminus' ? subpath : `/observability${subpath}`;
}

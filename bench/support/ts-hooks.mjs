// Module hooks that run the project's TypeScript as `tsc` compiles it (see register.mjs).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/** What `tsc -p tsconfig.json` uses, minus what only matters for type checking or output files. */
const compilerOptions = {
  module: ts.ModuleKind.ESNext,
  target: ts.ScriptTarget.ES2023,
  experimentalDecorators: true,
  emitDecoratorMetadata: true,
  esModuleInterop: true,
  isolatedModules: true,
  useDefineForClassFields: true,
  inlineSourceMap: true,
};

// Transpiled files are kept by content hash, so the bench's child processes (and the next run)
// do not transpile the same files again: transpiling costs ~1 s of CPU per process.
const cacheDir = join(tmpdir(), `ncr-bench-ts-${ts.version}`);
mkdirSync(cacheDir, { recursive: true });

/** `./x.js` in a .ts file means `./x.ts` (NodeNext style) when there is no `./x.js`. */
export async function resolve(specifier, context, nextResolve) {
  const parent = context.parentURL;
  if (parent?.endsWith('.ts') && specifier.endsWith('.js') && /^\.{0,2}\//.test(specifier)) {
    const asTs = new URL(specifier.replace(/\.js$/, '.ts'), parent);
    if (!existsSync(new URL(specifier, parent)) && existsSync(asTs)) {
      return { url: asTs.href, format: 'module', shortCircuit: true };
    }
  }
  return nextResolve(specifier, context);
}

export async function load(url, context, nextLoad) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return nextLoad(url, context);
  const fileName = fileURLToPath(url);
  const source = await readFile(fileName, 'utf8');
  const digest = createHash('sha256').update(fileName).update('\0').update(source).digest('hex');
  const cached = join(cacheDir, `${digest}.js`);
  let output;
  try {
    output = await readFile(cached, 'utf8');
  } catch {
    output = ts.transpileModule(source, { compilerOptions, fileName }).outputText;
    const temp = `${cached}.${process.pid}.tmp`;
    await writeFile(temp, output);
    await rename(temp, cached);
  }
  return { format: 'module', source: output, shortCircuit: true };
}

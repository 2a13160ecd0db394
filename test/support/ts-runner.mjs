// Runs a TypeScript module in a plain child `node` process, for multi-process tests: `node test/support/ts-runner.mjs <module.ts> '<json arguments>'`.
//
// Why this way: Node 20.20 has no `--experimental-strip-types` (it arrived in 22.6), and tsx,
// ts-node and vite-node are not dependencies. Vite's public `runnerImport()` (Vite >= 6.1; Vite
// is already here for Vitest) transforms the module and its imports with the same oxc pipeline
// Vitest uses, in about 0.3 s, with no build step and no output directory to clean up.
import { resolve } from 'node:path';
import { runnerImport } from 'vite';
import { register } from 'node:module';

const modulePath = process.argv[2];
if (!modulePath) {
  console.error('usage: node ts-runner.mjs <module.ts> [json arguments]');
  process.exit(2);
}
if (process.env.NEST_COMPAT) {
  // The suite's runs on another Nest version (test/compat/<name>): Nest's imports resolve there.
  register('../compat/nest-resolve-hook.mjs', import.meta.url, {
    data: {
      parentURL: new URL(`../compat/${process.env.NEST_COMPAT}/package.json`, import.meta.url).href,
      rootModules: new URL('../../node_modules/', import.meta.url).href,
    },
  });
}
await runnerImport(resolve(modulePath), {
  configFile: false,
  logLevel: 'error',
  // As in vitest.config.ts: Nest's dependency injection needs legacy decorators with metadata.
  oxc: { decorator: { legacy: true, emitDecoratorMetadata: true } },
});

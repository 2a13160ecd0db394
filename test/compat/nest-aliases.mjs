// Points the suite's imports of Nest — and of the packages that must be one copy with it — at
// another installation of Nest (test/compat/<name>/node_modules), for the suite's runs on other
// Nest versions. Used by test/compat/<name>/vitest.config.ts; the child processes the suite
// starts use nest-resolve-hook.mjs instead.
import { fileURLToPath } from 'node:url';

const SHARED = /^(@nestjs\/(?:common|core|testing|platform-express|terminus)|reflect-metadata|rxjs)(\/.*)?$/;

/** Vite aliases for the installation `name` (a directory under test/compat), or none without a name. */
export function nestAliases(name) {
  if (!name) return [];
  const modules = fileURLToPath(new URL(`./${name}/node_modules/`, import.meta.url));
  return [{ find: SHARED, replacement: `${modules}$1$2` }];
}

// The whole suite on NestJS 11: `npm run test:nest11` (after `npm ci --prefix test/compat/nest11`).
import { fileURLToPath } from 'node:url';
import { defineConfig, mergeConfig } from 'vitest/config';
import base from '../../../vitest.config.js';
import { nestAliases } from '../nest-aliases.mjs';

export default mergeConfig(
  base,
  defineConfig({
    root: fileURLToPath(new URL('../../../', import.meta.url)),
    resolve: { alias: nestAliases('nest11') },
    // Child processes (test/support/ts-runner.mjs) apply the same aliases.
    test: { env: { NEST_COMPAT: 'nest11' } },
  }),
);

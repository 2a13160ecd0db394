import { defineConfig } from 'vitest/config';

export default defineConfig({
  oxc: { decorator: { legacy: true, emitDecoratorMetadata: true } },
  test: {
    globals: true,
    environment: 'node',
    include: ['test/**/*.spec.ts', 'test/**/*.e2e-spec.ts'],
    sequence: { hooks: 'stack' },
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // Type tests (`*.types.spec.ts`) also go through tsc, so `npm test` fails when a type
    // expectation (`// @ts-expect-error`, `expectTypeOf`) breaks. Their own tsconfig limits tsc to
    // them and what they import (lib), which keeps the check to a few seconds.
    typecheck: { enabled: true, include: ['test/**/*.types.spec.ts'], tsconfig: 'test/tsconfig.type-tests.json' },
  },
});

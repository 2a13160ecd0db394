/**
 * The SWC builder the Nest CLI uses (`nest start -b swc`): a fixture compiled with the CLI's own
 * SWC defaults — which emit decorator metadata — and again with `decoratorMetadata: false`, as a
 * bare `.swcrc` or other SWC setups do. With metadata a @Cached method declared to return a plain
 * value stops the app at startup; without it, its first call fails with the same advice.
 */
import type { Type } from '@nestjs/common';
import { swcDefaultsFactory } from '@nestjs/cli/lib/compiler/defaults/swc-defaults.js';
import { Test } from '@nestjs/testing';
import { transform, type Options } from '@swc/core';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { CacheConfigError } from '../../lib/index.js';

const FIXTURE = new URL('../fixtures/swc-cached.fixture.ts.txt', import.meta.url);
/** Where the compiled fixtures go (gitignored); two levels below the root, as the fixture's imports expect. */
const OUT_DIR = new URL('../.swc/', import.meta.url);

interface Compiled {
  SyncModule: Type;
  AsyncModule: Type;
  Totals: Type<{ runs: number; total(a: number, b: number): unknown }>;
  AsyncTotals: Type<{ runs: number; total(a: number, b: number): Promise<number> }>;
}

/** The fixture compiled by SWC with the Nest CLI's options (an ES module here), then imported. */
async function compile(name: string, adjust: (options: Options) => Options = (options) => options): Promise<Compiled> {
  const { swcOptions } = swcDefaultsFactory({}, undefined);
  const options = adjust({ ...(swcOptions as Options), module: { type: 'es6' }, swcrc: false, filename: 'fixture.ts' });
  const { code } = await transform(await readFile(FIXTURE, 'utf8'), options);
  await mkdir(OUT_DIR, { recursive: true });
  const file = new URL(`${name}.mjs`, OUT_DIR);
  await writeFile(file, code);
  return (await import(/* @vite-ignore */ fileURLToPath(file))) as Compiled;
}

async function bootstrap(module: Type) {
  const app = await Test.createTestingModule({ imports: [module] }).compile();
  app.useLogger(false);
  await app.init();
  return app;
}

describe("the Nest CLI's SWC builder", () => {
  it('emits decorator metadata: a method declared to return a plain value stops the app at startup', async () => {
    const { SyncModule, AsyncModule, AsyncTotals } = await compile('with-metadata');
    const error = await bootstrap(SyncModule).then(
      async (app) => {
        await app.close();
        return new Error('expected the app to fail at startup');
      },
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(CacheConfigError);
    expect(error.message).toMatch(/@Cached\('functions'\) on Totals\.total\(\): the method is declared to return Number/);

    const app = await bootstrap(AsyncModule);
    try {
      const totals = app.get(AsyncTotals);
      expect(await totals.total(1, 2)).toBe(3);
      expect(await totals.total(1, 2)).toBe(3);
      expect(totals.runs).toBe(1);
    } finally {
      await app.close();
    }
  });

  it('without decoratorMetadata: the app starts, and the first call fails naming the method and the setting', async () => {
    const { SyncModule, Totals } = await compile('without-metadata', (options) => ({
      ...options,
      jsc: { ...options.jsc, transform: { ...options.jsc?.transform, decoratorMetadata: false } },
    }));
    const app = await bootstrap(SyncModule);
    try {
      const call = app.get(Totals).total(1, 2) as Promise<number>;
      await expect(call).rejects.toThrow(CacheConfigError);
      await expect(call).rejects.toThrow(/Totals\.total\(\) returned a number.*decoratorMetadata: true/);
    } finally {
      await app.close();
    }
  });
});

/**
 * Builds that emit no decorator metadata (SWC without decoratorMetadata, esbuild, tsx, plain
 * JavaScript): the decorators are applied by hand here, as such builds do, so no design:* type
 * is recorded. A @Cached method's return type is then checked when it runs.
 */
import { Injectable, type LoggerService } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { of, type Observable } from 'rxjs';
import { Cached, CacheConfigError, CacheRegions, CacheRegionsModule } from '../../lib/index.js';

/** Applies `@Injectable()` and `@Cached(region)` to `methods` of `type` the way compiled JavaScript does, without metadata. */
function decorateWithoutMetadata(type: Function, region: string, methods: string[]): void {
  for (const method of methods) {
    const descriptor = Object.getOwnPropertyDescriptor(type.prototype, method)!;
    Cached(region)(type.prototype, method, descriptor as TypedPropertyDescriptor<never>);
    Object.defineProperty(type.prototype, method, descriptor);
  }
  Injectable()(type);
}

class Totals {
  runs = 0;
  total(a: number, b: number): number {
    this.runs++;
    return a + b;
  }
  async totalLater(a: number, b: number): Promise<number> {
    this.runs++;
    return a + b;
  }
  stream(id: number): Observable<number> {
    this.runs++;
    return of(id);
  }
}
decorateWithoutMetadata(Totals, 'functions', ['total', 'totalLater', 'stream']);

const warnings: string[] = [];
const logger: LoggerService = {
  log() {},
  error() {},
  warn(message: unknown) {
    warnings.push(String(message));
  },
};

async function start() {
  const app = await Test.createTestingModule({
    imports: [CacheRegionsModule.forRoot({ regions: { functions: { store: 'memory' } } })],
    providers: [Totals],
  })
    .setLogger(logger)
    .compile();
  await app.init();
  return app;
}

describe('a @Cached method in a build without decorator metadata', () => {
  it('starts, with one warning naming the methods and the settings that check them at startup', async () => {
    warnings.length = 0;
    const app = await start();
    try {
      expect(Reflect.getMetadata('design:returntype', Totals.prototype, 'total')).toBeUndefined();
      const ours = warnings.filter((line) => line.includes('decorator metadata'));
      expect(ours).toHaveLength(1);
      expect(ours[0]).toMatch(/^3 @Cached methods \(Totals\.total\(\), Totals\.totalLater\(\), Totals\.stream\(\)\) carry no decorator metadata/);
      expect(ours[0]).toMatch(/emitDecoratorMetadata.*decoratorMetadata: true/);
    } finally {
      await app.close();
    }
  });

  it('fails each call of a method that returns a plain value, naming the method and the fix, and caches nothing', async () => {
    const app = await start();
    try {
      const totals = app.get(Totals);
      const error = await (totals.total(1, 2) as unknown as Promise<number>).then(
        () => new Error('expected a rejection'),
        (e: unknown) => e as Error,
      );
      expect(error).toBeInstanceOf(CacheConfigError);
      expect(error.message).toMatch(/^@Cached\('functions'\) on Totals\.total\(\) returned a number, but a cached method must return a Promise/);
      expect(error.message).toMatch(/Make the method async, or build with decorator metadata/);
      await expect(totals.total(1, 2) as unknown as Promise<number>).rejects.toThrow(CacheConfigError);
      expect(totals.runs).toBe(2);
      expect(app.get(CacheRegions).get('functions').stats().sets).toBe(0);
    } finally {
      await app.close();
    }
  });

  it('fails a method that returns an Observable (only metadata can say so at startup)', async () => {
    const app = await start();
    try {
      await expect(app.get(Totals).stream(7) as unknown as Promise<unknown>).rejects.toThrow(
        /Totals\.stream\(\) returned an Observable, but a cached method must return a Promise \(or be declared to return an Observable\)/,
      );
    } finally {
      await app.close();
    }
  });

  it('caches an async method as usual', async () => {
    const app = await start();
    try {
      const totals = app.get(Totals);
      expect(await totals.totalLater(2, 3)).toBe(5);
      expect(await totals.totalLater(2, 3)).toBe(5);
      expect(totals.runs).toBe(1);
    } finally {
      await app.close();
    }
  });
});

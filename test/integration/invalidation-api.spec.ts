import { Controller, Get, Inject, Injectable, Module, Scope, type Type } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { Observable, of } from 'rxjs';
import {
  Cached,
  CacheConfigError,
  CacheKeyError,
  CacheRegions,
  CacheRegionsModule,
  type CacheRegion,
} from '../../lib/index.js';

// CacheRegions.invalidate / refresh / set: the key is @Cached's own (keyForCall → createCallKeyer)
// for every key and namespace form, and mistakes are errors naming the class, method and fix.

const open: TestingModule[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((app) => app.close()));
});

async function boot(providers: unknown[], controllers: Type[] = []): Promise<TestingModule> {
  @Module({ providers: providers as Type[], controllers })
  class FeatureModule {}
  const app = await Test.createTestingModule({
    imports: [CacheRegionsModule.forRoot({ regions: { a: { store: 'memory', ttl: 60 }, b: { store: 'memory' } } }), FeatureModule],
  }).compile();
  app.useLogger(false);
  await app.init();
  open.push(app);
  return app;
}

const regionOf = (app: TestingModule, name = 'a'): CacheRegion => app.get(CacheRegions).get(name);

@Injectable()
class Forms {
  runs = 0;
  constructor(@Inject('TENANT') readonly tenant: string) {}

  @Cached('a')
  async plain(a: number, b: string): Promise<string> {
    return `plain ${a} ${b} #${++this.runs}`;
  }

  @Cached('a', { key: (a: number) => a })
  async keyed(a: number, b: string): Promise<string> {
    return `keyed ${a} ${b} #${++this.runs}`;
  }

  @Cached('a', { namespace: 'forms.named', key: (a: { id: number }) => a.id })
  async named(a: { id: number; label: string }): Promise<string> {
    return `named ${a.id} #${++this.runs}`;
  }

  @Cached('a', { namespace: (f: Forms) => `forms.perTenant:${f.tenant}` })
  async perTenant(a: number): Promise<string> {
    return `tenant ${this.tenant} ${a} #${++this.runs}`;
  }

  @Cached('a', {
    namespace: (f: Forms) => `forms.both:${f.tenant}`,
    key(this: Forms, a: number) {
      return [this.tenant, a];
    },
  })
  async both(a: number): Promise<string> {
    return `both ${this.tenant} ${a} #${++this.runs}`;
  }

  @Cached('b', { ttl: 1 })
  async otherRegion(a: number): Promise<string> {
    return `b ${a} #${++this.runs}`;
  }

  @Cached('a')
  observed(a: number): Observable<string> {
    return of(`observed ${a} #${++this.runs}`);
  }

  @Cached('a', { unless: (result: string) => result.startsWith('skip') })
  async unlessSkip(a: string): Promise<string> {
    return `${a} #${++this.runs}`;
  }

  async notCached(a: number): Promise<number> {
    return a;
  }
}

const tenant = { provide: 'TENANT', useValue: 't1' };

type FormsMethod = 'plain' | 'keyed' | 'named' | 'perTenant' | 'both' | 'otherRegion' | 'observed';
const calls: Array<[FormsMethod, unknown[], unknown[]]> = [
  // method, the arguments, other arguments with the same key (where the key option drops some)
  ['plain', [1, 'x'], [1, 'x']],
  ['keyed', [2, 'x'], [2, 'ignored']],
  ['named', [{ id: 3, label: 'x' }], [{ id: 3, label: 'ignored' }]],
  ['perTenant', [4], [4]],
  ['both', [5], [5]],
  ['otherRegion', [6], [6]],
  ['observed', [7], [7]],
];

const call = async (forms: Forms, method: FormsMethod, args: unknown[]): Promise<unknown> => {
  const result = (forms[method] as (...a: unknown[]) => Promise<unknown> | Observable<unknown>)(...args);
  return result instanceof Observable ? new Promise((done) => result.subscribe(done)) : result;
};

// The API's compile-time types are exercised in test/unit/invalidation.types.spec.ts; here the
// calls go through an untyped view, to run every form from one table.
type Untyped = {
  invalidate(target: unknown, method: string, ...args: unknown[]): Promise<boolean>;
  refresh(target: unknown, method: string, ...args: unknown[]): Promise<unknown>;
  set(value: unknown, target: unknown, method: string, ...args: unknown[]): Promise<void>;
};
const untyped = (app: TestingModule) => app.get(CacheRegions) as unknown as Untyped;

describe('CacheRegions invalidation agrees with @Cached for every key and namespace form', () => {
  describe.each([
    ['the instance', (app: TestingModule) => app.get(Forms)],
    ['the class', () => Forms],
  ])('given %s', (_given, targetOf) => {
    it.each(calls)('invalidate: %s', async (method, args, sameKey) => {
      const app = await boot([tenant, Forms]);
      const forms = app.get(Forms);
      const first = await call(forms, method, args);
      expect(await call(forms, method, sameKey)).toBe(first);
      expect(await untyped(app).invalidate(targetOf(app), method, ...sameKey)).toBe(true);
      expect(await call(forms, method, args)).not.toBe(first);
      expect(await untyped(app).invalidate(targetOf(app), method, ...sameKey)).toBe(true);
      expect(await untyped(app).invalidate(targetOf(app), method, ...sameKey)).toBe(false);
    });

    it.each(calls)('set and refresh: %s', async (method, args, sameKey) => {
      const app = await boot([tenant, Forms]);
      const forms = app.get(Forms);
      await call(forms, method, args);
      await untyped(app).set('stored by set', targetOf(app), method, ...sameKey);
      const runs = forms.runs;
      expect(await call(forms, method, args)).toBe('stored by set');
      const refreshed = await untyped(app).refresh(targetOf(app), method, ...sameKey);
      expect(forms.runs).toBe(runs + 1);
      expect(refreshed).toMatch(new RegExp(`#${forms.runs}$`));
      expect(await call(forms, method, args)).toBe(refreshed);
      expect(forms.runs).toBe(runs + 1);
      // The entry is where region.keyFor says @Cached keeps it.
      const region = regionOf(app, method === 'otherRegion' ? 'b' : 'a');
      expect(await region.get(region.keyFor(forms, method, sameKey))).toBe(refreshed);
    });
  });

  it('stores with the method ttl, and leaves no entry for a value @Cached would not store', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    onTestFinished(() => {
      vi.useRealTimers();
    });
    const app = await boot([tenant, Forms]);
    const forms = app.get(Forms);
    const regions = app.get(CacheRegions);
    await regions.set('kept 1 s', Forms, 'otherRegion', 1);
    expect(await forms.otherRegion(1)).toBe('kept 1 s');
    vi.setSystemTime(Date.now() + 1_100);
    expect(await forms.otherRegion(1)).toBe(`b 1 #${forms.runs}`);

    await forms.unlessSkip('x');
    await regions.set('skip this', Forms, 'unlessSkip', 'x');
    expect(await regionOf(app).get(regionOf(app).keyFor(Forms, 'unlessSkip', ['x']))).toBeUndefined();
    await regions.set(undefined as unknown as string, Forms, 'plain', 1, 'x');
    expect(await regionOf(app).get(regionOf(app).keyFor(Forms, 'plain', [1, 'x']))).toBeUndefined();
  });

  it('refreshes an Observable method by its single value', async () => {
    const app = await boot([tenant, Forms]);
    const forms = app.get(Forms);
    const value = await app.get(CacheRegions).refresh(forms, 'observed', 9);
    expect(value).toBe(`observed 9 #1`);
    expect(await call(forms, 'observed', [9])).toBe(value);
    expect(forms.runs).toBe(1);
  });
});

describe('CacheRegions invalidation with several instances of a class', () => {
  @Injectable()
  class Prices {
    runs = 0;
    constructor(readonly currency: string) {}

    @Cached('a', { namespace: (p: Prices) => `Prices.quote:${p.currency}` })
    async quote(sku: number): Promise<string> {
      return `${sku} ${this.currency} #${++this.runs}`;
    }
  }
  const eur = { provide: 'PRICES_EUR', useFactory: () => new Prices('EUR') };
  const usd = { provide: 'PRICES_USD', useFactory: () => new Prices('USD') };

  it('given the class, invalidates the entry of every instance', async () => {
    const app = await boot([eur, usd]);
    const [a, b] = [app.get<Prices>('PRICES_EUR'), app.get<Prices>('PRICES_USD')];
    const before = [await a.quote(1), await b.quote(1)];
    expect(await app.get(CacheRegions).invalidate(Prices, 'quote', 1)).toBe(true);
    expect(await a.quote(1)).not.toBe(before[0]);
    expect(await b.quote(1)).not.toBe(before[1]);
  });

  it('given an instance, invalidates only its entry', async () => {
    const app = await boot([eur, usd]);
    const [a, b] = [app.get<Prices>('PRICES_EUR'), app.get<Prices>('PRICES_USD')];
    const before = [await a.quote(1), await b.quote(1)];
    await app.get(CacheRegions).invalidate(a, 'quote', 1);
    expect(await a.quote(1)).not.toBe(before[0]);
    expect(await b.quote(1)).toBe(before[1]);
  });

  it.each(['set', 'refresh'] as const)('refuses %s given the class: it cannot tell whose entry', async (operation) => {
    const app = await boot([eur, usd]);
    const regions = app.get(CacheRegions);
    const run = operation === 'set' ? regions.set('v', Prices, 'quote', 1) : regions.refresh(Prices, 'quote', 1);
    const error = await run.catch((caught: Error) => caught);
    expect(error).toBeInstanceOf(CacheKeyError);
    expect((error as Error).message).toBe(
      `CacheRegions.${operation}(): this app has 2 instances of Prices, each with its own entries of quote(), so the class does not say whose. ` +
        `Pass the instance: regions.${operation}(${operation === 'set' ? 'value, ' : ''}instance, 'quote', …args).`,
    );
  });
});

describe('CacheRegions invalidation errors', () => {
  @Injectable()
  class NotProvided {
    @Cached('a', { namespace: (n: NotProvided) => `np:${String(n)}` })
    async perInstance(a: number): Promise<number> {
      return a;
    }

    @Cached('a')
    async plain(a: number): Promise<number> {
      return a;
    }

    @Cached('nowhere')
    async unconfigured(a: number): Promise<number> {
      return a;
    }
  }

  @Controller('reports')
  class ReportsController {
    @Get()
    @Cached('a')
    async list(): Promise<string[]> {
      return [];
    }
  }

  const failure = (promise: Promise<unknown>) => promise.then(() => undefined, (error: Error) => error);

  it.each([
    ['a target that is no class', () => [null, 'plain', 1], CacheKeyError, /^CacheRegions.invalidate\(\): the target must be a class, or an instance of one, with a @Cached method; got null\./],
    ['an unknown method', () => [Forms, 'nope', 1], CacheKeyError, /^CacheRegions.invalidate\(\): Forms has no method "nope"\. Name a @Cached method of Forms\.$/],
    ['a method without @Cached', () => [Forms, 'notCached', 1], CacheKeyError, /^CacheRegions.invalidate\(\): Forms.notCached\(\) has no @Cached, so no entry of it is ever stored\. Name the @Cached method whose entries the write changes, or add @Cached\('region'\) to Forms.notCached\(\)\.$/],
    ['a controller handler', () => [ReportsController, 'list'], CacheKeyError, /^CacheRegions.invalidate\(\): ReportsController.list\(\) is a controller handler; its keys are made from requests/],
    ['an unconfigured region', () => [NotProvided, 'unconfigured', 1], CacheConfigError, /^CacheRegions.invalidate\(\): NotProvided.unconfigured\(\) is @Cached in region "nowhere", which this app does not configure; configured regions: a, b\. Fix the region name in its @Cached, or add the region/],
    ['a per-instance namespace, given a class the app has no instance of', () => [NotProvided, 'perInstance', 1], CacheKeyError, /^CacheRegions.invalidate\(\) in region "a": NotProvided.perInstance\(\) has a per-instance namespace \(a function of the instance\), so the class alone cannot tell its key\. Pass the instance instead of the class: regions.invalidate\(instance, 'perInstance', …args\)\.$/],
  ])('%s', async (_case, argsOf, type, message) => {
    const app = await boot([tenant, Forms], [ReportsController]);
    const error = await failure(untyped(app).invalidate(...(argsOf() as [unknown, string])));
    expect(error).toBeInstanceOf(type);
    expect(error!.message).toMatch(message);
  });

  it('invalidates by class the entries another app stores, when this app has no instance', async () => {
    const app = await boot([tenant, Forms]);
    const region = regionOf(app);
    await region.set(region.keyFor(NotProvided, 'plain', [1]), 1);
    expect(await app.get(CacheRegions).invalidate(NotProvided, 'plain', 1)).toBe(true);
  });

  it('refuses to refresh a class the app has no singleton instance of', async () => {
    @Injectable({ scope: Scope.REQUEST })
    class Scoped {
      @Cached('a')
      async run(a: number): Promise<number> {
        return a;
      }
    }
    const app = await boot([tenant, Forms, Scoped]);
    const scoped = await failure(app.get(CacheRegions).refresh(Scoped, 'run', 1));
    expect(scoped).toBeInstanceOf(CacheConfigError);
    expect(scoped!.message).toMatch(/^CacheRegions.refresh\(\): Scoped is not a singleton provider of this app/);
    const error = await failure(app.get(CacheRegions).refresh(NotProvided, 'plain', 1));
    expect(error!.message).toBe(
      `CacheRegions.refresh(): NotProvided is not a singleton provider of this app, so no instance of it runs plain() here. ` +
        `Add NotProvided to the providers of a module of this app, or pass an instance: regions.refresh(instance, 'plain', …args).`,
    );
  });
});

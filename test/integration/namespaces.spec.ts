import { Controller, Get, Inject, Injectable, Module, type Type } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import {
  Cached,
  CacheConfigError,
  CacheKeyError,
  CacheRegions,
  CacheRegionsModule,
  type CacheRegion,
  type CacheRegionsOptions,
} from '../../lib/index.js';

// Key safety, point A: one namespace of a region is written by one (class, method, instance),
// unless every writer chose it explicitly. Each reproduction boots a real app on memory regions.

const options: CacheRegionsOptions = { regions: { a: { store: 'memory', ttl: 60 }, b: { store: 'memory' } } };

const open: TestingModule[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((app) => app.close()));
});

async function boot(imports: Type[], extra: { controllers?: Type[] } = {}): Promise<TestingModule> {
  const app = await Test.createTestingModule({
    imports: [CacheRegionsModule.forRoot(options), ...imports],
    controllers: extra.controllers ?? [],
  }).compile();
  app.useLogger(false);
  await app.init();
  open.push(app);
  return app;
}

async function bootError(imports: Type[], controllers: Type[] = []): Promise<Error> {
  try {
    await boot(imports, { controllers });
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected bootstrap to fail');
}

const regionOf = (app: TestingModule, name = 'a'): CacheRegion => app.get(CacheRegions).get(name);

// Two feature modules each with their own class named ReportsService (as after a copy, or in
// two libraries): the same default namespace "ReportsService.build", different code.
function reportsFeature(moduleName: string, tenant: string, namespace?: string): { module: Type; service: Type } {
  @Injectable()
  class ReportsService {
    runs = 0;
    @Cached('a', namespace === undefined ? {} : { namespace })
    async build(day: string): Promise<string> {
      this.runs++;
      return `${tenant}:${day}`;
    }
  }
  @Module({ providers: [ReportsService], exports: [ReportsService] })
  class FeatureModule {}
  Object.defineProperty(FeatureModule, 'name', { value: moduleName });
  return { module: FeatureModule, service: ReportsService };
}

describe('two different classes with the same name', () => {
  it('stop the app, naming both writers, their modules and the fix', async () => {
    const billing = reportsFeature('BillingModule', 'billing');
    const audit = reportsFeature('AuditModule', 'audit');
    const error = await bootError([billing.module, audit.module]);
    expect(error).toBeInstanceOf(CacheConfigError);
    expect(error.message).toMatch(/region "a"/);
    expect(error.message).toMatch(/namespace "ReportsService\.build"/);
    expect(error.message).toMatch(/ReportsService\.build\(\) \(provider ReportsService in module BillingModule\)/);
    expect(error.message).toMatch(/ReportsService\.build\(\) \(provider ReportsService in module AuditModule\)/);
    expect(error.message).toMatch(/two different classes named ReportsService/);
    expect(error.message).toMatch(/namespace: '/);
    expect(error.message).toMatch(/per-instance namespace/);
  });

  it('may share entries on purpose when both set the namespace explicitly', async () => {
    const billing = reportsFeature('BillingModule', 'billing', 'reports.build');
    const audit = reportsFeature('AuditModule', 'audit', 'reports.build');
    const app = await boot([billing.module, audit.module]);
    const first = app.get<{ build(day: string): Promise<string>; runs: number }>(billing.service);
    const second = app.get<{ build(day: string): Promise<string>; runs: number }>(audit.service);
    expect(await first.build('mon')).toBe('billing:mon');
    expect(await second.build('mon')).toBe('billing:mon'); // shared, as asked
    expect(second.runs).toBe(0);
  });

  it('stay apart with two explicit namespaces of their own', async () => {
    const billing = reportsFeature('BillingModule', 'billing', 'billing.reports');
    const audit = reportsFeature('AuditModule', 'audit', 'audit.reports');
    const app = await boot([billing.module, audit.module]);
    expect(await app.get<{ build(day: string): Promise<string> }>(billing.service).build('mon')).toBe('billing:mon');
    expect(await app.get<{ build(day: string): Promise<string> }>(audit.service).build('mon')).toBe('audit:mon');
  });

  it('are refused when only one of them set the shared namespace explicitly', async () => {
    const billing = reportsFeature('BillingModule', 'billing', 'ReportsService.build');
    const audit = reportsFeature('AuditModule', 'audit');
    const error = await bootError([billing.module, audit.module]);
    expect(error).toBeInstanceOf(CacheConfigError);
    expect(error.message).toMatch(/namespace "ReportsService\.build"/);
    expect(error.message).toMatch(/in module AuditModule\) by default/);
    expect(error.message).toMatch(/in module BillingModule\) through its namespace option/);
  });

  it('in two regions do not conflict (a namespace is unique per region)', async () => {
    const inA = reportsFeature('BillingModule', 'billing');
    @Injectable()
    class ReportsService {
      @Cached('b')
      async build(day: string): Promise<string> {
        return `b:${day}`;
      }
    }
    @Module({ providers: [ReportsService] })
    class OtherModule {}
    await boot([inA.module, OtherModule]);
  });
});

/** One class, configured per instance (a currency), registered under two tokens. */
@Injectable()
class PriceService {
  runs = 0;
  constructor(readonly currency: string) {}

  @Cached('a')
  async quote(amount: number): Promise<string> {
    this.runs++;
    return `${amount} ${this.currency}`;
  }
}

describe('two instances of one class', () => {
  it('under two useFactory tokens stop the app, naming both tokens', async () => {
    @Module({
      providers: [
        { provide: 'PRICES_EUR', useFactory: () => new PriceService('EUR') },
        { provide: 'PRICES_USD', useFactory: () => new PriceService('USD') },
      ],
    })
    class PricesModule {}
    const error = await bootError([PricesModule]);
    expect(error).toBeInstanceOf(CacheConfigError);
    expect(error.message).toMatch(/two instances of PriceService/);
    expect(error.message).toMatch(/PriceService\.quote\(\) \(provider "PRICES_EUR" in module PricesModule\)/);
    expect(error.message).toMatch(/PriceService\.quote\(\) \(provider "PRICES_USD" in module PricesModule\)/);
    expect(error.message).toMatch(/namespace: \(instance: PriceService\) =>/);
  });

  it('under two useClass tokens stop the app too', async () => {
    @Injectable()
    class Clock {
      @Cached('a')
      async now(zone: string): Promise<string> {
        return zone;
      }
    }
    @Module({ providers: [{ provide: 'CLOCK_1', useClass: Clock }, { provide: 'CLOCK_2', useClass: Clock }] })
    class ClockModule {}
    const error = await bootError([ClockModule]);
    expect(error).toBeInstanceOf(CacheConfigError);
    expect(error.message).toMatch(/two instances of Clock/);
  });

  it('behind one token and an alias (useExisting) are one writer', async () => {
    @Module({
      providers: [
        { provide: 'PRICES', useFactory: () => new PriceService('EUR') },
        { provide: 'PRICES_ALIAS', useExisting: 'PRICES' },
      ],
    })
    class AliasModule {}
    const app = await boot([AliasModule]);
    const prices = app.get<PriceService>('PRICES');
    expect(app.get('PRICES_ALIAS')).toBe(prices);
    await prices.quote(1);
    await prices.quote(1);
    expect(prices.runs).toBe(1);
  });
});

/** Per-instance namespace: each currency writes its own entries. */
@Injectable()
class RateService {
  runs = 0;
  constructor(readonly currency: string) {}

  @Cached('a', { namespace: (s: RateService) => `RateService.quote:${s.currency}` })
  async quote(amount: number): Promise<string> {
    this.runs++;
    return `${amount} ${this.currency} #${this.runs}`;
  }

  @Cached('a', {
    namespace: (s: RateService) => `RateService.convert:${s.currency}`,
    key(this: RateService, amount: number, _note: string) {
      return [this.currency, amount];
    },
  })
  async convert(amount: number, note: string): Promise<string> {
    this.runs++;
    return `${amount} ${this.currency} (${note}) #${this.runs}`;
  }
}

@Module({
  providers: [
    { provide: 'RATES_EUR', useFactory: () => new RateService('EUR') },
    { provide: 'RATES_USD', useFactory: () => new RateService('USD') },
  ],
})
class RatesModule {}

describe('a function namespace', () => {
  it('separates instances, and keyFor(instance) gives the key they use', async () => {
    const app = await boot([RatesModule]);
    const eur = app.get<RateService>('RATES_EUR');
    const usd = app.get<RateService>('RATES_USD');
    const region = regionOf(app);
    expect(await eur.quote(10)).toBe('10 EUR #1');
    expect(await usd.quote(10)).toBe('10 USD #1');
    expect(await eur.quote(10)).toBe('10 EUR #1');

    const eurKey = region.keyFor(eur, 'quote', [10]);
    expect(eurKey).not.toBe(region.keyFor(usd, 'quote', [10]));
    expect(await region.get(eurKey)).toBe('10 EUR #1');
    expect(await region.get(region.keyFor(usd, 'quote', [10]))).toBe('10 USD #1');
    expect(await region.delete(eurKey)).toBe(true);
    expect(await eur.quote(10)).toBe('10 EUR #2');
  });

  it('keyFor(instance) keeps the namespace resolved at startup, as the wrapped method does', async () => {
    const app = await boot([RatesModule]);
    const eur = app.get<RateService>('RATES_EUR');
    const region = regionOf(app);
    const first = await eur.quote(1);
    const key = region.keyFor(eur, 'quote', [1]);
    (eur as { currency: string }).currency = 'CHF';
    expect(region.keyFor(eur, 'quote', [1])).toBe(key);
    expect(await eur.quote(1)).toBe(first);
    // An instance Nest never wrapped: the function is applied to it.
    expect(region.keyFor(new RateService('EUR'), 'quote', [1])).toBe(key);
  });

  it('needs the instance in keyFor: the class alone cannot tell which namespace', async () => {
    const app = await boot([RatesModule]);
    const region = regionOf(app);
    expect(() => region.keyFor(RateService, 'quote', [10])).toThrow(CacheKeyError);
    expect(() => region.keyFor(RateService, 'quote', [10])).toThrow(/Pass the instance/);
  });

  it('binds `this` of the key option to the instance, and keyFor agrees', async () => {
    const app = await boot([RatesModule]);
    const eur = app.get<RateService>('RATES_EUR');
    const region = regionOf(app);
    const first = await eur.convert(5, 'first note');
    expect(await eur.convert(5, 'another note')).toBe(first); // the note is not key material
    expect(await region.get(region.keyFor(eur, 'convert', [5, 'any']))).toBe(first);
  });

  it('must return a non-empty string, else the app stops naming class and method', async () => {
    @Injectable()
    class Blank {
      @Cached('a', { namespace: () => '' })
      async run(): Promise<number> {
        return 1;
      }
    }
    @Module({ providers: [Blank] })
    class BlankModule {}
    const error = await bootError([BlankModule]);
    expect(error).toBeInstanceOf(CacheConfigError);
    expect(error.message).toMatch(/Blank\.run\(\)/);
    expect(error.message).toMatch(/option "namespace" returned "" /);

    @Injectable()
    class Throwing {
      @Cached('a', {
        namespace: () => {
          throw new Error('no tenant yet');
        },
      })
      async run(): Promise<number> {
        return 1;
      }
    }
    @Module({ providers: [Throwing] })
    class ThrowingModule {}
    const thrown = await bootError([ThrowingModule]);
    expect(thrown).toBeInstanceOf(CacheConfigError);
    expect(thrown.message).toMatch(/Throwing\.run\(\).*no tenant yet/);
  });
});

describe('an anonymous class', () => {
  function anonymousService(namespace?: string): Type {
    @Injectable()
    class Named {
      @Cached('a', namespace === undefined ? {} : { namespace })
      async run(n: number): Promise<number> {
        return n;
      }
    }
    // What `providers: [{ provide: X, useClass: class { … } }]` or some bundlers produce.
    Object.defineProperty(Named, 'name', { value: '' });
    return Named;
  }

  it('without a namespace stops the app, asking for one', async () => {
    const Anonymous = anonymousService();
    @Module({ providers: [{ provide: 'ANON', useClass: Anonymous }] })
    class AnonModule {}
    const error = await bootError([AnonModule]);
    expect(error).toBeInstanceOf(CacheConfigError);
    expect(error.message).toMatch(/anonymous class/);
    expect(error.message).toMatch(/run\(\) of an anonymous class/);
    expect(error.message).toMatch(/"ANON"/);
    expect(error.message).toMatch(/namespace/);
  });

  it('with a namespace is fine', async () => {
    const Anonymous = anonymousService('anon.run');
    @Module({ providers: [{ provide: 'ANON', useClass: Anonymous }] })
    class AnonModule {}
    const app = await boot([AnonModule]);
    const service = app.get<{ run(n: number): Promise<number> }>('ANON');
    expect(await service.run(3)).toBe(3);
    expect(await regionOf(app).get(regionOf(app).keyFor(service, 'run', [3]))).toBe(3);
  });
});

describe('keyFor agrees with @Cached for every namespace and key form', () => {
  @Injectable()
  class Forms {
    constructor(@Inject('TENANT') readonly tenant: string) {}

    @Cached('a')
    async plain(a: number, b: string): Promise<string> {
      return `plain ${a} ${b}`;
    }

    @Cached('a', { key: (a: number) => a })
    async keyed(a: number, b: string): Promise<string> {
      return `keyed ${a} ${b}`;
    }

    @Cached('a', { namespace: 'forms.named', key: (a: { id: number }) => a.id })
    async named(a: { id: number; label: string }): Promise<string> {
      return `named ${a.id} ${a.label}`;
    }

    @Cached('a', { namespace: (f: Forms) => `forms.perTenant:${f.tenant}` })
    async perTenant(a: number): Promise<string> {
      return `tenant ${this.tenant} ${a}`;
    }

    @Cached('a', {
      namespace: (f: Forms) => `forms.both:${f.tenant}`,
      key(this: Forms, a: number) {
        return [this.tenant, a];
      },
    })
    async both(a: number): Promise<string> {
      return `both ${this.tenant} ${a}`;
    }
  }
  @Module({ providers: [{ provide: 'TENANT', useValue: 't1' }, Forms] })
  class FormsModule {}

  const calls: Array<[keyof Forms & string, unknown[]]> = [
    ['plain', [1, 'x']],
    ['keyed', [2, 'ignored']],
    ['named', [{ id: 3, label: 'ignored' }]],
    ['perTenant', [4]],
    ['both', [5]],
  ];

  it.each(calls)('%s', async (method, args) => {
    const app = await boot([FormsModule]);
    const forms = app.get(Forms);
    const region = regionOf(app);
    const value = await (forms[method] as (...a: unknown[]) => Promise<string>)(...args);
    const key = region.keyFor(forms, method, args);
    expect(await region.get(key)).toBe(value);
    expect(await region.delete(key)).toBe(true);
    expect(await region.get(key)).toBeUndefined();
  });

  it('refuses the class when the key option reads `this`', async () => {
    const app = await boot([FormsModule]);
    const region = regionOf(app);
    expect(region.keyFor(Forms, 'plain', [1, 'x'])).toBe(region.keyFor(app.get(Forms), 'plain', [1, 'x']));
    expect(() => region.keyFor(Forms, 'both', [5])).toThrow(CacheKeyError);
  });

  it('returns the logical key, which get() and delete() fit into the store (also a "!"-key)', async () => {
    @Injectable()
    class Bang {
      @Cached('a', { namespace: '!lock' })
      async run(n: number): Promise<number> {
        return n;
      }
    }
    @Module({ providers: [Bang] })
    class BangModule {}
    const app = await boot([BangModule]);
    const region = regionOf(app);
    await app.get(Bang).run(1);
    const key = region.keyFor(Bang, 'run', [1]);
    expect(key.startsWith('!lock|')).toBe(true);
    expect(await region.get(key)).toBe(1);
  });
});

describe('handler-only options on a provider method', () => {
  it.each([
    ['methods', { methods: ['POST'] }],
    ['vary', { vary: ['user'] }],
  ])('%s stops the app, naming the option, class and method', async (option, given) => {
    @Injectable()
    class Misplaced {
      @Cached('a', given)
      async run(): Promise<number> {
        return 1;
      }
    }
    @Module({ providers: [Misplaced] })
    class MisplacedModule {}
    const error = await bootError([MisplacedModule]);
    expect(error).toBeInstanceOf(CacheConfigError);
    expect(error.message).toMatch(new RegExp(`Misplaced\\.run\\(\\): option "${option}"`));
    expect(error.message).toMatch(/controller handlers/);
  });
});

describe('controllers in the namespace check', () => {
  it('a function namespace on a handler stops the app', async () => {
    @Controller('fn')
    class FnController {
      @Get()
      @Cached('a', { namespace: () => 'x' })
      async list(): Promise<number[]> {
        return [];
      }
    }
    const error = await bootError([], [FnController]);
    expect(error).toBeInstanceOf(CacheConfigError);
    expect(error.message).toMatch(/FnController\.list\(\).*"namespace" must be a string/);
  });

  it('two controller classes with the same name in one region stop the app', async () => {
    function feature(path: string, moduleName: string): Type {
      @Controller(path)
      class ItemsController {
        @Get()
        @Cached('a')
        async list(): Promise<string> {
          return path;
        }
      }
      @Module({ controllers: [ItemsController] })
      class M {}
      Object.defineProperty(M, 'name', { value: moduleName });
      return M;
    }
    const error = await bootError([feature('shop', 'ShopModule'), feature('admin', 'AdminModule')]);
    expect(error).toBeInstanceOf(CacheConfigError);
    expect(error.message).toMatch(/ItemsController\.list\(\) \(controller ItemsController in module ShopModule\)/);
    expect(error.message).toMatch(/ItemsController\.list\(\) \(controller ItemsController in module AdminModule\)/);
  });

  it('a provider cannot take a controller handler\'s default namespace without saying so', async () => {
    @Controller('items')
    class ItemsController {
      @Get()
      @Cached('a')
      async list(): Promise<string> {
        return 'list';
      }
    }
    @Injectable()
    class Sneaky {
      @Cached('a', { namespace: 'ItemsController.list' })
      async list(): Promise<string> {
        return 'sneaky';
      }
    }
    @Module({ controllers: [ItemsController], providers: [Sneaky] })
    class M {}
    const error = await bootError([M]);
    expect(error).toBeInstanceOf(CacheConfigError);
    expect(error.message).toMatch(/namespace "ItemsController\.list"/);
  });
});

import { Controller, Injectable, Module, Post, Scope, type Type } from '@nestjs/common';
import { Observable, of } from 'rxjs';
import { Cached, CacheConfigError, CacheEvict, CachePut, CacheRegions, CacheRegionsModule } from '../../lib/index.js';
import { bootstrapError, closeRegionsApps, createRegionsApp } from '../support/regions-app.js';

// Every @CacheEvict and @CachePut is checked when the app starts: a mistake stops it with a
// CacheConfigError naming the decorator, the class and method it is on, and the fix.

afterEach(closeRegionsApps);

@Injectable()
class Reads {
  @Cached('functions')
  async expiration(userId: number): Promise<string> {
    return `expiration ${userId}`;
  }

  async notCached(userId: number): Promise<string> {
    return `${userId}`;
  }
}

/** Cached in a region no app here configures (so it is provided nowhere). */
class Elsewhere {
  @Cached('elsewhere')
  async elsewhere(userId: number): Promise<string> {
    return `${userId}`;
  }
}

@Injectable()
class Prices {
  constructor(readonly currency: string) {}

  @Cached('functions', { namespace: (p: Prices) => `Prices.quote:${p.currency}` })
  async quote(sku: number): Promise<string> {
    return `${sku} ${this.currency}`;
  }
}

const regions = { functions: { store: 'memory' as const }, files: { store: 'memory' as const } };

async function startupError(providers: unknown[], controllers: Type[] = []): Promise<Error> {
  @Module({ providers: providers as Type[], controllers })
  class FeatureModule {}
  return bootstrapError({ imports: [CacheRegionsModule.forRoot({ regions }), FeatureModule] });
}

/** A writer class with one decorated method, `update(userId)`. */
function writer(decorate: MethodDecorator, scope?: Scope): Type {
  @Injectable({ scope })
  class Writes {
    async update(userId: number): Promise<number> {
      return userId;
    }
  }
  decorate(Writes.prototype, 'update', Object.getOwnPropertyDescriptor(Writes.prototype, 'update')!);
  return Writes;
}

const byUser = (userId: number) => [userId] as [number];
const evict = (target: unknown, method: string) => CacheEvict(target as typeof Reads, method as 'expiration', byUser) as MethodDecorator;

describe('@CacheEvict and @CachePut checked at startup', () => {
  it.each([
    [
      'a method the class does not have',
      () => [Reads, writer(evict(Reads, 'nope'))],
      `@CacheEvict(Reads, 'nope') on Writes.update(): Reads has no method "nope". Name a @Cached method of Reads.`,
    ],
    [
      'a method without @Cached',
      () => [Reads, writer(evict(Reads, 'notCached'))],
      `@CacheEvict(Reads, 'notCached') on Writes.update(): Reads.notCached() has no @Cached, so no entry of it is ever stored. ` +
        `Name the @Cached method whose entries the write changes, or add @Cached('region') to Reads.notCached().`,
    ],
    [
      'a class this app does not provide',
      () => [writer(evict(Reads, 'expiration'))],
      `@CacheEvict(Reads, 'expiration') on Writes.update(): Reads is not a singleton provider of this app, so no instance of it runs expiration() here. ` +
        `Add Reads to the providers of a module of this app, or call CacheRegions.invalidate(Reads, 'expiration', …args) yourself to evict entries another app stores.`,
    ],
    [
      'a target that is undefined (an import cycle)',
      () => [Reads, writer(evict(undefined, 'expiration'))],
      `@CacheEvict(undefined, 'expiration') on Writes.update(): the target must be a class, or an instance of one, with a @Cached method; got undefined. ` +
        `Pass the provider class (or its instance), e.g. (LeaseService, 'expiration', …args).`,
    ],
    [
      'a method cached in a region that is not configured',
      () => [Reads, writer(evict(Elsewhere, 'elsewhere'))],
      /^@CacheEvict\(Elsewhere, 'elsewhere'\) on Writes.update\(\): Elsewhere.elsewhere\(\) is @Cached in region "elsewhere", which this app does not configure; configured regions: functions, files\./,
    ],
    [
      'a region that is not configured',
      () => [writer(CacheEvict('fuctions') as MethodDecorator)],
      `@CacheEvict('fuctions') on Writes.update(): unknown cache region "fuctions"; configured regions: functions, files. ` +
        `Fix the name, or add the region to CacheRegionsModule.forRoot({ regions }).`,
    ],
    [
      'a mapper that is not a function',
      () => [Reads, writer(CacheEvict(Reads, 'expiration', 'userId' as never) as MethodDecorator)],
      /^@CacheEvict\(Reads, 'expiration'\) on Writes.update\(\): the arguments mapper must be a function .*; got a string\.$/,
    ],
    [
      'a request-scoped writer',
      () => [Reads, writer(evict(Reads, 'expiration'), Scope.REQUEST)],
      /^@CacheEvict\(Reads, 'expiration'\) on Writes.update\(\): Writes is request- or transient-scoped, and only singleton providers are wrapped, so this invalidation would never happen\./,
    ],
    [
      'a put for a class with several instances',
      () => [
        { provide: 'EUR', useFactory: () => new Prices('EUR') },
        { provide: 'USD', useFactory: () => new Prices('USD') },
        writer(CachePut(Prices, 'quote', (sku: number) => [sku]) as MethodDecorator),
      ],
      /^@CachePut\(Prices, 'quote'\) on Writes.update\(\): this app has 2 instances of Prices, each with its own entries of quote\(\), so one result cannot be stored for them all\. Use @CacheEvict/,
    ],
  ])('refuses %s', async (_case, providersOf, message) => {
    const error = await startupError(providersOf());
    expect(error).toBeInstanceOf(CacheConfigError);
    if (typeof message === 'string') expect(error.message).toBe(message);
    else expect(error.message).toMatch(message);
  });

  it('refuses a write that is also @Cached', async () => {
    @Injectable()
    class Both {
      @CacheEvict('functions')
      @Cached('functions')
      async update(userId: number): Promise<number> {
        return userId;
      }
    }
    const error = await startupError([Both]);
    expect(error).toBeInstanceOf(CacheConfigError);
    expect(error.message).toMatch(/^@CacheEvict\('functions'\) on Both.update\(\): the method is @Cached too/);
  });

  it('refuses a write declared to return an Observable or a plain value', async () => {
    @Injectable()
    class Observed {
      @(CacheEvict('functions') as MethodDecorator)
      update(userId: number): Observable<number> {
        return of(userId);
      }
    }
    const error = await startupError([Observed]);
    expect(error).toBeInstanceOf(CacheConfigError);
    expect(error.message).toBe(
      `@CacheEvict('functions') on Observed.update(): the method is declared to return an Observable, but it must return a Promise: ` +
        `the entries are invalidated when it resolves. Make it async.`,
    );
  });

  it('refuses @CacheEvict on a controller handler', async () => {
    @Controller('leases')
    class LeasesController {
      @Post()
      @CacheEvict('functions')
      async update(): Promise<void> {}
    }
    const error = await startupError([], [LeasesController]);
    expect(error).toBeInstanceOf(CacheConfigError);
    expect(error.message).toMatch(
      /^@CacheEvict\('functions'\) on LeasesController.update\(\): @CacheEvict and @CachePut apply to provider methods only/,
    );
  });

  it('evicts the entries of every instance of a class registered more than once', async () => {
    const Writes = writer(CacheEvict(Prices, 'quote', (sku: number) => [sku]) as MethodDecorator);
    const app = await createRegionsApp({ regions }, [
      { provide: 'EUR', useFactory: () => new Prices('EUR') } as never,
      { provide: 'USD', useFactory: () => new Prices('USD') } as never,
      Writes,
    ]);
    const [eur, usd] = [app.get<Prices>('EUR'), app.get<Prices>('USD')];
    await eur.quote(1);
    await usd.quote(1);
    await (app.get(Writes) as { update(n: number): Promise<number> }).update(1);
    const functions = app.get(CacheRegions).get('functions');
    expect(await functions.has(functions.keyFor(eur, 'quote', [1]))).toBe(false);
    expect(await functions.has(functions.keyFor(usd, 'quote', [1]))).toBe(false);
  });
});

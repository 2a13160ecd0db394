import {
  All,
  Body,
  Controller,
  Get,
  Headers,
  Injectable,
  Module,
  Post,
  Query,
  UseGuards,
  type CanActivate,
  type ExecutionContext,
  type INestApplication,
  type Type,
} from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { Cached, CacheConfigError, CacheRegions, CacheRegionsModule } from '../../lib/index.js';

// Key safety, point B: a controller key sees what the handler sees. Each response carries the
// handler's run counter, so a response served from another request's entry shows itself.

/** Sets request.user from the `x-user` header, as an auth guard would; no header, no user. */
@Injectable()
class TinyAuthGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<{ headers: Record<string, string>; user?: unknown }>();
    const name = req.headers['x-user'];
    if (name) req.user = { id: name, name: `user ${name}` };
    return true;
  }
}

@Controller('k')
@UseGuards(TinyAuthGuard)
class KeysController {
  runs = 0;

  @Get('tags')
  @Cached('views')
  async tags(@Query() query: Record<string, unknown>): Promise<{ query: Record<string, unknown>; run: number }> {
    return { query, run: ++this.runs };
  }

  /** No `vary`, no `key`: per user whenever a guard set request.user. */
  @Get('profile')
  @Cached('views')
  async profile(@Headers('x-user') user?: string): Promise<{ for: string | null; run: number }> {
    return { for: user ?? null, run: ++this.runs };
  }

  /** `vary: []`: the response is the same for everyone, shared on purpose. */
  @Get('news')
  @Cached('views', { vary: [] })
  async news(): Promise<{ run: number }> {
    return { run: ++this.runs };
  }

  @Post('search')
  @Cached('views', { methods: ['POST'], key: (req: { body: unknown }) => req.body })
  async search(@Body() body: { q: string }): Promise<{ q: string; run: number }> {
    return { q: body.q, run: ++this.runs };
  }

  /** `key` plus `vary: ['user']`: the body, per user. */
  @Post('mine')
  @Cached('views', { methods: ['POST'], key: (req: { body: unknown }) => req.body, vary: ['user'] })
  async mine(@Body() body: { q: string }, @Headers('x-user') user?: string): Promise<{ q: string; for?: string; run: number }> {
    return { q: body.q, for: user, run: ++this.runs };
  }

  @Get('host')
  @Cached('views', { vary: [] })
  async host(@Headers('host') host: string): Promise<{ host: string; run: number }> {
    return { host, run: ++this.runs };
  }

  @Get('by-host')
  @Cached('views', { vary: ['host'] })
  async byHost(@Headers('host') host: string): Promise<{ host: string; run: number }> {
    return { host, run: ++this.runs };
  }
}

@Module({ controllers: [KeysController], providers: [TinyAuthGuard] })
class KeysModule {}

async function start(
  imports: Type[],
  queryParser?: 'extended',
  onKeyError: 'throw' | 'bypass' = 'throw',
): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    imports: [CacheRegionsModule.forRoot({ regions: { views: { store: 'memory', ttl: 60, onKeyError } } }), ...imports],
  }).compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({ logger: false });
  if (queryParser) app.set('query parser', queryParser);
  await app.init();
  return app;
}

describe('controller keys see what the handler sees', () => {
  let app: INestApplication;
  beforeEach(async () => {
    app = await start([KeysModule]);
  });
  afterEach(async () => {
    await app.close();
  });
  const http = () => request(app.getHttpServer());

  it('keeps the order of repeated query values: ?tag=user&tag=admin is not ?tag=admin&tag=user', async () => {
    const first = await http().get('/k/tags?tag=admin&tag=user').expect(200);
    const second = await http().get('/k/tags?tag=user&tag=admin').expect(200);
    expect(first.body.query).toEqual({ tag: ['admin', 'user'] });
    expect(second.body.query).toEqual({ tag: ['user', 'admin'] });
    expect(second.body.run).toBe(first.body.run + 1);
    // The same request again is a hit.
    expect((await http().get('/k/tags?tag=user&tag=admin').expect(200)).body).toEqual(second.body);
  });

  it('still lets the order of different names go: ?a=1&b=2 and ?b=2&a=1 share an entry', async () => {
    const first = await http().get('/k/tags?a=1&b=2').expect(200);
    const second = await http().get('/k/tags?b=2&a=1').expect(200);
    expect(second.body.run).toBe(first.body.run);
    // Repeated names among others: only the order within one name counts.
    const third = await http().get('/k/tags?t=1&a=1&t=2').expect(200);
    const fourth = await http().get('/k/tags?a=1&t=1&t=2').expect(200);
    expect(fourth.body.run).toBe(third.body.run);
  });

  it('a POST with a key on the body answers each body with its own result', async () => {
    const alice = await http().post('/k/search').send({ q: 'alice-secret' }).expect(201);
    const bob = await http().post('/k/search').send({ q: 'bob' }).expect(201);
    expect(bob.body.q).toBe('bob');
    expect(bob.body.run).toBe(alice.body.run + 1);
    const again = await http().post('/k/search').send({ q: 'alice-secret' }).expect(201);
    expect(again.body).toEqual(alice.body);
  });

  it('keys by the user by default when a guard set request.user', async () => {
    const alice = await http().get('/k/profile').set('x-user', 'alice').expect(200);
    const bob = await http().get('/k/profile').set('x-user', 'bob').expect(200);
    const anonymous = await http().get('/k/profile').expect(200);
    expect(alice.body.for).toBe('alice');
    expect(bob.body.for).toBe('bob');
    expect(anonymous.body.for).toBeNull();
    const again = await http().get('/k/profile').set('x-user', 'alice').expect(200);
    expect(again.body).toEqual(alice.body);
    const anonymousAgain = await http().get('/k/profile').expect(200);
    expect(anonymousAgain.body).toEqual(anonymous.body);
  });

  it('shares entries across users with vary: [] given explicitly', async () => {
    const alice = await http().get('/k/news').set('x-user', 'alice').expect(200);
    const bob = await http().get('/k/news').set('x-user', 'bob').expect(200);
    const anonymous = await http().get('/k/news').expect(200);
    expect(bob.body).toEqual(alice.body);
    expect(anonymous.body).toEqual(alice.body);
  });

  it('adds vary parts to a key option\'s material', async () => {
    const alice = await http().post('/k/mine').set('x-user', 'alice').send({ q: 'x' }).expect(201);
    const bob = await http().post('/k/mine').set('x-user', 'bob').send({ q: 'x' }).expect(201);
    expect(bob.body.for).toBe('bob');
    expect(bob.body.run).toBe(alice.body.run + 1);
  });

  it('leaves the host out of the key unless vary names it', async () => {
    const one = await http().get('/k/host').set('host', 'one.example').expect(200);
    const two = await http().get('/k/host').set('host', 'two.example').expect(200);
    expect(two.body).toEqual(one.body); // documented: not in the key
    const byOne = await http().get('/k/by-host').set('host', 'one.example').expect(200);
    const byTwo = await http().get('/k/by-host').set('host', 'two.example').expect(200);
    expect(byTwo.body.host).toBe('two.example');
    expect(byTwo.body.run).toBe(byOne.body.run + 1);
  });
});

describe('with the extended (qs) query parser', () => {
  it('keeps the order of bracketed and plain forms of one name', async () => {
    const app = await start([KeysModule], 'extended');
    try {
      const first = await request(app.getHttpServer()).get('/k/tags?a[]=1&a=2').expect(200);
      const second = await request(app.getHttpServer()).get('/k/tags?a=2&a[]=1').expect(200);
      expect(first.body.query).toEqual({ a: ['1', '2'] });
      expect(second.body.query).toEqual({ a: ['2', '1'] });
      expect(second.body.run).toBe(first.body.run + 1);
    } finally {
      await app.close();
    }
  });
});

describe('caching other HTTP methods than GET and HEAD', () => {
  it('without a key stops the app, naming controller, handler, method and the fix', async () => {
    @Controller('unsafe')
    class UnsafeController {
      @Post()
      @Cached('views', { methods: ['post'] })
      async find(@Body() body: { q: string }): Promise<string> {
        return body.q;
      }
    }
    @Module({ controllers: [UnsafeController] })
    class UnsafeModule {}
    const error = await start([UnsafeModule]).then(
      async (app) => {
        await app.close();
        throw new Error('expected bootstrap to fail');
      },
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(CacheConfigError);
    expect(error.message).toMatch(/UnsafeController\.find\(\)/);
    expect(error.message).toMatch(/POST/);
    expect(error.message).toMatch(/"key"/);
    expect(error.message).toMatch(/body/);
  });
});

describe('a handler whose route method is not among the cached methods', () => {
  /** The bootstrap error of an app with `controller` alone. */
  async function bootstrapFailure(controller: Function): Promise<Error> {
    @Module({ controllers: [controller as new () => unknown] })
    class OneControllerModule {}
    return start([OneControllerModule]).then(
      async (app) => {
        await app.close();
        throw new Error('expected bootstrap to fail');
      },
      (e: unknown) => e as Error,
    );
  }

  it('stops the app: @Cached on a @Post() with the default methods would never cache', async () => {
    @Controller('never')
    class NeverCachedController {
      @Post()
      @Cached('views')
      async create(@Body() body: { q: string }): Promise<string> {
        return body.q;
      }
    }
    const error = await bootstrapFailure(NeverCachedController);
    expect(error).toBeInstanceOf(CacheConfigError);
    expect(error.message).toMatch(/NeverCachedController\.create\(\), a POST route, would never cache/);
    expect(error.message).toMatch(/GET, HEAD requests only/);
    expect(error.message).toMatch(/methods: \['POST'\], key:/);
  });

  it('stops the app when methods lists others than the route method', async () => {
    @Controller('other')
    class OtherMethodController {
      @Get()
      @Cached('views', { methods: ['HEAD'] })
      async read(): Promise<string> {
        return 'x';
      }
    }
    const error = await bootstrapFailure(OtherMethodController);
    expect(error.message).toMatch(/OtherMethodController\.read\(\), a GET route, would never cache: it caches HEAD requests only/);
  });

  it('accepts @All() (GET requests of it are cached) and a POST route with methods and a key', async () => {
    @Controller('fine')
    class FineController {
      runs = 0;
      @All('any')
      @Cached('views')
      async any(): Promise<{ run: number }> {
        return { run: ++this.runs };
      }
      @Post('search')
      @Cached('views', { methods: ['POST'], key: (request: { body: { q: string } }) => request.body.q })
      async search(@Body() body: { q: string }): Promise<{ q: string; run: number }> {
        return { q: body.q, run: ++this.runs };
      }
    }
    @Module({ controllers: [FineController] })
    class FineModule {}
    const app = await start([FineModule]);
    try {
      const first = await request(app.getHttpServer()).get('/fine/any').expect(200);
      expect((await request(app.getHttpServer()).get('/fine/any').expect(200)).body).toEqual(first.body);
      const bob = await request(app.getHttpServer()).post('/fine/search').send({ q: 'bob' }).expect(201);
      expect((await request(app.getHttpServer()).post('/fine/search').send({ q: 'bob' }).expect(201)).body).toEqual(bob.body);
      const alice = await request(app.getHttpServer()).post('/fine/search').send({ q: 'alice' }).expect(201);
      expect(alice.body.q).toBe('alice');
    } finally {
      await app.close();
    }
  });
});

describe('a request.user that cannot be key material (no id, a function inside)', () => {
  @Injectable()
  class OddUserGuard implements CanActivate {
    canActivate(context: ExecutionContext): boolean {
      context.switchToHttp().getRequest<{ user?: unknown }>().user = { name: 'odd', can: () => true };
      return true;
    }
  }
  @Controller('odd')
  @UseGuards(OddUserGuard)
  class OddController {
    runs = 0;
    @Get()
    @Cached('views')
    async read(): Promise<{ run: number }> {
      return { run: ++this.runs };
    }
  }
  @Module({ controllers: [OddController], providers: [OddUserGuard] })
  class OddModule {}

  it('is refused (the handler does not run) rather than shared', async () => {
    const app = await start([OddModule]);
    try {
      await request(app.getHttpServer()).get('/odd').expect(500);
      expect(app.get(OddController).runs).toBe(0);
    } finally {
      await app.close();
    }
  });

  it("runs uncached and is counted under the region's onKeyError: 'bypass'", async () => {
    const app = await start([OddModule], undefined, 'bypass');
    try {
      const first = await request(app.getHttpServer()).get('/odd').expect(200);
      const second = await request(app.getHttpServer()).get('/odd').expect(200);
      expect(second.body.run).toBe(first.body.run + 1);
      expect(app.get(CacheRegions).get('views').stats().bypassed).toBe(2);
    } finally {
      await app.close();
    }
  });
});

/**
 * CacheRegionsHealthIndicator against a real memcached: up, stopped (degraded or down by
 * failOpen), hung (SIGSTOP: bounded by timeoutMs), and through terminus' HealthCheckService.
 */
import { ServiceUnavailableException } from '@nestjs/common';
import { HealthCheckService, TerminusModule } from '@nestjs/terminus';
import { Test, type TestingModule } from '@nestjs/testing';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CacheConfigError,
  CacheRegions,
  CacheRegionsModule,
  type CacheStore,
  type RegionOptions,
  type StoreEntry,
} from '../../lib/index.js';
import { CacheRegionsHealthIndicator } from '../../lib/terminus/index.js';
import { describeMemcached, useMemcached } from '../support/memcached.js';
import { DEGRADED_OVERALL, degradedDetails } from '../support/terminus-degraded.js';

/** A custom store (no ping) whose backend has failed: every call throws. */
class BrokenStore implements CacheStore {
  readonly kind: string = 'broken';
  readonly keyLimits = { maxBytes: 250 };
  get(): StoreEntry | undefined {
    throw new Error('backend gone');
  }
  set(): void {
    throw new Error('backend gone');
  }
  delete(): boolean {
    throw new Error('backend gone');
  }
  has(): boolean {
    throw new Error('backend gone');
  }
  clear(): void {
    throw new Error('backend gone');
  }
}

async function createApp(regions: Record<string, RegionOptions>): Promise<TestingModule> {
  const app = await Test.createTestingModule({
    imports: [CacheRegionsModule.forRoot({ regions }), TerminusModule],
    providers: [CacheRegionsHealthIndicator],
  }).compile();
  app.useLogger(false);
  await app.init();
  return app;
}

describeMemcached('CacheRegionsHealthIndicator', () => {
  const memcached = useMemcached({ perTest: true });
  let dir: string;
  let app: TestingModule;
  let indicator: CacheRegionsHealthIndicator;
  let health: HealthCheckService;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ncr-health-'));
    const remote: RegionOptions = { store: 'memcached', servers: [memcached().address], timeoutMs: 200 };
    app = await createApp({
      functions: remote,
      strict: { ...remote, failOpen: false },
      hot: { store: 'memory' },
      files: { store: 'file', dir },
    });
    indicator = app.get(CacheRegionsHealthIndicator);
    health = app.get(HealthCheckService);
  });
  afterEach(async () => {
    memcached().resume();
    await app.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('reports every region up while memcached answers', async () => {
    expect(await indicator.isHealthy()).toEqual({
      functions: { status: 'up', store: 'memcached', breakerOpen: false, responseTime: expect.any(Number) },
      strict: { status: 'up', store: 'memcached', breakerOpen: false, responseTime: expect.any(Number) },
      hot: { status: 'up', store: 'memory', breakerOpen: false },
      files: { status: 'up', store: 'file', breakerOpen: false, responseTime: expect.any(Number) },
    });
    const result = await health.check([() => indicator.isHealthy()]);
    expect(result.status).toBe('ok');
    expect(Object.keys(result.details)).toEqual(['functions', 'strict', 'hot', 'files']);
  });

  it('reports a stopped memcached as degraded for a fail-open region and down for failOpen: false', async () => {
    await memcached().stop();
    const results = await indicator.isHealthy();
    expect(results.functions).toEqual(degradedDetails({
      store: 'memcached',
      breakerOpen: false,
      failOpen: true,
      responseTime: expect.any(Number),
      message: expect.stringMatching(
        /^memcached ping failed for region "functions" on 127\.0\.0\.1:\d+: .+; the region still serves, running calls uncached \(fail-open\)$/,
      ),
    }));
    expect(results.strict).toMatchObject({
      status: 'down',
      failOpen: false,
      message: expect.stringMatching(/^memcached ping failed for region "strict" .+; the region's calls fail \(failOpen: false\)$/),
    });
    expect(results.hot).toEqual({ status: 'up', store: 'memory', breakerOpen: false });

    // Only fail-open regions unhealthy: terminus answers 'degraded' (HTTP 200; 'ok' on terminus 11).
    const degraded = await health.check([() => indicator.isHealthy({ regions: ['functions', 'hot'] })]);
    expect(degraded.status).toBe(DEGRADED_OVERALL);
    expect(degraded.info?.functions).toMatchObject(degradedDetails({}));

    // A region that throws without its store: the check fails (HTTP 503).
    const failing = await health.check([() => indicator.isHealthy()]).catch((error: unknown) => error);
    expect(failing).toBeInstanceOf(ServiceUnavailableException);
    const body = (failing as ServiceUnavailableException).getResponse() as Record<string, any>;
    expect(body.status).toBe('error');
    expect(Object.keys(body.error)).toEqual(['strict']);
    expect(body.info.functions).toMatchObject(degradedDetails({}));
  });

  it('reports a hung memcached (SIGSTOP) after about timeoutMs, with the breaker state', async () => {
    const region = app.get(CacheRegions).get('functions');
    memcached().pause();
    // Enough failing reads to open the breaker (default threshold 5), each bounded by timeoutMs.
    await Promise.all(Array.from({ length: 5 }, (_, i) => region.get(`k${i}`)));
    expect(region.stats().breakerOpen).toBe(true);

    const started = performance.now();
    const result = await indicator.check('functions', { timeoutMs: 300 });
    const elapsed = performance.now() - started;
    expect(result).toEqual({
      functions: degradedDetails({
        store: 'memcached',
        breakerOpen: true,
        failOpen: true,
        responseTime: expect.any(Number),
        message: 'no answer to ping within 300 ms; the region still serves, running calls uncached (fail-open)',
      }),
    });
    expect(result.functions.responseTime).toBeGreaterThanOrEqual(299);
    // Bounded by the timeout, not by memjs's retries (which would take over a second).
    expect(elapsed).toBeLessThan(1_000);

    memcached().resume();
    expect((await indicator.check('functions')).functions).toMatchObject({ status: 'up', breakerOpen: true });
  });

  it('gives one indicator function per region, and names an unknown region', async () => {
    const result = await health.check(indicator.indicators({ regions: ['hot', 'files'] }));
    expect(result).toEqual({
      status: 'ok',
      info: { hot: { status: 'up', store: 'memory', breakerOpen: false }, files: { status: 'up', store: 'file', breakerOpen: false, responseTime: expect.any(Number) } },
      error: {},
      details: { hot: { status: 'up', store: 'memory', breakerOpen: false }, files: { status: 'up', store: 'file', breakerOpen: false, responseTime: expect.any(Number) } },
    });
    await expect(indicator.check('filez')).rejects.toThrow(CacheConfigError);
    const badTimeout = indicator.check('hot', { timeoutMs: 0 });
    await expect(badTimeout).rejects.toThrow(CacheConfigError);
    await expect(badTimeout).rejects.toThrow(
      'CacheRegionsHealthIndicator option "timeoutMs" must be a positive number of milliseconds, got 0: pass e.g. { timeoutMs: 1000 }',
    );
  });
});

/** A custom remote store whose ping answers as told. */
class PingableStore extends BrokenStore {
  override readonly kind = 'remote-kv';
  reachable = true;
  async ping(): Promise<void> {
    if (!this.reachable) throw new Error('connection reset by peer.');
  }
}

describe('CacheRegionsHealthIndicator with a custom store that has ping()', () => {
  it('pings it and words a failure as a failed ping', async () => {
    const store = new PingableStore();
    const app = await createApp({ kv: { store } });
    try {
      const indicator = app.get(CacheRegionsHealthIndicator);
      expect((await indicator.check('kv')).kv).toEqual({
        status: 'up',
        store: 'remote-kv',
        breakerOpen: false,
        responseTime: expect.any(Number),
      });
      store.reachable = false;
      expect((await indicator.check('kv')).kv).toMatchObject(
        degradedDetails({ message: 'ping failed: connection reset by peer; the region still serves, running calls uncached (fail-open)' }),
      );
    } finally {
      await app.close();
    }
  });
});

describe('CacheRegionsHealthIndicator with a store that cannot be pinged', () => {
  it('reports it by its circuit breaker: degraded once open (fail-open), down with failOpen: false', async () => {
    const app = await createApp({
      custom: { store: new BrokenStore(), breakerThreshold: 3 },
      customStrict: { store: new BrokenStore(), breakerThreshold: 3, failOpen: false },
    });
    try {
      const indicator = app.get(CacheRegionsHealthIndicator);
      expect((await indicator.check('custom')).custom).toEqual({ status: 'up', store: 'broken', breakerOpen: false });

      const regions = app.get(CacheRegions);
      for (let i = 0; i < 3; i++) {
        await regions.get('custom').get('k');
        await regions.get('customStrict').get('k').catch(() => undefined);
      }
      expect(await indicator.isHealthy()).toEqual({
        custom: degradedDetails({
          store: 'broken',
          breakerOpen: true,
          failOpen: true,
          message: 'the broken store failed repeatedly; circuit breaker open; the region still serves, running calls uncached (fail-open)',
        }),
        customStrict: {
          status: 'down',
          store: 'broken',
          breakerOpen: true,
          failOpen: false,
          message: "the broken store failed repeatedly; circuit breaker open; the region's calls fail (failOpen: false)",
        },
      });
    } finally {
      await app.close();
    }
  });
});

/**
 * What the module logs through Nest's Logger (context `CacheRegions`): one line per region at
 * bootstrap, circuit-breaker lines, rate-limited store warnings, and nothing per cache hit.
 */
import type { LoggerService } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CacheRegions, CacheRegionsModule, type CacheMetricsSink, type CacheRegionsOptions } from '../../lib/index.js';
import { describeMemcached, useMemcached } from '../support/memcached.js';

interface LogLine {
  level: 'log' | 'warn' | 'error' | 'debug' | 'verbose' | 'fatal';
  message: string;
  context: unknown;
}

/** Keeps every line Nest's Logger is given; Logger instances pass their context last. */
class CapturingLogger implements LoggerService {
  readonly lines: LogLine[] = [];
  private record(level: LogLine['level'], message: unknown, params: unknown[]): void {
    this.lines.push({ level, message: String(message), context: params.at(-1) });
  }
  log(message: unknown, ...params: unknown[]) {
    this.record('log', message, params);
  }
  warn(message: unknown, ...params: unknown[]) {
    this.record('warn', message, params);
  }
  error(message: unknown, ...params: unknown[]) {
    this.record('error', message, params);
  }
  debug(message: unknown, ...params: unknown[]) {
    this.record('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]) {
    this.record('verbose', message, params);
  }
  fatal(message: unknown, ...params: unknown[]) {
    this.record('fatal', message, params);
  }
  /** Lines of this package, from index `from` on. */
  ours(from = 0): LogLine[] {
    return this.lines.slice(from).filter((line) => line.context === 'CacheRegions');
  }
}

let logger: CapturingLogger;
const apps: TestingModule[] = [];

async function createApp(options: CacheRegionsOptions): Promise<TestingModule> {
  const app = await Test.createTestingModule({ imports: [CacheRegionsModule.forRoot(options)] })
    .setLogger(logger)
    .compile();
  await app.init();
  apps.push(app);
  return app;
}

beforeEach(() => {
  logger = new CapturingLogger();
});
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

describe('logging (memory and file regions)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ncr-logging-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('logs one line per region at bootstrap: name, store, ttl, and where', async () => {
    await createApp({
      regions: {
        hot: { store: 'memory', ttl: 30, maxEntries: 500 },
        files: { store: 'file', dir, ttl: '5d' },
        off: { store: 'none' },
      },
    });
    expect(logger.ours().map(({ level, message }) => ({ level, message }))).toEqual([
      { level: 'log', message: 'Region "hot": memory (max 500 entries), ttl 30s' },
      { level: 'log', message: `Region "files": file ${dir}, ttl 432000s` },
      { level: 'log', message: 'Region "off": none (caching off)' },
    ]);
  });

  it('logs nothing per cache hit or miss', async () => {
    const app = await createApp({ regions: { hot: { store: 'memory' } } });
    const region = app.get(CacheRegions).get('hot');
    const before = logger.lines.length;
    for (let i = 0; i < 1_000; i++) await region.getOrSet(`k${i % 10}`, () => i);
    for (let i = 0; i < 100; i++) await region.get(`absent${i}`);
    expect(region.stats()).toMatchObject({ hits: 990, misses: 110 });
    expect(logger.lines.slice(before)).toEqual([]);
  });

  it('warns once, not per call, when the metrics sink keeps throwing', async () => {
    const sink: CacheMetricsSink = {
      hit: () => {
        throw new Error('label clash');
      },
      miss() {},
      stale() {},
      error() {},
      latency() {},
    };
    const app = await createApp({ metrics: sink, regions: { hot: { store: 'memory' } } });
    const region = app.get(CacheRegions).get('hot');
    await region.set('k', 1);
    const before = logger.lines.length;
    for (let i = 0; i < 1_000; i++) expect(await region.get('k')).toBe(1);
    expect(logger.ours(before)).toEqual([
      {
        level: 'warn',
        context: 'CacheRegions',
        message:
          'The metrics sink\'s hit() threw, so this figure was not recorded: label clash. Fix the sink given in CacheRegionsModule options "metrics".',
      },
    ]);
  });
});

describeMemcached('logging (memcached regions)', () => {
  const memcached = useMemcached({ perTest: true });

  it('names the servers in the bootstrap line', async () => {
    await createApp({ regions: { functions: { store: 'memcached', servers: [memcached().address], ttl: '1h' } } });
    expect(logger.ours().map((line) => line.message)).toEqual([
      `Region "functions": memcached ${memcached().address}, ttl 3600s`,
    ]);
  });

  it('turns 1,000 failing store calls into a handful of warning lines', async () => {
    const app = await createApp({
      regions: {
        // The breaker never opens here, so every call reaches the dead server and fails.
        functions: { store: 'memcached', servers: [memcached().address], timeoutMs: 200, retries: 1, breakerThreshold: 1_000_000 },
      },
    });
    const region = app.get(CacheRegions).get('functions');
    await memcached().kill();
    const before = logger.lines.length;

    for (let batch = 0; batch < 10; batch++) {
      await Promise.all(Array.from({ length: 100 }, (_, i) => region.get(`k${batch}-${i}`)));
    }
    expect(region.stats()).toMatchObject({ errors: 1_000, misses: 1_000, breakerOpened: 0 });

    const warnings = logger.ours(before).filter((line) => line.level === 'warn');
    expect(warnings.length).toBeGreaterThanOrEqual(1);
    expect(warnings.length).toBeLessThanOrEqual(5);
    // What the region does about it, and what the client saw: one line each per 10 s.
    expect(warnings.map((line) => line.message)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^Region "functions": memcached store get\(\) failed, running uncached: .+/),
        expect.stringMatching(/^memcached region "functions": MemJS: .*ECONNREFUSED/),
      ]),
    );
    expect(logger.lines.slice(before).filter((line) => line.context !== 'CacheRegions')).toEqual([]);
  });

  it('logs the circuit breaker opening and closing', async () => {
    const app = await createApp({
      regions: {
        functions: {
          store: 'memcached',
          servers: [memcached().address],
          timeoutMs: 200,
          retries: 1,
          breakerThreshold: 3,
          breakerCooldownMs: 200,
        },
      },
    });
    const region = app.get(CacheRegions).get('functions');
    await region.set('k', 'v');
    await memcached().stop();
    const before = logger.lines.length;
    // The 200 ms cool-down must not end during these reads, however slow the machine: the
    // breaker's clock (Date) stands still meanwhile.
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      for (let i = 0; i < 5; i++) await region.get('k');
    } finally {
      vi.useRealTimers();
    }
    const opened = logger.ours(before).filter((line) => line.level === 'log');
    expect(opened.map((line) => line.message)).toEqual([
      'Region "functions": 3 consecutive memcached store failures; leaving the store alone for 200 ms (calls run uncached).',
    ]);

    await memcached().restart();
    // SPEC 5: caching resumes within 10 seconds by default; here the cool-down is 200 ms.
    const deadline = Date.now() + 10_000;
    while (region.stats().breakerOpen && Date.now() < deadline) {
      await region.get('k');
      await sleep(50);
    }
    expect(region.stats().breakerOpen).toBe(false);
    const lines = logger.ours(before).filter((line) => line.level === 'log').map((line) => line.message);
    expect(lines).toEqual([
      'Region "functions": 3 consecutive memcached store failures; leaving the store alone for 200 ms (calls run uncached).',
      'Region "functions": memcached store answers again; caching resumed.',
    ]);
  });
});

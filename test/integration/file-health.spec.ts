/**
 * Health tells the truth for file regions: a directory that cannot be written is reported by the
 * terminus indicator (degraded when the region fails open, down with failOpen: false, saying
 * whether reads still work) and logged once at startup; a usable one is up.
 */
import type { LoggerService } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { Test, type TestingModule } from '@nestjs/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { CacheRegions, CacheRegionsModule, type RegionOptions } from '../../lib/index.js';
import { CacheRegionsHealthIndicator } from '../../lib/terminus/index.js';
import { makeTempDir, mountTmpfs } from '../support/file-test-dirs.js';
import { degradedDetails } from '../support/terminus-degraded.js';

/** Keeps the warnings Nest's Logger is given. */
class WarningLog implements LoggerService {
  readonly warnings: string[] = [];
  log(): void {}
  error(): void {}
  warn(message: unknown): void {
    this.warnings.push(String(message));
  }
}

const apps: TestingModule[] = [];

async function createApp(regions: Record<string, RegionOptions>, logger = new WarningLog()) {
  const app = await Test.createTestingModule({
    imports: [CacheRegionsModule.forRoot({ regions }), TerminusModule],
    providers: [CacheRegionsHealthIndicator],
  })
    .setLogger(logger)
    .compile();
  await app.init();
  apps.push(app);
  return { app, logger, indicator: app.get(CacheRegionsHealthIndicator), regions: app.get(CacheRegions) };
}

afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

describe('file region health', () => {
  let dir: { path: string; remove(): Promise<void> };
  beforeAll(async () => {
    dir = await makeTempDir('file-health');
  });
  afterAll(async () => {
    await dir.remove();
  });

  it('a usable directory is up, with the probe time', async () => {
    const { indicator, logger } = await createApp({ files: { store: 'file', dir: dir.path } });
    expect((await indicator.check('files')).files).toEqual({
      status: 'up',
      store: 'file',
      breakerOpen: false,
      responseTime: expect.any(Number),
    });
    expect(logger.warnings).toEqual([]);
  });

  it('a directory that cannot be created (under /proc): warned at startup, degraded when failing open, down otherwise', async () => {
    const nowhere = '/proc/nest-cache-regions-cannot-exist';
    const { indicator, logger } = await createApp({
      files: { store: 'file', dir: nowhere },
      strict: { store: 'file', dir: nowhere, failOpen: false },
    });
    await vi.waitFor(() => expect(logger.warnings.length).toBe(2));
    expect([...logger.warnings].sort()[0]).toMatch(
      /^file region "files": the directory cannot be used yet: cannot write to or read \/proc\/nest-cache-regions-cannot-exist\/files .+\. The region runs uncached until it can/,
    );
    const health = await indicator.isHealthy();
    expect(health.files).toMatchObject(
      degradedDetails({
        failOpen: true,
        message: expect.stringMatching(/cannot write to or read .+; the region still serves, running calls uncached \(fail-open\)$/),
      }),
    );
    expect(health.strict).toMatchObject({ status: 'down', failOpen: false });
  });

  describe('on a read-only file system', () => {
    let tmpfs: Awaited<ReturnType<typeof mountTmpfs>>;
    beforeAll(async () => {
      tmpfs = await mountTmpfs(dir.path, 1024 * 1024);
      if (tmpfs === undefined) console.warn('SKIPPED: cannot mount a tmpfs here (needs root); read-only health untested');
    });
    afterAll(() => {
      tmpfs?.unmount();
    });

    it('is degraded, says that reads still work, and still serves the entries there', async (test) => {
      if (tmpfs === undefined) test.skip();
      const { regions, indicator } = await createApp({ files: { store: 'file', dir: tmpfs!.path } });
      await regions.get('files').set('kept', 'value');
      expect((await indicator.check('files')).files).toMatchObject({ status: 'up' });
      tmpfs!.remountReadOnly();
      expect((await indicator.check('files')).files).toMatchObject(
        degradedDetails({ message: expect.stringMatching(/cannot write to .+ \(EROFS.*\); entries already there can still be read/) }),
      );
      expect(await regions.get('files').get('kept')).toBe('value');
    });
  });
});

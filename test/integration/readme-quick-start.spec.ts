import type { Type } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { readdir } from 'node:fs/promises';
import { CacheRegions } from '../../lib/index.js';
import { makeTempDir } from '../support/file-test-dirs.js';
import { describeMemcached, startMemcached, stopAllMemcached } from '../support/memcached.js';
import { importReadmeCode } from '../support/readme-code.js';

interface QuickStart {
  AppModule: Type;
  LeaseService: Type<{
    computed: number;
    expiration(user: { id: string; name: string }, leaseDate: string, policyDate: string): Promise<Date>;
    rates(): Promise<{ eur: number; usd: number }>;
  }>;
}

describeMemcached('README, Quick start: the code as written, with a memcached and a cache directory', () => {
  let app: TestingModule | undefined;
  let dir: Awaited<ReturnType<typeof makeTempDir>>;

  afterEach(async () => {
    await app?.close();
    await stopAllMemcached();
    await dir?.remove();
    delete process.env.MEMCACHED_SERVERS;
    delete process.env.CACHE_DIR;
  });

  it('boots, caches per user in memcached, serves the memory region and writes the file region', async () => {
    const memcached = await startMemcached();
    dir = await makeTempDir('readme-quick-start');
    process.env.MEMCACHED_SERVERS = memcached.address;
    process.env.CACHE_DIR = dir.path;
    const { AppModule, LeaseService } = await importReadmeCode<QuickStart>('quick-start');
    app = await Test.createTestingModule({ imports: [AppModule] }).compile();
    app.useLogger(false);
    await app.init();

    const leases = app.get(LeaseService);
    const alice = { id: 'alice', name: 'Alice' };
    const vip = { id: 'vip', name: 'Vera' };
    const first = await leases.expiration(alice, '2026-01-01', '2026-02-01');
    expect(first.toISOString()).toBe('2026-03-03T00:00:00.000Z');
    expect((await leases.expiration({ ...alice }, '2026-01-01', '2026-02-01')).toISOString()).toBe(first.toISOString());
    expect(leases.computed).toBe(1);
    expect((await leases.expiration(vip, '2026-01-01', '2026-02-01')).toISOString()).toBe('2026-05-02T00:00:00.000Z');
    expect(leases.computed).toBe(2);
    const regions = app.get(CacheRegions);
    expect(regions.get('functions').stats()).toMatchObject({ hits: 1, misses: 2, errors: 0 });

    expect(await leases.rates()).toEqual({ eur: 1, usd: 1.08 });
    expect(await leases.rates()).toEqual({ eur: 1, usd: 1.08 });
    expect(regions.get('hot').stats()).toMatchObject({ hits: 1, misses: 1 });

    await regions.get('files').set('import.txt', Buffer.from('imported'));
    expect((await regions.get('files').get<Buffer>('import.txt'))?.toString()).toBe('imported');
    expect((await readdir(dir.path)).length).toBeGreaterThan(0);
  });
});

import { Test, type TestingModule } from '@nestjs/testing';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CacheRegions, CacheRegionsModule, CacheStoreError, type RegionOptions } from '../../lib/index.js';
import { makeTempDir } from '../support/file-test-dirs.js';
import { describeMemcached, useMemcached } from '../support/memcached.js';
import {
  LeaseFeatureModule,
  LeaseReads,
  LeaseWrites,
  shared,
  type Lease,
  type User,
} from '../fixtures/invalidation.fixture.js';

// Invalidation across processes: two app instances share one memcached (or one directory); what
// one of them evicts, the other then misses; what it cannot evict, its caller is told about.

const alice: User = { id: 1, name: 'Alice' };
const bob: User = { id: 2, name: 'Bob' };
const lease: Lease = { start: '2026-01-15', policyDate: '2025-07-01', extension: 0 };
const extended: Lease = { ...lease, extension: 6 };

const open: TestingModule[] = [];

async function boot(functions: RegionOptions) {
  const app = await Test.createTestingModule({
    imports: [
      CacheRegionsModule.forRoot({ keyPrefix: 'shared', regions: { functions, files: { store: 'memory' } } }),
      LeaseFeatureModule,
    ],
  }).compile();
  app.useLogger(false);
  await app.init();
  open.push(app);
  const regions = app.get(CacheRegions);
  return { reads: app.get(LeaseReads), writes: app.get(LeaseWrites), regions, region: regions.get('functions') };
}

/** Polls `check` until true (every 20 ms, up to 5 s): a memcached clear reaches others within 1 s. */
async function eventually(check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((done) => setTimeout(done, 20));
  }
}

/**
 * The same scenarios on each shared store. `breakStore` makes the store refuse every operation
 * until the function it returns is called. `lateApply`: a refused delete may still be applied
 * once the store is back (a paused memcached reads the request it timed out on), so a rejected
 * invalidation means "maybe not applied"; else it means "not applied".
 */
function sharedStoreScenarios(
  options: () => RegionOptions,
  breakStore: () => Promise<() => Promise<void>>,
  lateApply: boolean,
): void {
  beforeEach(() => {
    shared.runs = 0;
    shared.extensions.clear();
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((app) => app.close()));
  });

  it('an entry one instance evicts, the other then misses; other users\' entries stay', async () => {
    const one = await boot(options());
    const two = await boot(options());
    const before = await one.reads.expiration(alice, lease.start, lease.policyDate);
    const bobs = await one.reads.expiration(bob, lease.start, lease.policyDate);
    expect(await two.reads.expiration(alice, lease.start, lease.policyDate)).toBe(before);
    const runs = shared.runs;

    await one.writes.update(alice, extended);
    const after = await two.reads.expiration(alice, lease.start, lease.policyDate);
    expect(after).toMatch(/^Alice 2026-01-15 2025-07-01 \+6 #/);
    expect(shared.runs).toBe(runs + 1);
    expect(await two.reads.expiration(bob, lease.start, lease.policyDate)).toBe(bobs);
    expect(shared.runs).toBe(runs + 1);
  });

  it('what one instance puts, the other reads without computing', async () => {
    const one = await boot(options());
    const two = await boot(options());
    await two.reads.expiration(alice, lease.start, lease.policyDate);
    const renewed = await one.writes.renew(alice, extended);
    const runs = shared.runs;
    expect(await two.reads.expiration(alice, lease.start, lease.policyDate)).toBe(renewed);
    expect(shared.runs).toBe(runs);
  });

  it('the API invalidates and sets for the other instance too', async () => {
    const one = await boot(options());
    const two = await boot(options());
    const before = await two.reads.summary(alice);
    expect(await one.regions.invalidate(LeaseReads, 'summary', alice)).toBe(true);
    expect(await two.reads.summary(alice)).not.toBe(before);
    await one.regions.set('set elsewhere', LeaseReads, 'summary', { id: 1, name: 'any' });
    expect(await two.reads.summary(alice)).toBe('set elsewhere');
  });

  it('a region one instance clears, the other misses (at once, or within 1 s on memcached)', async () => {
    const one = await boot(options());
    const two = await boot(options());
    const before = await two.reads.summary(bob);
    await one.writes.reimportAll();
    await eventually(async () => (await two.reads.summary(bob)) !== before);
  });

  it('an eviction the store cannot apply rejects with CacheStoreError (failOpen: true); a retry applies it', async () => {
    const one = await boot({ ...options(), failOpen: true });
    const two = await boot({ ...options(), failOpen: true });
    const before = await one.reads.expiration(alice, lease.start, lease.policyDate);
    const repair = await breakStore();
    try {
      await expect(one.writes.update(alice, extended)).rejects.toBeInstanceOf(CacheStoreError);
      await expect(one.regions.invalidate(LeaseReads, 'expiration', alice, lease.start, lease.policyDate)).rejects.toBeInstanceOf(
        CacheStoreError,
      );
      await expect(one.regions.set('new', LeaseReads, 'summary', alice)).rejects.toBeInstanceOf(CacheStoreError);
    } finally {
      await repair();
    }
    // Not applied: the other instance still reads the old entry, until the caller retries.
    if (!lateApply) expect(await two.reads.expiration(alice, lease.start, lease.policyDate)).toBe(before);
    // The caller retries until the store answers again (a memcached takes a moment to catch up).
    await eventually(() => one.writes.update(alice, extended).then(() => true, () => false));
    expect(await two.reads.expiration(alice, lease.start, lease.policyDate)).toMatch(/\+6 #/);
  });
}

describeMemcached('invalidation on one memcached shared by two app instances', () => {
  const memcached = useMemcached({ perTest: true });
  sharedStoreScenarios(
    () => ({ store: 'memcached', servers: [memcached().address], ttl: '1h', timeoutMs: 300 }),
    async () => {
      memcached().pause();
      return async () => memcached().resume();
    },
    true,
  );
});

describe('invalidation on one directory shared by two app instances', () => {
  let dir: Awaited<ReturnType<typeof makeTempDir>>;
  const cacheDir = () => join(dir.path, 'cache');
  beforeEach(async () => {
    dir = await makeTempDir('invalidation');
  });
  afterEach(async () => {
    await dir.remove();
  });
  sharedStoreScenarios(
    () => ({ store: 'file', dir: cacheDir(), ttl: '1h' }),
    async () => {
      // A file where the directory was: every operation fails with ENOTDIR.
      await rename(cacheDir(), `${cacheDir()}.away`);
      await writeFile(cacheDir(), 'not a directory');
      return async () => {
        await rm(cacheDir());
        await rename(`${cacheDir()}.away`, cacheDir());
        await mkdir(cacheDir(), { recursive: true });
      };
    },
    false,
  );
});

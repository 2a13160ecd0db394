import { Test, type TestingModule } from '@nestjs/testing';
import {
  CacheKeyError,
  CacheRegions,
  CacheRegionsModule,
  CacheStoreError,
  type CacheRegionsOptions,
  type CacheStore,
} from '../../lib/index.js';
import { MemoryStore } from '../../lib/stores/memory.store.js';
import {
  AUDIT_METADATA,
  LeaseFeatureModule,
  LeaseReads,
  LeaseWrites,
  shared,
  type Lease,
  type User,
} from '../fixtures/invalidation.fixture.js';

// @CacheEvict and @CachePut on the memory store: what is evicted or stored, when, and what the
// caller sees when the store cannot apply it.

const alice: User = { id: 1, name: 'Alice' };
const bob: User = { id: 2, name: 'Bob' };
const lease: Lease = { start: '2026-01-15', policyDate: '2025-07-01', extension: 0 };
const extended: Lease = { ...lease, extension: 6 };

/** Memory underneath, its deletes, clears or writes failing on demand. */
class FlakyStore extends MemoryStore implements CacheStore {
  failing = new Set<'delete' | 'clear' | 'set'>();
  constructor() {
    super({ maxEntries: 100, clone: false });
  }
  override delete(key: string) {
    if (this.failing.has('delete')) throw new Error('backend down');
    return super.delete(key);
  }
  override clear() {
    if (this.failing.has('clear')) throw new Error('backend down');
    return super.clear();
  }
  override set(key: string, entry: Parameters<MemoryStore['set']>[1]) {
    if (this.failing.has('set')) throw new Error('backend down');
    return super.set(key, entry);
  }
}

const open: TestingModule[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((app) => app.close()));
});
beforeEach(() => {
  shared.runs = 0;
  shared.extensions.clear();
});

async function boot(functions: CacheRegionsOptions['regions'][string] = { store: 'memory' }) {
  const app = await Test.createTestingModule({
    imports: [CacheRegionsModule.forRoot({ regions: { functions, files: { store: 'memory' } } }), LeaseFeatureModule],
  }).compile();
  app.useLogger(false);
  await app.init();
  open.push(app);
  return { app, reads: app.get(LeaseReads), writes: app.get(LeaseWrites), regions: app.get(CacheRegions) };
}

describe('@CacheEvict', () => {
  it('evicts the named entries once the write resolves; other users\' entries stay', async () => {
    const { reads, writes } = await boot();
    const before = await reads.expiration(alice, lease.start, lease.policyDate);
    const summary = await reads.summary(alice);
    const bobs = [await reads.expiration(bob, lease.start, lease.policyDate), await reads.summary(bob)];
    expect(await reads.expiration(alice, lease.start, lease.policyDate)).toBe(before);

    expect(await writes.update(alice, extended)).toBe(extended);
    const after = await reads.expiration(alice, lease.start, lease.policyDate);
    expect(after).not.toBe(before);
    expect(after).toMatch(/^Alice 2026-01-15 2025-07-01 \+6 #/);
    expect(await reads.summary({ id: 1, name: 'renamed' })).not.toBe(summary);
    expect([await reads.expiration(bob, lease.start, lease.policyDate), await reads.summary(bob)]).toEqual(bobs);
  });

  it('keeps the method\'s other decorators\' metadata, name and result', async () => {
    const { writes } = await boot();
    expect(Reflect.getMetadata(AUDIT_METADATA, writes.update)).toBe('lease-update');
    expect(writes.update.name).toBe('update');
    expect(Object.prototype.hasOwnProperty.call(writes, 'update')).toBe(true);
  });

  it('evicts nothing when the write rejects', async () => {
    const { reads, writes } = await boot();
    const before = await reads.expiration(alice, lease.start, lease.policyDate);
    await expect(writes.failingUpdate(alice, lease)).rejects.toThrow(/refused/);
    expect(await reads.expiration(alice, lease.start, lease.policyDate)).toBe(before);
  });

  it('with beforeInvocation, evicts before the write runs, even when it then rejects', async () => {
    const { reads, writes } = await boot();
    const before = await reads.expiration(alice, lease.start, lease.policyDate);
    await expect(writes.failingUpdateEvictingFirst(alice, lease)).rejects.toThrow(/refused/);
    expect(await reads.expiration(alice, lease.start, lease.policyDate)).not.toBe(before);
  });

  it('clears a whole region, and only it', async () => {
    const { reads, writes } = await boot();
    const entries = [await reads.expiration(alice, lease.start, lease.policyDate), await reads.summary(bob)];
    const document = await reads.document('terms');
    await writes.reimportAll();
    expect(await reads.expiration(alice, lease.start, lease.policyDate)).not.toBe(entries[0]);
    expect(await reads.summary(bob)).not.toBe(entries[1]);
    expect(await reads.document('terms')).toBe(document);
  });

  it('rejects with CacheKeyError, naming the decorator, when the mapper returns no array', async () => {
    const { writes } = await boot();
    const error = await writes.badMapper().catch((caught: Error) => caught);
    expect(error).toBeInstanceOf(CacheKeyError);
    expect((error as Error).message).toBe(
      `@CacheEvict(LeaseReads, 'expiration') on LeaseWrites.badMapper(): the arguments mapper returned a string; ` +
        `it must return the arguments of LeaseReads.expiration() as an array, e.g. (user: User, lease: Lease) => [user, lease.start].`,
    );
  });
});

describe('@CachePut', () => {
  it('runs the write and stores its result as the named call\'s, with `this` of the mapper the instance', async () => {
    const { reads, writes } = await boot();
    await reads.expiration(alice, lease.start, lease.policyDate);
    const renewed = await writes.renew(alice, extended);
    const runs = shared.runs;
    expect(await reads.expiration(alice, lease.start, lease.policyDate)).toBe(renewed);
    expect(shared.runs).toBe(runs);
    expect(writes.mapperThis).toEqual([writes]);
    // Again: a put always runs the write.
    await writes.renew(alice, extended);
    expect(writes.writes).toBe(2);
  });

  it('leaves no entry for a result @Cached would not store', async () => {
    const { reads, writes } = await boot();
    const summary = await reads.summary(alice);
    await writes.forget(alice);
    expect(await reads.summary(alice)).not.toBe(summary);
  });
});

describe('invalidations the store cannot apply', () => {
  it.each([
    ['@CacheEvict of an entry', 'delete', (w: LeaseWrites) => w.update(alice, extended)],
    ['@CacheEvict of a region', 'clear', (w: LeaseWrites) => w.reimportAll()],
    ['@CachePut', 'delete', (w: LeaseWrites) => w.renew(alice, extended)],
  ] as const)('%s rejects with CacheStoreError under failOpen: true, after the write', async (_case, failing, write) => {
    const store = new FlakyStore();
    const { reads, writes } = await boot({ store, failOpen: true });
    const before = await reads.expiration(alice, lease.start, lease.policyDate);
    store.failing.add(failing);
    const error = await write(writes).catch((caught: Error) => caught);
    expect(error).toBeInstanceOf(CacheStoreError);
    expect(writes.writes).toBe(1);
    store.failing.clear();
    // The old entry is still there: the caller was told, and may retry.
    expect(await reads.expiration(alice, lease.start, lease.policyDate)).toBe(before);
  });

  it('with beforeInvocation, the write does not run when the eviction fails', async () => {
    const store = new FlakyStore();
    const { writes } = await boot({ store, failOpen: true });
    store.failing.add('delete');
    await expect(writes.failingUpdateEvictingFirst(alice, lease)).rejects.toBeInstanceOf(CacheStoreError);
  });

  it('a put whose write fails open leaves no entry, never the old one', async () => {
    const store = new FlakyStore();
    const { reads, writes } = await boot({ store, failOpen: true });
    const before = await reads.expiration(alice, lease.start, lease.policyDate);
    store.failing.add('set');
    const renewed = await writes.renew(alice, extended);
    store.failing.clear();
    const after = await reads.expiration(alice, lease.start, lease.policyDate);
    expect(after).not.toBe(before);
    expect(after).not.toBe(renewed);
    expect(after).toMatch(/\+6 #/);
  });
});

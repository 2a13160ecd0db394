import { Test, type TestingModule } from '@nestjs/testing';
import { firstValueFrom, isObservable } from 'rxjs';
import { CacheKeyError, CacheRegionsModule, CacheRegions, getRegionToken, type CacheRegion } from '../../lib/index.js';
import { AUDIT_METADATA, LeaseModule, LeaseService, type User } from '../fixtures/lease.fixture.js';

const alice: User = { id: 1, name: 'alice' };
const bob: User = { id: 2, name: 'bob' };

async function createApp(regionOptions: Record<string, unknown> = {}): Promise<TestingModule> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      CacheRegionsModule.forRoot({ regions: { a: { store: 'memory', ttl: 60, ...regionOptions }, b: { store: 'memory' } } }),
      LeaseModule,
    ],
  }).compile();
  await moduleRef.init();
  return moduleRef;
}

describe('@Cached on provider methods', () => {
  let app: TestingModule;
  let leases: LeaseService;
  let region: CacheRegion;

  beforeEach(async () => {
    app = await createApp();
    leases = app.get(LeaseService);
    region = app.get<CacheRegion>(getRegionToken('a'));
  });
  afterEach(async () => {
    await app.close();
  });

  it('serves the second call with the same arguments from the cache', async () => {
    const first = await leases.expiration(alice, '2026-01-01', '2026-06-01');
    const second = await leases.expiration({ name: 'alice', id: 1 }, '2026-01-01', '2026-06-01');
    expect(second).toBe(first);
    expect(leases.runs).toBe(1);
    expect(region.stats()).toMatchObject({ hits: 1, misses: 1, sets: 1 });
  });

  it('keeps different arguments, including different users, apart', async () => {
    const a = await leases.expiration(alice, '2026-01-01', '2026-06-01');
    const b = await leases.expiration(bob, '2026-01-01', '2026-06-01');
    const c = await leases.expiration(alice, '2026-01-02', '2026-06-01');
    expect(new Set([a, b, c]).size).toBe(3);
    expect(leases.runs).toBe(3);
    expect(await leases.expiration(bob, '2026-01-01', '2026-06-01')).toBe(b);
    expect(leases.runs).toBe(3);
  });

  it('calls the original method with the instance as this and the arguments unchanged', async () => {
    await leases.expiration(alice, 'x', 'y');
    expect(leases.calls).toEqual([[alice, 'x', 'y']]);
  });

  it('expires entries after the method ttl', async () => {
    // The 1 s ttl passes when the test moves the clock: no window a busy machine could miss.
    vi.useFakeTimers({ toFake: ['Date'] });
    onTestFinished(() => {
      vi.useRealTimers();
    });
    const first = await leases.shortLived(1);
    expect(await leases.shortLived(1)).toBe(first);
    vi.setSystemTime(Date.now() + 1_100);
    expect(await leases.shortLived(1)).not.toBe(first);
    expect(leases.runs).toBe(2);
  });

  it('uses the key option as the only key material', async () => {
    const first = await leases.byUserId(alice);
    expect(await leases.byUserId({ id: 1, name: 'renamed' })).toBe(first);
    expect(await leases.byUserId(bob)).not.toBe(first);
    expect(leases.runs).toBe(2);
  });

  it('shares entries between methods with the same namespace', async () => {
    expect(await leases.lookupOne(7)).toBe('one:7');
    expect(await leases.lookupTwo(7)).toBe('one:7');
    expect(leases.runs).toBe(1);
  });

  it('bypasses the cache when condition is false, and counts it', async () => {
    expect(await leases.positiveOnly(0)).toBe(1);
    expect(await leases.positiveOnly(0)).toBe(2);
    const cached = await leases.positiveOnly(5);
    expect(await leases.positiveOnly(5)).toBe(cached);
    expect(region.stats().bypassed).toBe(2);
  });

  it('does not store results for which unless is true', async () => {
    const partial1 = await leases.report(true);
    const partial2 = await leases.report(true);
    expect(partial2.run).toBe(partial1.run + 1);
    const full = await leases.report(false);
    expect(await leases.report(false)).toEqual(full);
  });

  it('does not cache undefined but caches null', async () => {
    await leases.maybe('undefined');
    await leases.maybe('undefined');
    expect(leases.runs).toBe(2);
    expect(await leases.maybe('null')).toBeNull();
    expect(await leases.maybe('null')).toBeNull();
    expect(leases.runs).toBe(3);
  });

  it('runs the method once for concurrent callers of one cold key', async () => {
    const results = await Promise.all(Array.from({ length: 1_000 }, () => leases.slow(21)));
    expect(new Set(results)).toEqual(new Set([42]));
    expect(leases.runs).toBe(1);
    expect(region.stats().coalesced).toBe(999);
  });

  it('gives an error to every waiter of the flight and caches nothing', async () => {
    const outcomes = await Promise.allSettled(Array.from({ length: 10 }, () => leases.failing(3)));
    expect(outcomes.every((o) => o.status === 'rejected' && /boom 3 after 1 runs/.test(String(o.reason)))).toBe(true);
    await expect(leases.failing(3)).rejects.toThrow(/boom 3 after 2 runs/);
    expect(region.stats().sets).toBe(0);
  });

  it('caches a single-value Observable by its value and returns an Observable', async () => {
    const first = leases.rates('EUR');
    expect(isObservable(first)).toBe(true);
    expect(leases.runs).toBe(0); // cold until subscribed
    const value = await firstValueFrom(first);
    expect(await firstValueFrom(leases.rates('EUR'))).toBe(value);
    expect(leases.runs).toBe(1);
  });

  it('keeps other decorators metadata readable on the wrapped method', async () => {
    expect(Reflect.getMetadata(AUDIT_METADATA, leases.audited)).toBe('lease-audit');
    expect(Reflect.getMetadata(AUDIT_METADATA, LeaseService.prototype.audited)).toBe('lease-audit');
    expect(leases.audited.name).toBe('audited');
    await leases.audited(1);
    await leases.audited(1);
    expect(leases.runs).toBe(1);
  });

  it('rejects arguments that cannot form a key with a CacheKeyError naming the method', async () => {
    await expect(leases.withFunction(() => {})).rejects.toThrow(CacheKeyError);
    await expect(leases.withFunction(() => {})).rejects.toThrow(/LeaseService\.withFunction/);
    expect(leases.runs).toBe(0);
  });

  it('keyFor gives the key @Cached uses, for targeted invalidation', async () => {
    const first = await leases.expiration(alice, 'd1', 'd2');
    const key = region.keyFor(LeaseService, 'expiration', [alice, 'd1', 'd2']);
    expect(await region.get(key)).toBe(first);
    await region.delete(key);
    expect(await leases.expiration(alice, 'd1', 'd2')).not.toBe(first);
    expect(region.keyFor(leases, 'byUserId', [alice])).toBe(region.keyFor(LeaseService, 'byUserId', [{ id: 1 }]));
    expect(() => region.keyFor(LeaseService, 'nope', [])).toThrow(/LeaseService has no method "nope"/);
  });

  it('clear() drops the entries of this region only', async () => {
    const regions = app.get(CacheRegions);
    await regions.get('b').set('note', 'kept');
    const first = await leases.expiration(alice, 'c1', 'c2');
    await region.clear();
    expect(await leases.expiration(alice, 'c1', 'c2')).not.toBe(first);
    expect(await regions.get('b').get('note')).toBe('kept');
  });
});

describe('@Cached with onKeyError: bypass', () => {
  it('runs the call uncached and counts it', async () => {
    const app = await createApp({ onKeyError: 'bypass' });
    const leases = app.get(LeaseService);
    expect(await leases.withFunction(() => {})).toBe('function');
    expect(await leases.withFunction(() => {})).toBe('function');
    expect(leases.runs).toBe(2);
    expect(app.get<CacheRegion>(getRegionToken('a')).stats().bypassed).toBe(2);
    await app.close();
  });
});

describe('several Nest apps in one process', () => {
  it('wrap their own instances and keep their caches apart', async () => {
    const one = await createApp();
    const two = await createApp();
    const l1 = one.get(LeaseService);
    const l2 = two.get(LeaseService);
    await l1.expiration(alice, 'x', 'y');
    await l1.expiration(alice, 'x', 'y');
    await l2.expiration(alice, 'x', 'y');
    expect(l1.runs).toBe(1);
    expect(l2.runs).toBe(1);
    expect(LeaseService.prototype.expiration).not.toBe(l1.expiration);
    await one.close();
    await two.close();
  });
});

describe('keyFor with keys over the store limit', () => {
  it('returns a key that get() and delete() resolve to the same hashed entry', async () => {
    const app = await createApp();
    const leases = app.get(LeaseService);
    const region = app.get<CacheRegion>(getRegionToken('a'));
    const longDate = 'd'.repeat(2_000);
    const first = await leases.expiration(alice, longDate, 'p');
    const key = region.keyFor(LeaseService, 'expiration', [alice, longDate, 'p']);
    expect(await region.get(key)).toBe(first);
    expect(await region.delete(key)).toBe(true);
    expect(await leases.expiration(alice, longDate, 'p')).not.toBe(first);
    await app.close();
  });
});

describe('a provider behind several tokens', () => {
  it('is wrapped once (no double counting, no nested caching)', async () => {
    const app = await Test.createTestingModule({
      imports: [CacheRegionsModule.forRoot({ regions: { a: { store: 'memory' }, b: {} } })],
      providers: [LeaseService, { provide: 'LEASES', useExisting: LeaseService }],
    }).compile();
    await app.init();
    const leases = app.get(LeaseService);
    expect(app.get('LEASES')).toBe(leases);
    await leases.expiration(alice, 'x', 'y');
    await leases.expiration(alice, 'x', 'y');
    expect(app.get<CacheRegion>(getRegionToken('a')).stats()).toMatchObject({ hits: 1, misses: 1, sets: 1 });
    await app.close();
  });
});

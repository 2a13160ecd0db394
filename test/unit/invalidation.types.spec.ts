import { Observable, of } from 'rxjs';
import { Cached, CacheEvict, CachePut, CacheRegions } from '../../lib/index.js';

// Compile-time checks of the invalidation API and decorators, enforced by Vitest's typecheck and
// by `npm run typecheck`: each expect-error directive fails the check if the line it covers
// compiles, so these prove what is refused as much as what is accepted.

interface User {
  id: number;
  name: string;
}
interface Lease {
  start: Date;
  policyDate: Date;
}

class LeaseService {
  @Cached('functions')
  async expiration(user: User, leaseDate: Date, policyDate: Date): Promise<string> {
    return `${user.id} ${leaseDate.getTime()} ${policyDate.getTime()}`;
  }

  @Cached('functions')
  observed(n: number): Observable<number> {
    return of(n);
  }

  plain(n: number): number {
    return n;
  }
}

class LeaseAdmin {
  @CacheEvict(LeaseService, 'expiration', (user: User, lease: Lease) => [user, lease.start, lease.policyDate])
  async update(user: User, lease: Lease): Promise<void> {}

  // The mapper may take the first arguments only, or wider types than the method's.
  @CacheEvict(LeaseService, 'expiration', (user: User) => [user, new Date(0), new Date(0)])
  async firstOnly(user: User, note: string): Promise<string> {
    return note;
  }

  @CacheEvict(LeaseService, 'observed', (n: number | string) => [Number(n)])
  async wider(n: number): Promise<void> {}

  @CacheEvict('functions')
  @CacheEvict('files', { beforeInvocation: true })
  async everything(): Promise<void> {}

  @CachePut(LeaseService, 'expiration', (user: User, lease: Lease) => [user, lease.start, lease.policyDate])
  async renew(user: User, lease: Lease): Promise<string> {
    return `${user.id} ${lease.start.getTime()}`;
  }

  // @ts-expect-error the mapper's parameters do not fit the method's (a string is no User)
  @CacheEvict(LeaseService, 'expiration', (user: User, lease: Lease) => [user, lease.start, lease.policyDate])
  async wrongParameters(user: string, lease: Lease): Promise<void> {}

  @CacheEvict(
    LeaseService,
    'expiration',
    // @ts-expect-error the mapper must return all of expiration()'s arguments
    (user: User, lease: Lease) => [user, lease.start],
  )
  async tooFew(user: User, lease: Lease): Promise<void> {}

  @CacheEvict(
    LeaseService,
    'expiration',
    // @ts-expect-error the mapper must return expiration()'s argument types
    (user: User, lease: Lease) => [user, 'not a date', lease.policyDate],
  )
  async wrongTypes(user: User, lease: Lease): Promise<void> {}

  // @ts-expect-error a method that cannot be @Cached (it returns neither a Promise nor an Observable)
  @CacheEvict(LeaseService, 'plain', (n: number) => [n])
  async notCacheable(n: number): Promise<void> {}

  // @ts-expect-error no such method
  @CacheEvict(LeaseService, 'nope', (n: number) => [n])
  async noSuchMethod(n: number): Promise<void> {}

  // @ts-expect-error a write must be async: it is invalidated when it resolves
  @CacheEvict('functions')
  synchronous(): number {
    return 1;
  }

  // @ts-expect-error @CachePut stores the result, which must be what expiration() caches
  @CachePut(LeaseService, 'expiration', (user: User, lease: Lease) => [user, lease.start, lease.policyDate])
  async wrongResult(user: User, lease: Lease): Promise<number> {
    return user.id;
  }
}

async function useTheApi(regions: CacheRegions, service: LeaseService, user: User): Promise<void> {
  const day = new Date(0);
  const removed: boolean = await regions.invalidate(LeaseService, 'expiration', user, day, day);
  await regions.invalidate(service, 'expiration', user, day, day);
  const fresh: string = await regions.refresh(LeaseService, 'expiration', user, day, day);
  const emitted: number = await regions.refresh(service, 'observed', 1);
  await regions.set('stored', LeaseService, 'expiration', user, day, day);
  await regions.set(2, service, 'observed', 1);
  void [removed, fresh, emitted];

  // @ts-expect-error wrong argument type
  await regions.invalidate(LeaseService, 'expiration', user, '2026-01-01', day);
  // @ts-expect-error missing argument
  await regions.invalidate(LeaseService, 'expiration', user, day);
  // @ts-expect-error not a method that can be @Cached
  await regions.invalidate(LeaseService, 'plain', 1);
  // @ts-expect-error no such method
  await regions.refresh(LeaseService, 'nope');
  // @ts-expect-error a value of another type than expiration() caches
  await regions.set(42, LeaseService, 'expiration', user, day, day);
}

describe('invalidation types', () => {
  it('accept what fits and refuse the rest (checked by tsc)', () => {
    expect(typeof LeaseAdmin.prototype.update).toBe('function');
    expect(typeof useTheApi).toBe('function');
  });
});

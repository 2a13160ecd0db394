import type { Type } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { importReadmeCode } from '../support/readme-code.js';

interface User {
  id: number;
  name: string;
}
interface Lease {
  start: string;
  policyDate: string;
  extensionMonths: number;
}
interface InvalidationExample {
  AppModule: Type;
  extensions: Map<string, number>;
  LeaseService: Type<{ expiration(user: User, leaseDate: string, policyDate: string): Promise<string> }>;
  LeaseAdmin: Type<{ updateLease(user: User, lease: Lease): Promise<void>; grant(user: User, lease: Lease): Promise<string> }>;
}

describe('README, Invalidation: the code as written', () => {
  let app: TestingModule | undefined;
  afterEach(async () => {
    await app?.close();
  });

  it('evicts on update with @CacheEvict and refreshes with CacheRegions.refresh; other users keep their entries', async () => {
    const { AppModule, LeaseService, LeaseAdmin, extensions } = await importReadmeCode<InvalidationExample>('invalidation');
    app = await Test.createTestingModule({ imports: [AppModule] }).compile();
    app.useLogger(false);
    await app.init();
    const leases = app.get(LeaseService);
    const admin = app.get(LeaseAdmin);
    const alice = { id: 1, name: 'Alice' };
    const bob = { id: 2, name: 'Bob' };

    expect(await leases.expiration(alice, '2026-01-15', '2025-07-01')).toBe('Alice: 24 months from 2026-01-15');
    expect(await leases.expiration(bob, '2026-01-15', '2025-07-01')).toBe('Bob: 24 months from 2026-01-15');
    extensions.set('2|2026-01-15|2025-07-01', 99); // changed behind the cache's back: still cached
    await admin.updateLease(alice, { start: '2026-01-15', policyDate: '2025-07-01', extensionMonths: 6 });
    expect(await leases.expiration(alice, '2026-01-15', '2025-07-01')).toBe('Alice: 30 months from 2026-01-15');
    expect(await leases.expiration(bob, '2026-01-15', '2025-07-01')).toBe('Bob: 24 months from 2026-01-15');

    expect(await admin.grant(alice, { start: '2026-01-15', policyDate: '2025-07-01', extensionMonths: 12 })).toBe(
      'Alice: 36 months from 2026-01-15',
    );
    expect(await leases.expiration(alice, '2026-01-15', '2025-07-01')).toBe('Alice: 36 months from 2026-01-15');
  });
});

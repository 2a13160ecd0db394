/**
 * Internal entries (the locks of `lock: true`) live in a key space no user key can reach, on every
 * store: a user's get/set/has/delete of any string — including the strings that named locks in
 * earlier versions and the exact store key of a held lock — neither sees, takes nor releases a lock.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CacheRegions, type CacheRegion, type RegionOptions } from '../../lib/index.js';
import { fitKey } from '../../lib/keys/key-builder.js';
import { lockSpaceKey } from '../../lib/keys/key-space.js';
import { makeTempDir } from '../support/file-test-dirs.js';
import { describeMemcached, useMemcached } from '../support/memcached.js';
import { closeRegionsApps, createRegionsApp } from '../support/regions-app.js';
import { MemoryStore } from '../../lib/stores/memory.store.js';

/** Long enough that a caller that waits on a lock fails the test by its timeout, not by a clock. */
const NEVER_MS = 600_000;

/** The store key of the lock guarding `key` — what an attacker would aim at. */
function lockStoreKey(region: CacheRegion, key: string): string {
  return fitKey(lockSpaceKey(region.fit(key)), region.store.keyLimits, 'hash', { region: region.name });
}

/** Strings a user could pass hoping to reach the lock of `key`. */
function lockLookalikes(region: CacheRegion, key: string): string[] {
  return [`${key}\u0000lock`, `!lock|${key}`, `!lock|${region.fit(key)}`, lockStoreKey(region, key), `!${lockStoreKey(region, key)}`];
}

/** A promise with its resolve function, for a producer the test releases. */
function deferred<T>(): { promise: Promise<T>; resolve(value: T): void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => (resolve = done));
  return { promise, resolve };
}

async function twoRegions(options: RegionOptions): Promise<[CacheRegion, CacheRegion]> {
  const regions = await Promise.all(
    [1, 2].map(async () => (await createRegionsApp({ regions: { reports: options } })).get(CacheRegions).get('reports')),
  );
  return regions as [CacheRegion, CacheRegion];
}

let keys = 0;

function keySpaceSuite(name: string, options: () => RegionOptions): void {
  describe(`${name} store`, () => {
    afterEach(closeRegionsApps);
    /** A key of this test alone: the file and memcached stores outlive a test's apps. */
    let report: string;
    beforeEach(() => {
      report = `report-${++keys}`;
    });

    it('a user entry under an old lock name does not make a locked getOrSet wait', async () => {
      const [region] = await twoRegions({ ...options(), lock: true, lockWaitMs: NEVER_MS, ttl: 60 });
      for (const lookalike of lockLookalikes(region, report)) await region.set(lookalike, 'not a lock');
      let runs = 0;
      expect(await region.getOrSet(report, async () => `computed ${++runs}`)).toBe('computed 1');
      for (const lookalike of lockLookalikes(region, report)) expect(await region.get(lookalike)).toBe('not a lock');
    }, 20_000);

    it('a held lock is invisible to get/has and survives delete of every look-alike', async () => {
      const [holder, other] = await twoRegions({ ...options(), lock: true, lockWaitMs: NEVER_MS, ttl: 60 });
      const computing = deferred<string>();
      const first = holder.getOrSet(report, () => computing.promise);
      // Wait until the lock is really held: the internal entry exists in the store.
      const internal = lockStoreKey(holder, report);
      while ((await holder.store.has(internal)) !== true) await new Promise((r) => setImmediate(r));

      for (const lookalike of lockLookalikes(holder, report)) {
        expect(await other.get(lookalike)).toBeUndefined();
        expect(await other.has(lookalike)).toBe(false);
        await other.delete(lookalike);
      }
      expect(await holder.store.has(internal)).toBe(true);

      // The other instance still waits on the lock and is served the holder's value.
      let otherRuns = 0;
      const second = other.getOrSet(report, async () => `other ${++otherRuns}`);
      computing.resolve('holder value');
      expect(await first).toBe('holder value');
      expect(await second).toBe('holder value');
      expect(otherRuns).toBe(0);
    }, 20_000);

    it('a user set of the lock’s look-alikes does not take the lock from another caller', async () => {
      const [holder, other] = await twoRegions({ ...options(), lock: true, lockWaitMs: NEVER_MS, ttl: 60 });
      for (const lookalike of lockLookalikes(holder, report)) await other.set(lookalike, 'x');
      // No lock is held: the holder computes at once (a taken lock would make it wait forever).
      expect(await holder.getOrSet(report, async () => 'fresh')).toBe('fresh');
    }, 20_000);
  });
}

keySpaceSuite('memory', () => ({ store: new MemoryStore({ maxEntries: 1_000, clone: false }) }));

describe('file', () => {
  let dir: { path: string; remove(): Promise<void> };
  beforeAll(async () => {
    dir = await makeTempDir('key-space');
  });
  afterAll(async () => {
    await closeRegionsApps();
    await dir.remove();
  });
  keySpaceSuite('file', () => ({ store: 'file', dir: dir.path }));
});

describeMemcached('memcached', () => {
  const server = useMemcached();
  afterAll(async () => {
    await closeRegionsApps();
  });
  keySpaceSuite('memcached', () => ({ store: 'memcached', servers: [server().address] }));
});

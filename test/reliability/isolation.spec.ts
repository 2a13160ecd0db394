/**
 * Isolation: apps, key prefixes and regions sharing one memcached and one cache directory never
 * read or clear each other's entries; and the sample app, driven over HTTP by many concurrent
 * requests of several users, never serves one user's result to another.
 */
import { Injectable, Module } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { sep } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Cached, CacheRegions, CacheRegionsModule, type RegionOptions } from '../../lib/index.js';
import type { FileStore } from '../../lib/stores/file.store.js';
import { SAMPLE_USERS } from '../../sample-app/auth/sample-user.js';
import { makeSampleDirs, startSample, type SampleHarness } from '../e2e/sample-app.harness.js';
import { makeTempDir } from '../support/file-test-dirs.js';
import { describeMemcached, useMemcached } from '../support/memcached.js';

const REGIONS = ['functions', 'notes', 'files'] as const;
type RegionName = (typeof REGIONS)[number];

/** Every app runs the same class and method names, so only prefixes and regions keep them apart. */
@Injectable()
class TaggedService {
  tag = '';
  runs = 0;

  @Cached('functions')
  async functions(key: string): Promise<string> {
    this.runs++;
    return `${this.tag}/functions/${key}`;
  }

  @Cached('notes')
  async notes(key: string): Promise<string> {
    this.runs++;
    return `${this.tag}/notes/${key}`;
  }

  @Cached('files')
  async files(key: string): Promise<string> {
    this.runs++;
    return `${this.tag}/files/${key}`;
  }
}

@Module({ providers: [TaggedService] })
class TaggedModule {}

/**
 * How the apps are set up: `keyPrefix` of the app, and a region key prefix per region. Apps with
 * the same namespaces share on purpose (`same-as-plain`); every other pair must stay apart,
 * including pairs whose prefixes only differ in where a `.` or a `:` falls.
 */
const APPS: { tag: string; keyPrefix?: string; regionPrefixes?: Partial<Record<RegionName, string>> }[] = [
  { tag: 'plain' },
  { tag: 'same-as-plain' },
  { tag: 'b', keyPrefix: 'b' },
  { tag: 'b+x', keyPrefix: 'b', regionPrefixes: { functions: 'x', notes: 'x', files: 'x' } },
  { tag: 'b.x', keyPrefix: 'b.x' },
  { tag: 'a.b', keyPrefix: 'a.b' },
  { tag: 'a+b', keyPrefix: 'a', regionPrefixes: { functions: 'b', notes: 'b', files: 'b' } },
  { tag: 'a', keyPrefix: 'a' },
  { tag: '.a', keyPrefix: '.a' },
  { tag: 'a.', keyPrefix: 'a.' },
  { tag: 'x-only', regionPrefixes: { functions: 'x', notes: 'x', files: 'x' } },
];

describeMemcached('isolation', () => {
  describe('apps, prefixes and regions on one memcached and one directory', () => {
    const memcached = useMemcached();
    let dir: Awaited<ReturnType<typeof makeTempDir>>;
    const apps: TestingModule[] = [];
    const running: Awaited<ReturnType<typeof createApp>>[] = [];

    beforeAll(async () => {
      dir = await makeTempDir('isolation');
      for (const spec of APPS) running.push(await createApp(spec));
    });
    afterAll(async () => {
      await Promise.all(apps.splice(0).map((app) => app.close()));
      await dir?.remove();
    });

    async function createApp(spec: (typeof APPS)[number]) {
      const region = (name: RegionName, options: RegionOptions): RegionOptions => ({
        ...options,
        ttl: '1h',
        ...(spec.regionPrefixes?.[name] ? { keyPrefix: spec.regionPrefixes[name] } : {}),
      });
      const app = await Test.createTestingModule({
        imports: [
          CacheRegionsModule.forRoot({
            keyPrefix: spec.keyPrefix,
            regions: {
              functions: region('functions', { store: 'memcached', servers: [memcached().address] }),
              notes: region('notes', { store: 'memcached', servers: [memcached().address] }),
              files: region('files', { store: 'file', dir: dir.path }),
            },
          }),
          TaggedModule,
        ],
      }).compile();
      app.useLogger(false);
      await app.init();
      apps.push(app);
      const service = app.get(TaggedService);
      service.tag = spec.tag === 'same-as-plain' ? 'plain' : spec.tag;
      return { tag: spec.tag, service, regions: app.get(CacheRegions) };
    }

    it('never read or clear each other’s entries', async () => {
      const keys = ['k1', 'k2', 'shared key', '../files'];
      const expected = (tag: string, region: RegionName, key: string) =>
        `${tag === 'same-as-plain' ? 'plain' : tag}/${region}/${key}`;

      // Every app stores the same logical keys, through @Cached and through region.set.
      for (const app of running) {
        for (const key of keys) {
          for (const region of REGIONS) {
            expect(await app.service[region](key)).toBe(expected(app.tag, region, key));
            await app.regions.get(region).set(`direct:${key}`, expected(app.tag, region, key));
          }
        }
      }
      await sleep(50); // @Cached writes land after the calls return

      const checkAll = async (cleared?: { tag: string; region: RegionName }) => {
        for (const app of running) {
          for (const region of REGIONS) {
            const gone =
              cleared !== undefined &&
              cleared.region === region &&
              (app.tag === cleared.tag || [app.tag, cleared.tag].every((tag) => tag === 'plain' || tag === 'same-as-plain'));
            for (const key of keys) {
              const read = await app.regions.get(region).get(`direct:${key}`);
              expect(read, `${app.tag} ${region} ${key}`).toBe(gone ? undefined : expected(app.tag, region, key));
            }
          }
        }
      };
      await checkAll();
      // @Cached reads hit their own entries: no app ran its methods again.
      const runs = running.map((app) => app.service.runs);
      for (const app of running) {
        for (const key of keys) for (const region of REGIONS) expect(await app.service[region](key)).toBe(expected(app.tag, region, key));
      }
      expect(running.map((app) => app.service.runs)).toEqual(runs);

      // clear() drops one region of one app (and of the app sharing its namespaces), nothing else.
      for (const region of REGIONS) {
        const target = running.find((app) => app.tag === 'a.b')!;
        await target.regions.get(region).clear();
        await checkAll({ tag: 'a.b', region });
        for (const key of keys) await target.regions.get(region).set(`direct:${key}`, expected('a.b', region, key));
      }
      const plain = running.find((app) => app.tag === 'plain')!;
      await plain.regions.get('files').clear();
      await checkAll({ tag: 'plain', region: 'files' });
    });

    it('gives every file region its own directory', () => {
      const directories = new Map<string, string>();
      for (const app of running) {
        const directory = (app.regions.get('files').store as FileStore).directory;
        expect(directory.startsWith(dir.path + sep)).toBe(true);
        const owner = directories.get(directory);
        // Only 'plain' and 'same-as-plain', configured alike, share.
        if (owner !== undefined) expect([owner, app.tag].sort()).toEqual(['plain', 'same-as-plain']);
        directories.set(directory, app.tag);
      }
      expect(directories.size).toBe(running.length - 1);
    });
  });

  describe('per-user results in the sample app, many concurrent requests', () => {
    const memcached = useMemcached();
    let dirs: Awaited<ReturnType<typeof makeSampleDirs>>;
    const instances: SampleHarness[] = [];

    beforeAll(async () => {
      dirs = await makeSampleDirs();
      // Two instances sharing memcached and the cache directory, and one on its memory store.
      instances.push(await startSample(dirs, { MEMCACHED_SERVERS: memcached().address }));
      instances.push(await startSample(dirs, { MEMCACHED_SERVERS: memcached().address }));
      instances.push(await startSample(dirs));
    });
    afterAll(async () => {
      await Promise.all(instances.splice(0).map((instance) => instance.close()));
      await dirs?.remove();
    });

    it('never serves one user’s lease or report to another', async () => {
      const users = [...SAMPLE_USERS.entries()];
      const days = Array.from({ length: 8 }, (_, i) => `2026-03-${String(i + 1).padStart(2, '0')}`);
      type Request = { instance: number; header: string; name: string; path: string };
      const requests: Request[] = [];
      for (let repeat = 0; repeat < 4; repeat++) {
        for (const [header, user] of users) {
          for (const day of days) {
            for (let instance = 0; instance < instances.length; instance++) {
              requests.push({ instance, header, name: user.name, path: `/leases/expiration?leaseDate=${day}&policyDate=2026-03-04` });
              requests.push({ instance, header, name: user.name, path: `/reports/daily?date=${day}` });
            }
          }
        }
      }
      // Interleave users and instances, then run with many requests in flight.
      requests.sort((a, b) => ((a.path.length * 31 + a.header.length * 7 + a.instance) % 11) - ((b.path.length * 31 + b.header.length * 7 + b.instance) % 11));
      const wrong: string[] = [];
      const bodies = new Map<string, Set<string>>();
      let next = 0;
      const worker = async () => {
        for (let index = next++; index < requests.length; index = next++) {
          const { instance, header, name, path } = requests[index];
          const response = await instances[instance].http.get(path).set('x-user', header);
          if (response.status !== 200 || response.body.user !== name) {
            wrong.push(`${header} ${path} → ${response.status} ${JSON.stringify(response.body)}`);
          }
          const id = `${instance < 2 ? 'shared' : 'memory'} ${path}`;
          if (!bodies.has(id)) bodies.set(id, new Set());
          bodies.get(id)!.add(`${response.body.user}`);
        }
      };
      await Promise.all(Array.from({ length: 32 }, worker));
      expect(wrong).toEqual([]);
      // Each path was served to every user, each time with that user's own result.
      for (const seen of bodies.values()) expect(seen.size).toBe(users.length);

      // No user header: refused, never a cached result of someone.
      for (const instance of instances) {
        for (const path of ['/leases/expiration?leaseDate=2026-03-01&policyDate=2026-03-04', '/reports/daily?date=2026-03-01']) {
          const response = await instance.http.get(path);
          expect(response.status).toBe(401);
          expect(JSON.stringify(response.body)).not.toMatch(/Alice|Bob|Carol/);
        }
      }
    }, 30_000);
  });
});

/** The sample app over HTTP: functions in memory, files on the file store, temp directories. */
import { mkdir, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ImportFilesService } from '../../sample-app/import-files/import-files.service.js';
import {
  makeSampleDirs,
  rawGet,
  SECRET_MARKER,
  SHIPPED_IMPORTS,
  startSample,
  type SampleHarness,
} from './sample-app.harness.js';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const LEASE = '/leases/expiration?leaseDate=2026-01-15&policyDate=2025-07-01';

/** Polls `check` until it returns true (every 10 ms, up to 15 s: a busy machine is slow). */
async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Files below `dir`, recursively (none when it does not exist). */
async function filesBelow(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

describe('sample app over HTTP', () => {
  let dirs: Awaited<ReturnType<typeof makeSampleDirs>>;
  let sample: SampleHarness;

  beforeEach(async () => {
    dirs = await makeSampleDirs();
    sample = await startSample(dirs);
  });
  afterEach(async () => {
    await sample.close();
    await dirs.remove();
  });

  describe('GET /leases/expiration (per-user @Cached service method)', () => {
    it('computes once per user and dates, and serves repeats from the cache', async () => {
      const first = await sample.http.get(LEASE).set('x-user', 'alice').expect(200);
      expect(first.body).toEqual({
        user: 'Alice',
        leaseDate: '2026-01-15',
        policyDate: '2025-07-01',
        termMonths: 24,
        expiresOn: '2028-01-14',
        computedAt: expect.any(String),
        run: 1,
      });
      const again = await sample.http.get(LEASE).set('x-user', 'ALICE').expect(200);
      expect(again.body).toEqual(first.body);

      const bob = await sample.http.get(LEASE).set('x-user', 'bob').expect(200);
      expect(bob.body).toMatchObject({ user: 'Bob', expiresOn: '2028-01-14', run: 2 });
      expect((await sample.http.get(LEASE).set('x-user', 'bob').expect(200)).body).toEqual(bob.body);
      expect((await sample.http.get(LEASE).set('x-user', 'alice').expect(200)).body).toEqual(first.body);

      const otherDates = await sample.http
        .get('/leases/expiration?leaseDate=2026-01-15&policyDate=2026-07-01')
        .set('x-user', 'alice')
        .expect(200);
      expect(otherDates.body).toMatchObject({ user: 'Alice', termMonths: 12, expiresOn: '2027-01-14', run: 3 });

      const stats = (await sample.http.get('/cache/stats').expect(200)).body;
      expect(stats.functions).toMatchObject({ store: 'memory', misses: 3, hits: 3, sets: 3 });
    });

    it('refuses requests without a known x-user (401) and bad dates (400)', async () => {
      const anonymous = await sample.http.get(LEASE).expect(401);
      expect(anonymous.body.message).toBe('Send the header "x-user" with one of: alice, bob, carol.');
      const unknown = await sample.http.get(LEASE).set('x-user', 'mallory').expect(401);
      expect(unknown.body.message).toBe('Unknown user "mallory" in "x-user"; known users: alice, bob, carol.');
      const bad = await sample.http
        .get('/leases/expiration?leaseDate=2026-02-30&policyDate=2025-07-01')
        .set('x-user', 'alice')
        .expect(400);
      expect(bad.body.message).toBe('Query parameter "leaseDate" must be a date like 2026-01-31; got "2026-02-30".');
      await sample.http.get('/leases/expiration?leaseDate=2026-01-15').set('x-user', 'alice').expect(400);
      expect((await sample.http.get('/cache/stats')).body.functions).toMatchObject({ misses: 0, sets: 0 });
    });
  });

  describe('PUT /leases (@CacheEvict: a lease update evicts that user\'s expiration and lease report)', () => {
    const LEASE_BODY = { leaseDate: '2026-01-15', policyDate: '2025-07-01' };

    it('evicts the updating user\'s cached expiration and lease report; other users\' entries stay', async () => {
      const alice = (await sample.http.get(LEASE).set('x-user', 'alice').expect(200)).body;
      const bob = (await sample.http.get(LEASE).set('x-user', 'bob').expect(200)).body;
      const aliceReport = (await sample.http.get('/reports/leases').set('x-user', 'alice').expect(200)).body;
      const bobReport = (await sample.http.get('/reports/leases').set('x-user', 'bob').expect(200)).body;
      expect(aliceReport).toEqual({ user: 'Alice', leases: [], generatedAt: expect.any(String), run: 1 });
      // Served from the cache until the update.
      expect((await sample.http.get(LEASE).set('x-user', 'alice')).body).toEqual(alice);
      expect((await sample.http.get('/reports/leases').set('x-user', 'alice')).body).toEqual(aliceReport);

      const updated = await sample.http
        .put('/leases')
        .set('x-user', 'alice')
        .send({ ...LEASE_BODY, extensionMonths: 6 })
        .expect(200);
      expect(updated.body).toEqual({ ...LEASE_BODY, extensionMonths: 6 });

      const aliceAfter = (await sample.http.get(LEASE).set('x-user', 'alice').expect(200)).body;
      expect(aliceAfter).toMatchObject({ user: 'Alice', termMonths: 30, expiresOn: '2028-07-14', run: 3 });
      const reportAfter = (await sample.http.get('/reports/leases').set('x-user', 'alice').expect(200)).body;
      expect(reportAfter).toEqual({
        user: 'Alice',
        leases: [{ ...LEASE_BODY, extensionMonths: 6, expiresOn: '2028-07-14' }],
        generatedAt: expect.any(String),
        run: 3,
      });
      // Bob's entries were not touched: still his cached values.
      expect((await sample.http.get(LEASE).set('x-user', 'bob')).body).toEqual(bob);
      expect((await sample.http.get('/reports/leases').set('x-user', 'bob')).body).toEqual(bobReport);
      const stats = (await sample.http.get('/cache/stats')).body.functions;
      expect(stats).toMatchObject({ deletes: 2, errors: 0 });
    });

    it('evicts only the entry of the dates updated', async () => {
      const other = '/leases/expiration?leaseDate=2026-01-15&policyDate=2026-07-01';
      const before = (await sample.http.get(other).set('x-user', 'alice').expect(200)).body;
      await sample.http.put('/leases').set('x-user', 'alice').send({ ...LEASE_BODY, extensionMonths: 1 }).expect(200);
      expect((await sample.http.get(other).set('x-user', 'alice')).body).toEqual(before);
    });

    it('refuses bad input (400) and unknown users (401), evicting nothing', async () => {
      const alice = (await sample.http.get(LEASE).set('x-user', 'alice').expect(200)).body;
      const bad = await sample.http.put('/leases').set('x-user', 'alice').send({ ...LEASE_BODY, extensionMonths: 1.5 }).expect(400);
      expect(bad.body.message).toBe('Body field "extensionMonths" must be a whole number of months from 0 to 120; got 1.5.');
      const noDate = await sample.http.put('/leases').set('x-user', 'alice').send({ policyDate: '2025-07-01' }).expect(400);
      expect(noDate.body.message).toBe('Body field "leaseDate" must be a date like 2026-01-31; got null.');
      await sample.http.put('/leases').send(LEASE_BODY).expect(401);
      expect((await sample.http.get(LEASE).set('x-user', 'alice')).body).toEqual(alice);
      expect((await sample.http.get('/cache/stats')).body.functions).toMatchObject({ deletes: 0 });
    });
  });

  describe('GET /imports/:name (@Cached file reads in the file region)', () => {
    it('serves the text file and the image with their content types', async () => {
      const text = await sample.http.get('/imports/lease-terms.txt').expect(200);
      expect(text.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(text.headers['x-content-type-options']).toBe('nosniff');
      expect(text.text).toBe(await readFile(join(SHIPPED_IMPORTS, 'lease-terms.txt'), 'utf8'));

      const image = await sample.http
        .get('/imports/gradient.png')
        .buffer(true)
        .parse((res, done) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => done(null, Buffer.concat(chunks)));
        })
        .expect(200);
      expect(image.headers['content-type']).toBe('image/png');
      const png = image.body as Buffer;
      expect(png.subarray(0, 8)).toEqual(PNG_SIGNATURE);
      expect(png).toEqual(await readFile(join(SHIPPED_IMPORTS, 'gradient.png')));
      expect(Number(image.headers['content-length'])).toBe(png.length);
    });

    it('caches file bytes on disk under CACHE_DIR until the region is cleared', async () => {
      const path = join(sample.importDir, 'lease-terms.txt');
      const original = await readFile(path, 'utf8');
      expect((await sample.http.get('/imports/lease-terms.txt').expect(200)).text).toBe(original);
      // The region writes after answering; wait for the write before reading the file again.
      await eventually(async () => (await sample.http.get('/cache/stats')).body.files.sets === 1, 'the file write');
      expect(await filesBelow(sample.cacheDir)).not.toEqual([]);

      await writeFile(path, 'changed on the import server');
      expect((await sample.http.get('/imports/lease-terms.txt').expect(200)).text).toBe(original);
      const service = sample.app.get(ImportFilesService);
      expect(service.diskReads).toBe(1);
      expect((await sample.http.get('/cache/stats')).body.files).toMatchObject({ store: 'file', hits: 1, misses: 1, sets: 1 });

      await sample.http.delete('/cache/files').expect(200, { cleared: 'files' });
      expect((await sample.http.get('/imports/lease-terms.txt').expect(200)).text).toBe('changed on the import server');
      expect(service.diskReads).toBe(2);
    });

    it('keeps cached files across a restart with the same CACHE_DIR', async () => {
      const original = (await sample.http.get('/imports/lease-terms.txt').expect(200)).text;
      await writeFile(join(sample.importDir, 'lease-terms.txt'), 'changed while the app was down');
      await sample.close();
      sample = await startSample(dirs);
      expect((await sample.http.get('/imports/lease-terms.txt').expect(200)).text).toBe(original);
      expect(sample.app.get(ImportFilesService).diskReads).toBe(0);
    });

    it('answers 404 for a missing file or a directory, and does not cache the miss', async () => {
      const missing = await sample.http.get('/imports/nope.txt').expect(404);
      expect(missing.body.message).toBe('No import file "nope.txt".');
      await writeFile(join(sample.importDir, 'nope.txt'), 'arrived later');
      expect((await sample.http.get('/imports/nope.txt').expect(200)).text).toBe('arrived later');
      await mkdir(join(sample.importDir, 'folder'));
      expect((await sample.http.get('/imports/folder').expect(404)).body.message).toBe('No import file "folder".');
      await rm(join(sample.importDir, 'folder'), { recursive: true });
      await sample.http.get('/imports/folder').expect(404);
    });

    it.each([
      '/imports/..%2Fsecret.txt',
      '/imports/%2e%2e%2fsecret.txt',
      '/imports/%2E%2E%2Fsecret.txt',
      '/imports/..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd',
      '/imports/%2e%2e',
      '/imports/.',
      '/imports/..',
      '/imports/../secret.txt',
      '/imports/%2e%2e/secret.txt',
      '/imports/%2Fetc%2Fpasswd',
      `/imports/${encodeURIComponent(resolve('package.json'))}`,
      '/imports/lease-terms.txt%00.png',
      '/imports/%00',
      '/imports/..%5Csecret.txt',
    ])('never serves a file outside the import directory: GET %s', async (path) => {
      const response = await rawGet(sample.url, path);
      expect([400, 404]).toContain(response.status);
      expect(response.body).not.toContain(SECRET_MARKER);
      expect(response.body).not.toContain('root:');
      expect(response.body).not.toContain('"name": "nest-cache-regions"');
    });

    it('answers 400 with the reason for names that escape, and caches nothing for them', async () => {
      const escape = await rawGet(sample.url, '/imports/%2e%2e%2fsecret.txt');
      expect(escape.status).toBe(400);
      expect(JSON.parse(escape.body).message).toBe(
        'Import file name "../secret.txt" refused: the name points outside the import directory.',
      );
      expect(JSON.parse((await rawGet(sample.url, '/imports/%2Fetc%2Fpasswd')).body).message).toMatch(
        /absolute paths are not served/,
      );
      expect(JSON.parse((await rawGet(sample.url, '/imports/a%00b')).body).message).toMatch(/NUL byte/);
      expect((await sample.http.get('/cache/stats')).body.files).toMatchObject({ misses: 0, sets: 0 });
    });

    it('does not follow a symlink out of the import directory (404)', async () => {
      await symlink(join(sample.root, 'secret.txt'), join(sample.importDir, 'link.txt'));
      const response = await sample.http.get('/imports/link.txt').expect(404);
      expect(response.text).not.toContain(SECRET_MARKER);
      // A symlink that stays inside is fine.
      await symlink(join(sample.importDir, 'lease-terms.txt'), join(sample.importDir, 'alias.txt'));
      await sample.http.get('/imports/alias.txt').expect(200);
    });
  });

  describe('GET /reports/daily (@Cached controller handler, vary: user)', () => {
    it('caches the response per user and query', async () => {
      const alice = await sample.http.get('/reports/daily?date=2026-03-01').set('x-user', 'alice').expect(200);
      expect(alice.body).toEqual({
        date: '2026-03-01',
        user: 'Alice',
        leasesToReview: expect.any(Number),
        generatedAt: expect.any(String),
        run: 1,
      });
      expect((await sample.http.get('/reports/daily?date=2026-03-01').set('x-user', 'alice')).body).toEqual(alice.body);

      const bob = await sample.http.get('/reports/daily?date=2026-03-01').set('x-user', 'bob').expect(200);
      expect(bob.body).toMatchObject({ user: 'Bob', run: 2 });
      const otherDay = await sample.http.get('/reports/daily?date=2026-03-02').set('x-user', 'alice').expect(200);
      expect(otherDay.body).toMatchObject({ user: 'Alice', date: '2026-03-02', run: 3 });
      expect((await sample.http.get('/reports/daily?date=2026-03-01').set('x-user', 'bob')).body).toEqual(bob.body);
    });

    it('checks the user before the cache: no user, no cached report', async () => {
      await sample.http.get('/reports/daily?date=2026-03-01').set('x-user', 'alice').expect(200);
      await sample.http.get('/reports/daily?date=2026-03-01').expect(401);
    });

    it('does not cache a 400', async () => {
      await sample.http.get('/reports/daily?date=nope').set('x-user', 'carol').expect(400);
      await sample.http.get('/reports/daily?date=nope').set('x-user', 'carol').expect(400);
      expect((await sample.http.get('/cache/stats')).body.functions).toMatchObject({ misses: 2, sets: 0 });
    });
  });

  describe('cache admin', () => {
    it('GET /cache/stats reports every region with its store', async () => {
      const stats = (await sample.http.get('/cache/stats').expect(200)).body;
      expect(Object.keys(stats).sort()).toEqual(['files', 'functions']);
      for (const [name, store] of [['functions', 'memory'], ['files', 'file']]) {
        expect(stats[name]).toMatchObject({
          store,
          hits: 0,
          misses: 0,
          stale: 0,
          sets: 0,
          deletes: 0,
          errors: 0,
          coalesced: 0,
          oversize: 0,
          bypassed: 0,
          breakerOpen: false,
        });
      }
    });

    it('DELETE /cache/functions clears that region only', async () => {
      const before = (await sample.http.get(LEASE).set('x-user', 'alice')).body;
      await sample.http.get('/imports/lease-terms.txt').expect(200);
      await sample.http.delete('/cache/functions').expect(200, { cleared: 'functions' });
      const after = (await sample.http.get(LEASE).set('x-user', 'alice')).body;
      expect(after.run).toBe(before.run + 1);
      await sample.http.get('/imports/lease-terms.txt').expect(200);
      expect(sample.app.get(ImportFilesService).diskReads).toBe(1);
    });

    it('DELETE /cache/:region answers 404 naming the configured regions for an unknown one', async () => {
      const response = await sample.http.delete('/cache/filez').expect(404);
      expect(response.body.message).toBe('Unknown cache region "filez"; configured regions: functions, files.');
    });
  });

  it('GET /health reports every region up', async () => {
    const response = await sample.http.get('/health').expect(200);
    expect(response.headers['cache-control']).toContain('no-store');
    const functions = { status: 'up', store: 'memory', breakerOpen: false };
    const files = { status: 'up', store: 'file', breakerOpen: false, responseTime: expect.any(Number) };
    expect(response.body).toEqual({ status: 'ok', info: { functions, files }, error: {}, details: { functions, files } });
  });

  it('GET /metrics serves the regions\' counters and store latencies in Prometheus text format', async () => {
    await sample.http.get(LEASE).set('x-user', 'alice').expect(200);
    await sample.http.get(LEASE).set('x-user', 'alice').expect(200);
    await sample.http.get(LEASE).set('x-user', 'alice').expect(200);

    const response = await sample.http.get('/metrics').expect(200);
    // Parameters in any order: Express versions write them differently.
    const [mediaType, ...parameters] = String(response.headers['content-type']).split(';').map((part) => part.trim());
    expect(mediaType).toBe('text/plain');
    expect(parameters.sort()).toEqual(['charset=utf-8', 'version=0.0.4']);
    const lines = response.text.split('\n');
    expect(lines).toContain('# TYPE cache_regions_hits_total counter');
    expect(lines).toContain('cache_regions_hits_total{region="functions",operation="get"} 2');
    expect(lines).toContain('cache_regions_misses_total{region="functions",operation="get"} 1');
    expect(lines).toContain('# TYPE cache_regions_store_duration_seconds histogram');
    // Every store read was timed: one per request.
    expect(lines).toContain('cache_regions_store_duration_seconds_count{region="functions",operation="get"} 3');
    expect(lines).toContain('cache_regions_store_duration_seconds_bucket{le="+Inf",region="functions",operation="get"} 3');
    // The figures agree with /cache/stats.
    expect((await sample.http.get('/cache/stats')).body.functions).toMatchObject({ hits: 2, misses: 1 });
  });
});

describe('sample app with the default IMPORT_DIR', () => {
  it('serves the shipped files from sample-app/imports', async () => {
    const dirs = await makeSampleDirs();
    const sample = await startSample(dirs, { IMPORT_DIR: '' });
    try {
      const text = await sample.http.get('/imports/lease-terms.txt').expect(200);
      expect(text.text).toContain('Standard lease terms');
      const image = await sample.http.get('/imports/gradient.png').expect(200);
      expect(image.headers['content-type']).toBe('image/png');
      expect(Number(image.headers['content-length'])).toBe((await readFile(join(SHIPPED_IMPORTS, 'gradient.png'))).length);
    } finally {
      await sample.close();
      await dirs.remove();
    }
  });
});

/** The sample app with MEMCACHED_SERVERS: the functions region on a real memcached. */
import { describeMemcached, useMemcached } from '../support/memcached.js';
import { makeSampleDirs, startSample, type SampleHarness } from './sample-app.harness.js';
import { DEGRADED_OVERALL, degradedDetails } from '../support/terminus-degraded.js';

const LEASE = '/leases/expiration?leaseDate=2026-01-15&policyDate=2025-07-01';

describeMemcached('sample app with MEMCACHED_SERVERS', () => {
  const memcached = useMemcached({ perTest: true });
  let dirs: Awaited<ReturnType<typeof makeSampleDirs>>;
  let first: SampleHarness;
  let second: SampleHarness;

  beforeEach(async () => {
    dirs = await makeSampleDirs();
    first = await startSample(dirs, { MEMCACHED_SERVERS: memcached().address });
    second = await startSample(dirs, { MEMCACHED_SERVERS: memcached().address });
  });
  afterEach(async () => {
    await first.close();
    await second.close();
    await dirs.remove();
  });

  it('runs the functions region on memcached and reports it up', async () => {
    expect((await first.http.get('/cache/stats').expect(200)).body.functions).toMatchObject({ store: 'memcached' });
    const health = await first.http.get('/health').expect(200);
    expect(health.body.status).toBe('ok');
    expect(health.body.details.functions).toEqual({
      status: 'up',
      store: 'memcached',
      breakerOpen: false,
      responseTime: expect.any(Number),
    });
    expect(health.body.details.files).toEqual({ status: 'up', store: 'file', breakerOpen: false, responseTime: expect.any(Number) });
  });

  it('caches per user on memcached, shared by two app instances', async () => {
    const alice = (await first.http.get(LEASE).set('x-user', 'alice').expect(200)).body;
    expect(alice).toMatchObject({ user: 'Alice', run: 1 });
    // The other instance never computed anything: it gets the first instance's entry.
    expect((await second.http.get(LEASE).set('x-user', 'alice').expect(200)).body).toEqual(alice);

    const bob = (await second.http.get(LEASE).set('x-user', 'bob').expect(200)).body;
    expect(bob).toMatchObject({ user: 'Bob', run: 1 });
    expect((await first.http.get(LEASE).set('x-user', 'bob').expect(200)).body).toEqual(bob);

    expect((await first.http.get('/cache/stats')).body.functions).toMatchObject({ hits: 1, misses: 1, sets: 1, errors: 0 });
    expect((await second.http.get('/cache/stats')).body.functions).toMatchObject({ hits: 1, misses: 1, sets: 1, errors: 0 });
  });

  it('PUT /leases on one instance evicts that user\'s expiration on memcached for every instance; bob\'s stays', async () => {
    const alice = (await first.http.get(LEASE).set('x-user', 'alice').expect(200)).body;
    const bob = (await first.http.get(LEASE).set('x-user', 'bob').expect(200)).body;
    expect((await second.http.get(LEASE).set('x-user', 'alice').expect(200)).body).toEqual(alice);

    await first.http
      .put('/leases')
      .set('x-user', 'alice')
      .send({ leaseDate: '2026-01-15', policyDate: '2025-07-01', extensionMonths: 6 })
      .expect(200);
    // The other instance misses and computes anew. (Its lease book is its own process's memory,
    // so it does not know the extension: a real app reads leases from a shared database.)
    const elsewhere = (await second.http.get(LEASE).set('x-user', 'alice').expect(200)).body;
    expect(elsewhere.computedAt).not.toBe(alice.computedAt);
    expect(elsewhere).toMatchObject({ user: 'Alice', run: 1 });
    expect((await first.http.get(LEASE).set('x-user', 'alice').expect(200)).body).toEqual(elsewhere);
    expect((await second.http.get(LEASE).set('x-user', 'bob').expect(200)).body).toEqual(bob);
  });

  it('PUT /leases answers 503 when memcached cannot evict, and evicts once it is back', async () => {
    const alice = (await second.http.get(LEASE).set('x-user', 'alice').expect(200)).body;
    const update = () =>
      first.http.put('/leases').set('x-user', 'alice').send({ leaseDate: '2026-01-15', policyDate: '2025-07-01', extensionMonths: 6 });
    memcached().pause();
    try {
      const refused = await update().expect(503);
      expect(refused.body).toMatchObject({
        statusCode: 503,
        recorded: true,
        evicted: false,
        message: expect.stringMatching(/^Region "functions": delete\(\) was not applied/),
      });
    } finally {
      memcached().resume();
    }
    // Retried until memcached answers again; then the other instance misses.
    const deadline = Date.now() + 10_000;
    while ((await update()).status !== 200) {
      if (Date.now() > deadline) throw new Error('PUT /leases never succeeded after memcached resumed');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect((await second.http.get(LEASE).set('x-user', 'alice').expect(200)).body.computedAt).not.toBe(alice.computedAt);
  });

  it('DELETE /cache/functions clears the entries on memcached for every instance', async () => {
    const before = (await first.http.get(LEASE).set('x-user', 'carol').expect(200)).body;
    await first.http.delete('/cache/functions').expect(200, { cleared: 'functions' });
    expect((await first.http.get(LEASE).set('x-user', 'carol').expect(200)).body.run).toBe(before.run + 1);
    // SPEC 4: other processes stop seeing cleared entries within 1 second by default.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const elsewhere = (await second.http.get(LEASE).set('x-user', 'carol').expect(200)).body;
    expect(elsewhere.computedAt).not.toBe(before.computedAt);
  });

  it('DELETE /cache/functions answers 503 when memcached cannot apply the clear, and 200 once it is back', async () => {
    const before = (await first.http.get(LEASE).set('x-user', 'carol').expect(200)).body;
    memcached().pause();
    try {
      const refused = await first.http.delete('/cache/functions').expect(503);
      expect(refused.body).toMatchObject({
        statusCode: 503,
        cleared: false,
        region: 'functions',
        message: expect.stringMatching(/clear\(\) was not applied/),
      });
    } finally {
      memcached().resume();
    }
    await first.http.delete('/cache/functions').expect(200, { cleared: 'functions' });
    expect((await first.http.get(LEASE).set('x-user', 'carol').expect(200)).body.run).toBe(before.run + 1);
  });

  it('keeps answering when memcached stops (fail open), and /health says functions is degraded', async () => {
    const cached = (await first.http.get(LEASE).set('x-user', 'alice').expect(200)).body;
    await memcached().stop();

    const uncached = (await first.http.get(LEASE).set('x-user', 'alice').expect(200)).body;
    expect(uncached).toMatchObject({ user: 'Alice', expiresOn: cached.expiresOn, run: cached.run + 1 });

    // Still serving, uncached: degraded, which terminus answers with 200.
    const health = await first.http.get('/health').expect(200);
    expect(health.body.status).toBe(DEGRADED_OVERALL);
    expect(health.body.error).toEqual({});
    expect(health.body.info.functions).toMatchObject(
      degradedDetails({
        store: 'memcached',
        failOpen: true,
        message: expect.stringMatching(/ping failed.+127\.0\.0\.1.+running calls uncached \(fail-open\)$/),
      }),
    );
    expect(health.body.info.files).toEqual({ status: 'up', store: 'file', breakerOpen: false, responseTime: expect.any(Number) });

    const metrics = (await first.http.get('/metrics').expect(200)).text;
    expect(metrics).toMatch(/^cache_regions_errors_total\{region="functions",operation="get"\} [1-9]\d*$/m);
  });
});

/** The sample app with REDIS_URL: the functions region on a real redis-server (started here). */
import { Logger } from '@nestjs/common';
import type { MockInstance } from 'vitest';
import { describeRedis, useRedis } from '../support/redis.js';
import { makeSampleDirs, startSample, type SampleHarness } from './sample-app.harness.js';
import { DEGRADED_OVERALL, degradedDetails } from '../support/terminus-degraded.js';

const LEASE = '/leases/expiration?leaseDate=2026-01-15&policyDate=2025-07-01';

describeRedis('sample app with REDIS_URL', () => {
  const redis = useRedis({ perTest: true });
  let dirs: Awaited<ReturnType<typeof makeSampleDirs>>;
  let first: SampleHarness;
  let second: SampleHarness;
  let logged: MockInstance<Logger['log']>;

  beforeEach(async () => {
    // The harness turns Nest's output off; the calls still reach Logger#log.
    logged = vi.spyOn(Logger.prototype, 'log');
    dirs = await makeSampleDirs();
    first = await startSample(dirs, { REDIS_URL: redis().url });
    second = await startSample(dirs, { REDIS_URL: redis().url });
  });
  afterEach(async () => {
    await first.close();
    await second.close();
    await dirs.remove();
    logged.mockRestore();
  });

  /** The sample's own line on the functions region (the library logs one per region too). */
  const startupNotes = () =>
    logged.mock.calls.map(([message]) => String(message)).filter((line) => line.startsWith('Region "functions" on '));

  it('runs the functions region on Redis, says so at startup and reports it up', async () => {
    expect(startupNotes()).toEqual([
      `Region "functions" on Redis ${redis().url} (from REDIS_URL).`,
      `Region "functions" on Redis ${redis().url} (from REDIS_URL).`,
    ]);
    expect((await first.http.get('/cache/stats').expect(200)).body.functions).toMatchObject({ store: 'redis' });
    const health = await first.http.get('/health').expect(200);
    expect(health.body.status).toBe('ok');
    expect(health.body.details.functions).toEqual({
      status: 'up',
      store: 'redis',
      breakerOpen: false,
      responseTime: expect.any(Number),
    });
    expect(health.body.details.files).toEqual({ status: 'up', store: 'file', breakerOpen: false, responseTime: expect.any(Number) });
  });

  it('logs a REDIS_URL with a password as [redacted]', async () => {
    logged.mockClear();
    const withPassword = `redis://app:s3cret-pw@127.0.0.1:${redis().port}`;
    // Nothing needs to answer: the app starts whatever Redis does (its calls would run uncached).
    await redis().kill();
    const third = await startSample(dirs, { REDIS_URL: withPassword });
    try {
      expect(startupNotes()).toEqual([`Region "functions" on Redis redis://app:[redacted]@127.0.0.1:${redis().port} (from REDIS_URL).`]);
      expect(logged.mock.calls.flat().join('\n')).not.toContain('s3cret-pw');
    } finally {
      await third.close();
    }
  });

  it('caches per user on Redis, shared by two app instances', async () => {
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

  it('PUT /leases on one instance evicts that user\'s expiration on Redis for every instance; bob\'s stays', async () => {
    const alice = (await first.http.get(LEASE).set('x-user', 'alice').expect(200)).body;
    const bob = (await first.http.get(LEASE).set('x-user', 'bob').expect(200)).body;
    expect((await second.http.get(LEASE).set('x-user', 'alice').expect(200)).body).toEqual(alice);

    await first.http
      .put('/leases')
      .set('x-user', 'alice')
      .send({ leaseDate: '2026-01-15', policyDate: '2025-07-01', extensionMonths: 6 })
      .expect(200);
    // The other instance misses and computes anew (its lease book is its own process's memory).
    const elsewhere = (await second.http.get(LEASE).set('x-user', 'alice').expect(200)).body;
    expect(elsewhere.computedAt).not.toBe(alice.computedAt);
    expect(elsewhere).toMatchObject({ user: 'Alice', run: 1 });
    expect((await first.http.get(LEASE).set('x-user', 'alice').expect(200)).body).toEqual(elsewhere);
    expect((await second.http.get(LEASE).set('x-user', 'bob').expect(200)).body).toEqual(bob);
  });

  it('PUT /leases answers 503 when Redis cannot evict, and evicts once it is back', async () => {
    const alice = (await second.http.get(LEASE).set('x-user', 'alice').expect(200)).body;
    const update = () =>
      first.http.put('/leases').set('x-user', 'alice').send({ leaseDate: '2026-01-15', policyDate: '2025-07-01', extensionMonths: 6 });
    redis().pause();
    try {
      const refused = await update().expect(503);
      expect(refused.body).toMatchObject({
        statusCode: 503,
        recorded: true,
        evicted: false,
        message: expect.stringMatching(/^Region "functions": delete\(\) was not applied/),
      });
    } finally {
      redis().resume();
    }
    const deadline = Date.now() + 10_000;
    while ((await update()).status !== 200) {
      if (Date.now() > deadline) throw new Error('PUT /leases never succeeded after Redis resumed');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect((await second.http.get(LEASE).set('x-user', 'alice').expect(200)).body.computedAt).not.toBe(alice.computedAt);
  });

  it('DELETE /cache/functions clears the entries on Redis for every instance, at once', async () => {
    const before = (await first.http.get(LEASE).set('x-user', 'carol').expect(200)).body;
    expect((await second.http.get(LEASE).set('x-user', 'carol').expect(200)).body).toEqual(before);
    await first.http.delete('/cache/functions').expect(200, { cleared: 'functions' });
    // The keys are gone from Redis, not hidden behind a generation: no process serves them again.
    const elsewhere = (await second.http.get(LEASE).set('x-user', 'carol').expect(200)).body;
    expect(elsewhere.computedAt).not.toBe(before.computedAt);
    expect(elsewhere.run).toBe(1);
    // …and the first instance now reads what the second one stored after the clear.
    expect((await first.http.get(LEASE).set('x-user', 'carol').expect(200)).body).toEqual(elsewhere);
  });

  it('DELETE /cache/functions answers 503 when Redis cannot apply the clear, and 200 once it is back', async () => {
    const before = (await first.http.get(LEASE).set('x-user', 'carol').expect(200)).body;
    redis().pause();
    try {
      const refused = await first.http.delete('/cache/functions').expect(503);
      expect(refused.body).toMatchObject({
        statusCode: 503,
        cleared: false,
        region: 'functions',
        message: expect.stringMatching(/clear\(\) was not applied/),
      });
    } finally {
      redis().resume();
    }
    const deadline = Date.now() + 10_000;
    while ((await first.http.delete('/cache/functions')).status !== 200) {
      if (Date.now() > deadline) throw new Error('DELETE /cache/functions never succeeded after Redis resumed');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect((await first.http.get(LEASE).set('x-user', 'carol').expect(200)).body.run).toBe(before.run + 1);
  });

  it('keeps answering when Redis stops (fail open), and /health says functions is degraded', async () => {
    const cached = (await first.http.get(LEASE).set('x-user', 'alice').expect(200)).body;
    await redis().kill();

    const uncached = (await first.http.get(LEASE).set('x-user', 'alice').expect(200)).body;
    expect(uncached).toMatchObject({ user: 'Alice', expiresOn: cached.expiresOn, run: cached.run + 1 });
    // The second instance too: neither waits for the dead server.
    expect((await second.http.get(LEASE).set('x-user', 'alice').expect(200)).body).toMatchObject({ user: 'Alice', run: 1 });

    // Still serving, uncached: degraded, which terminus answers with 200.
    const health = await first.http.get('/health').expect(200);
    expect(health.body.status).toBe(DEGRADED_OVERALL);
    expect(health.body.error).toEqual({});
    expect(health.body.info.functions).toMatchObject(
      degradedDetails({
        store: 'redis',
        failOpen: true,
        message: expect.stringMatching(/^ping failed: .+; the region still serves, running calls uncached \(fail-open\)$/),
      }),
    );
    expect(health.body.info.files).toEqual({ status: 'up', store: 'file', breakerOpen: false, responseTime: expect.any(Number) });

    const metrics = (await first.http.get('/metrics').expect(200)).text;
    expect(metrics).toMatch(/^cache_regions_errors_total\{region="functions",operation="get"\} [1-9]\d*$/m);
  });
});

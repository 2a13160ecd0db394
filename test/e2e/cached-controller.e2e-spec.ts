import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { CacheRegions, CacheRegionsModule } from '../../lib/index.js';
import { CatalogController, CatalogModule } from '../fixtures/catalog.fixture.js';

describe('@Cached on controller handlers (HTTP)', () => {
  let app: INestApplication;
  let controller: CatalogController;

  beforeEach(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [CacheRegionsModule.forRoot({ regions: { views: { store: 'memory', ttl: 60 } } }), CatalogModule],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    controller = app.get(CatalogController);
  });
  afterEach(async () => {
    await app.close();
  });

  const get = (path: string) => request(app.getHttpServer()).get(path).expect(200);

  it('answers a repeated GET from the cache', async () => {
    const first = await get('/catalog/items/7');
    const second = await get('/catalog/items/7');
    expect(first.body).toEqual({ id: '7', run: 1 });
    expect(second.body).toEqual(first.body);
    expect(controller.runs).toBe(1);
    expect(app.get(CacheRegions).get('views').stats()).toMatchObject({ hits: 1, misses: 1 });
  });

  it('keys by path and by the sorted query string', async () => {
    await get('/catalog/items/7?lang=en&x=1');
    const sameQuery = await get('/catalog/items/7?x=1&lang=en');
    expect(sameQuery.body.run).toBe(1);
    const otherPath = await get('/catalog/items/8?lang=en&x=1');
    const otherQuery = await get('/catalog/items/7?lang=de&x=1');
    expect([otherPath.body.run, otherQuery.body.run]).toEqual([2, 3]);
  });

  it('varies by user when told to, and never serves one user another user\'s response', async () => {
    const alice = await get('/catalog/mine').set('x-user', 'alice');
    const bob = await get('/catalog/mine').set('x-user', 'bob');
    const aliceAgain = await get('/catalog/mine').set('x-user', 'alice');
    expect(alice.body.run).not.toBe(bob.body.run);
    expect(aliceAgain.body).toEqual(alice.body);
    expect(controller.runs).toBe(2);
  });

  it('varies by a header', async () => {
    const a = await get('/catalog/by-tenant').set('x-tenant', 'a');
    const b = await get('/catalog/by-tenant').set('x-tenant', 'b');
    const a2 = await get('/catalog/by-tenant').set('x-tenant', 'a');
    expect(a.body.run).not.toBe(b.body.run);
    expect(a2.body).toEqual(a.body);
  });

  it('does not cache POST by default (on an @All() route whose GETs it caches)', async () => {
    const first = await request(app.getHttpServer()).post('/catalog/any').expect(200);
    const second = await request(app.getHttpServer()).post('/catalog/any').expect(200);
    expect(second.body.run).toBe(first.body.run + 1);
    const read = await get('/catalog/any');
    expect((await get('/catalog/any')).body).toEqual(read.body);
  });

  it('does not cache an undefined response', async () => {
    await get('/catalog/nothing');
    await get('/catalog/nothing');
    expect(controller.runs).toBe(2);
  });

  it('HEAD is answered by the cached GET handler', async () => {
    await get('/catalog/items/9');
    await request(app.getHttpServer()).head('/catalog/items/9').expect(200);
    expect(controller.runs).toBe(1);
  });
});

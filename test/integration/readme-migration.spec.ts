import type { INestApplication, Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { importReadmeCode } from '../support/readme-code.js';

interface MigrationExample {
  AppModule: Type;
  ProductsService: Type<{ loads: number; rename(id: string, name: string): Promise<void> }>;
}

describe("README, Coming from @nestjs/cache-manager: the 'after' code as written", () => {
  let app: INestApplication;

  afterEach(async () => {
    await app?.close();
  });

  it('serves cached handler responses and cached service calls, and its invalidation works', async () => {
    const { AppModule, ProductsService } = await importReadmeCode<MigrationExample>('migration');
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    const products = app.get(ProductsService);

    const first = await request(app.getHttpServer()).get('/products/1').expect(200);
    expect(first.body).toEqual({ id: '1', name: 'lamp' });
    await request(app.getHttpServer()).get('/products/1').expect(200, first.body);
    expect(products.loads).toBe(1);

    // The service method is cached on its own (another route, or a job, calling it).
    const service = products as unknown as { product(id: string): Promise<unknown> };
    await service.product('1');
    expect(products.loads).toBe(1);

    // Renaming drops the service's entry: the next service call loads again.
    await products.rename('1', 'desk lamp');
    expect(await service.product('1')).toEqual({ id: '1', name: 'desk lamp' });
    expect(products.loads).toBe(2);
  });
});

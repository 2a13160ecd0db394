import 'reflect-metadata';
import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Cached, CacheRegionsModule, type CacheRegion, InjectRegion } from 'nest-cache-regions';

@Injectable()
class PriceService {
  runs = 0;

  constructor(@InjectRegion('hot') readonly hot: CacheRegion) {}

  @Cached('hot')
  async price(id: number): Promise<number> {
    this.runs++;
    return id * 2;
  }
}

@Module({
  imports: [CacheRegionsModule.forRoot({ regions: { hot: { store: 'memory', ttl: 60 } } })],
  providers: [PriceService],
})
class AppModule {}

async function main(): Promise<void> {
  const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
  const prices = app.get(PriceService);
  const first = await prices.price(21);
  const second = await prices.price(21);
  console.log(JSON.stringify({ first, second, runs: prices.runs, hits: prices.hot.stats().hits, commonjs: typeof module === 'object' }));
  await app.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

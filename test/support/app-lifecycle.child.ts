// Child process of test/integration/resource-hygiene.spec.ts: boots an app with a memcached, a
// file and a memory region, uses them, closes the app, reports what is still active, then
// leaves the process to exit by itself (the parent fails the test if it does not).
import 'reflect-metadata';
import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Cached, CacheRegions, CacheRegionsModule } from '../../lib/index.js';
import { childArgs, tellParent } from './file-child-args.js';

const args = childArgs<{ memcached: string; dir: string }>();
/** What was active before the app existed (the runner's own handles), to compare with after. */
const before = process.getActiveResourcesInfo();

@Injectable()
class WorkService {
  runs = 0;
  @Cached('functions')
  async compute(n: number): Promise<number> {
    this.runs++;
    return n * 2;
  }
}

@Module({
  imports: [
    CacheRegionsModule.forRoot({
      regions: {
        functions: { store: 'memcached', servers: [args.memcached], ttl: 60 },
        files: { store: 'file', dir: args.dir, ttl: 60, sweepIntervalMs: 1_000 },
        hot: { store: 'memory', ttl: 60 },
      },
    }),
  ],
  providers: [WorkService],
})
class LifecycleModule {}

const app = await NestFactory.createApplicationContext(LifecycleModule, { logger: false });
const work = app.get(WorkService);
await work.compute(21);
await work.compute(21);
const regions = app.get(CacheRegions);
await regions.get('files').set('doc', Buffer.from('bytes'));
await regions.get('files').get('doc');
await regions.get('hot').set('k', 1);
await app.close();
// A socket whose connection was refused is already closed (its 'close' event fired) yet still
// listed until the next timer phase: list what is left after that (and after this timer).
setTimeout(() => {
  setImmediate(() => {
    tellParent(JSON.stringify({ runs: work.runs, before, after: process.getActiveResourcesInfo() }));
  });
}, 10);

// Child process of test/reliability/fuzz-keys.spec.ts: builds the same app as the test, draws the
// same argument lists (same fast-check seed) and prints the memcached key and the file path of
// each, so the test can check that keys do not depend on the process.
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import fc from 'fast-check';
import { relative } from 'node:path';
import { CacheRegions } from '../../lib/index.js';
import type { MemcachedStore } from '../../lib/stores/memcached.store.js';
import type { FileStore } from '../../lib/stores/file.store.js';
import { entryFileDigest } from '../../lib/stores/file/file-paths.js';
import { argumentLists } from '../reliability/key-arbitraries.js';
import { KeyedService, keyedAppModule } from '../reliability/keyed-app.js';
import { childArgs, tellParent } from './file-child-args.js';

const args = childArgs<{ memcached: string; dir: string; seed: number; numRuns: number }>();
const app = await NestFactory.createApplicationContext(keyedAppModule(args.memcached, args.dir), { logger: false });
const regions = app.get(CacheRegions);
const functions = regions.get('functions');
const files = regions.get('files');
const lists = fc.sample(argumentLists, { seed: args.seed, numRuns: args.numRuns });
const memcachedKeys: string[] = [];
const filePaths: string[] = [];
for (const list of lists) {
  const key = functions.fit(functions.keyFor(KeyedService, 'compute', list));
  memcachedKeys.push(await (functions.store as MemcachedStore).cacheKey(key));
  const fileKey = files.fit(files.keyFor(KeyedService, 'load', list));
  filePaths.push(relative(args.dir, `${(files.store as FileStore).directory}/${entryFileDigest(fileKey)}`));
}
await app.close();
tellParent(JSON.stringify({ memcachedKeys, filePaths }));

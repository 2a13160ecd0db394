// Child process of test/reliability/file-faults.spec.ts: an app with the same file region as the
// test's, writing the test's documents until it is SIGKILLed. `set` mode writes whole values in a
// loop and says `ready` after the first round; `stream` mode writes them with slow setStream()s
// and says `midway` each time half of a value is in its temporary file.
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { CacheRegions, CacheRegionsModule } from '../../lib/index.js';
import { documentBytes, DOCUMENT_PREFIX } from '../reliability/documents.js';
import { childArgs, tellParent } from './file-child-args.js';

const args = childArgs<{ dir: string; names: string[]; size: number; mode: 'set' | 'stream' }>();

/** Named like the test's service, so that `keyFor` gives the keys its `@Cached` method uses. */
class ImportService {
  async document(_name: string, _size: number): Promise<Buffer> {
    throw new Error('never called: only its keys are used');
  }
}

@Module({
  imports: [
    CacheRegionsModule.forRoot({
      keyPrefix: DOCUMENT_PREFIX,
      regions: { files: { store: 'file', dir: args.dir, ttl: '5d' } },
    }),
  ],
})
class WriterModule {}

const app = await NestFactory.createApplicationContext(WriterModule, { logger: false });
const region = app.get(CacheRegions).get('files');
const keyOf = (name: string) => region.keyFor(ImportService, 'document', [name, args.size]);

function slowStream(bytes: Buffer): Readable {
  const chunk = 256 * 1024;
  return Readable.from(
    (async function* () {
      for (let at = 0; at < bytes.length; at += chunk) {
        if (at >= bytes.length / 2 && at < bytes.length / 2 + chunk) tellParent('midway');
        yield bytes.subarray(at, at + chunk);
        await sleep(3);
      }
    })(),
  );
}

for (let round = 0; ; round += 1) {
  for (const name of args.names) {
    const bytes = documentBytes(name, args.size);
    if (args.mode === 'set') await region.set(keyOf(name), bytes);
    else await region.setStream(keyOf(name), slowStream(bytes));
  }
  if (round === 0) tellParent('ready');
}

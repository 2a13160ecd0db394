import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { FileStore } from '../../lib/stores/file.store.js';
import { childArgs, tellParent } from './file-child-args.js';
import { patternChunk, patternSize, patternValue } from './file-pattern.js';

/** Arguments of the writer child. */
export interface WriterArgs {
  dir: string;
  region: string;
  key: string;
  id: number;
  baseBytes: number;
  /** `set`: whole values in a loop; `stream`: slow `setStream`s, saying `midway` in each. */
  mode: 'set' | 'stream';
  chunkBytes: number;
  chunkDelayMs: number;
}

// Writes writer `id`'s value to one key until killed. Tells the parent `ready` after its first
// complete write, and (stream mode) `midway` when half of a value is in the temporary file.
const args = childArgs<WriterArgs>();
const store = new FileStore({ dir: args.dir, sweepIntervalMs: 3_600_000 }, { region: args.region, namespace: args.region });

function slowStream(): Readable {
  const chunks = Math.ceil(patternSize(args.id, args.baseBytes) / args.chunkBytes);
  return Readable.from(
    (async function* () {
      for (let index = 0; index < chunks; index += 1) {
        if (index === Math.floor(chunks / 2)) tellParent('midway');
        yield patternChunk(args.id, args.baseBytes, index, args.chunkBytes);
        await sleep(args.chunkDelayMs);
      }
    })(),
  );
}

const value = args.mode === 'set' ? patternValue(args.id, args.baseBytes) : undefined;
for (let round = 0; ; round += 1) {
  if (value !== undefined) {
    await store.set(args.key, { value, expiresAt: 0, freshUntil: 0 });
  } else {
    await store.setStream(args.key, slowStream(), 0);
  }
  if (round === 0) tellParent('ready');
}

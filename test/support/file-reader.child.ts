import { FileStore } from '../../lib/stores/file.store.js';
import { childArgs, parentSaid, parentSays, stopListening, tellParent } from './file-child-args.js';
import { checkPattern } from './file-pattern.js';

/** Arguments of the reader child. */
export interface ReaderArgs {
  dir: string;
  region: string;
  key: string;
  baseBytes: number;
  writers: number;
}

/** What the reader child reports on its last line. */
export interface ReaderReport {
  hits: number;
  misses: number;
  /** One description per read that was neither a miss nor a writer's whole value. */
  bad: string[];
}

// Says `ready` once loaded; from the parent's `go` until its `stop`, reads one key with get()
// and getStream() in turn, checking every value. Says `hit` after the first whole value.
const args = childArgs<ReaderArgs>();
const store = new FileStore({ dir: args.dir, sweepIntervalMs: 3_600_000 }, { region: args.region, namespace: args.region });
const report: ReaderReport = { hits: 0, misses: 0, bad: [] };
tellParent('ready');
await parentSays('go');
for (let round = 0; !parentSaid('stop'); round += 1) {
  let bytes: Buffer | undefined;
  if (round % 2 === 0) {
    bytes = (await store.get(args.key))?.value as Buffer | undefined;
  } else {
    const stream = await store.getStream(args.key);
    if (stream !== undefined) {
      const chunks: Buffer[] = [];
      for await (const chunk of stream) chunks.push(chunk as Buffer);
      bytes = Buffer.concat(chunks);
    }
  }
  if (bytes === undefined) {
    report.misses += 1;
    continue;
  }
  const verdict = checkPattern(bytes, args.baseBytes, args.writers);
  if (typeof verdict === 'string') {
    report.bad.push(verdict);
  } else if (++report.hits === 1) {
    tellParent('hit');
  }
}
stopListening();
tellParent(JSON.stringify(report));

import { stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable } from 'node:stream';
import { FileStore } from '../../lib/stores/file.store.js';
import { entryFileDigest } from '../../lib/stores/file/file-paths.js';
import { childArgs, parentSays, stopListening, tellParent } from './file-child-args.js';

/** Arguments of the churner child. */
export interface ChurnerArgs {
  dir: string;
  region: string;
  id: number;
  /** `race`: set, add or setStream each own key, read it back, delete it, for `rounds` rounds.
   * `churn`: set `rounds` fresh keys of `valueBytes` (no deletes: maxBytes evicts). */
  mode: 'race' | 'churn';
  keys: string[];
  rounds: number;
  valueBytes: number;
  maxBytes?: number;
  sweepIntervalMs: number;
}

/** What the churner child reports on its last line. */
export interface ChurnerReport {
  /** Operations that rejected (a write losing its directory must not). */
  errors: string[];
  /** Reads that did not return the value just written. */
  wrong: string[];
  /** Writes that found their leaf directory gone (removed by a delete here or elsewhere). */
  leafWasGone: number;
  writes: number;
}

// Says `ready` once loaded and starts on the parent's `go`, so that the children race.
const args = childArgs<ChurnerArgs>();
const store = new FileStore(
  { dir: args.dir, maxBytes: args.maxBytes, sweepIntervalMs: args.sweepIntervalMs },
  { region: args.region, namespace: args.region },
);
const report: ChurnerReport = { errors: [], wrong: [], leafWasGone: 0, writes: 0 };
const valueOf = (key: string, round: number) => Buffer.alloc(args.valueBytes, `${args.id}:${key}:${round}|`);
const entryPathOf = (key: string) => {
  const digest = entryFileDigest(key);
  return `${store.directory}/${digest.slice(0, 2)}/${digest.slice(2, 4)}/${digest}`;
};

async function write(key: string, value: Buffer, round: number): Promise<void> {
  if (await stat(dirname(entryPathOf(key))).then(() => false, () => true)) report.leafWasGone++;
  report.writes++;
  const way = round % 3;
  if (way === 0) {
    await store.set(key, { value, expiresAt: 0, freshUntil: 0 });
  } else if (way === 1) {
    if (!(await store.add(key, { value, expiresAt: 0, freshUntil: 0 }))) throw new Error(`add(${key}) found an entry`);
  } else {
    await store.setStream(key, Readable.from([value.subarray(0, 100), value.subarray(100)]), 0);
  }
}

tellParent('ready');
await parentSays('go');
stopListening();
for (let round = 0; round < args.rounds; round++) {
  if (args.mode === 'race') {
    for (const key of args.keys) {
      try {
        const value = valueOf(key, round);
        await write(key, value, round);
        const got = (await store.get(key))?.value;
        if (!Buffer.isBuffer(got) || !got.equals(value)) report.wrong.push(`${key} round ${round}`);
        if (!(await store.delete(key))) report.wrong.push(`${key} round ${round}: nothing to delete`);
      } catch (error) {
        report.errors.push(`${key} round ${round}: ${(error as Error).message}`);
      }
    }
  } else {
    const key = `churn:${args.id}:${round}`;
    try {
      await write(key, valueOf(key, round), 0);
    } catch (error) {
      report.errors.push(`${key}: ${(error as Error).message}`);
    }
  }
}
await store.close();
tellParent(JSON.stringify(report));

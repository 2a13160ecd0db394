import { FileStore } from '../../lib/stores/file.store.js';
import { childArgs, tellParent } from './file-child-args.js';

/** Arguments of the adder child. */
export interface AdderArgs {
  dir: string;
  region: string;
  id: number;
  keys: string[];
  /** Epoch ms at which every adder starts, so they race. */
  startAt: number;
}

// Calls add() on every key in order, starting at `startAt`; reports one boolean per key.
const args = childArgs<AdderArgs>();
const store = new FileStore({ dir: args.dir, sweepIntervalMs: 3_600_000 }, { region: args.region, namespace: args.region });
tellParent('ready');
while (Date.now() < args.startAt) await new Promise((resolve) => setTimeout(resolve, 1));
const results: boolean[] = [];
for (const key of args.keys) {
  results.push(await store.add(key, { value: args.id, expiresAt: Date.now() + 60_000, freshUntil: 0 }));
}
tellParent(JSON.stringify(results));

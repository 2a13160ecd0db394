import { FileStore } from '../../lib/stores/file.store.js';
import { childArgs, parentSays, stopListening, tellParent } from './file-child-args.js';

/** Arguments of the adder child. */
export interface AdderArgs {
  dir: string;
  region: string;
  id: number;
  keys: string[];
}

// Says `ready` once loaded, then, when the parent says `go` (to every adder at once, so they
// race), calls add() on every key in order; reports one boolean per key.
const args = childArgs<AdderArgs>();
const store = new FileStore({ dir: args.dir, sweepIntervalMs: 3_600_000 }, { region: args.region, namespace: args.region });
tellParent('ready');
await parentSays('go');
stopListening();
const results: boolean[] = [];
for (const key of args.keys) {
  results.push(await store.add(key, { value: args.id, expiresAt: Date.now() + 60_000, freshUntil: 0 }));
}
tellParent(JSON.stringify(results));

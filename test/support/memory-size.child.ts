import { StoreValueTooLargeError } from '../../lib/stores/cache-store.js';
import { estimateBytes } from '../../lib/stores/estimate-bytes.js';
import { MemoryStore } from '../../lib/stores/memory.store.js';
import { childArgs, tellParent } from './file-child-args.js';
import { SHAPES } from './memory-shapes.js';

/** Arguments of the size-measuring child (run with `node --expose-gc`). */
export type SizeArgs =
  | {
      mode: 'estimate';
      shapes: string[];
      /** Copies of each shape are built until they take at least this many bytes in all. */
      minTotalBytes: number;
    }
  | {
      mode: 'store';
      shape: string;
      /** Values set, each a fresh value of `shape` under its own key. */
      count: number;
      maxBytes: number;
    };

/** One line the child prints per shape in `estimate` mode. */
export interface SizeReport {
  shape: string;
  /** Heap and external memory one value keeps alive, measured after full collections. */
  real: number;
  estimate: number;
}

/** The line the child prints in `store` mode. */
export interface StoreReport {
  entries: number;
  /** The store's own account (`describe().bytes`). */
  bytes: number;
  /** `set()`s refused as larger than `maxBytes`. */
  refused: number;
  /** Heap and external memory the store holds after the sets, measured after full collections. */
  real: number;
}

// Measures what values keep alive: heap used plus external memory (ArrayBuffer contents), after
// two full collections, before and after. `estimate`: copies of each shape, estimated as the
// store does on set() (which flattens concatenated strings), per copy. `store`: a MemoryStore
// with maxBytes, filled with fresh values that only the store keeps.
const args = childArgs<SizeArgs>();
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('memory-size.child.ts needs node --expose-gc');
const used = () => {
  gc();
  gc();
  const { heapUsed, external } = process.memoryUsage();
  return heapUsed + external;
};

/**
 * Memory `fill()` leaves alive. The filling runs in a function of its own, so that no value it
 * built stays reachable from a register of this frame when the second measure is taken.
 */
function measure(fill: () => void): number {
  const before = used();
  fill();
  return used() - before;
}

if (args.mode === 'estimate') {
  for (const shape of args.shapes) {
    const build = SHAPES[shape];
    const estimate = estimateBytes(build(-1));
    const copies = Math.max(3, Math.min(200_000, Math.ceil(args.minTotalBytes / Math.max(estimate, 1))));
    const kept: unknown[] = new Array(copies).fill(undefined);
    const real = measure(() => {
      for (let seed = 0; seed < copies; seed++) estimateBytes((kept[seed] = build(seed)));
    });
    tellParent(JSON.stringify({ shape, real: Math.round(real / copies), estimate } satisfies SizeReport));
    kept.fill(undefined);
  }
} else {
  const { shape, count, maxBytes } = args;
  const store = new MemoryStore({ maxEntries: count, maxBytes, clone: false });
  const build = SHAPES[shape];
  let refused = 0;
  const real = measure(() => {
    for (let seed = 0; seed < count; seed++) {
      try {
        store.set(`${shape}:${seed}`, { value: build(seed), expiresAt: 0, freshUntil: 0 });
      } catch (error) {
        if (!(error instanceof StoreValueTooLargeError)) throw error;
        refused++;
      }
    }
  });
  const { entries, bytes } = store.describe();
  tellParent(JSON.stringify({ entries, bytes: bytes ?? 0, refused, real } satisfies StoreReport));
}
tellParent('done');

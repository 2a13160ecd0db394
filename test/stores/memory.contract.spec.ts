import { MemoryStore } from '../../lib/stores/memory.store.js';
import { runStoreContract } from './store-contract.js';

runStoreContract('memory', async () => ({
  store: new MemoryStore({ maxEntries: 1_000, clone: false }),
  teardown: async () => {},
}));

runStoreContract('memory (clone, maxBytes)', async () => ({
  store: new MemoryStore({ maxEntries: 1_000, maxBytes: 1_000_000, clone: true }),
  teardown: async () => {},
}));

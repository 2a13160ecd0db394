import { FileStore } from '../../lib/stores/file.store.js';
import { makeTempDir } from '../support/file-test-dirs.js';
import { runStoreContract } from './store-contract.js';

// The shared CacheStore contract against a real directory: a fresh temporary one per test.
runStoreContract('file', async () => {
  const dir = await makeTempDir('file-contract');
  const store = new FileStore({ dir: dir.path, sweepIntervalMs: 60_000 }, { region: 'contract', namespace: 'test:contract' });
  return {
    store,
    teardown: async () => {
      await store.close();
      await dir.remove();
    },
  };
});

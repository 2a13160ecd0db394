import { randomUUID } from 'node:crypto';
import { MemcachedStore } from '../../lib/stores/memcached.store.js';
import { describeMemcached, useMemcached } from '../support/memcached.js';
import { runStoreContract } from './store-contract.js';

// The shared CacheStore contract against a real memcached started for this file. Each test gets
// a fresh namespace, which is an empty region on the shared server.
describeMemcached('memcached store', () => {
  const server = useMemcached();

  runStoreContract('memcached', async () => {
    const store = new MemcachedStore(
      { servers: [server().address], timeoutMs: 500, retries: 2, maxValueBytes: 1024 * 1024 },
      { region: 'contract', namespace: `test:contract:${randomUUID().slice(0, 8)}` },
    );
    return { store, teardown: () => store.close() };
  });
});

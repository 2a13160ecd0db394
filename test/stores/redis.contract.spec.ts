import { randomUUID } from 'node:crypto';
import { RedisStore } from '../../lib/stores/redis.store.js';
import { describeRedis, useRedis } from '../support/redis.js';
import { runStoreContract } from './store-contract.js';

// The shared CacheStore contract against a real redis-server started for this file. Each test
// gets a fresh namespace, which is an empty region on the shared server.
describeRedis('redis store', () => {
  const server = useRedis();

  runStoreContract('redis', async () => {
    const store = new RedisStore(
      { url: server().url, timeoutMs: 500, maxValueBytes: 1024 * 1024 },
      { region: 'contract', namespace: `test:contract:${randomUUID().slice(0, 8)}` },
    );
    return { store, teardown: () => store.close() };
  });
});

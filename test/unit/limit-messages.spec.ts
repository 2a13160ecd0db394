/**
 * Messages about limits say where the limit comes from and never repeat themselves: the key-length
 * limit of a memcached region is explained as memcached's 250 bytes less the region's prefix, and
 * file-store errors show the errno once.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CacheStoreError } from '../../lib/errors.js';
import { keyTooLongMessage } from '../../lib/keys/key.messages.js';
import { FileStore } from '../../lib/stores/file.store.js';
import { MemcachedStore } from '../../lib/stores/memcached.store.js';
import { MEMCACHED_MAX_EXPIRY_S, toMemcachedExpiry } from '../../lib/stores/memcached/expiry.js';

describe('key-too-long message', () => {
  it("explains a memcached region's limit as memcached's 250 bytes less the region's prefix", async () => {
    // No request is sent: the client connects on first use.
    const store = new MemcachedStore(
      { servers: ['127.0.0.1:1'], timeoutMs: 100, retries: 1, maxValueBytes: 1_024 },
      { region: 'functions', namespace: 'myapp:functions' },
    );
    try {
      // "myapp:functions" + "|" + 8-character generation + "|" = 25 bytes.
      expect(store.keyLimits.maxBytes).toBe(225);
      expect(store.keyLimits.explain).toBe(
        'memcached\'s 250-byte key limit less 25 bytes of this region\'s prefix "myapp:functions|<generation>|"',
      );
      const message = keyTooLongMessage(
        { region: 'functions', className: 'LeaseService', methodName: 'expiration' },
        'k'.repeat(300),
        300,
        store.keyLimits,
      );
      expect(message).toBe(
        'The cache key of LeaseService.expiration() in region "functions" is 300 bytes, over the store\'s limit of 225 bytes ' +
          '(memcached\'s 250-byte key limit less 25 bytes of this region\'s prefix "myapp:functions|<generation>|"). ' +
          "Pass the `key` option of @Cached to choose shorter key material, or set onLongKey: 'hash' on the region to shorten long keys to a readable head plus a SHA-256 digest.",
      );
    } finally {
      await store.close();
    }
  });

  it('shows the plain figure for a store that does not explain its limit', () => {
    const message = keyTooLongMessage({ region: 'hot' }, 'x'.repeat(2_000), 2_000, { maxBytes: 1_024 });
    expect(message).toContain("is 2000 bytes, over the store's limit of 1024 bytes. Pass");
    expect(keyTooLongMessage({ region: 'hot' }, 'x'.repeat(2_000), 2_000, 1_024)).toBe(message);
  });
});

describe('memcached expiry bound', () => {
  const NOW = Date.UTC(2026, 0, 1);

  it('tells the region the longest ttl memcached can hold: until 2106-02-07T06:28:15Z', async () => {
    const store = new MemcachedStore(
      { servers: ['127.0.0.1:1'], timeoutMs: 100, retries: 1, maxValueBytes: 1_024 },
      { region: 'r', namespace: 'r' },
    );
    try {
      const before = Date.now();
      const maxTtlMs = store.maxTtlMs;
      const after = Date.now();
      expect(new Date(MEMCACHED_MAX_EXPIRY_S * 1_000).toISOString()).toBe('2106-02-07T06:28:15.000Z');
      expect(maxTtlMs).toBeLessThanOrEqual(MEMCACHED_MAX_EXPIRY_S * 1_000 - before);
      expect(maxTtlMs).toBeGreaterThanOrEqual(MEMCACHED_MAX_EXPIRY_S * 1_000 - after);
    } finally {
      await store.close();
    }
  });

  it('never asks memjs for an expiry beyond 32 bits (it would throw a RangeError)', () => {
    expect(toMemcachedExpiry(MEMCACHED_MAX_EXPIRY_S * 1_000, NOW)).toBe(MEMCACHED_MAX_EXPIRY_S);
    expect(toMemcachedExpiry(MEMCACHED_MAX_EXPIRY_S * 1_000 + 1, NOW)).toBe(MEMCACHED_MAX_EXPIRY_S);
    expect(toMemcachedExpiry(NOW + 1e23, NOW)).toBe(MEMCACHED_MAX_EXPIRY_S);
  });
});

describe('file store errors', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'ncr-messages-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('show the errno once (not "ENOTDIR: ENOTDIR: …")', async () => {
    // The cache directory lies below a regular file: every write fails with ENOTDIR.
    const blocker = join(root, 'not-a-dir');
    await writeFile(blocker, 'x');
    const store = new FileStore({ dir: join(blocker, 'cache'), sweepIntervalMs: 600_000, verifyReads: 'once' }, {
      region: 'files',
      namespace: 'files',
    });
    try {
      const error = await Promise.resolve(store.set('k', { value: 'v', expiresAt: 0, freshUntil: 0 })).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(CacheStoreError);
      const message = (error as Error).message;
      expect(message).toMatch(/^File store of region "files" could not .* \(ENOTDIR: not a directory, /);
      expect(message).not.toMatch(/ENOTDIR: ENOTDIR/);
      expect(message.match(/ENOTDIR/g)).toHaveLength(1);
    } finally {
      await store.close();
    }
  });
});

import { randomUUID } from 'node:crypto';
import memjs from 'memjs';
import type { Client } from 'memjs';
import { serialize } from 'node:v8';
import type { StoreEntry } from '../../lib/stores/cache-store.js';
import { MemcachedStore, type MemcachedStoreOptions } from '../../lib/stores/memcached.store.js';
import { encodeEntry } from '../../lib/stores/memcached/entry-format.js';
import { describeMemcached, useMemcached } from '../support/memcached.js';

const entry = (value: unknown, expiresAt = 0): StoreEntry => ({ value, expiresAt, freshUntil: 0 });
const KEY_1 = 'first-signing-key-0123456789abcdef';
const KEY_2 = 'second-signing-key-0123456789abcdef';

const stores: MemcachedStore[] = [];
const rawClients: Client[] = [];

afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close()));
  for (const client of rawClients.splice(0)) client.close();
});

describeMemcached('MemcachedStore signingKeys', () => {
  const server = useMemcached();

  /** A store of `namespace` (a fresh one by default), signing with `signingKeys` when given. */
  const makeStore = (
    options: Partial<MemcachedStoreOptions> & { namespace?: string; warnings?: string[] } = {},
  ): MemcachedStore => {
    const { namespace = `sig:${randomUUID().slice(0, 8)}`, warnings, ...rest } = options;
    const store = new MemcachedStore(
      { servers: [server().address], timeoutMs: 300, retries: 1, maxValueBytes: 1024 * 1024, ...rest },
      { region: 'signed', namespace, warn: (message) => warnings?.push(message) },
    );
    stores.push(store);
    return store;
  };
  const raw = () => {
    const client = memjs.Client.create(server().address, { logger: { log: () => undefined }, retries: 1 });
    rawClients.push(client);
    return client;
  };

  it('round-trips values, and stores them signed (format 2, 16 bytes of signature)', async () => {
    const signed = makeStore({ signingKeys: [KEY_1] });
    const value = { user: 'ann', at: new Date(1_700_000_000_000), ids: [1, 2, 3] };
    await signed.set('k', entry(value));
    expect((await signed.get('k'))?.value).toEqual(value);
    expect(await signed.add('k', entry('other'))).toBe(false);
    expect(await signed.add('k2', entry('added'))).toBe(true);
    expect((await signed.get('k2'))?.value).toBe('added');

    const bytes = (await raw().get(await signed.cacheKey('k'))).value!;
    const unsigned = encodeEntry(entry(value));
    expect(bytes[1]).toBe(2);
    expect(bytes.length).toBe(unsigned.length + 16);
  });

  it('reads a forged unsigned entry as a miss, without decoding it', async () => {
    const warnings: string[] = [];
    const signed = makeStore({ signingKeys: [KEY_1], warnings });
    const cacheKey = await signed.cacheKey('admin');
    // A well-formed unsigned entry, as an attacker who can write to memcached would make it...
    await raw().set(cacheKey, encodeEntry(entry({ isAdmin: true })));
    expect(await signed.get('admin')).toBeUndefined();
    // ...and one that would hang a caller iterating it (a sparse array of 2^32 - 1 slots).
    const sparse = encodeEntry(entry(null));
    const hostile = Buffer.concat([sparse.subarray(0, sparse.length - serialize(null).length), serialize(new Array(2 ** 32 - 1))]);
    await raw().set(cacheKey, hostile);
    expect(await signed.get('admin')).toBeUndefined();
    expect(warnings.some((warning) => warning.includes('signature that does not verify'))).toBe(true);
  });

  it("reads a signed entry copied to another key as a miss (another user's, another region's)", async () => {
    const namespace = `sig:${randomUUID().slice(0, 8)}`;
    const signed = makeStore({ signingKeys: [KEY_1], namespace });
    await signed.set('user:1', entry({ balance: 10 }));
    await signed.set('user:2', entry({ balance: 99_999 }));
    const client = raw();
    const victimKey = await signed.cacheKey('user:1');
    const stolen = (await client.get(await signed.cacheKey('user:2'))).value!;
    await client.set(victimKey, stolen);
    expect(await signed.get('user:1')).toBeUndefined();
    expect((await signed.get('user:2'))?.value).toEqual({ balance: 99_999 });

    // The same key in another region (another namespace), same signing key: a miss too.
    const other = makeStore({ signingKeys: [KEY_1] });
    await client.set(await other.cacheKey('user:2'), stolen);
    expect(await other.get('user:2')).toBeUndefined();
  });

  it('reads an entry with any changed byte as a miss', async () => {
    const signed = makeStore({ signingKeys: [KEY_1] });
    await signed.set('k', entry({ text: 'x'.repeat(100) }, Date.now() + 3_600_000));
    const client = raw();
    const cacheKey = await signed.cacheKey('k');
    const original = (await client.get(cacheKey)).value!;
    for (const at of [3, 12, 20, original.length - 1]) {
      const tampered = Buffer.from(original);
      tampered[at] ^= 0x01;
      await client.set(cacheKey, tampered);
      expect(await signed.get('k')).toBeUndefined();
    }
    await client.set(cacheKey, original);
    expect((await signed.get('k'))?.value).toEqual({ text: 'x'.repeat(100) });
  });

  it('rotates keys: the first key signs, any listed key verifies', async () => {
    const namespace = `sig:${randomUUID().slice(0, 8)}`;
    const before = makeStore({ signingKeys: [KEY_1], namespace });
    const during = makeStore({ signingKeys: [KEY_2, KEY_1], namespace });
    const after = makeStore({ signingKeys: [KEY_2], namespace });
    await before.set('old', entry('signed with key 1'));
    expect((await during.get('old'))?.value).toBe('signed with key 1');
    expect(await after.get('old')).toBeUndefined();
    await during.set('new', entry('signed with key 2'));
    expect((await after.get('new'))?.value).toBe('signed with key 2');
    expect(await before.get('new')).toBeUndefined();
  });

  it('does not mix signed and unsigned regions: each reads the other as a miss', async () => {
    const namespace = `sig:${randomUUID().slice(0, 8)}`;
    const signed = makeStore({ signingKeys: [KEY_1], namespace });
    const unsigned = makeStore({ namespace });
    await signed.set('a', entry('signed'));
    await unsigned.set('b', entry('unsigned'));
    expect(await unsigned.get('a')).toBeUndefined();
    expect(await signed.get('b')).toBeUndefined();
    expect((await signed.get('a'))?.value).toBe('signed');
    expect((await unsigned.get('b'))?.value).toBe('unsigned');
  });
});

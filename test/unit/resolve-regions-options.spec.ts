import type { CacheRegionsOptions } from '../../lib/cache-regions.options.js';
import { resolveRegionsOptions } from '../../lib/config/resolve-regions-options.js';
import { CacheConfigError } from '../../lib/errors.js';
import { MemoryStore } from '../../lib/stores/memory.store.js';

const resolve = (options: unknown) => resolveRegionsOptions(options as CacheRegionsOptions);
const failure = (options: unknown): CacheConfigError => {
  try {
    resolve(options);
  } catch (error) {
    expect(error).toBeInstanceOf(CacheConfigError);
    return error as CacheConfigError;
  }
  throw new Error('expected a CacheConfigError');
};

describe('resolveRegionsOptions', () => {
  it('resolves the SPEC example with inheritance and defaults', () => {
    const [functions, files, hot] = resolve({
      keyPrefix: 'myapp',
      defaults: { ttl: '1h' },
      regions: {
        functions: { store: 'memcached', servers: ['127.0.0.1:11211'], ttl: 60 * 60 },
        files: { store: 'file', dir: '/var/cache/myapp', ttl: '5d' },
        hot: { store: 'memory', maxEntries: 10_000, ttl: 30 },
      },
    });
    expect(functions).toMatchObject({
      name: 'functions',
      namespace: 'myapp:functions',
      store: 'memcached',
      ttlMs: 3_600_000,
      failOpen: true,
      onLongKey: 'hash',
      memcached: { servers: ['127.0.0.1:11211'], timeoutMs: 500, retries: 2, maxValueBytes: 1_048_576 },
    });
    expect(files).toMatchObject({
      store: 'file',
      ttlMs: 432_000_000,
      file: { dir: '/var/cache/myapp', sweepIntervalMs: 600_000, verifyReads: 'once' },
    });
    expect(hot).toMatchObject({ store: 'memory', ttlMs: 30_000, memory: { maxEntries: 10_000, clone: false } });
  });

  it('inherits defaults, lets the region override, and applies store options only to their store', () => {
    const [a, b] = resolve({
      defaults: { ttl: 10, store: 'memcached', servers: ['127.0.0.1:11311'], maxEntries: 5 },
      regions: { a: {}, b: { store: 'memory', ttl: '2m' } },
    });
    expect(a).toMatchObject({ store: 'memcached', ttlMs: 10_000, memcached: { servers: ['127.0.0.1:11311'] } });
    expect(b).toMatchObject({ store: 'memory', ttlMs: 120_000, memory: { maxEntries: 5 } });
  });

  it('passes signingKeys to memcached regions, also from defaults, and never prints a key', () => {
    const [m, hot] = resolve({
      defaults: { signingKeys: ['0123456789abcdef0123'] },
      regions: { m: { store: 'memcached', servers: ['127.0.0.1:11211'] }, hot: { store: 'memory' } },
    });
    expect(m.memcached.signingKeys).toEqual(['0123456789abcdef0123']);
    expect(hot.store).toBe('memory');
    const message = failure({
      regions: { m: { store: 'memcached', servers: ['127.0.0.1:1'], signingKeys: ['tooShortSecret'] } },
    }).message;
    expect(message).not.toContain('tooShortSecret');
  });

  it("passes verifyReads: 'always' to the file store", () => {
    const [files] = resolve({ regions: { files: { store: 'file', dir: '/tmp/x', verifyReads: 'always' } } });
    expect(files.file.verifyReads).toBe('always');
  });

  it('joins app prefix, region prefix and name into the namespace', () => {
    const [a] = resolve({ keyPrefix: 'app', regions: { a: { keyPrefix: 'v2' } } });
    expect(a.namespace).toBe('app:v2:a');
    expect(resolve({ regions: { a: {} } })[0].namespace).toBe('a');
  });

  it('accepts a store instance', () => {
    const store = new MemoryStore({ maxEntries: 1, clone: false });
    expect(resolve({ regions: { a: { store } } })[0].store).toBe(store);
  });

  it('names the region, the option and the closest valid name for a typo', () => {
    const error = failure({ regions: { files: { store: 'file', dir: '/tmp/x', tll: 5 } } });
    expect(error.message).toMatch(/Unknown option "tll" in region "files"/);
    expect(error.message).toMatch(/Did you mean "ttl"\?/);
  });

  it('names a misspelled top-level option', () => {
    expect(failure({ region: { a: {} } }).message).toMatch(/Unknown option "region".*Did you mean "regions"/);
  });

  it('rejects an unknown store with the closest name', () => {
    expect(failure({ regions: { a: { store: 'memcache' } } }).message).toMatch(
      /Unknown store "memcache" in region "a". Did you mean "memcached"/,
    );
  });

  it.each([
    [{ regions: { a: { store: 'memcached' } } }, /Missing option "servers" in region "a"/],
    [{ regions: { a: { store: 'memcached', servers: ['no host'] } } }, /Invalid server "no host".*region "a"/],
    [{ regions: { a: { store: 'memcached', servers: ['h:0'] } } }, /Invalid server "h:0".*region "a"/],
    [{ regions: { f: { store: 'file' } } }, /Missing option "dir" in region "f"/],
    [{ regions: { a: { ttl: -5 } } }, /Invalid ttl -5 for region "a" option "ttl"/],
    [{ regions: { a: { ttl: 'soon' } } }, /Invalid ttl "soon" for region "a" option "ttl"/],
    [{ regions: { a: { maxEntries: 0 } } }, /Invalid option "maxEntries" in region "a": expected an integer >= 1/],
    [{ regions: { a: { failOpen: 'yes' } } }, /Invalid option "failOpen" in region "a": expected true or false/],
    [{ regions: { a: { onLongKey: 'truncate' } } }, /Invalid option "onLongKey" in region "a": expected 'hash' or 'error'/],
    [{ regions: { a: { servers: ['127.0.0.1:1'] } } }, /Option "servers" in region "a" applies to memcached regions/],
    [
      { regions: { f: { store: 'file', dir: '/tmp/x', verifyReads: 'sometimes' } } },
      /Invalid option "verifyReads" in region "f": expected 'once' or 'always'/,
    ],
    [{ regions: { a: { verifyReads: 'always' } } }, /Option "verifyReads" in region "a" applies to file regions/],
    [
      { regions: { m: { store: 'memcached', servers: ['127.0.0.1:1'], signingKeys: 'abc' } } },
      /Invalid option "signingKeys" in region "m": expected a non-empty array of strings/,
    ],
    [
      { regions: { m: { store: 'memcached', servers: ['127.0.0.1:1'], signingKeys: ['0123456789abcdef', 'short-secret'] } } },
      /Invalid option "signingKeys" in region "m": key 1 is 12 bytes long; each key must be a string of at least 16 bytes/,
    ],
    [{ regions: { a: { signingKeys: ['0123456789abcdef'] } } }, /Option "signingKeys" in region "a" applies to memcached regions/],
    [{ regions: { 'a b': {} } }, /Invalid region name "a b"/],
    [{ regions: {} }, /must name at least one region/],
    [{ keyPrefix: 'my app', regions: { a: {} } }, /Invalid option "keyPrefix"/],
    [{ regions: { a: { store: { get() {} } } } }, /Invalid option "store" in region "a"/],
    [undefined, /options must be an object/],
  ])('rejects %j', (options, message) => {
    expect(failure(options).message).toMatch(message);
  });
});

describe('lockTtl', () => {
  it('refuses 0: a lock that never expires would block its key for good after a crash', () => {
    expect(() => resolveRegionsOptions({ regions: { hot: { store: 'memory', lock: true, lockTtl: 0 } } })).toThrow(
      /Invalid option "lockTtl" in region "hot": a lock must expire.*lockTtl: '30s'/,
    );
    expect(resolveRegionsOptions({ regions: { hot: { store: 'memory', lock: true, lockTtl: '2s' } } })[0].lockTtlMs).toBe(2_000);
  });
});

describe('failoverTtl', () => {
  const memcached = (extra: Record<string, unknown> = {}) =>
    resolveRegionsOptions({ regions: { functions: { store: 'memcached', servers: ['127.0.0.1:11211'], ...extra } } })[0];

  it('defaults to 10 s, takes a ttl, and 0 turns failover copies off', () => {
    expect(memcached().memcached.failoverTtlMs).toBe(10_000);
    expect(memcached({ failoverTtl: '2s' }).memcached.failoverTtlMs).toBe(2_000);
    expect(memcached({ failoverTtl: 0 }).memcached.failoverTtlMs).toBe(0);
  });

  it('is refused on other stores and when it is not a ttl', () => {
    expect(() => resolveRegionsOptions({ regions: { hot: { store: 'memory', failoverTtl: '2s' } } })).toThrow(
      /Option "failoverTtl" in region "hot" applies to memcached regions/,
    );
    expect(() => memcached({ failoverTtl: '0.4ms' })).toThrow(/failoverTtl/);
  });
});

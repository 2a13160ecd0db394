/**
 * Configuration that cannot work is refused with a CacheConfigError naming the option and the fix:
 * ttls out of range, timer-overflowing integers, NUL bytes in paths, a store instance shared by two
 * regions, reserved region names, and `servers` given as a string (accepted on purpose).
 */
import type { CacheRegionsOptions } from '../../lib/cache-regions.options.js';
import { parseCacheConfigOptions } from '../../lib/config/beaker-config.parser.js';
import { resolveRegionsOptions } from '../../lib/config/resolve-regions-options.js';
import { CacheConfigError } from '../../lib/errors.js';
import { CacheRegionsModule } from '../../lib/index.js';
import { MemoryStore } from '../../lib/stores/memory.store.js';
import { ttlToMs } from '../../lib/ttl.js';

const resolve = (options: unknown) => resolveRegionsOptions(options as CacheRegionsOptions);

/** The CacheConfigError that `run` throws; fails the test when it throws nothing or something else. */
function configError(run: () => unknown): CacheConfigError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(CacheConfigError);
    return error as CacheConfigError;
  }
  throw new Error('expected a CacheConfigError');
}

const EXAMPLES = "use a number of seconds >= 0 (0 = no expiry) or a duration like '500ms', '30s', '60m', '12h', '5d'.";

describe('ttl bounds', () => {
  it.each([0.0004, '0.4ms', 0.0000001, '0.0001s'])('refuses %j, which rounds to 0 ms (0 would mean no expiry)', (ttl) => {
    const error = configError(() => ttlToMs(ttl, 'region "a" option "ttl"'));
    expect(error.message).toContain('for region "a" option "ttl": it rounds to 0 ms');
    expect(error.message).toContain("Use at least 1 ms ('1ms' or 0.001), or 0 for no expiry.");
  });

  it.each(['0ms', '0s', '0d', ' 0 m', '0.0h'])('refuses the zero duration %j, which reads like "do not cache"', (ttl) => {
    const error = configError(() => ttlToMs(ttl, 'region "a" option "ttl"'));
    expect(error.message).toContain('a duration of zero is ambiguous');
    expect(error.message).toContain("Write 0 for no expiry, or use store: 'none' to cache nothing.");
  });

  it.each([
    [1e20, 'Invalid ttl 100000000000000000000 for'],
    ['99999999999d', 'Invalid ttl "99999999999d" for'],
    [100_000 * 86_400 + 1, 'Invalid ttl 8640000001 for'],
  ])('refuses %j: longer than any store keeps an entry', (ttl, start) => {
    const error = configError(() => ttlToMs(ttl, 'region "a" option "ttl"'));
    expect(error.message).toContain(start);
    expect(error.message).toContain('it is longer than any store keeps an entry (at most 100000 days, about 273 years)');
  });

  it('keeps 0 (and a bare "0") as no expiry, and the smallest and largest ttls that work', () => {
    expect(ttlToMs(0, 'x')).toBe(0);
    expect(ttlToMs('0', 'x')).toBe(0);
    expect(ttlToMs(0.0005, 'x')).toBe(1);
    expect(ttlToMs('1ms', 'x')).toBe(1);
    expect(ttlToMs('100000d', 'x')).toBe(8_640_000_000_000);
  });

  it('gives the same usage and examples for a negative number and a malformed string', () => {
    const negative = configError(() => ttlToMs(-5, 'region "a" option "ttl"')).message;
    const malformed = configError(() => ttlToMs('soon', 'region "a" option "ttl"')).message;
    expect(negative).toBe(`Invalid ttl -5 for region "a" option "ttl": ${EXAMPLES}`);
    expect(malformed).toBe(`Invalid ttl "soon" for region "a" option "ttl": ${EXAMPLES}`);
  });

  it('applies to ttl, staleTtl and lockTtl in forRoot options', () => {
    expect(configError(() => resolve({ regions: { a: { ttl: 0.0004 } } })).message).toMatch(
      /^Invalid ttl 0\.0004 for region "a" option "ttl": it rounds to 0 ms/,
    );
    expect(configError(() => resolve({ regions: { a: { staleTtl: '0ms' } } })).message).toMatch(
      /^Invalid ttl "0ms" for region "a" option "staleTtl"/,
    );
    expect(configError(() => resolve({ defaults: { lockTtl: 1e20 }, regions: { a: {} } })).message).toMatch(
      /^Invalid ttl 100000000000000000000 for region "a" option "lockTtl"/,
    );
  });
});

describe('integer bounds (timer overflow)', () => {
  it.each([
    ['timeoutMs', 2 ** 31, /expected an integer from 1 to 60000, got 2147483648\. A call waits up to timeoutMs/],
    ['timeoutMs', 60_001, /expected an integer from 1 to 60000, got 60001/],
    ['retries', 1e9, /expected an integer from 1 to 10, got 1000000000\. Each attempt may wait timeoutMs again/],
    ['retries', 11, /expected an integer from 1 to 10, got 11/],
    ['retries', 0, /expected an integer from 1 to 10, got 0\.$/],
  ])('refuses memcached %s = %d', (option, value, message) => {
    const error = configError(() =>
      resolve({ regions: { m: { store: 'memcached', servers: ['127.0.0.1:11211'], [option]: value } } }),
    );
    expect(error.message).toMatch(new RegExp(`^Invalid option "${option}" in region "m": `));
    expect(error.message).toMatch(message);
  });

  it.each([
    ['sweepIntervalMs', { store: 'file', dir: '/tmp/x' }],
    ['lockWaitMs', {}],
    ['breakerCooldownMs', {}],
  ])('refuses %s over 2147483647 ms, the longest Node timer', (option, base) => {
    const error = configError(() => resolve({ regions: { a: { ...base, [option]: 2 ** 31 } } }));
    expect(error.message).toBe(
      `Invalid option "${option}" in region "a": expected an integer from ${option === 'lockWaitMs' ? 0 : 1} to 2147483647, got 2147483648. ` +
        "Longer delays overflow Node's timers (at most 2147483647 ms, about 24.8 days).",
    );
  });

  it('accepts the largest values', () => {
    const [m] = resolve({
      regions: { m: { store: 'memcached', servers: ['127.0.0.1:11211'], timeoutMs: 60_000, retries: 10 } },
    });
    expect(m.memcached).toMatchObject({ timeoutMs: 60_000, retries: 10 });
  });

  it('applies the same bounds in parseCacheConfigOptions, naming the key', () => {
    const base = { 'cache.regions': 'm', 'cache.m.type': 'memcached' };
    expect(configError(() => parseCacheConfigOptions({ ...base, 'cache.m.retries': '1000' })).message).toBe(
      'Invalid value "1000" for "cache.m.retries": expected an integer from 1 to 10 (Each attempt may wait timeoutMs again before the call runs uncached; more than 10 attempts only delay that).',
    );
    expect(configError(() => parseCacheConfigOptions({ ...base, 'cache.m.timeout_ms': 1e12 })).message).toMatch(
      /^Invalid value 1000000000000 for "cache\.m\.timeout_ms": expected an integer from 1 to 60000/,
    );
    expect(
      configError(() => parseCacheConfigOptions({ CACHE_REGIONS: 'f', CACHE_F_TYPE: 'memory', CACHE_LOCK_WAIT_MS: '3000000000' }, { prefix: 'CACHE_' }))
        .message,
    ).toMatch(/^Invalid value "3000000000" for "CACHE_LOCK_WAIT_MS": expected an integer from 0 to 2147483647/);
  });
});

describe('tiny and absurd ttls in parseCacheConfigOptions', () => {
  it.each([
    ['0.0004', /^Invalid ttl 0\.0004 for "cache\.a\.expire": it rounds to 0 ms/],
    ['1e20', /^Invalid ttl 100000000000000000000 for "cache\.a\.expire": it is longer than any store keeps an entry/],
  ])('refuses expire = %s', (expire, message) => {
    const error = configError(() =>
      parseCacheConfigOptions({ 'cache.regions': 'a', 'cache.a.type': 'memory', 'cache.a.expire': expire }),
    );
    expect(error.message).toMatch(message);
  });

  it('still reads 0 as no expiry', () => {
    const options = parseCacheConfigOptions({ 'cache.regions': 'a', 'cache.type': 'memory', 'cache.expire': '0' });
    expect(options.regions.a.ttl).toBe(0);
  });
});

describe('paths with a NUL byte', () => {
  it.each(['dir', 'lockDir'])('refuses %s containing NUL in forRoot', (option) => {
    const region = { store: 'file', dir: '/tmp/cache', [option]: '/tmp/ca\0che' };
    expect(configError(() => resolve({ regions: { files: region } })).message).toBe(
      `Invalid option "${option}" in region "files": the path contains a NUL byte ("\\0"), which no file system accepts, so every read and write of the region would fail. ` +
        'Remove the NUL byte (check how the path is built, e.g. from an environment variable).',
    );
  });

  it('refuses data_dir containing NUL in parseCacheConfigOptions', () => {
    const error = configError(() =>
      parseCacheConfigOptions({ 'cache.regions': 'files', 'cache.files.type': 'file', 'cache.files.data_dir': '/tmp/a\0b' }),
    );
    expect(error.message).toMatch(/^Invalid option "cache\.files\.data_dir" in the cache configuration: the path contains a NUL byte/);
  });
});

describe('one store instance per region', () => {
  it('refuses an instance given to two regions, naming both and the fix', () => {
    const store = new MemoryStore({ maxEntries: 10, clone: false });
    const error = configError(() => resolve({ regions: { admin: { store }, other: {}, public: { store } } }));
    expect(error.message).toBe(
      'Regions "admin" and "public" are given the same store instance: a store serves exactly one region, ' +
        "else the regions read and overwrite each other's entries and clear() on one empties both. " +
        'Give each region its own instance, e.g. store: new MyStore() in each region.',
    );
  });

  it('refuses an instance in "defaults" that two regions inherit', () => {
    const store = new MemoryStore({ maxEntries: 10, clone: false });
    const error = configError(() => resolve({ defaults: { store }, regions: { admin: {}, public: {} } }));
    expect(error.message).toMatch(/^Regions "admin" and "public" are given the same store instance \(through "defaults\.store"\)/);
    expect(error.message).toMatch(/Set "store" on each region instead of in "defaults"/);
  });

  it('accepts one instance per region, and an instance in "defaults" for a single region', () => {
    const a = new MemoryStore({ maxEntries: 10, clone: false });
    const b = new MemoryStore({ maxEntries: 10, clone: false });
    expect(resolve({ regions: { a: { store: a }, b: { store: b } } }).map((r) => r.store)).toEqual([a, b]);
    expect(resolve({ defaults: { store: a }, regions: { only: {}, other: { store: 'memory' } } })[0].store).toBe(a);
  });
});

describe('reserved region names', () => {
  const prototypeBefore = Object.getOwnPropertyNames(Object.prototype).sort();
  afterEach(() => {
    // Nothing may ever have been written to Object.prototype.
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeBefore);
    expect(({} as Record<string, unknown>).store).toBeUndefined();
    expect(({} as Record<string, unknown>).type).toBeUndefined();
  });

  it.each(['__proto__', 'constructor', 'prototype'])('refuses %j in forRoot options', (name) => {
    // JSON.parse makes "__proto__" an own key, as configuration read from a file would.
    const options = JSON.parse(`{"regions": {"${name}": {"store": "memory"}, "ok": {}}}`);
    expect(configError(() => resolve(options)).message).toBe(
      `Invalid region name "${name}" in CacheRegionsModule options "regions": "__proto__", "constructor", "prototype" are reserved, ` +
        'because JavaScript objects treat them specially (a region of that name could become a prototype instead of a region). Choose another name.',
    );
  });

  it.each(['__proto__', 'constructor', 'prototype'])('refuses %j in forRootAsync "regions"', (name) => {
    const error = configError(() =>
      CacheRegionsModule.forRootAsync({ regions: ['ok', name], useFactory: () => ({ regions: {} }) }),
    );
    expect(error.message).toMatch(new RegExp(`^Invalid region name "${name}" in CacheRegionsModule\\.forRootAsync "regions"`));
  });

  it.each(['__proto__', 'constructor', 'prototype'])('refuses %j in parseCacheConfigOptions (Beaker form)', (name) => {
    const error = configError(() =>
      parseCacheConfigOptions({
        'cache.regions': `ok, ${name}`,
        'cache.type': 'memory',
        [`cache.${name}.type`]: 'file',
        [`cache.${name}.data_dir`]: '/tmp/x',
      }),
    );
    expect(error.message).toMatch(new RegExp(`^Invalid region name "${name}" in "cache\\.regions": .* are reserved`));
  });

  it('refuses them in the environment form, in any case', () => {
    const error = configError(() =>
      parseCacheConfigOptions({ CACHE_REGIONS: 'ok,__PROTO__', CACHE_TYPE: 'memory', CACHE___PROTO___TYPE: 'file' }, { prefix: 'CACHE_' }),
    );
    expect(error.message).toMatch(/^Invalid region name "__PROTO__" in "CACHE_REGIONS"/);
  });

  it('reads a type named like an Object.prototype member as an unknown type, not as Object', () => {
    const error = configError(() => parseCacheConfigOptions({ 'cache.regions': 'a', 'cache.a.type': 'constructor' }));
    expect(error.message).toMatch(/^Unsupported cache type "constructor" in "cache\.a\.type"/);
  });

  it('returns regions as own properties only', () => {
    const options = parseCacheConfigOptions({ 'cache.regions': 'a, b', 'cache.type': 'memory' });
    expect(Object.getPrototypeOf(options.regions)).toBe(Object.prototype);
    expect(Object.keys(options.regions)).toEqual(['a', 'b']);
  });
});

describe('servers given as a string', () => {
  it('accepts a comma- or semicolon-separated string, as the parser and environment variables give it', () => {
    const [m] = resolve({ regions: { m: { store: 'memcached', servers: ' 10.0.0.1:11211, 10.0.0.2:11212;[::1]:11213 ' } } });
    expect(m.memcached.servers).toEqual(['10.0.0.1:11211', '10.0.0.2:11212', '[::1]:11213']);
    const [one] = resolve({ regions: { m: { store: 'memcached', servers: '127.0.0.1:11211' } } });
    expect(one.memcached.servers).toEqual(['127.0.0.1:11211']);
  });

  it('checks each server of the string like an array entry', () => {
    expect(configError(() => resolve({ regions: { m: { store: 'memcached', servers: 'a:1,b:99999' } } })).message).toMatch(
      /^Invalid server "b:99999" in option "servers" of region "m": use "host:port" \(port default 11211\)/,
    );
  });

  it('refuses an empty string as a missing option', () => {
    expect(configError(() => resolve({ regions: { m: { store: 'memcached', servers: ' , ' } } })).message).toMatch(
      /^Missing option "servers" in region "m": .*or a comma-separated string such as '10\.0\.0\.1:11211,10\.0\.0\.2:11211'/,
    );
  });
});

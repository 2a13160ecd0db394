/** The sample app's pure parts: settings from the environment, import-path checks, dates, types. */
import { join, resolve } from 'node:path';
import { buildSampleCacheOptions, readSampleSettings } from '../../sample-app/cache-config.js';
import { contentTypeFor } from '../../sample-app/import-files/content-type.js';
import { isInside, resolveImportPath } from '../../sample-app/import-files/import-path.js';
import { leaseExpiresOn, parseIsoDate, formatIsoDate } from '../../sample-app/leases/lease-dates.js';

describe('buildSampleCacheOptions', () => {
  it('puts "functions" in memory (60 min) and "files" on disk under .cache-regions (5 days) by default', () => {
    const options = buildSampleCacheOptions({}, '/srv/app');
    expect(options.regions).toEqual({
      functions: { store: 'memory', maxEntries: 10_000, ttl: '60m' },
      files: { store: 'file', dir: '/srv/app/.cache-regions', ttl: '5d' },
    });
  });

  it('puts "functions" on memcached when MEMCACHED_SERVERS is set, one server per comma', () => {
    const options = buildSampleCacheOptions(
      { MEMCACHED_SERVERS: ' 127.0.0.1:11211 ,127.0.0.1:11212,', CACHE_DIR: 'tmp/c' },
      '/srv/app',
    );
    expect(options.regions.functions).toEqual({
      store: 'memcached',
      servers: ['127.0.0.1:11211', '127.0.0.1:11212'],
      ttl: '60m',
    });
    expect(options.regions.files).toEqual({ store: 'file', dir: '/srv/app/tmp/c', ttl: '5d' });
  });

  it('treats a blank MEMCACHED_SERVERS as unset', () => {
    expect(buildSampleCacheOptions({ MEMCACHED_SERVERS: ' , ' }, '/x').regions.functions.store).toBe('memory');
  });

  it('puts "functions" on Redis when REDIS_URL is set', () => {
    const options = buildSampleCacheOptions({ REDIS_URL: ' redis://:pw@10.0.0.7:6380/2 ' }, '/srv/app');
    expect(options.regions.functions).toEqual({ store: 'redis', url: 'redis://:pw@10.0.0.7:6380/2', ttl: '60m' });
  });

  it('treats a blank REDIS_URL as unset', () => {
    expect(buildSampleCacheOptions({ REDIS_URL: '  ' }, '/x').regions.functions.store).toBe('memory');
    expect(buildSampleCacheOptions({ REDIS_URL: '', MEMCACHED_SERVERS: 'm:11211' }, '/x').regions.functions.store).toBe('memcached');
  });

  it('refuses MEMCACHED_SERVERS and REDIS_URL together, naming both and not repeating the url', () => {
    const both = { MEMCACHED_SERVERS: '127.0.0.1:11211', REDIS_URL: 'redis://:s3cret@127.0.0.1:6380' };
    expect(() => buildSampleCacheOptions(both)).toThrow(/^MEMCACHED_SERVERS and REDIS_URL are both set, .+unset REDIS_URL .+ or MEMCACHED_SERVERS /);
    expect(() => readSampleSettings(both)).toThrow(expect.objectContaining({ message: expect.not.stringContaining('s3cret') }));
  });
});

describe('readSampleSettings', () => {
  it('defaults to port 3000 on 127.0.0.1 and the shipped import directory', () => {
    expect(readSampleSettings({}, '/repo')).toEqual({
      port: 3000,
      host: '127.0.0.1',
      memcachedServers: [],
      cacheDir: '/repo/.cache-regions',
      importDir: '/repo/sample-app/imports',
    });
  });

  it('reads PORT, HOST and absolute directories as given', () => {
    expect(
      readSampleSettings({ PORT: '3123', HOST: '0.0.0.0', CACHE_DIR: '/var/c', IMPORT_DIR: '/data/in' }, '/repo'),
    ).toMatchObject({ port: 3123, host: '0.0.0.0', cacheDir: '/var/c', importDir: '/data/in' });
  });

  it.each(['abc', '3000.5', '-1', '70000'])('refuses PORT=%s with a message naming PORT', (port) => {
    expect(() => readSampleSettings({ PORT: port })).toThrow(/^PORT="[^"]*" is not a TCP port/);
  });
});

describe('resolveImportPath', () => {
  const dir = '/data/imports';

  it.each([
    ['notes.txt', '/data/imports/notes.txt'],
    ['sub/notes.txt', '/data/imports/sub/notes.txt'],
    ['sub/../notes.txt', '/data/imports/notes.txt'],
    ['..notes.txt', '/data/imports/..notes.txt'],
  ])('serves %j as %s', (name, path) => {
    expect(resolveImportPath(dir, name)).toEqual({ path });
  });

  it.each([
    ['', /empty/],
    ['..', /outside/],
    ['.', /outside/],
    ['../secret.txt', /outside/],
    ['sub/../../secret.txt', /outside/],
    ['../imports-other/x.txt', /outside/],
    ['/etc/passwd', /absolute/],
    ['/data/imports/notes.txt', /absolute/],
    ['notes.txt\0.png', /NUL/],
  ])('refuses %j', (name, reason) => {
    const result = resolveImportPath(dir, name);
    expect(result).toEqual({ refused: expect.stringMatching(reason) });
  });

  it('compares path segments, not string prefixes', () => {
    expect(isInside('/data/imports', '/data/imports-other/x')).toBe(false);
    expect(isInside('/data/imports', '/data/imports')).toBe(false);
    expect(isInside('/data/imports', join('/data/imports', 'a', 'b'))).toBe(true);
  });
});

describe('contentTypeFor', () => {
  it.each([
    ['a.txt', 'text/plain; charset=utf-8'],
    ['A.PNG', 'image/png'],
    ['photo.jpeg', 'image/jpeg'],
    ['page.html', 'application/octet-stream'],
    ['logo.svg', 'application/octet-stream'],
    ['noext', 'application/octet-stream'],
  ])('%s → %s', (name, type) => {
    expect(contentTypeFor(name)).toBe(type);
  });
});

describe('lease dates', () => {
  it('parses real calendar dates only', () => {
    expect(parseIsoDate('2026-01-31')?.toISOString()).toBe('2026-01-31T00:00:00.000Z');
    expect(parseIsoDate('2024-02-29')).toBeDefined();
    for (const bad of ['2026-02-30', '2025-02-29', '2026-13-01', '2026-1-1', '', undefined, '2026-01-31T00:00']) {
      expect(parseIsoDate(bad)).toBeUndefined();
    }
  });

  it.each([
    ['2026-01-15', '2025-07-01', '2028-01-14'],
    ['2026-01-15', '2026-07-01', '2027-01-14'],
    ['2026-01-31', '2026-01-31', '2028-01-30'],
    ['2024-02-29', '2025-01-01', '2025-02-27'],
  ])('lease %s with policy %s runs to %s', (lease, policy, end) => {
    expect(formatIsoDate(leaseExpiresOn(parseIsoDate(lease)!, parseIsoDate(policy)!))).toBe(end);
  });
});

it('the shipped import directory is where the default points from the repository root', () => {
  expect(readSampleSettings({}).importDir).toBe(resolve('sample-app/imports'));
});

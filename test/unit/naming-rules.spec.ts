import { describe, expect, it } from 'vitest';
import { checkRegionName, isKeyPrefix, isRegionName, parseServerAddress, serverList } from '../../lib/config/naming-rules.js';
import { parseCacheConfigOptions } from '../../lib/config/beaker-config.parser.js';
import { resolveRegionsOptions } from '../../lib/config/resolve-regions-options.js';
import { CacheConfigError } from '../../lib/errors.js';
import { MemcachedStore } from '../../lib/stores/memcached.store.js';

describe('server addresses', () => {
  it.each([
    ['127.0.0.1:11211', '127.0.0.1:11211', 11211],
    ['cache-1.internal:11300', 'cache-1.internal:11300', 11300],
    ['localhost', 'localhost:11211', 11211],
    ['  10.0.0.5:1  ', '10.0.0.5:1', 1],
    ['[::1]:11211', '[::1]:11211', 11211],
    ['[::1]', '[::1]:11211', 11211],
    ['[::ffff:10.0.0.1]:65535', '[::ffff:10.0.0.1]:65535', 65535],
  ])('reads %j as %s', (text, name, port) => {
    expect(parseServerAddress(text)).toMatchObject({ name, port });
  });

  it.each(['', 'no host', 'h:0', 'h:65536', 'h:99999', 'h:', ':11211', 'h:1:2', '::1:11211', '[zz]:1', 'h/x:1', 'tcp://h:1'])(
    'refuses %j',
    (text) => {
      expect(parseServerAddress(text)).toBeUndefined();
    },
  );

  it('is one rule for forRoot, the Beaker parser and the memcached store', () => {
    for (const text of ['localhost', 'h:0', '[::1]', 'no host']) {
      const valid = parseServerAddress(text) !== undefined;
      const forRoot = () => resolveRegionsOptions({ regions: { m: { store: 'memcached', servers: [text] } } });
      const beaker = () => parseCacheConfigOptions({ 'cache.regions': 'm', 'cache.type': 'memcached', 'cache.url': text });
      const store = () =>
        new MemcachedStore({ servers: [text], timeoutMs: 100, retries: 1, maxValueBytes: 1 }, { region: 'm', namespace: 'm' });
      for (const check of [forRoot, beaker]) {
        if (valid) expect(check).not.toThrow();
        else expect(check).toThrow(CacheConfigError);
      }
      if (!valid) expect(store).toThrow(CacheConfigError);
    }
  });

  it('splits a string at "," and ";" and drops blanks', () => {
    expect(serverList(' a:1, b:2 ;c ,, ')).toEqual(['a:1', 'b:2', 'c']);
    expect(serverList(['a:1'])).toEqual(['a:1']);
    expect(serverList(7)).toBe(7);
  });
});

describe('region names', () => {
  it('are letters, digits, "_" and "-", at most 128 of them', () => {
    expect(isRegionName('a'.repeat(128))).toBe(true);
    expect(isRegionName('a'.repeat(129))).toBe(false);
    for (const name of ['', 'a b', 'a.b', 'a/b', 'ü']) expect(isRegionName(name)).toBe(false);
    expect(() => resolveRegionsOptions({ regions: { ['r'.repeat(129)]: { store: 'memory' } } })).toThrow(/at most 128/);
    expect(() => parseCacheConfigOptions({ 'cache.regions': 'r'.repeat(129), 'cache.type': 'memory' })).toThrow(/at most 128/);
  });

  it('refuses the names objects treat specially, in any case where names are case-insensitive', () => {
    expect(() => checkRegionName('__proto__', 'here')).toThrow(/reserved/);
    expect(() => checkRegionName('Constructor', 'here')).not.toThrow(/reserved/);
    expect(() => checkRegionName('Constructor', 'here', true)).toThrow(/"Constructor" in here: .*reserved/);
  });
});

describe('key prefixes', () => {
  it('are letters, digits, "_", "." and "-"', () => {
    expect(isKeyPrefix('my-app.v2_1')).toBe(true);
    for (const prefix of ['', 'my app', 'a:b', 'a|b', 7, undefined]) expect(isKeyPrefix(prefix)).toBe(false);
  });
});

describe('a server listed twice', () => {
  it('is refused by forRoot and the parser, also when written two ways', () => {
    for (const servers of [['a:1', 'a:1'], ['localhost', 'localhost:11211'], 'b:2, a:1;a:1']) {
      expect(() => resolveRegionsOptions({ regions: { m: { store: 'memcached', servers } } })).toThrow(
        /is listed twice in option "servers" of region "m" .*list each server once/,
      );
    }
    expect(() =>
      resolveRegionsOptions(parseCacheConfigOptions({ 'cache.regions': 'm', 'cache.type': 'memcached', 'cache.url': 'h;h:11211' })),
    ).toThrow(/listed twice/);
  });
});

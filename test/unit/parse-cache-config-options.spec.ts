import { describe, expect, it } from 'vitest';
import { parseCacheConfigOptions } from '../../lib/config/beaker-config.parser.js';
import { resolveRegionsOptions } from '../../lib/config/resolve-regions-options.js';
import { CacheConfigError } from '../../lib/errors.js';

/** The parse must throw a CacheConfigError whose message contains every fragment. */
function expectConfigError(parse: () => unknown, ...fragments: string[]): void {
  let error: unknown;
  try {
    parse();
  } catch (caught) {
    error = caught;
  }
  expect(error).toBeInstanceOf(CacheConfigError);
  for (const fragment of fragments) {
    expect((error as Error).message).toContain(fragment);
  }
}

const ENV = { prefix: 'CACHE_' };

describe('parseCacheConfigOptions', () => {
  describe('Beaker form', () => {
    it('reads the SPEC 2.5 dictionary', () => {
      const options = parseCacheConfigOptions({
        'cache.regions': 'functions, files',
        'cache.lock_dir': '/tmp/cache/lock',
        'cache.data_dir': '/tmp/cache/data',
        'cache.functions.type': 'ext:memcached',
        'cache.functions.url': '127.0.0.1:11211',
        'cache.functions.expire': 60 * 60,
        'cache.files.type': 'file',
        'cache.files.expire': 5 * 24 * 60 * 60,
      });
      expect(options).toStrictEqual({
        regions: {
          functions: { store: 'memcached', servers: ['127.0.0.1:11211'], ttl: 3600 },
          files: { store: 'file', dir: '/tmp/cache/data', lockDir: '/tmp/cache/lock', ttl: 432000 },
        },
      });
      // Valid forRoot input: the module's own validator accepts it.
      expect(resolveRegionsOptions(options).map((region) => region.name)).toEqual(['functions', 'files']);
    });

    it('keeps the order and spelling of the region list', () => {
      const options = parseCacheConfigOptions({
        'cache.regions': ' Short_term ,long-term,',
        'cache.type': 'memory',
      });
      expect(Object.keys(options.regions)).toEqual(['Short_term', 'long-term']);
    });

    it('accepts plain memcached, memory and none types, in any case', () => {
      const options = parseCacheConfigOptions({
        'cache.regions': 'a,b,c',
        'cache.a.type': 'Memcached',
        'cache.b.type': 'MEMORY',
        'cache.c.type': ' none ',
      });
      expect(options.regions).toStrictEqual({
        a: { store: 'memcached', servers: ['127.0.0.1:11211'] },
        b: { store: 'memory' },
        c: { store: 'none' },
      });
    });

    it('maps every option of this project from snake_case', () => {
      const options = parseCacheConfigOptions({
        'cache.regions': 'hot, shared, disk',
        'cache.key_prefix': 'myapp',
        'cache.fail_open': 'no',
        'cache.lock': 'yes',
        'cache.lock_ttl': '10',
        'cache.lock_wait_ms': '250',
        'cache.stale_ttl': 30,
        'cache.on_long_key': 'error',
        'cache.on_key_error': 'bypass',
        'cache.breaker_threshold': '3',
        'cache.breaker_cooldown_ms': '1000',
        'cache.hot.type': 'memory',
        'cache.hot.key_prefix': 'v2',
        'cache.hot.max_entries': '500',
        'cache.hot.max_bytes': '1048576',
        'cache.hot.clone': 'on',
        'cache.shared.type': 'memcached',
        'cache.shared.url': '10.0.0.1:11211',
        'cache.shared.username': 'app',
        'cache.shared.password': 'secret',
        'cache.shared.timeout_ms': '200',
        'cache.shared.retries': '1',
        'cache.shared.max_value_bytes': '524288',
        'cache.shared.signing_keys': 'new-key-0123456789abcdef, old-key-0123456789abcdef',
        'cache.disk.type': 'file',
        'cache.disk.data_dir': '/var/cache/app',
        'cache.disk.max_bytes': 1e9,
        'cache.disk.sweep_interval_ms': '60000',
        'cache.disk.verify_reads': 'always',
      });
      const common = {
        failOpen: false,
        lock: true,
        lockTtl: 10,
        lockWaitMs: 250,
        staleTtl: 30,
        onLongKey: 'error',
        onKeyError: 'bypass',
        breakerThreshold: 3,
        breakerCooldownMs: 1000,
      };
      expect(options).toStrictEqual({
        keyPrefix: 'myapp',
        regions: {
          hot: { store: 'memory', ...common, keyPrefix: 'v2', maxEntries: 500, maxBytes: 1048576, clone: true },
          shared: {
            store: 'memcached',
            ...common,
            servers: ['10.0.0.1:11211'],
            username: 'app',
            password: 'secret',
            timeoutMs: 200,
            retries: 1,
            maxValueBytes: 524288,
            signingKeys: ['new-key-0123456789abcdef', 'old-key-0123456789abcdef'],
          },
          disk: {
            store: 'file',
            ...common,
            dir: '/var/cache/app',
            maxBytes: 1e9,
            sweepIntervalMs: 60000,
            verifyReads: 'always',
          },
        },
      });
      expect(resolveRegionsOptions(options).map((region) => region.namespace)).toEqual([
        'myapp:v2:hot',
        'myapp:shared',
        'myapp:disk',
      ]);
    });
  });

  describe('inheritance', () => {
    it('gives every region the global keys and lets a region key override them', () => {
      const options = parseCacheConfigOptions({
        'cache.regions': 'a, b',
        'cache.type': 'memory',
        'cache.expire': 60,
        'cache.lock': true,
        'cache.b.expire': '120',
        'cache.b.lock': 'false',
      });
      expect(options.regions).toStrictEqual({
        a: { store: 'memory', ttl: 60, lock: true },
        b: { store: 'memory', ttl: 120, lock: false },
      });
    });

    it('lets a region override the global type', () => {
      const options = parseCacheConfigOptions({
        'cache.regions': 'a, b',
        'cache.type': 'file',
        'cache.data_dir': '/d',
        'cache.b.type': 'memory',
      });
      expect(options.regions).toStrictEqual({ a: { store: 'file', dir: '/d' }, b: { store: 'memory' } });
    });

    it('applies global store options only to regions of that store', () => {
      const options = parseCacheConfigOptions({
        'cache.regions': 'mc, disk, mem, off',
        'cache.url': '10.0.0.1:11211',
        'cache.data_dir': '/d',
        'cache.lock_dir': '/l',
        'cache.max_entries': 100,
        'cache.timeout_ms': 300,
        'cache.mc.type': 'ext:memcached',
        'cache.disk.type': 'file',
        'cache.mem.type': 'memory',
        'cache.off.type': 'none',
      });
      expect(options.regions).toStrictEqual({
        mc: { store: 'memcached', servers: ['10.0.0.1:11211'], timeoutMs: 300 },
        disk: { store: 'file', dir: '/d', lockDir: '/l' },
        mem: { store: 'memory', maxEntries: 100 },
        off: { store: 'none' },
      });
    });

    it('lets a region override the global data_dir and lock_dir', () => {
      const options = parseCacheConfigOptions({
        'cache.regions': 'files',
        'cache.data_dir': '/d',
        'cache.lock_dir': '/l',
        'cache.files.type': 'file',
        'cache.files.data_dir': '/big',
        'cache.files.lock_dir': '/big-locks',
      });
      expect(options.regions.files).toStrictEqual({ store: 'file', dir: '/big', lockDir: '/big-locks' });
    });

    it('ignores data_dir and lock_dir on a non-file region, as Beaker accepted them on every backend', () => {
      const options = parseCacheConfigOptions({
        'cache.regions': 'functions',
        'cache.functions.type': 'memcached',
        'cache.functions.lock_dir': '/l',
        'cache.functions.data_dir': '/d',
      });
      expect(options.regions.functions).toStrictEqual({ store: 'memcached', servers: ['127.0.0.1:11211'] });
    });

    it('turns a disabled region into store none and drops its store options', () => {
      const options = parseCacheConfigOptions({
        'cache.regions': 'a, b, c',
        'cache.type': 'memcached',
        'cache.expire': 60,
        'cache.a.enabled': 'false',
        'cache.a.url': '10.0.0.1:11211',
        'cache.b.enabled': 'true',
        'cache.c.enabled': 0,
        'cache.c.type': 'file',
      });
      expect(options.regions).toStrictEqual({
        a: { store: 'none', ttl: 60 },
        b: { store: 'memcached', servers: ['127.0.0.1:11211'], ttl: 60 },
        c: { store: 'none', ttl: 60 }, // no data_dir needed while disabled
      });
    });

    it('disables every region with a global enabled = false, even without a type', () => {
      const options = parseCacheConfigOptions({ 'cache.regions': 'a', 'cache.enabled': 'off' });
      expect(options.regions).toStrictEqual({ a: { store: 'none' } });
    });

    it('uses the global key_prefix as the app prefix and a region key_prefix for the region', () => {
      const options = parseCacheConfigOptions({
        'cache.regions': 'a, b',
        'cache.type': 'memory',
        'cache.key_prefix': 'app',
        'cache.b.key_prefix': 'bee',
      });
      expect(options).toStrictEqual({
        keyPrefix: 'app',
        regions: { a: { store: 'memory' }, b: { store: 'memory', keyPrefix: 'bee' } },
      });
    });

    it('accepts Beaker key_length and memcache_module and maps them to nothing', () => {
      const options = parseCacheConfigOptions({
        'cache.regions': 'functions',
        'cache.key_length': '250',
        'cache.functions.type': 'ext:memcached',
        'cache.functions.memcache_module': 'pylibmc',
      });
      expect(options.regions.functions).toStrictEqual({ store: 'memcached', servers: ['127.0.0.1:11211'] });
    });
  });

  describe('memcached url', () => {
    it.each([
      ['10.0.0.1:11211;10.0.0.2:11212', ['10.0.0.1:11211', '10.0.0.2:11212']],
      ['10.0.0.1:11211, 10.0.0.2:11212', ['10.0.0.1:11211', '10.0.0.2:11212']],
      [' a.example:1 ; b.example:2 , c.example:3 ;', ['a.example:1', 'b.example:2', 'c.example:3']],
      ['cache-host', ['cache-host:11211']],
      ['[::1]:11300;[::1]', ['[::1]:11300', '[::1]:11211']],
      ['', ['127.0.0.1:11211']],
      ['  ;  ', ['127.0.0.1:11211']],
    ])('reads %j', (url, servers) => {
      const options = parseCacheConfigOptions({
        'cache.regions': 'functions',
        'cache.functions.type': 'memcached',
        'cache.functions.url': url,
      });
      expect(options.regions.functions.servers).toEqual(servers);
    });

    it('defaults to 127.0.0.1:11211 when no url is given', () => {
      const options = parseCacheConfigOptions({ 'cache.regions': 'functions', 'cache.type': 'memcached' });
      expect(options.regions.functions.servers).toEqual(['127.0.0.1:11211']);
    });

    it('accepts an array of servers from JavaScript callers', () => {
      const options = parseCacheConfigOptions({
        'cache.regions': 'functions',
        'cache.type': 'memcached',
        'cache.url': ['10.0.0.1:1', '10.0.0.2:2'],
      });
      expect(options.regions.functions.servers).toEqual(['10.0.0.1:1', '10.0.0.2:2']);
    });

    it('rejects a server that is not host:port', () => {
      expectConfigError(
        () =>
          parseCacheConfigOptions({
            'cache.regions': 'functions',
            'cache.type': 'memcached',
            'cache.functions.url': '10.0.0.1:11211 10.0.0.2:11211',
          }),
        '"cache.functions.url"',
        'host:port',
      );
    });
  });

  describe('environment form', () => {
    const env = {
      PATH: '/usr/bin',
      HOME: '/home/app',
      NODE_ENV: 'production',
      MEMCACHE_SERVERS: 'ignored:1',
      CACHE_REGIONS: 'functions,files',
      CACHE_LOCK_DIR: '/tmp/cache/lock',
      CACHE_DATA_DIR: '/tmp/cache/data',
      CACHE_FUNCTIONS_TYPE: 'ext:memcached',
      CACHE_FUNCTIONS_URL: '127.0.0.1:11211',
      CACHE_FUNCTIONS_EXPIRE: '3600',
      CACHE_FILES_TYPE: 'file',
      CACHE_FILES_EXPIRE: '432000',
    };

    it('reads the SPEC 2.5 configuration from environment variables and ignores the others', () => {
      expect(parseCacheConfigOptions(env, ENV)).toStrictEqual({
        regions: {
          functions: { store: 'memcached', servers: ['127.0.0.1:11211'], ttl: 3600 },
          files: { store: 'file', dir: '/tmp/cache/data', lockDir: '/tmp/cache/lock', ttl: 432000 },
        },
      });
    });

    it('matches names case-insensitively and keeps the spelling of CACHE_REGIONS', () => {
      const options = parseCacheConfigOptions(
        { Cache_Regions: 'Hot', CACHE_HOT_TYPE: 'memory', cache_hot_max_entries: '9' },
        ENV,
      );
      expect(options.regions).toStrictEqual({ Hot: { store: 'memory', maxEntries: 9 } });
    });

    it('coerces numeric and boolean strings', () => {
      const options = parseCacheConfigOptions(
        {
          CACHE_REGIONS: 'hot',
          CACHE_TYPE: 'memory',
          CACHE_EXPIRE: '0.5',
          CACHE_CLONE: 'YES',
          CACHE_FAIL_OPEN: '0',
          CACHE_LOCK: 'On',
          CACHE_LOCK_WAIT_MS: '0',
          CACHE_STALE_TTL: '1e2',
        },
        ENV,
      );
      expect(options.regions.hot).toStrictEqual({
        store: 'memory',
        ttl: 0.5,
        clone: true,
        failOpen: false,
        lock: true,
        lockWaitMs: 0,
        staleTtl: 100,
      });
    });

    it('resolves underscores: listed region names first, longest first, else a global option', () => {
      const options = parseCacheConfigOptions(
        {
          CACHE_REGIONS: 'lock, lock_heavy, max',
          CACHE_TYPE: 'memory',
          CACHE_LOCK: 'true', // global option "lock"
          CACHE_LOCK_TTL: '5', // global "lock_ttl": region "lock" has no option "ttl"
          CACHE_LOCK_EXPIRE: '10', // region "lock"
          CACHE_LOCK_HEAVY_EXPIRE: '20', // region "lock_heavy", not "lock" + "heavy_expire"
          CACHE_LOCK_HEAVY_LOCK_WAIT_MS: '7',
          CACHE_MAX_ENTRIES: '50', // global "max_entries": region "max" has no option "entries"
          CACHE_MAX_MAX_ENTRIES: '60', // region "max"
        },
        ENV,
      );
      expect(options.regions).toStrictEqual({
        lock: { store: 'memory', lock: true, lockTtl: 5, maxEntries: 50, ttl: 10 },
        lock_heavy: { store: 'memory', lock: true, lockTtl: 5, maxEntries: 50, ttl: 20, lockWaitMs: 7 },
        max: { store: 'memory', lock: true, lockTtl: 5, maxEntries: 60 },
      });
    });

    it('suggests within the longest matching region for a misspelt option', () => {
      expectConfigError(
        () =>
          parseCacheConfigOptions(
            { CACHE_REGIONS: 'lock, lock_heavy', CACHE_TYPE: 'memory', CACHE_LOCK_HEAVY_EXPIRY: '1' },
            ENV,
          ),
        'Unknown cache config key "CACHE_LOCK_HEAVY_EXPIRY": did you mean "CACHE_LOCK_HEAVY_EXPIRE"?',
      );
    });

    it('takes any prefix ending in "_"', () => {
      const options = parseCacheConfigOptions(
        { MYAPP_CACHE_REGIONS: 'a', MYAPP_CACHE_A_TYPE: 'memory', CACHE_REGIONS: 'other' },
        { prefix: 'MYAPP_CACHE_' },
      );
      expect(options.regions).toStrictEqual({ a: { store: 'memory' } });
    });

    it('reads a custom dotted prefix', () => {
      const options = parseCacheConfigOptions(
        { 'beaker.cache.regions': 'a', 'beaker.cache.type': 'memory', 'cache.regions': 'ignored' },
        { prefix: 'beaker.cache.' },
      );
      expect(options.regions).toStrictEqual({ a: { store: 'memory' } });
    });

    it('names environment keys in errors', () => {
      expectConfigError(
        () => parseCacheConfigOptions({ ...env, CACHE_FILES_EXPIRE: 'soon' }, ENV),
        '"CACHE_FILES_EXPIRE"',
        '"soon"',
        'a number of seconds',
      );
      expectConfigError(
        () => parseCacheConfigOptions({ ...env, CACHE_FILES_EXPIRY: '1' }, ENV),
        'Unknown cache config key "CACHE_FILES_EXPIRY"',
        'did you mean "CACHE_FILES_EXPIRE"?',
      );
      expectConfigError(
        () => parseCacheConfigOptions({ ...env, CACHE_EXPRIE: '1' }, ENV),
        'Unknown cache config key "CACHE_EXPRIE"',
        'did you mean "CACHE_EXPIRE"?',
      );
      expectConfigError(
        () => parseCacheConfigOptions({ ...env, CACHE_FILEZ_TYPE: 'file' }, ENV),
        '"CACHE_FILEZ_TYPE" configures region "filez"',
        'does not list',
        'did you mean "CACHE_FILES_TYPE"?',
      );
      expectConfigError(
        () => parseCacheConfigOptions({ ...env, CACHE_SESSIONS_MAX_ENTRIES: '5' }, ENV),
        'region "sessions"',
        'add "sessions" to "CACHE_REGIONS"',
      );
      expectConfigError(
        () => parseCacheConfigOptions({ CACHE_TYPE: 'memory' }, ENV),
        'Missing "CACHE_REGIONS"',
      );
      expectConfigError(
        () => parseCacheConfigOptions({ ...env, CACHE_FILES_REGIONS: 'x' }, ENV),
        '"CACHE_FILES_REGIONS"',
        'set "CACHE_REGIONS"',
      );
    });

    it('rejects two spellings of the same key', () => {
      expectConfigError(
        () => parseCacheConfigOptions({ ...env, cache_files_expire: '1' }, ENV),
        '"CACHE_FILES_EXPIRE" and "cache_files_expire"',
      );
    });
  });

  describe('errors', () => {
    const base = {
      'cache.regions': 'functions, files',
      'cache.functions.type': 'memory',
      'cache.files.type': 'memory',
    };

    it('requires the region list', () => {
      expectConfigError(
        () => parseCacheConfigOptions({ 'cache.type': 'memory' }),
        'Missing "cache.regions"',
        'comma-separated',
      );
      expectConfigError(() => parseCacheConfigOptions({ 'cache.regions': ' , ' }), '"cache.regions"', 'at least one');
      expectConfigError(() => parseCacheConfigOptions({ 'cache.regions': 5 }), '"cache.regions"');
    });

    it('rejects bad and duplicate region names', () => {
      expectConfigError(
        () => parseCacheConfigOptions({ 'cache.regions': 'functions files', 'cache.type': 'memory' }),
        'Invalid region name "functions files" in "cache.regions"',
      );
      expectConfigError(
        () => parseCacheConfigOptions({ 'cache.regions': 'a, b, a', 'cache.type': 'memory' }),
        'Region "a" is listed twice in "cache.regions"',
      );
    });

    it('requires a type for every listed region', () => {
      expectConfigError(
        () => parseCacheConfigOptions({ 'cache.regions': 'functions, files', 'cache.functions.type': 'memory' }),
        'Region "files" is listed in "cache.regions" but has no type',
        'set "cache.files.type" (or "cache.type" for every region)',
      );
    });

    it('rejects keys of a region that is not listed', () => {
      expectConfigError(
        () => parseCacheConfigOptions({ ...base, 'cache.sessions.type': 'memory' }),
        '"cache.sessions.type" configures region "sessions", which "cache.regions" does not list (listed: functions, files)',
        'add "sessions" to "cache.regions" or remove the key',
      );
      expectConfigError(
        () => parseCacheConfigOptions({ ...base, 'cache.file.expire': 60 }),
        'did you mean "cache.files.expire"?',
      );
    });

    it.each([
      ['ext:database', "Beaker's dbm, ext:database"],
      ['dbm', 'supported types are memory, memcached (or ext:memcached), redis (or ext:redis), file and none'],
      ['memcache', 'did you mean "memcached"?'],
      ['', 'supported types'],
    ])('rejects type %j', (type, fragment) => {
      expectConfigError(
        () => parseCacheConfigOptions({ ...base, 'cache.files.type': type }),
        'Unsupported cache type',
        '"cache.files.type"',
        fragment,
      );
    });

    it.each([
      ['cache.files.expire', 'soon', 'a number of seconds >= 0'],
      ['cache.files.expire', '60 * 60', 'a number of seconds >= 0'],
      ['cache.files.expire', -1, 'a number of seconds >= 0'],
      ['cache.files.expire', '', 'a number of seconds >= 0'],
      ['cache.expire', '0x10', 'a number of seconds >= 0'],
      ['cache.expire', Number.NaN, 'a number of seconds >= 0'],
      ['cache.lock_ttl', '5m', 'a number of seconds >= 0'],
      ['cache.max_entries', '1.5', 'an integer >= 1'],
      ['cache.max_entries', '0', 'an integer >= 1'],
      ['cache.retries', 'two', 'an integer from 1 to 10'],
      ['cache.lock_wait_ms', '-5', 'an integer from 0 to 2147483647'],
      ['cache.key_length', 'long', 'an integer >= 1'],
      ['cache.lock', 'maybe', 'a boolean: true/false, 1/0, yes/no or on/off'],
      ['cache.files.enabled', 2, 'a boolean'],
      ['cache.clone', '', 'a boolean'],
      ['cache.on_long_key', 'truncate', '"hash" or "error"'],
      ['cache.on_key_error', 'skip', '"throw" or "bypass"'],
      ['cache.key_prefix', 'my app', 'a key prefix of letters'],
      ['cache.username', '', 'a non-empty string'],
      ['cache.data_dir', 42, 'a directory path'],
      ['cache.lock_dir', '  ', 'a directory path'],
    ])('rejects %s = %j', (key, value, expected) => {
      expectConfigError(() => parseCacheConfigOptions({ ...base, [key]: value }), `for "${key}": expected ${expected}`);
    });

    it.each([' , ', 42])('rejects signing_keys = %j without showing the value', (value) => {
      const options = { 'cache.regions': 'm', 'cache.m.type': 'memcached', 'cache.m.url': '127.0.0.1:1' };
      expectConfigError(
        () => parseCacheConfigOptions({ ...options, 'cache.m.signing_keys': value }),
        'Invalid value for "cache.m.signing_keys": expected one or more keys separated by commas (the value is not shown: it is a secret).',
      );
    });

    it('rejects an unknown option and suggests the closest valid key', () => {
      expectConfigError(
        () => parseCacheConfigOptions({ ...base, 'cache.files.expiry': 60 }),
        'Unknown cache config key "cache.files.expiry": did you mean "cache.files.expire"?',
      );
      expectConfigError(
        () => parseCacheConfigOptions({ ...base, 'cache.datadir': '/d' }),
        'Unknown cache config key "cache.datadir": did you mean "cache.data_dir"?',
      );
      expectConfigError(
        () => parseCacheConfigOptions({ ...base, 'cache.sqlalchemy_engine': 'x' }),
        'Unknown cache config key "cache.sqlalchemy_engine"',
        'options are: type, expire, url',
      );
      expectConfigError(
        () => parseCacheConfigOptions({ ...base, 'cache.files.sub.expire': 1 }),
        'Unknown cache config key "cache.files.sub.expire"',
        '"cache.<option>" or "cache.<region>.<option>"',
      );
      expectConfigError(
        () => parseCacheConfigOptions({ ...base, 'cache.files.regions': 'x' }),
        '"cache.files.regions"',
        'set "cache.regions"',
      );
    });

    it('maps forRoot option names to the Beaker key', () => {
      expectConfigError(
        () => parseCacheConfigOptions({ ...base, 'cache.files.ttl': 60 }),
        'did you mean "cache.files.expire"?',
      );
      expectConfigError(
        () => parseCacheConfigOptions({ ...base, 'cache.store': 'memory' }),
        'did you mean "cache.type"?',
      );
      expectConfigError(
        () => parseCacheConfigOptions({ CACHE_REGIONS: 'files', CACHE_TYPE: 'memory', CACHE_TTL: '5' }, ENV),
        'Unknown cache config key "CACHE_TTL": did you mean "CACHE_EXPIRE"?',
      );
      expectConfigError(
        () => parseCacheConfigOptions({ CACHE_REGIONS: 'files', CACHE_TYPE: 'memory', CACHE_FILES_SERVERS: 'x' }, ENV),
        'did you mean "CACHE_FILES_URL"?',
      );
    });

    it('rejects a store option set on a region of another store', () => {
      expectConfigError(
        () => parseCacheConfigOptions({ ...base, 'cache.files.url': '10.0.0.1:11211' }),
        '"cache.files.url" applies to memcached and redis regions, but region "files" is memory',
        'remove the key or change "cache.files.type"',
      );
      expectConfigError(
        () =>
          parseCacheConfigOptions({
            ...base,
            'cache.type': 'file',
            'cache.data_dir': '/d',
            'cache.files.type': undefined, // skipped: the type comes from cache.type
            'cache.files.max_entries': 5,
          }),
        '"cache.files.max_entries" applies to memory regions, but region "files" is file',
        'change "cache.type"',
      );
    });

    it('requires data_dir for a file region', () => {
      expectConfigError(
        () => parseCacheConfigOptions({ ...base, 'cache.files.type': 'file', 'cache.lock_dir': '/l' }),
        'Region "files" is a file region but has no data directory',
        'set "cache.files.data_dir" (or "cache.data_dir" for every file region)',
      );
    });

    it('rejects a prefix without a separator', () => {
      expectConfigError(() => parseCacheConfigOptions(base, { prefix: 'cache' }), 'Invalid prefix "cache"', 'end with');
    });
  });
});

describe('parseCacheConfigOptions: failover_ttl', () => {
  it('reads failover_ttl in seconds for memcached regions, and refuses it elsewhere', () => {
    expect(
      parseCacheConfigOptions({
        'cache.regions': 'functions, files',
        'cache.functions.type': 'ext:memcached',
        'cache.functions.url': '127.0.0.1:11211',
        'cache.functions.failover_ttl': '5',
        'cache.files.type': 'file',
        'cache.files.data_dir': '/tmp/x',
      }).regions.functions,
    ).toMatchObject({ store: 'memcached', failoverTtl: 5 });
    expect(() =>
      parseCacheConfigOptions({ 'cache.regions': 'hot', 'cache.hot.type': 'memory', 'cache.hot.failover_ttl': '5' }),
    ).toThrow(/failover_ttl/);
  });
});

import { resolve } from 'node:path';
import type { CacheRegionsOptions, RegionOptions } from '../lib/index.js';

/** The environment variables the sample reads (all optional). */
export interface SampleEnv {
  /** HTTP port. Default: 3000. */
  PORT?: string;
  /** Interface to listen on. Default: `127.0.0.1`, so the sample's admin routes stay local. */
  HOST?: string;
  /** `host:port` of memcached servers, comma-separated. Default: unset → memory store. */
  MEMCACHED_SERVERS?: string;
  /** `redis://[[user]:password@]host[:port][/db]` of one Redis server. Default: unset → memory store. */
  REDIS_URL?: string;
  /** Directory of the `files` region. Default: `.cache-regions/` in the working directory. */
  CACHE_DIR?: string;
  /** Directory whose files `GET /imports/:name` serves. Default: `sample-app/imports/` in the working directory. */
  IMPORT_DIR?: string;
  [name: string]: string | undefined;
}

/** The sample's settings, resolved from {@link SampleEnv}: absolute paths, parsed numbers. */
export interface SampleSettings {
  port: number;
  host: string;
  /** Memcached servers, or an empty list when the `functions` region is not on memcached. */
  memcachedServers: string[];
  /** The Redis url of the `functions` region, or `undefined` when it is not on Redis. */
  redisUrl: string | undefined;
  /** Absolute directory of the `files` region. */
  cacheDir: string;
  /** Absolute directory the import files are read from. */
  importDir: string;
}

const DEFAULT_PORT = 3000;

function parsePort(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === '') return DEFAULT_PORT;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new Error(`PORT=${JSON.stringify(raw)} is not a TCP port: use an integer from 0 to 65535, or unset it for ${DEFAULT_PORT}.`);
  }
  return port;
}

function parseServers(raw: string | undefined): string[] {
  return (raw ?? '')
    .split(',')
    .map((server) => server.trim())
    .filter((server) => server !== '');
}

/**
 * Reads the sample's settings from `env`. Relative directories are resolved against `cwd`
 * (default: `process.cwd()`, the repository root under `npm start`).
 *
 * @throws Error for a PORT that is not a TCP port, and when both MEMCACHED_SERVERS and REDIS_URL
 * are set: `functions` has one store, and guessing which one was meant would leave the other
 * silently unused.
 */
export function readSampleSettings(env: SampleEnv, cwd: string = process.cwd()): SampleSettings {
  const memcachedServers = parseServers(env.MEMCACHED_SERVERS);
  const redisUrl = env.REDIS_URL?.trim() || undefined;
  if (memcachedServers.length > 0 && redisUrl !== undefined) {
    // The url is not repeated: it may hold a password.
    throw new Error(
      'MEMCACHED_SERVERS and REDIS_URL are both set, but the "functions" region has one store: ' +
        'unset REDIS_URL to use memcached, or MEMCACHED_SERVERS to use Redis (neither: the in-process memory store).',
    );
  }
  return {
    port: parsePort(env.PORT),
    host: env.HOST?.trim() || '127.0.0.1',
    memcachedServers,
    redisUrl,
    cacheDir: resolve(cwd, env.CACHE_DIR?.trim() || '.cache-regions'),
    importDir: resolve(cwd, env.IMPORT_DIR?.trim() || 'sample-app/imports'),
  };
}

/**
 * The sample's cache regions, built from `env` (see {@link readSampleSettings}):
 * - `functions`: per-user function results for 60 minutes, on memcached when `MEMCACHED_SERVERS`
 *   is set, on Redis when `REDIS_URL` is set (both: refused), else on the in-process memory store;
 * - `files`: import files on the file store under `CACHE_DIR`, for 5 days.
 */
export function buildSampleCacheOptions(env: SampleEnv, cwd: string = process.cwd()): CacheRegionsOptions {
  const settings = readSampleSettings(env, cwd);
  return {
    keyPrefix: 'sample',
    regions: {
      functions: functionsRegion(settings),
      files: { store: 'file', dir: settings.cacheDir, ttl: '5d' },
    },
  };
}

/** The `functions` region: on the shared store the settings name, else in memory. */
function functionsRegion(settings: SampleSettings): RegionOptions {
  if (settings.memcachedServers.length > 0) return { store: 'memcached', servers: settings.memcachedServers, ttl: '60m' };
  if (settings.redisUrl !== undefined) return { store: 'redis', url: settings.redisUrl, ttl: '60m' };
  return { store: 'memory', maxEntries: 10_000, ttl: '60m' };
}

import { resolve } from 'node:path';
import type { CacheRegionsOptions } from '../lib/index.js';

/** The environment variables the sample reads (all optional). */
export interface SampleEnv {
  /** HTTP port. Default: 3000. */
  PORT?: string;
  /** Interface to listen on. Default: `127.0.0.1`, so the sample's admin routes stay local. */
  HOST?: string;
  /** `host:port` of memcached servers, comma-separated. Default: unset → memory store. */
  MEMCACHED_SERVERS?: string;
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
  /** Memcached servers, or an empty list when the `functions` region runs in memory. */
  memcachedServers: string[];
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
 */
export function readSampleSettings(env: SampleEnv, cwd: string = process.cwd()): SampleSettings {
  return {
    port: parsePort(env.PORT),
    host: env.HOST?.trim() || '127.0.0.1',
    memcachedServers: parseServers(env.MEMCACHED_SERVERS),
    cacheDir: resolve(cwd, env.CACHE_DIR?.trim() || '.cache-regions'),
    importDir: resolve(cwd, env.IMPORT_DIR?.trim() || 'sample-app/imports'),
  };
}

/**
 * The sample's cache regions, built from `env` (see {@link readSampleSettings}):
 * - `functions`: per-user function results for 60 minutes, on memcached when `MEMCACHED_SERVERS`
 *   is set, else on the in-process memory store;
 * - `files`: import files on the file store under `CACHE_DIR`, for 5 days.
 */
export function buildSampleCacheOptions(env: SampleEnv, cwd: string = process.cwd()): CacheRegionsOptions {
  const settings = readSampleSettings(env, cwd);
  return {
    keyPrefix: 'sample',
    regions: {
      functions:
        settings.memcachedServers.length > 0
          ? { store: 'memcached', servers: settings.memcachedServers, ttl: '60m' }
          : { store: 'memory', maxEntries: 10_000, ttl: '60m' },
      files: { store: 'file', dir: settings.cacheDir, ttl: '5d' },
    },
  };
}

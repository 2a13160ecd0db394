import { createRequire } from 'node:module';
import { CacheConfigError } from '../../errors.js';

/**
 * The Redis client, an optional peer dependency: apps without a redis region install nothing
 * more. It is looked up (not loaded) when a redis region is created, so a missing package stops
 * the app at startup, and loaded on the store's first connection.
 *
 * ioredis was chosen by measurement over node-redis (README, *redis*): about twice the GET
 * throughput at 1 and 64 callers, and a command timeout that also bounds commands already sent to
 * a hung server, which node-redis's only applies until a command is written.
 */
export const REDIS_CLIENT_PACKAGE = 'ioredis';

/**
 * Throws a {@link CacheConfigError} naming `where` and the package to install when `name` cannot
 * be resolved from this package's place in `node_modules`.
 */
export function checkClientInstalled(where: string, name: string = REDIS_CLIENT_PACKAGE): void {
  try {
    createRequire(import.meta.url).resolve(name);
  } catch {
    throw new CacheConfigError(
      `${where} uses the redis store, which needs the "${name}" package: install it with \`npm install ${name}\` ` +
        '(it is an optional peer dependency of nest-cache-regions).',
    );
  }
}

/** The client's `Redis` class, loaded on first use. */
export async function loadRedisClass(): Promise<typeof import('ioredis').Redis> {
  const client = await import('ioredis');
  return client.Redis;
}

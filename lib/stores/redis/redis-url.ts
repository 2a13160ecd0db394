import { CacheConfigError } from '../../errors.js';

/** Redis's own port, taken when a url gives none. */
export const DEFAULT_REDIS_PORT = 6379;

/** Where a region's Redis is and how to log in, read from its `url`. */
export interface RedisAddress {
  readonly host: string;
  readonly port: number;
  /** The logical database (`SELECT`), 0 unless the url's path names one. */
  readonly db: number;
  /** ACL user name (Redis 6+), when the url has one. */
  readonly username?: string;
  /** Password (`AUTH`), when the url has one. */
  readonly password?: string;
  /** `redis://host:port/db`: the url without its credentials, for logs and messages. */
  readonly shown: string;
}

/** How a url is written, for messages. */
export const REDIS_URL_USAGE =
  `use "redis://[[user]:password@]host[:port][/db]" (port default ${DEFAULT_REDIS_PORT}, db default 0), ` +
  'e.g. "redis://127.0.0.1:6379" or "redis://:secret@cache.internal:6379/2"';

const HOST = /^(?:\[[0-9a-fA-F:.]+\]|[A-Za-z0-9_.-]+)$/;
const DB = /^\/(?:\d{1,5})?$/;

/**
 * Parses `redis://[[user]:password@]host[:port][/db]`; returns undefined for anything else. The
 * one rule for Redis urls: the configuration checks against it too. TLS (`rediss://`) and unix
 * sockets are refused until they are supported and tested; so are query strings, which could
 * carry options this store would silently ignore.
 */
export function parseRedisUrl(text: string): RedisAddress | undefined {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return undefined;
  }
  if (url.protocol !== 'redis:' || url.search !== '' || url.hash !== '' || !HOST.test(url.hostname)) return undefined;
  if (!DB.test(url.pathname === '' ? '/' : url.pathname)) return undefined;
  // URL leaves out the default port of known schemes only; redis is not one, so '' means none.
  const port = url.port === '' ? DEFAULT_REDIS_PORT : Number(url.port);
  if (port < 1) return undefined;
  const db = url.pathname.length > 1 ? Number(url.pathname.slice(1)) : 0;
  const decoded = (part: string) => (part === '' ? undefined : decodeURIComponent(part));
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return {
    host,
    port,
    db,
    username: decoded(url.username),
    password: decoded(url.password),
    shown: `redis://${url.hostname}:${port}/${db}`,
  };
}

/**
 * The addresses of a region's `url` (a string, or a list of one): each a valid url. Several nodes
 * (Redis Cluster) are not supported yet and are refused. Throws a {@link CacheConfigError} naming
 * `where` (e.g. `region "sessions" option "url"`) otherwise.
 */
export function parseRedisUrls(urls: string | readonly string[], where: string): RedisAddress[] {
  const list = typeof urls === 'string' ? [urls] : urls;
  if (list.length === 0) throw new CacheConfigError(`No Redis url in ${where}: give one, ${REDIS_URL_USAGE}.`);
  const addresses = list.map((text) => {
    const address = typeof text === 'string' ? parseRedisUrl(text) : undefined;
    if (!address) throw new CacheConfigError(invalidRedisUrl(text, where));
    return address;
  });
  if (addresses.length > 1) throw new CacheConfigError(severalRedisNodes(addresses.length, where));
  return addresses;
}

/** The urls as logs show them: without credentials. */
export function shownRedisUrls(urls: string | readonly string[]): string {
  return (typeof urls === 'string' ? [urls] : urls).map((url) => parseRedisUrl(url)?.shown ?? withoutPassword(url)).join(', ');
}

/** A url that is not one; the value is shown without its password. */
export const invalidRedisUrl = (value: unknown, where: string) =>
  `Invalid Redis url ${JSON.stringify(typeof value === 'string' ? withoutPassword(value) : value) ?? String(value)} in ${where}: ${REDIS_URL_USAGE}.`;

/** More than one url: Redis Cluster and replicas are not supported yet. */
export const severalRedisNodes = (count: number, where: string) =>
  `${count} Redis urls in ${where}: a redis region talks to one Redis server for now (Redis Cluster, Sentinel and ` +
  'replicas are not supported yet). Give one url, e.g. url: "redis://127.0.0.1:6379".';

/** `text` with the password of a url-like string replaced by `***`, so messages never show it. */
function withoutPassword(text: string): string {
  return text.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*:)[^@/]*@/i, '$1***@');
}

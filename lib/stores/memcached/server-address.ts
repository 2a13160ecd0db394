import { CacheConfigError } from '../../errors.js';

/** memcached's own port, taken when an address gives none. */
export const DEFAULT_MEMCACHED_PORT = 11211;

/** A memcached server address. */
export interface ServerAddress {
  readonly host: string;
  readonly port: number;
  /** `host:port` (`[v6]:port` for IPv6), port always written: its name on the hash ring and in messages. */
  readonly name: string;
}

const ADDRESS = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9_.-]+))(?::(\d{1,5}))?$/;

/** How an address is written, for messages. */
export const SERVER_ADDRESS_USAGE = `use "host:port" (port default ${DEFAULT_MEMCACHED_PORT}), e.g. "127.0.0.1:11211" or "[::1]:11211"`;

/**
 * Parses `host`, `host:port` or `[ipv6]:port`; the port defaults to 11211 and must be 1 to
 * 65535. Host names are letters, digits, `_`, `.` and `-`. Returns undefined for anything else.
 * The one rule for memcached server addresses: the configuration checks against it too.
 */
export function parseServerAddress(text: string): ServerAddress | undefined {
  const match = ADDRESS.exec(text.trim());
  if (!match) return undefined;
  const port = match[3] === undefined ? DEFAULT_MEMCACHED_PORT : Number(match[3]);
  if (port < 1 || port > 65_535) return undefined;
  const v6 = match[1];
  const host = v6 ?? match[2];
  return { host, port, name: v6 === undefined ? `${host}:${port}` : `[${v6}]:${port}` };
}

/**
 * The addresses of a store's `servers`: at least one, each valid and listed once. Throws a
 * {@link CacheConfigError} naming `where` (e.g. `region "functions" option "servers"`) otherwise.
 */
export function parseServerList(servers: readonly string[], where: string): ServerAddress[] {
  if (servers.length === 0) {
    throw new CacheConfigError(`No memcached servers in ${where}: list at least one "host:port".`);
  }
  const addresses = servers.map((text) => {
    const address = parseServerAddress(text);
    if (!address) {
      throw new CacheConfigError(`Invalid memcached server ${JSON.stringify(text)} in ${where}: ${SERVER_ADDRESS_USAGE}.`);
    }
    return address;
  });
  const names = addresses.map((address) => address.name);
  const repeated = names.find((name, index) => names.indexOf(name) !== index);
  if (repeated) {
    throw new CacheConfigError(`Memcached server ${repeated} is listed twice in ${where}: list each server once.`);
  }
  return addresses;
}

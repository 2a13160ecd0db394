import { CacheConfigError } from '../errors.js';
import { isRegionName, REGION_NAME_MAX_LENGTH } from '../region-name.js';
import { RESERVED_REGION_NAMES, reservedRegionName } from './config.messages.js';

/**
 * The one definition of each name the configuration takes: region names, key prefixes and
 * memcached server addresses. `forRoot`, `forRootAsync`, the Beaker/env parser and the stores all
 * check against these, so no two of them can disagree on what is valid.
 */

export { isRegionName, REGION_NAME_MAX_LENGTH } from '../region-name.js';

/**
 * Refuses a region name that is not letters, digits, `_` and `-` (at most 128 of them), or that
 * JavaScript objects treat specially (`__proto__`, `constructor`, `prototype`; in any case where
 * names are `caseInsensitive`, as in the environment). `where` names where it was given, e.g.
 * `CacheRegionsModule options "regions"`.
 */
export function checkRegionName(name: string, where: string, caseInsensitive = false): void {
  if (RESERVED_REGION_NAMES.includes(caseInsensitive ? name.toLowerCase() : name)) {
    throw new CacheConfigError(reservedRegionName(name, where));
  }
  if (!isRegionName(name)) {
    throw new CacheConfigError(
      `Invalid region name ${JSON.stringify(name)} in ${where}: use letters, digits, '_' and '-' only, at most ${REGION_NAME_MAX_LENGTH} of them.`,
    );
  }
}

const KEY_PREFIX = /^[A-Za-z0-9_.-]+$/;

/** Whether `value` is a key prefix: letters, digits, `_`, `.` and `-`. */
export function isKeyPrefix(value: unknown): value is string {
  return typeof value === 'string' && KEY_PREFIX.test(value);
}

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
 * `servers` as a list: an array as is; a string split at `,` or `;` (the form of environment
 * variables and of Beaker's `url`), blanks dropped. Anything else is returned for the caller to refuse.
 */
export function serverList(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  return value
    .split(/[;,]/)
    .map((server) => server.trim())
    .filter((server) => server !== '');
}

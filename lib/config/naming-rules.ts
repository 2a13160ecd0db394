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

// Server addresses are the memcached store's own rule; the configuration checks against it.
export {
  DEFAULT_MEMCACHED_PORT,
  parseServerAddress,
  SERVER_ADDRESS_USAGE,
  type ServerAddress,
} from '../stores/memcached/server-address.js';

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

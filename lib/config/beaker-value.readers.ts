import type { StoreName } from '../cache-regions.options.js';
import { CacheConfigError } from '../errors.js';
import { ttlToMs } from '../ttl.js';
import { badSecretList, badValue, unsupportedType } from './beaker-config.messages.js';
import type { RawEntry } from './beaker-syntax.js';
import { closestName } from './closest-name.js';
import { nulInPath } from './config.messages.js';
import { parseRedisUrls } from '../stores/redis/redis-url.js';
import { isKeyPrefix, parseServerAddress, serverList } from './naming-rules.js';
import { describeBounds, type IntegerBounds } from './option-bounds.js';
import { REGION_OPTIONS, type OptionKind, type RegionOptionSpec } from './region-option-table.js';

/**
 * How the Beaker/env parser reads a flat value (a string, as often as not, from an `.ini` file or
 * the environment): one reader per kind of option in the table. Values come out as `forRoot`
 * takes them (ttls in seconds), so that `forRoot` checks them again on its own terms.
 */

/** A value as the parser hands it on in `RegionOptions`. */
export type Parsed = string | number | boolean | string[];

/** Reads one entry of a kind; the spec gives its bounds and choices. */
type ValueReader = (entry: RawEntry, spec: RegionOptionSpec) => Parsed;

/** The reader of each kind of option in the table. */
export const BEAKER_READERS: { readonly [Kind in OptionKind]: ValueReader } = {
  store: readType,
  ttl: readSeconds,
  integer: (entry, spec) => readInteger(entry, spec.bounds!),
  boolean: readBoolean,
  choice: (entry, spec) => readChoice(entry, spec.choices!),
  string: readString,
  'secret-list': readSecretList,
  path: readPath,
  servers: readServers,
  'redis-url': readRedisUrl,
  'key-prefix': readKeyPrefix,
};

const NUMERIC = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$/i;
const BOOLEAN_WORDS: Readonly<Record<string, boolean>> = {
  true: true, false: false, '1': true, '0': false, yes: true, no: false, on: true, off: false,
};
/** Beaker's names of the stores (`type`): the table's choices, and Beaker's `ext:memcached` and `ext:redis`. */
const TYPE_NAMES: Readonly<Record<string, StoreName>> = {
  memory: 'memory', memcached: 'memcached', 'ext:memcached': 'memcached', redis: 'redis', 'ext:redis': 'redis', file: 'file',
  none: 'none',
};

function readType(entry: RawEntry): StoreName {
  const text = typeof entry.value === 'string' ? entry.value.trim().toLowerCase() : undefined;
  const store = text !== undefined && Object.hasOwn(TYPE_NAMES, text) ? TYPE_NAMES[text] : undefined;
  if (store) {
    return store;
  }
  const suggestion = text ? closestName(text, Object.keys(TYPE_NAMES)) : undefined;
  throw new CacheConfigError(unsupportedType(entry.value, entry.key, suggestion));
}

function readServers(entry: RawEntry): string[] {
  const { value } = entry;
  const parts = serverList(value);
  if (!Array.isArray(parts) || parts.some((part) => typeof part !== 'string')) {
    throw new CacheConfigError(badValue(entry.key, value, 'memcached servers as "host:port", several separated by ";" or ","'));
  }
  // Beaker's memcached clients take a bare host as port 11211; it is written out here.
  const servers = (parts as string[]).map((server) => parseServerAddress(server)?.name ?? server);
  const bad = servers.find((server) => !parseServerAddress(server));
  if (bad !== undefined) {
    throw new CacheConfigError(
      badValue(
        entry.key,
        value,
        `memcached servers as "host:port" separated by ";" or ",", e.g. "10.0.0.1:11211;10.0.0.2:11211" (${JSON.stringify(bad)} is not one)`,
      ),
    );
  }
  // An empty url means the local default server, as in Beaker.
  return servers.length > 0 ? servers : [REGION_OPTIONS.servers.beakerDefault];
}

/**
 * A Redis url (`redis://host:port/db`, as Beaker's redis backend takes it); empty means the local
 * default. Several urls separated by `,` are refused until Redis Cluster is supported. Messages
 * never show the password.
 */
function readRedisUrl(entry: RawEntry, spec: RegionOptionSpec): string {
  if (typeof entry.value !== 'string') {
    throw new CacheConfigError(badValue(entry.key, entry.value, 'a Redis url such as "redis://127.0.0.1:6379"'));
  }
  const urls = entry.value.split(',').map((url) => url.trim()).filter((url) => url !== '');
  if (urls.length === 0) return spec.beakerDefault!;
  parseRedisUrls(urls, `"${entry.key}"`);
  return urls[0];
}

/** A non-empty string. */
export function readString(entry: RawEntry): string {
  if (typeof entry.value !== 'string' || entry.value === '') {
    throw new CacheConfigError(badValue(entry.key, entry.value, 'a non-empty string'));
  }
  return entry.value;
}

/** A list of secrets separated by commas; errors never show the value. */
function readSecretList(entry: RawEntry): string[] {
  const { value } = entry;
  const parts = typeof value === 'string' ? value.split(',') : Array.isArray(value) ? value : undefined;
  const keys = parts?.every((part) => typeof part === 'string')
    ? (parts as string[]).map((part) => part.trim()).filter((part) => part !== '')
    : [];
  if (keys.length === 0) {
    throw new CacheConfigError(badSecretList(entry.key));
  }
  return keys;
}

function readKeyPrefix(entry: RawEntry): string {
  const prefix = typeof entry.value === 'string' ? entry.value.trim() : '';
  if (!isKeyPrefix(prefix)) {
    throw new CacheConfigError(badValue(entry.key, entry.value, 'a key prefix of letters, digits, "_", "." or "-", e.g. "myapp"'));
  }
  return prefix;
}

function readPath(entry: RawEntry): string {
  const path = typeof entry.value === 'string' ? entry.value.trim() : '';
  if (path === '') {
    throw new CacheConfigError(badValue(entry.key, entry.value, 'a directory path, e.g. "/var/cache/app"'));
  }
  if (path.includes('\0')) {
    throw new CacheConfigError(nulInPath(entry.key, 'the cache configuration'));
  }
  return path;
}

/** `true`/`false`/`1`/`0`/`yes`/`no`/`on`/`off` in any case, or a boolean. */
export function readBoolean(entry: RawEntry): boolean {
  const { value } = entry;
  if (typeof value === 'boolean') {
    return value;
  }
  if (typeof value === 'string' || typeof value === 'number') {
    const word = String(value).trim().toLowerCase();
    if (Object.hasOwn(BOOLEAN_WORDS, word)) {
      return BOOLEAN_WORDS[word];
    }
  }
  throw new CacheConfigError(badValue(entry.key, value, 'a boolean: true/false, 1/0, yes/no or on/off'));
}

/** A number, or a finite decimal string such as `'3600'` or `'0.5'`; NaN for anything else. */
function readNumber(value: unknown): number {
  return typeof value === 'number' ? value : typeof value === 'string' && NUMERIC.test(value.trim()) ? Number(value) : NaN;
}

/** An integer within `bounds`. */
export function readInteger(entry: RawEntry, bounds: IntegerBounds): number {
  const number = readNumber(entry.value);
  if (!Number.isInteger(number) || number < bounds.min || (bounds.max !== undefined && number > bounds.max)) {
    const why = bounds.why !== undefined && bounds.max !== undefined && number > bounds.max ? ` (${bounds.why})` : '';
    throw new CacheConfigError(badValue(entry.key, entry.value, describeBounds(bounds) + why));
  }
  return number;
}

/**
 * Seconds ≥ 0, as Beaker writes lifetimes (no duration strings). The lifetime itself is checked
 * by the one ttl parser, ttlToMs, with forRoot's rules (no 1e20, none that rounds to 0 ms).
 */
function readSeconds(entry: RawEntry): number {
  const number = readNumber(entry.value);
  if (!Number.isFinite(number) || number < 0) {
    throw new CacheConfigError(badValue(entry.key, entry.value, 'a number of seconds >= 0 (0 = no expiry), such as 3600'));
  }
  ttlToMs(number, `"${entry.key}"`);
  return number;
}

function readChoice(entry: RawEntry, choices: readonly string[]): string {
  const text = typeof entry.value === 'string' ? entry.value.trim().toLowerCase() : undefined;
  if (text !== undefined && choices.includes(text)) {
    return text;
  }
  throw new CacheConfigError(badValue(entry.key, entry.value, choices.map((c) => `"${c}"`).join(' or ')));
}

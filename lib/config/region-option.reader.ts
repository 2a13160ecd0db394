import type { StoreName } from '../cache-regions.options.js';
import { CacheConfigError } from '../errors.js';
import type { CacheStore } from '../stores/cache-store.js';
import { parseRedisUrls } from '../stores/redis/redis-url.js';
import { ttlToMs } from '../ttl.js';
import { closestName } from './closest-name.js';
import {
  duplicateServer,
  invalidKeyPrefix,
  invalidOption,
  invalidServer,
  invalidSigningKeys,
  invalidStore,
  missingOption,
  nulInPath,
  unknownStore,
  weakSigningKey,
} from './config.messages.js';
import { isKeyPrefix, parseServerAddress, SERVER_ADDRESS_USAGE, serverList } from './naming-rules.js';
import { describeBounds, withinBounds } from './option-bounds.js';
import {
  REGION_OPTIONS,
  type OptionKind,
  type RegionOptionName,
  type RegionOptionSpec,
  type RequiredOption,
} from './region-option-table.js';

/**
 * How `forRoot` reads region options: one reader per kind of option in the table, which checks a
 * given value against the option's spec (bounds, choices) and returns it as the region runs on it
 * (ttls in milliseconds). Absent options take the table's default, or fail when the region's store
 * requires them.
 */

type Spec<Option extends RegionOptionName> = (typeof REGION_OPTIONS)[Option];

/** What each kind of option resolves to. */
interface KindValue {
  store: StoreName | CacheStore;
  ttl: number;
  integer: number;
  boolean: boolean;
  choice: string;
  string: string;
  'secret-list': string[];
  path: string;
  servers: string[];
  'redis-url': string[];
  'key-prefix': string;
}

/** The default of `option` in the table (a literal type), or undefined for none. */
type DefaultOf<Option extends RegionOptionName> = Spec<Option> extends { default: infer Value } ? Value : undefined;

/** What reading `option` gives: a value of its kind (one of its choices), or its default. */
export type OptionValue<Option extends RegionOptionName> =
  | (Spec<Option> extends { kind: 'choice'; choices: readonly (infer Choice)[] } ? Choice : KindValue[Spec<Option>['kind']])
  | DefaultOf<Option>;

/** Reads a given (not undefined) value of one kind; `option` and `where` name it in messages. */
type KindReader = (value: unknown, option: string, spec: RegionOptionSpec, where: string) => unknown;

const READERS: { readonly [Kind in OptionKind]: KindReader } = {
  store: (value, _option, spec, where) => readStore(value, spec, where),
  ttl: (value, option, _spec, where) => ttlToMs(value as string | number, `${where} option "${option}"`),
  integer: readInteger,
  boolean: (value, option, _spec, where) => {
    if (typeof value !== 'boolean') throw new CacheConfigError(invalidOption(option, where, 'true or false', value));
    return value;
  },
  choice: (value, option, spec, where) => {
    const choices = spec.choices!;
    if (typeof value !== 'string' || !choices.includes(value)) {
      throw new CacheConfigError(invalidOption(option, where, choices.map((a) => `'${a}'`).join(' or '), value));
    }
    return value;
  },
  string: readString,
  'secret-list': (value, _option, _spec, where) => readSigningKeys(value, where),
  path: (value, option, spec, where) => {
    // No file system accepts a NUL byte: every read and write of the region would fail.
    const path = readString(value, option, spec, where);
    if (path.includes('\0')) throw new CacheConfigError(nulInPath(option, where));
    return path;
  },
  servers: (value, _option, _spec, where) => readServers(value, where),
  'redis-url': (value, option, _spec, where) => readRedisUrls(value, option, where),
  'key-prefix': (value, _option, _spec, where) => readKeyPrefix(value, where),
};

/** The message of each option some store requires, when a region of that store leaves it out. */
const MISSING: { readonly [Option in RequiredOption]: (where: string) => string } = missingOption;

/** Reads one region's merged options (its own over `defaults`); `where` prefixes every message. */
export class RegionOptionReader {
  /**
   * @param values the region's options, already checked for names and for fitting its store.
   * @param store the region's built-in store, undefined for a custom `CacheStore`.
   */
  constructor(
    private readonly values: Readonly<Record<string, unknown>>,
    private readonly where: string,
    private readonly store: StoreName | undefined,
  ) {}

  /**
   * `option` checked and converted by the reader of its kind; the table's default when not given.
   * @throws CacheConfigError for a value its spec refuses, or when the region's store requires it.
   */
  read<Option extends RegionOptionName>(option: Option): OptionValue<Option> {
    const spec: RegionOptionSpec = REGION_OPTIONS[option];
    const value = this.values[option];
    if (value === undefined) {
      if (this.store !== undefined && spec.requiredOn?.includes(this.store)) {
        throw new CacheConfigError(MISSING[option as RequiredOption](this.where));
      }
      return spec.default as OptionValue<Option>;
    }
    return READERS[spec.kind](value, option, spec, this.where) as OptionValue<Option>;
  }
}

/** A store name from the table's choices, or a `CacheStore`; `'memory'` when not given. */
export function readStore(value: unknown, spec: RegionOptionSpec, where: string): StoreName | CacheStore {
  if (value === undefined) return spec.default as StoreName;
  const stores = spec.choices as readonly StoreName[];
  if (typeof value === 'string') {
    if ((stores as readonly string[]).includes(value)) return value as StoreName;
    throw new CacheConfigError(unknownStore(value, where, closestName(value, stores), stores));
  }
  if (isCacheStore(value)) return value;
  throw new CacheConfigError(invalidStore(where, stores));
}

/** A key prefix (see naming-rules.ts), or undefined when not given. */
export function readKeyPrefix(value: unknown, where: string): string | undefined {
  if (value === undefined) return undefined;
  if (!isKeyPrefix(value)) throw new CacheConfigError(invalidKeyPrefix(value, where));
  return value;
}

function isCacheStore(value: unknown): value is CacheStore {
  if (typeof value !== 'object' || value === null) return false;
  const store = value as Partial<CacheStore>;
  return (
    ['get', 'set', 'delete', 'has', 'clear'].every(
      (method) => typeof (store as Record<string, unknown>)[method] === 'function',
    ) &&
    typeof store.keyLimits === 'object' &&
    typeof store.keyLimits?.maxBytes === 'number'
  );
}

function readInteger(value: unknown, option: string, spec: RegionOptionSpec, where: string): number {
  const bounds = spec.bounds!;
  if (!withinBounds(value, bounds)) {
    const why = bounds.max !== undefined && typeof value === 'number' && value > bounds.max ? bounds.why : undefined;
    throw new CacheConfigError(invalidOption(option, where, describeBounds(bounds), value, why));
  }
  return value;
}

function readString(value: unknown, option: string, _spec: RegionOptionSpec, where: string): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new CacheConfigError(invalidOption(option, where, 'a non-empty string', value));
  }
  return value;
}

/**
 * A non-empty list of `host:port` addresses, each listed once (one server twice would hold two
 * places on the hash ring under one name); a string is split at `,` and `;`.
 */
function readServers(value: unknown, where: string): string[] {
  const servers = serverList(value);
  if (!Array.isArray(servers) || servers.length === 0) throw new CacheConfigError(MISSING.servers(where));
  const seen = new Map<string, string>();
  for (const server of servers) {
    const address = typeof server === 'string' ? parseServerAddress(server) : undefined;
    if (!address) throw new CacheConfigError(invalidServer(server, where, SERVER_ADDRESS_USAGE));
    const first = seen.get(address.name);
    if (first !== undefined) throw new CacheConfigError(duplicateServer(server as string, first, address.name, where));
    seen.set(address.name, server as string);
  }
  return servers as string[];
}

/**
 * A Redis url, or a list of them: each valid, and (until Redis Cluster is supported) only one.
 * Messages never show a url's password.
 */
function readRedisUrls(value: unknown, option: string, where: string): string[] {
  const urls = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(urls)) {
    throw new CacheConfigError(invalidOption(option, where, 'a Redis url such as "redis://127.0.0.1:6379"', typeof value));
  }
  parseRedisUrls(urls as unknown[] as string[], `${where} option "${option}"`);
  return [...(urls as string[])];
}

/** Shortest signing key, in bytes of UTF-8: 128 bits. */
const MIN_SIGNING_KEY_BYTES = 16;

/** A non-empty array of strings of at least 16 bytes each; messages never show a key. */
function readSigningKeys(keys: unknown, where: string): string[] {
  if (!Array.isArray(keys) || keys.length === 0) throw new CacheConfigError(invalidSigningKeys(where));
  keys.forEach((key: unknown, index) => {
    if (typeof key !== 'string' || Buffer.byteLength(key) < MIN_SIGNING_KEY_BYTES) {
      const what = typeof key === 'string' ? `${Buffer.byteLength(key)} bytes long` : `a ${typeof key}`;
      throw new CacheConfigError(weakSigningKey(where, index, what, MIN_SIGNING_KEY_BYTES));
    }
  });
  return [...(keys as string[])];
}

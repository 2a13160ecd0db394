import { CacheConfigError } from '../errors.js';
import { badPrefix } from './beaker-config.messages.js';

/**
 * The two spellings of Beaker-style keys: the dotted form (`cache.files.expire`, case-sensitive)
 * and the environment form (`CACHE_FILES_EXPIRE`, case-insensitive). The prefix's last character
 * says which.
 */

/** How keys are spelt under one prefix. */
export interface Syntax {
  readonly prefix: string;
  /** Environment form: `_` separator, case-insensitive. */
  readonly env: boolean;
  /** Spells a key the way the user's prefix does, for messages. */
  key(option: string, region?: string): string;
}

/** One key under the prefix, as given. */
export interface RawEntry {
  /** The key exactly as given. */
  readonly key: string;
  /** The key after the prefix (lower-cased in the environment form). */
  readonly rest: string;
  readonly value: unknown;
}

/**
 * The syntax of `prefix`: `'cache.'` reads the dotted form, `'CACHE_'` the environment form (an
 * upper-case prefix spells keys in upper case in messages).
 * @throws CacheConfigError for a prefix ending in neither `.` nor `_`.
 */
export function makeSyntax(prefix: string): Syntax {
  const separator = prefix.at(-1);
  if (separator !== '.' && separator !== '_') {
    throw new CacheConfigError(badPrefix(prefix));
  }
  const env = separator === '_';
  const upper = env && prefix === prefix.toUpperCase();
  return {
    prefix,
    env,
    key(option, region) {
      const rest = region === undefined ? option : `${region}${separator}${option}`;
      return prefix + (upper ? rest.toUpperCase() : rest);
    },
  };
}

/** The entries of `flat` whose keys start with the prefix; other keys and undefined values are skipped. */
export function readPrefixedEntries(flat: Record<string, unknown>, syntax: Syntax): RawEntry[] {
  const wanted = syntax.env ? syntax.prefix.toLowerCase() : syntax.prefix;
  const entries: RawEntry[] = [];
  for (const [key, value] of Object.entries(flat)) {
    const comparable = syntax.env ? key.toLowerCase() : key;
    if (value === undefined || !comparable.startsWith(wanted)) {
      continue;
    }
    entries.push({ key, rest: comparable.slice(wanted.length), value });
  }
  return entries;
}

import { StoreValueTooLargeError, type StoreEntry } from '../cache-store.js';
import { decodeRedisEntry, encodeRedisEntry } from './entry-format.js';

/** How a redis region takes larger values, for the region's oversize log line. */
export const REDIS_SIZE_REMEDY = "raise the region's maxValueBytes";

/**
 * A region's values in Redis (see entry-format.ts): encodes entries within the region's size
 * limit; decodes the bytes read, and tells once when some were not written by this store.
 */
export class RedisEntryCodec {
  #warnedForeign = false;

  /**
   * @param region the region served, for messages.
   * @param maxValueBytes largest value, in bytes, that {@link encode} lets through.
   * @param warn told, once, that a value was not written by this store.
   */
  constructor(
    private readonly region: string,
    private readonly maxValueBytes: number,
    private readonly warn: (message: string) => void,
  ) {}

  /**
   * The bytes to store. Throws {@link StoreValueTooLargeError} when they exceed `maxValueBytes`,
   * and whatever the value codec throws for a value it cannot serialize.
   */
  encode(entry: StoreEntry): Buffer {
    const bytes = encodeRedisEntry(entry);
    if (bytes.length > this.maxValueBytes) {
      throw new StoreValueTooLargeError(bytes.length, this.maxValueBytes, REDIS_SIZE_REMEDY);
    }
    return bytes;
  }

  /** The entry in bytes read under `redisKey` (null: none), or `undefined` when expired or not this store's. */
  decode(bytes: Buffer | null, redisKey: string): StoreEntry | undefined {
    if (bytes === null) return undefined;
    const entry = decodeRedisEntry(bytes, Date.now());
    if (entry === 'foreign' && !this.#warnedForeign) {
      this.#warnedForeign = true;
      this.warn(
        `redis region "${this.region}": the value under "${redisKey}" was not written by this store ` +
          '(another client or an incompatible version); such values read as misses.',
      );
    }
    return typeof entry === 'string' ? undefined : entry;
  }
}

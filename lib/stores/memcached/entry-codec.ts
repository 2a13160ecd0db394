import { StoreValueTooLargeError, type StoreEntry } from '../cache-store.js';
import { decodeEntry, encodeEntry, type EntrySigning } from './entry-format.js';
import { EntrySigner } from './entry-signer.js';

/** How a memcached region takes larger values, for the region's oversize log line. */
export const MEMCACHED_SIZE_REMEDY = "raise the region's maxValueBytes (and memcached's -I item size)";

/** Options of an {@link EntryCodec}. */
export interface EntryCodecOptions {
  /** The region served, for messages. */
  region: string;
  /** Largest item, in bytes, that {@link EntryCodec.encode} lets through. */
  maxValueBytes: number;
  /** HMAC keys: items are signed with the first and read only when signed with one of them. */
  signingKeys?: readonly string[];
  /** Told, once, that an item was not written by this store. */
  warn(message: string): void;
}

/**
 * A region's items in memcached (see entry-format.ts): encodes entries within the region's size
 * limit, signed when it has `signingKeys`; decodes the bytes read, and tells once when some were
 * not written by this store.
 */
export class EntryCodec {
  private readonly region: string;
  private readonly maxValueBytes: number;
  private readonly signer: EntrySigner | undefined;
  private readonly warn: (message: string) => void;
  private warnedForeign = false;

  constructor(options: EntryCodecOptions) {
    this.region = options.region;
    this.maxValueBytes = options.maxValueBytes;
    this.signer = options.signingKeys?.length ? new EntrySigner(options.signingKeys) : undefined;
    this.warn = options.warn;
  }

  /**
   * The item to store under `cacheKey`. Throws {@link StoreValueTooLargeError} when it exceeds
   * `maxValueBytes`, and whatever the value codec throws for a value it cannot serialize.
   */
  encode(entry: StoreEntry, cacheKey: string): Buffer {
    const bytes = encodeEntry(entry, this.signing(cacheKey));
    if (bytes.length > this.maxValueBytes) {
      throw new StoreValueTooLargeError(bytes.length, this.maxValueBytes, MEMCACHED_SIZE_REMEDY);
    }
    return bytes;
  }

  /** The entry in an item read under `cacheKey`, or `undefined` when expired or not this store's. */
  decode(bytes: Buffer, cacheKey: string): StoreEntry | undefined {
    const entry = decodeEntry(bytes, Date.now(), this.signing(cacheKey));
    if (entry === 'foreign') this.noteForeign(cacheKey);
    return typeof entry === 'string' ? undefined : entry;
  }

  /** How items under `cacheKey` are signed and checked; `undefined` without `signingKeys`. */
  private signing(cacheKey: string): EntrySigning | undefined {
    return this.signer === undefined ? undefined : { signer: this.signer, cacheKey };
  }

  private noteForeign(cacheKey: string): void {
    if (this.warnedForeign) return;
    this.warnedForeign = true;
    this.warn(
      `memcached region "${this.region}": the item under "${cacheKey}" was not written by this store ` +
        (this.signer === undefined
          ? '(another client or an incompatible version); such items read as misses.'
          : '(another client, an incompatible version, or a signature that does not verify with the ' +
            'region\'s signingKeys); such items read as misses.'),
    );
  }
}

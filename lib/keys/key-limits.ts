/** Limits a store puts on the keys it is given. The region fits every key into them. */
export interface StoreKeyLimits {
  /** Maximum key length in UTF-8 bytes. */
  maxBytes: number;
  /** Characters a key must not contain (e.g. whitespace and control characters for memcached). */
  forbidden?: RegExp;
  /**
   * Where `maxBytes` comes from, in a phrase that key-length errors show after the number, e.g.
   * `memcached's 250-byte key limit less 37 bytes of this region's prefix`. Optional; set it
   * when the limit is not the backend's plain figure.
   */
  explain?: string;
}

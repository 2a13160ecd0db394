/** Options of the file store (validated values). */
export interface FileStoreOptions {
  /** Cache directory; the region's entries go under `<dir>/<region>/`. Created on first write. */
  dir: string;
  /** Directory of the short-lived mutex files of `add()`. Default: `<dir>/<region>/.locks`. */
  lockDir?: string;
  /** Bound of the region's entry files, in bytes (LRU eviction). Default: unbounded. */
  maxBytes?: number;
  /** Milliseconds between sweeps of expired, damaged and leftover temporary files. */
  sweepIntervalMs: number;
  /**
   * `'once'`: a payload's checksum is checked on the first read of each version of a file in this
   * process; `'always'`: on every read. Default: `'once'`.
   */
  verifyReads?: 'once' | 'always';
}

/**
 * Base class of every error this package throws. Catch it to handle any cache-regions failure;
 * `name` is the concrete class name, so logs show what went wrong.
 */
export class CacheRegionsError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * Invalid configuration: an unknown option or region, a wrong type, a missing `servers`/`dir`.
 * Thrown at bootstrap, so a misconfigured app refuses to start; also by `set()`, `getOrSet()` and
 * `setStream()` for a ttl no store can keep, before the store is called.
 */
export class CacheConfigError extends CacheRegionsError {}

/**
 * Arguments or a key that cannot form a cache key: a function, a symbol, a circular structure,
 * an empty key. The message names the region, class, method and argument position.
 */
export class CacheKeyError extends CacheRegionsError {}

/** A key over the store's byte limit in a region configured with `onLongKey: 'error'`. */
export class CacheKeyTooLongError extends CacheKeyError {
  constructor(
    message: string,
    /** Length of the key in UTF-8 bytes. */
    readonly byteLength: number,
    /** The store's limit in UTF-8 bytes. */
    readonly maxBytes: number,
  ) {
    super(message);
  }
}

/** A store failed (unreachable, timed out, disk error) and the region was set `failOpen: false`. */
export class CacheStoreError extends CacheRegionsError {}

/** An operation the region's store does not support, such as `getStream` on a memory region. */
export class CacheUnsupportedError extends CacheRegionsError {}

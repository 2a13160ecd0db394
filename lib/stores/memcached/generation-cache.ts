/** Options of a {@link GenerationCache}. */
export interface GenerationCacheOptions {
  /** Reads (or creates) the current generation in memcached. */
  load(): Promise<string>;
  /** Milliseconds a generation read from memcached is used before it is read again. */
  maxAgeMs: number;
  /** Told when the generation cannot be read once the last one known is too old to use. */
  onUnknown?(error: unknown): void;
  /**
   * Milliseconds a caller waits for a refresh past `maxAgeMs` before its operation fails.
   * Default: as long as the read takes.
   */
  maxWaitMs?: number;
  /** Clock, epoch ms. Default: `Date.now`. */
  now?(): number;
}

/** Share of `maxAgeMs` after which a hot cache refreshes in the background, so callers never wait. */
const REFRESH_AHEAD = 0.8;

/**
 * The region's generation as this process last read it, so that each operation does not cost a
 * second round trip. A generation is used for at most `maxAgeMs` after its read *started*: another
 * process's `clear()` is therefore seen within `maxAgeMs` (plus one operation's duration).
 *
 * From 80% of that age a read is started in the background; past it, callers wait for a fresh
 * read, but at most `maxWaitMs`. When a read fails or is that slow (the server holding the
 * generation is down or hung), the operation fails rather than use a generation that a
 * `clear()` elsewhere may have replaced: the region serves nothing (it fails open: misses) until
 * the generation can be read again. Never a pre-clear entry.
 */
export class GenerationCache {
  private value: string | undefined;
  private readAt = 0;
  private reading: Promise<string> | undefined;
  /** Bumped by `set()`, so a read that started before a local clear cannot undo it. */
  private version = 0;
  /** Whether {@link GenerationCacheOptions.onUnknown} was told of the current failure. */
  private told = false;
  /** The wait, bounded by `maxWaitMs`, for the read in `reading`. */
  private bounded: { read: Promise<string>; result: Promise<string> } | undefined;
  private readonly now: () => number;

  constructor(private readonly options: GenerationCacheOptions) {
    this.now = options.now ?? Date.now;
  }

  /** The generation to use now: a string when cached, else a promise of a fresh read. */
  current(): string | Promise<string> {
    const value = this.value;
    if (value === undefined) return this.read();
    const age = this.now() - this.readAt;
    if (age < this.options.maxAgeMs * REFRESH_AHEAD) return value;
    if (age < this.options.maxAgeMs) {
      this.read().catch(() => undefined);
      return value;
    }
    return this.fresh();
  }

  /** Records a generation this process has just written (its own `clear()`). */
  set(generation: string): void {
    this.version++;
    this.value = generation;
    this.readAt = this.now();
    this.told = false;
  }

  /** A fresh read's generation; rejects when the read fails or outlasts `maxWaitMs`. */
  private fresh(): Promise<string> {
    const read = this.read();
    const maxWaitMs = this.options.maxWaitMs;
    if (maxWaitMs === undefined) return read;
    if (this.bounded?.read === read) return this.bounded.result;
    // One timer per read, shared by every caller waiting on it.
    const result = new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        const error = new Error(`the region's generation could not be read within ${maxWaitMs} ms`);
        this.unknown(error);
        reject(error);
      }, maxWaitMs);
      read.then(
        (generation) => {
          clearTimeout(timer);
          resolve(generation);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error);
        },
      );
    });
    // Nobody may be waiting by the time it settles.
    result.catch(() => undefined);
    this.bounded = { read, result };
    return result;
  }

  /** Tells `onUnknown` once per failure (until a read succeeds again). */
  private unknown(error: unknown): void {
    if (this.told) return;
    this.told = true;
    this.options.onUnknown?.(error);
  }

  private read(): Promise<string> {
    if (this.reading) return this.reading;
    const startedAt = this.now();
    const version = this.version;
    const reading = this.options.load().then(
      (generation) => {
        if (this.version === version) {
          this.value = generation;
          this.readAt = startedAt;
          this.told = false;
        }
        return this.value ?? generation;
      },
      (error: unknown) => {
        // Within maxAgeMs of the last read the last generation is still used; past it, nothing.
        if (this.value === undefined || this.now() - this.readAt >= this.options.maxAgeMs) this.unknown(error);
        throw error;
      },
    );
    this.reading = reading;
    const done = () => {
      if (this.reading === reading) this.reading = undefined;
    };
    reading.then(done, done);
    return reading;
  }
}

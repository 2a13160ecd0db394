/** Options of a {@link GenerationCache}. */
export interface GenerationCacheOptions {
  /** Reads (or creates) the current generation in memcached. */
  load(): Promise<string>;
  /** Milliseconds a generation read from memcached is used before it is read again. */
  maxAgeMs: number;
  /** Told when a refresh fails while an older generation keeps being used. */
  onStaleUse?(error: unknown): void;
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
 * read. When a read fails (the server holding the generation is down) the last known generation
 * is kept, so the other servers keep serving; `clear()`s made elsewhere meanwhile are seen once
 * the server is back.
 */
export class GenerationCache {
  private value: string | undefined;
  private readAt = 0;
  private reading: Promise<string> | undefined;
  /** Bumped by `set()`, so a read that started before a local clear cannot undo it. */
  private version = 0;
  private failing = false;
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
    if (age < this.options.maxAgeMs || this.failing) {
      this.read().catch(() => undefined);
      return value;
    }
    return this.read().catch(() => value);
  }

  /** Records a generation this process has just written (its own `clear()`). */
  set(generation: string): void {
    this.version++;
    this.value = generation;
    this.readAt = this.now();
    this.failing = false;
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
          this.failing = false;
        }
        return this.value ?? generation;
      },
      (error: unknown) => {
        if (this.value !== undefined) {
          this.failing = true;
          this.options.onStaleUse?.(error);
        }
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

import { GET, type CommandRouter } from './command-router.js';
import { GenerationCache } from './generation-cache.js';
import { generationKey, newGeneration, parseGeneration } from './key-layout.js';

/**
 * Milliseconds a process uses the generation it read before reading it again, i.e. the longest
 * time until a `clear()` made by another process is seen.
 */
export const MEMCACHED_GENERATION_MAX_AGE_MS = 1_000;

/** Options of a {@link RegionGeneration}. */
export interface RegionGenerationOptions {
  /** The region served, for messages. */
  region: string;
  /** The region's namespace part of every key (see key-layout.ts). */
  nsPart: string;
  /** The region's `timeoutMs`: a caller waits at most half of it for a generation read. */
  timeoutMs: number;
  /** Told when the generation cannot be read. */
  warn(message: string): void;
}

/**
 * The clear protocol of a memcached region: the generation that every key of the region carries,
 * kept in memcached under `<namespace>|!gen` on its own server (never a fallback), read at most
 * once every {@link MEMCACHED_GENERATION_MAX_AGE_MS} (see generation-cache.ts), created race-free
 * with `add` when there is none, and replaced by `renew()`, which orphans every entry of the old one.
 */
export class RegionGeneration {
  private readonly key: string;
  private readonly cache: GenerationCache;

  constructor(
    private readonly router: CommandRouter,
    options: RegionGenerationOptions,
  ) {
    this.key = generationKey(options.nsPart);
    this.cache = new GenerationCache({
      load: () => this.read(),
      maxAgeMs: MEMCACHED_GENERATION_MAX_AGE_MS,
      // A hung server holding the generation must not hold up every key of the region (the
      // region gives up on a read after timeoutMs): after half of it, the operation fails.
      maxWaitMs: Math.max(1, Math.floor(options.timeoutMs / 2)),
      onUnknown: (error) =>
        options.warn(
          `memcached region "${options.region}": cannot read the region's generation (${(error as Error).message}); ` +
            'the region serves and stores nothing until it can, so that no entry a clear() elsewhere dropped comes back.',
        ),
    });
  }

  /** The generation to use now: a string when cached (the common case), else a promise of a read. */
  current(): string | Promise<string> {
    return this.cache.current();
  }

  /** Writes a new generation: this process uses it at once, others within the max age. */
  async renew(): Promise<void> {
    const generation = newGeneration();
    await this.write(generation);
    this.cache.set(generation);
  }

  /** Reads the region's generation, creating it (race-free, with `add`) when there is none. */
  private async read(): Promise<string> {
    const key = this.key;
    const read = () => this.router.call('get', key, 'owner', GET);
    const value = await read();
    const current = parseGeneration(value);
    if (current) return current;
    const fresh = newGeneration();
    if (!value) {
      const added = await this.router.call<boolean | null>('add', key, 'owner', (client, _key, done) =>
        client.add(key, fresh, { expires: 0 }, done),
      );
      if (added) return fresh;
      // Another process created it first: use theirs.
      const again = parseGeneration(await read());
      if (again) return again;
    }
    // Something else was stored under our generation key: replace it.
    await this.write(fresh);
    return fresh;
  }

  private async write(generation: string): Promise<void> {
    const key = this.key;
    await this.router.call<boolean | null>('set', key, 'owner', (client, _key, done) =>
      client.set(key, generation, { expires: 0 }, done),
    );
  }
}

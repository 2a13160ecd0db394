import type { Client } from 'memjs';
import { CacheConfigError } from '../errors.js';
import type { CacheStore, StoreContext, StoreEntry, StoreKeyLimits } from './cache-store.js';
import { StoreValueTooLargeError } from './cache-store.js';
import { decodeEntry, encodeEntry, type EntrySigning } from './memcached/entry-format.js';
import { EntrySigner } from './memcached/entry-signer.js';
import { MEMCACHED_MAX_EXPIRY_S, toMemcachedExpiry } from './memcached/expiry.js';
import { GenerationCache } from './memcached/generation-cache.js';
import { HashRing } from './memcached/hash-ring.js';
import {
  MEMCACHED_FORBIDDEN_KEY_CHARS,
  MEMCACHED_MAX_KEY_BYTES,
  entryKey,
  generationKey,
  keyOverheadBytes,
  namespacePart,
  newGeneration,
  parseGeneration,
  pingKey,
} from './memcached/key-layout.js';
import { Deadlines } from './memcached/deadlines.js';
import type { MemjsConnection, ServerAddress } from './memcached/memjs-client.js';
import { createMemjsClient, parseServer } from './memcached/memjs-client.js';

/** Options of a {@link MemcachedStore}, already validated and with the region's defaults applied. */
export interface MemcachedStoreOptions {
  /** `host:port` of each server (port default 11211). Keys are spread by a consistent hash ring. */
  servers: string[];
  /** SASL user name. Default: none (no authentication). */
  username?: string;
  /** SASL password. Default: none. */
  password?: string;
  /** Milliseconds to connect, then to get each answer, before an attempt fails. Region default: 500. */
  timeoutMs: number;
  /** Attempts per operation; 1 = no retry. Region default: 2. */
  retries: number;
  /**
   * Largest item sent, in bytes (encoded value plus 23 bytes of header, 39 when signed). Region
   * default: 1 MiB.
   */
  maxValueBytes: number;
  /**
   * HMAC keys (at least 16 bytes each): items are signed with the first and read only when signed
   * with one of them. Default: none (items are not signed).
   */
  signingKeys?: readonly string[];
}

/**
 * Milliseconds a process uses the generation it read before reading it again, i.e. the longest
 * time until a `clear()` made by another process is seen.
 */
export const MEMCACHED_GENERATION_MAX_AGE_MS = 1_000;
/** Milliseconds a failed server is left out of the ring (its keys go to the others) before a retry. */
export const MEMCACHED_FAILOVER_MS = 5_000;
/** How a memcached region takes larger values, for the region's oversize log line. */
const MEMCACHED_SIZE_REMEDY = "raise the region's maxValueBytes (and memcached's -I item size)";
/** Milliseconds between two attempts of one operation. */
const RETRY_DELAY_MS = 100;

/** memjs's callback: an error, or the result. */
type Done<T> = (error: unknown, result?: T) => void;

/**
 * A region's store on one or more memcached servers (memjs).
 *
 * - Keys are `<namespace>|<generation>|<key>`; `clear()` writes a new generation to memcached, so
 *   it drops this region's entries only, and other processes see it within
 *   {@link MEMCACHED_GENERATION_MAX_AGE_MS}.
 * - Servers are chosen by a ketama-style hash ring. A server that times out or refuses is left out
 *   for {@link MEMCACHED_FAILOVER_MS}: its keys go to the next servers on the ring, then it is
 *   tried again. As with every memcached failover, an entry deleted while its server was out can
 *   be read again, until its expiry, once the server is back with its memory intact.
 * - Values keep their types (the shared v8-based codec); `expiresAt` is enforced to the
 *   millisecond on read, and any ttl works, including over 30 days.
 * - Every operation settles: it rejects after at most {@link maxOperationMs} per memcached round
 *   trip (a store operation makes one, plus the generation read at most once a second).
 */
export class MemcachedStore implements CacheStore {
  /** Always `'memcached'`. */
  readonly kind = 'memcached';
  /** 250 bytes minus the namespace and generation prefix; no whitespace or control characters. */
  readonly keyLimits: StoreKeyLimits;
  /**
   * Longest lifetime of an entry written now: memcached keeps expiry times as 32-bit Unix seconds,
   * so every entry ends by 2106-02-07T06:28:15Z. Shrinks as time passes.
   */
  get maxTtlMs(): number {
    return MEMCACHED_MAX_EXPIRY_S * 1_000 - Date.now();
  }
  /**
   * Upper bound, in ms, of one memcached round trip including retries:
   * attempts × 2 × timeoutMs (connect, then answer) + the delays between attempts.
   */
  readonly maxOperationMs: number;

  private readonly region: string;
  private readonly warn: (message: string) => void;
  private readonly servers: readonly ServerAddress[];
  private readonly ring: HashRing;
  private readonly connection: MemjsConnection;
  private readonly deadlines: Deadlines;
  private readonly deadlineMs: number;
  private readonly maxValueBytes: number;
  private readonly nsPart: string;
  private readonly generationKey: string;
  private readonly pingKeys: readonly string[];
  private readonly generation: GenerationCache;
  private readonly signer: EntrySigner | undefined;
  /** Per server, epoch ms until which it is left out of the ring. */
  private readonly downUntil: number[];
  /** Per server, whether its last request failed in transport (refused, reset, timed out). */
  private readonly unreachable: boolean[];
  private anyDownUntil = 0;
  /** Server index that memjs's last `getServer` call returned (memjs calls it synchronously). */
  private lastRouted = 0;
  private inFlight = 0;
  private onDrained: (() => void) | undefined;
  private closing: Promise<void> | undefined;
  private warnedForeign = false;

  /**
   * @param options validated options (see {@link MemcachedStoreOptions}).
   * @param context the region this store serves; `namespace` must be unique per app and region.
   */
  constructor(options: MemcachedStoreOptions, context: StoreContext) {
    this.region = context.region;
    this.warn = (message) => context.warn?.(message);
    const where = `region "${context.region}" option "servers"`;
    if (options.servers.length === 0) {
      throw new CacheConfigError(`No memcached servers in ${where}: list at least one "host:port".`);
    }
    this.servers = options.servers.map((server) => parseServer(server, where));
    const names = this.servers.map((server) => server.name);
    const repeated = names.find((name, index) => names.indexOf(name) !== index);
    if (repeated) {
      throw new CacheConfigError(`Memcached server ${repeated} is listed twice in ${where}: list each server once.`);
    }
    this.ring = new HashRing(names);
    this.downUntil = this.servers.map(() => 0);
    this.unreachable = this.servers.map(() => false);
    this.maxValueBytes = options.maxValueBytes;
    this.signer = options.signingKeys?.length ? new EntrySigner(options.signingKeys) : undefined;

    this.nsPart = namespacePart(context.namespace);
    this.generationKey = generationKey(this.nsPart);
    this.pingKeys = this.findPingKeys();
    const overhead = keyOverheadBytes(this.nsPart);
    this.keyLimits = {
      maxBytes: MEMCACHED_MAX_KEY_BYTES - overhead,
      forbidden: MEMCACHED_FORBIDDEN_KEY_CHARS,
      explain:
        `memcached's ${MEMCACHED_MAX_KEY_BYTES}-byte key limit less ${overhead} bytes of this region's ` +
        `prefix "${this.nsPart}|<generation>|"`,
    };

    const attempts = Math.max(1, Math.floor(options.retries));
    this.maxOperationMs = attempts * 2 * options.timeoutMs + (attempts - 1) * RETRY_DELAY_MS;
    // memjs settles every call within maxOperationMs; the deadline is a backstop in case it does not.
    this.deadlineMs = this.maxOperationMs + RETRY_DELAY_MS;
    this.deadlines = new Deadlines(this.deadlineMs);
    this.connection = createMemjsClient({
      servers: this.servers,
      username: options.username,
      password: options.password,
      timeoutMs: options.timeoutMs,
      attempts,
      retryDelayMs: RETRY_DELAY_MS,
      log: (line) => this.warn(`memcached region "${this.region}": ${line}`),
      route: (key) => (this.lastRouted = this.route(key)),
      // A server that does not answer in time is left out at its first time-out, so that memjs's
      // retry of the requests it failed, and every new request, go to the next server on the ring
      // (another try would cost another timeoutMs). A refused connection costs nothing to retry:
      // that server is left out once the retries have failed too.
      onConnectionFailure: (index, reason) => {
        const message = reason instanceof Error ? reason.message : String(reason);
        if (/timed out/i.test(message)) this.markDown(index, message);
      },
    });
    this.generation = new GenerationCache({
      load: () => this.readGeneration(),
      maxAgeMs: MEMCACHED_GENERATION_MAX_AGE_MS,
      // A hung server holding the generation must not hold up every key of the region (the
      // region gives up on a read after timeoutMs): after half of it, go on with the last one.
      maxWaitMs: Math.max(1, Math.floor(options.timeoutMs / 2)),
      onStaleUse: (error) =>
        this.warn(
          `memcached region "${this.region}": cannot read the region's generation (${(error as Error).message}); ` +
            'keeping the last one, so clear() calls from other processes are not seen until it can be read again.',
        ),
    });
  }

  /** The entry, or `undefined` when missing, expired, or not written by this store's format. */
  async get(key: string): Promise<StoreEntry | undefined> {
    const pendingKey = this.keyFor(key);
    const cacheKey = typeof pendingKey === 'string' ? pendingKey : await pendingKey;
    const value = await this.call<Buffer | null>('get', (client, done) => client.get(cacheKey, done));
    if (!value) return undefined;
    const entry = decodeEntry(value, Date.now(), this.signing(cacheKey));
    if (entry === 'foreign') this.noteForeign(cacheKey);
    return typeof entry === 'string' ? undefined : entry;
  }

  /**
   * Stores the entry (an `expiresAt` already past deletes the key instead). Throws
   * {@link StoreValueTooLargeError} before sending when the item would exceed `maxValueBytes`, or
   * when the server refuses it as too large.
   */
  async set(key: string, entry: StoreEntry): Promise<void> {
    const now = Date.now();
    if (entry.expiresAt !== 0 && entry.expiresAt <= now) {
      await this.delete(key);
      return;
    }
    const cacheKey = await this.keyFor(key);
    const bytes = this.encode(entry, cacheKey);
    const expires = toMemcachedExpiry(entry.expiresAt, now);
    await this.call<boolean | null>(
      'set',
      (client, done) => client.set(cacheKey, bytes, { expires }, done),
      bytes.length,
    );
  }

  /** Stores the entry only when the key holds none; `true` when this call stored it. */
  async add(key: string, entry: StoreEntry): Promise<boolean> {
    const now = Date.now();
    if (entry.expiresAt !== 0 && entry.expiresAt <= now) return false;
    const cacheKey = await this.keyFor(key);
    const bytes = this.encode(entry, cacheKey);
    const expires = toMemcachedExpiry(entry.expiresAt, now);
    const added = await this.call<boolean | null>(
      'add',
      (client, done) => client.add(cacheKey, bytes, { expires }, done),
      bytes.length,
    );
    return added === true;
  }

  /** Deletes the key; `true` when memcached had it. */
  async delete(key: string): Promise<boolean> {
    const cacheKey = await this.keyFor(key);
    return (await this.call<boolean | null>('delete', (client, done) => client.delete(cacheKey, done))) === true;
  }

  /** Whether a live entry of this store's format is there (one `get`). */
  async has(key: string): Promise<boolean> {
    return (await this.get(key)) !== undefined;
  }

  /**
   * Drops every entry of this region, and only of it, by writing a new generation. This process
   * sees it at once, others within {@link MEMCACHED_GENERATION_MAX_AGE_MS}. The old entries stay in
   * memcached, unreachable, until they expire or are evicted.
   */
  async clear(): Promise<void> {
    const generation = newGeneration();
    const key = this.generationKey;
    await this.call<boolean | null>('set', (client, done) => client.set(key, generation, { expires: 0 }, done));
    this.generation.set(generation);
  }

  /** One `get` to every server; rejects naming each server that did not answer. */
  async ping(): Promise<void> {
    const results = await Promise.allSettled(
      this.pingKeys.map((key) => this.call<Buffer | null>('ping', (client, done) => client.get(key, done))),
    );
    const failed = results.flatMap((result) =>
      result.status === 'rejected' ? [(result.reason as Error).message] : [],
    );
    if (failed.length > 0) throw new Error(failed.join('; '));
  }

  /**
   * Server count, and how many are down: left out of the ring after failures, or (a lone server
   * included) whose last request failed in transport — refused, reset or timed out — and that has
   * not answered since.
   */
  describe(): Record<string, number> {
    const now = Date.now();
    return {
      servers: this.servers.length,
      serversDown: this.downUntil.filter((until, index) => until > now || this.unreachable[index]).length,
      maxValueBytes: this.maxValueBytes,
    };
  }

  /**
   * Waits for operations in flight to settle (at most {@link maxOperationMs} + 1 s), then destroys
   * every connection. Later calls reject. No socket or timer of this store remains afterwards.
   */
  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  /** The memcached key that `key` maps to now (current generation). For debugging and tests. */
  async cacheKey(key: string): Promise<string> {
    return this.keyFor(key);
  }

  /** `cacheKey`, synchronously when the generation is cached (the common case: no extra tick). */
  private keyFor(key: string): string | Promise<string> {
    const bytes = Buffer.byteLength(key);
    if (bytes > this.keyLimits.maxBytes) {
      throw new RangeError(
        `memcached region "${this.region}": key of ${bytes} bytes exceeds the store's limit of ` +
          `${this.keyLimits.maxBytes} bytes (${this.keyLimits.explain}); keys must be fitted to keyLimits first.`,
      );
    }
    const generation = this.generation.current();
    return typeof generation === 'string'
      ? entryKey(this.nsPart, generation, key)
      : generation.then((current) => entryKey(this.nsPart, current, key));
  }

  /** How items under `cacheKey` are signed and checked; `undefined` without `signingKeys`. */
  private signing(cacheKey: string): EntrySigning | undefined {
    return this.signer === undefined ? undefined : { signer: this.signer, cacheKey };
  }

  private encode(entry: StoreEntry, cacheKey: string): Buffer {
    const bytes = encodeEntry(entry, this.signing(cacheKey));
    if (bytes.length > this.maxValueBytes) {
      throw new StoreValueTooLargeError(bytes.length, this.maxValueBytes, MEMCACHED_SIZE_REMEDY);
    }
    return bytes;
  }

  /**
   * Sends one memjs command (callback style: one promise per call, not three), counts it in
   * flight so `close()` can wait for it, rejects it if memjs has not answered by the deadline,
   * and turns a failure into an Error naming the operation, the region and the server.
   */
  private call<T>(op: string, send: (client: Client, done: Done<T>) => void, valueBytes?: number): Promise<T> {
    if (this.closing) {
      return Promise.reject(new Error(`memcached region "${this.region}": the store is closed; ${op} was not sent.`));
    }
    return new Promise<T>((resolve, reject) => {
      let server = 0;
      const finish = (error: unknown, result?: T) => {
        if (--this.inFlight === 0) {
          this.deadlines.clear();
          this.onDrained?.();
        }
        if (error) {
          reject(this.failure(op, server, error, valueBytes));
        } else {
          this.unreachable[server] = false;
          resolve(result as T);
        }
      };
      this.inFlight++;
      const deadline = this.deadlines.start(() =>
        finish(new Error(`no answer within ${this.deadlineMs} ms (client-side deadline)`)),
      );
      const done: Done<T> = (error, result) => {
        if (deadline.settled) return;
        deadline.settled = true;
        finish(error, result);
      };
      this.lastRouted = 0; // memjs skips getServer when there is a single server
      try {
        send(this.connection.client, done);
      } catch (error) {
        done(error);
      }
      server = this.lastRouted;
    });
  }

  private failure(op: string, serverIndex: number, reason: unknown, valueBytes: number | undefined): Error {
    const server = this.servers[serverIndex];
    const message = reason instanceof Error ? reason.message : String(reason);
    if (valueBytes !== undefined && message.endsWith('Value too large')) {
      const error = new StoreValueTooLargeError(valueBytes, this.maxValueBytes, MEMCACHED_SIZE_REMEDY);
      error.message =
        `value of ${valueBytes} bytes was refused by memcached ${server.name} as too large: its item ` +
        `size limit (memcached -I) is below the region's maxValueBytes (${this.maxValueBytes}); ` +
        'lower maxValueBytes or raise -I.';
      return error;
    }
    let hint = '';
    if (/authentication/i.test(message)) {
      hint = ' Check the region options "username" and "password" (SASL).';
    } else if (!message.startsWith('MemJS ')) {
      // Not an answer from memcached but a transport failure: refused, reset, or timed out.
      this.unreachable[serverIndex] = true;
      this.markDown(serverIndex, message);
    } else {
      this.unreachable[serverIndex] = false;
    }
    const what = message.replace(/\.$/, '');
    return new Error(`memcached ${op} failed for region "${this.region}" on ${server.name}: ${what}.${hint}`, {
      cause: reason,
    });
  }

  private markDown(serverIndex: number, message: string): void {
    const now = Date.now();
    if (this.servers.length === 1 || this.downUntil[serverIndex] > now) return;
    this.downUntil[serverIndex] = now + MEMCACHED_FAILOVER_MS;
    this.anyDownUntil = Math.max(this.anyDownUntil, this.downUntil[serverIndex]);
    this.warn(
      `memcached region "${this.region}": server ${this.servers[serverIndex].name} failed (${message}); ` +
        `its keys go to the other servers for ${MEMCACHED_FAILOVER_MS / 1_000} s, then it is tried again.`,
    );
  }

  /** Server index for a memcached key: the ring's choice, skipping servers that recently failed. */
  private route(cacheKey: string): number {
    const now = Date.now();
    // The generation and ping keys stay on their own server: a generation re-created elsewhere
    // during an outage would hide every entry, then bring stale ones back when the server returns.
    if (this.anyDownUntil <= now || cacheKey.startsWith('!', this.nsPart.length + 1)) {
      return this.ring.lookup(cacheKey);
    }
    return this.ring.lookupLive(cacheKey, (index) => this.downUntil[index] > now);
  }

  /** Reads the region's generation, creating it (race-free, with `add`) when there is none. */
  private async readGeneration(): Promise<string> {
    const key = this.generationKey;
    const read = () => this.call<Buffer | null>('get', (client, done) => client.get(key, done));
    const value = await read();
    const current = parseGeneration(value);
    if (current) return current;
    const fresh = newGeneration();
    if (!value) {
      const added = await this.call<boolean | null>('add', (client, done) =>
        client.add(key, fresh, { expires: 0 }, done),
      );
      if (added) return fresh;
      // Another process created it first: use theirs.
      const again = parseGeneration(await read());
      if (again) return again;
    }
    // Something else was stored under our generation key: replace it.
    await this.call<boolean | null>('set', (client, done) => client.set(key, fresh, { expires: 0 }, done));
    return fresh;
  }

  /** One key per server that the ring puts on that server, for `ping()`. */
  private findPingKeys(): string[] {
    const keys: (string | undefined)[] = this.servers.map(() => undefined);
    let missing = keys.length;
    // Every server owns 160 points, so a few hundred candidates cover them all; the bound only
    // guards against a ring that ever gave a server no points.
    for (let i = 0; missing > 0 && i < 100_000; i++) {
      const key = pingKey(this.nsPart, i);
      const owner = this.ring.lookup(key);
      if (keys[owner] === undefined) {
        keys[owner] = key;
        missing--;
      }
    }
    return keys.map((key, index) => key ?? pingKey(this.nsPart, -index - 1));
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

  private async shutDown(): Promise<void> {
    if (this.inFlight > 0) {
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.onDrained = undefined;
          resolve();
        };
        const timer = setTimeout(done, this.maxOperationMs + 1_000);
        this.onDrained = done;
      });
    }
    this.deadlines.clear();
    await this.connection.destroy();
  }
}

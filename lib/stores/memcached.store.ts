import type { Client } from 'memjs';
import { isInternalSpaceKey } from '../keys/key-space.js';
import type { CacheStore, StoreContext, StoreEntry, StoreKeyLimits, StoreSetOptions } from './cache-store.js';
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
import { Deadlines } from '../deadlines.js';
import { routeKey, ServerStates, type Route, type RoutePlan } from './memcached/server-routing.js';
import type { MemjsConnection } from './memcached/memjs-client.js';
import { createMemjsClient } from './memcached/memjs-client.js';
import { parseServerList, type ServerAddress } from './memcached/server-address.js';

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
  /**
   * Milliseconds a failover copy lives: the value a miss stores on a key's fallback server while
   * its own server is out. 0 = no failover copies. Default: {@link MEMCACHED_DEFAULT_FAILOVER_TTL_MS}.
   */
  failoverTtlMs?: number;
}

/**
 * Milliseconds a process uses the generation it read before reading it again, i.e. the longest
 * time until a `clear()` made by another process is seen.
 */
export const MEMCACHED_GENERATION_MAX_AGE_MS = 1_000;
/**
 * Milliseconds a failed server is left out (reads and fills of its keys go to their fallback,
 * everything else fails at once) before it is tried again. Also the longest time two processes
 * disagree about where a key is read after its server returns.
 */
export const MEMCACHED_FAILOVER_MS = 5_000;
/** Default life of a failover copy, in ms: short, so an old copy cannot come back at a later outage. */
export const MEMCACHED_DEFAULT_FAILOVER_TTL_MS = 10_000;
/** How a memcached region takes larger values, for the region's oversize log line. */
const MEMCACHED_SIZE_REMEDY = "raise the region's maxValueBytes (and memcached's -I item size)";
/** Milliseconds between two attempts of one operation. */
const RETRY_DELAY_MS = 100;

/** memjs's callback: an error, or the result. */
type Done<T> = (error: unknown, result?: T) => void;

/** The reason of an operation that no server could take: nothing was sent. */
const NOT_SENT = Symbol('not sent');

/**
 * Whether memjs failed a request in transport (refused, reset, timed out, no answer) rather than
 * with an answer from memcached (its errors start with "MemJS ").
 */
function isTransportFailure(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return !message.startsWith('MemJS ');
}

/** An expiry as memcached's absolute form: Unix seconds (any value over 30 days is read as one). */
function absoluteExpiry(expiresAt: number): number {
  return Math.min(Math.ceil(expiresAt / 1_000), MEMCACHED_MAX_EXPIRY_S);
}

/**
 * A region's store on one or more memcached servers (memjs).
 *
 * - Keys are `<namespace>|<generation>|<key>`; `clear()` writes a new generation to memcached, so
 *   it drops this region's entries only, and other processes see it within
 *   {@link MEMCACHED_GENERATION_MAX_AGE_MS}.
 * - Servers are chosen by a ketama-style hash ring. A key lives on its owner. A server that times
 *   out or refuses is left out for {@link MEMCACHED_FAILOVER_MS}, then tried again; meanwhile only
 *   reads and fills of its keys go elsewhere — to the key's fallback (the next server on the
 *   ring), where fills are short-lived failover copies (`failoverTtlMs`). Direct writes, deletes,
 *   locks and the generation go to the owner or fail, so a returning server never undoes an
 *   acknowledged invalidation (see server-routing.ts); deletes also remove a failover copy.
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
  /** Which servers this process sees failing, and since when. */
  private readonly states: ServerStates;
  /** Attempts per operation (the store retries; memjs makes one attempt per call). */
  private readonly attempts: number;
  private readonly failoverTtlMs: number;
  /** The server of the request being sent: memjs asks for it synchronously while sending. */
  private pinned = 0;
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
    this.servers = parseServerList(options.servers, `region "${context.region}" option "servers"`);
    this.ring = new HashRing(this.servers.map((server) => server.name));
    this.states = new ServerStates(this.servers.length, MEMCACHED_FAILOVER_MS);
    this.failoverTtlMs = options.failoverTtlMs ?? MEMCACHED_DEFAULT_FAILOVER_TTL_MS;
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
    this.attempts = attempts;
    this.maxOperationMs = attempts * 2 * options.timeoutMs + (attempts - 1) * RETRY_DELAY_MS;
    // memjs settles every call within maxOperationMs; the deadline is a backstop in case it does not.
    // It keeps the process running while an operation is in flight, as the socket does.
    this.deadlineMs = this.maxOperationMs + RETRY_DELAY_MS;
    this.deadlines = new Deadlines(this.deadlineMs, true);
    this.connection = createMemjsClient({
      servers: this.servers,
      username: options.username,
      password: options.password,
      timeoutMs: options.timeoutMs,
      // The store retries, routing each attempt itself (a retry may not follow memjs's choice).
      attempts: 1,
      retryDelayMs: RETRY_DELAY_MS,
      log: (line) => this.warn(`memcached region "${this.region}": ${line}`),
      route: () => this.pinned,
      // A server that does not answer in time is left out at its first time-out, so that the retry
      // of the requests it failed, and every new request, go where its keys may (another try would
      // cost another timeoutMs). A refused connection costs nothing to retry: that server is left
      // out once the retries have failed too.
      onConnectionFailure: (index, reason) => {
        const message = reason instanceof Error ? reason.message : String(reason);
        if (/timed out/i.test(message)) this.serverFailed(index, message);
      },
    });
    this.generation = new GenerationCache({
      load: () => this.readGeneration(),
      maxAgeMs: MEMCACHED_GENERATION_MAX_AGE_MS,
      // A hung server holding the generation must not hold up every key of the region (the
      // region gives up on a read after timeoutMs): after half of it, the operation fails.
      maxWaitMs: Math.max(1, Math.floor(options.timeoutMs / 2)),
      onUnknown: (error) =>
        this.warn(
          `memcached region "${this.region}": cannot read the region's generation (${(error as Error).message}); ` +
            'the region serves and stores nothing until it can, so that no entry a clear() elsewhere dropped comes back.',
        ),
    });
  }

  /** The entry, or `undefined` when missing, expired, or not written by this store's format. */
  async get(key: string): Promise<StoreEntry | undefined> {
    const pendingKey = this.keyFor(key);
    const cacheKey = typeof pendingKey === 'string' ? pendingKey : await pendingKey;
    // Locks are read where they are taken: on their key's own server only.
    const plan: RoutePlan = isInternalSpaceKey(key) ? 'owner' : 'read';
    const value = await this.call<Buffer | null>('get', cacheKey, plan, (client, done) => client.get(cacheKey, done));
    if (!value) return undefined;
    const entry = decodeEntry(value, Date.now(), this.signing(cacheKey));
    if (entry === 'foreign') this.noteForeign(cacheKey);
    return typeof entry === 'string' ? undefined : entry;
  }

  /**
   * Stores the entry (an `expiresAt` already past deletes the key instead) on the key's server. A
   * fill (`options.fill`) whose server is out goes to the key's fallback as a failover copy that
   * lives at most `failoverTtlMs`; any other write fails then. Throws
   * {@link StoreValueTooLargeError} before sending when the item would exceed `maxValueBytes`, or
   * when the server refuses it as too large.
   */
  async set(key: string, entry: StoreEntry, options?: StoreSetOptions): Promise<void> {
    const now = Date.now();
    if (entry.expiresAt !== 0 && entry.expiresAt <= now) {
      await this.delete(key);
      return;
    }
    const cacheKey = await this.keyFor(key);
    const bytes = this.encode(entry, cacheKey);
    const expires = toMemcachedExpiry(entry.expiresAt, now);
    const fill = options?.fill === true && this.failoverTtlMs > 0;
    const written = this.call<boolean | null>(
      'set',
      cacheKey,
      fill ? 'fill' : 'owner',
      (client, done, route) => {
        if (!route.failover) {
          client.set(cacheKey, bytes, { expires }, done);
          return;
        }
        const copy = this.failoverCopy(entry, Date.now());
        client.set(cacheKey, this.encode(copy, cacheKey), { expires: toMemcachedExpiry(copy.expiresAt, Date.now()) }, done);
      },
      bytes.length,
    );
    // A direct write replaces the value: a failover copy from an earlier outage must not come back
    // at the next one.
    await Promise.all(fill ? [written] : [written, this.removeFailoverCopy(cacheKey)]);
  }

  /** Deletes a failover copy of `cacheKey` on its fallback, best effort (a copy lives at most failoverTtlMs). */
  private async removeFailoverCopy(cacheKey: string): Promise<void> {
    if (this.failoverTtlMs === 0 || this.servers.length === 1) return;
    await this.call<boolean | null>('delete', cacheKey, 'fallback', (client, done) => client.delete(cacheKey, done)).catch(
      (error: unknown) =>
        this.warn(
          `memcached region "${this.region}": could not remove a possible failover copy (${(error as Error).message}); ` +
            `such a copy is read only while its key's server is out, and lives at most ${this.failoverTtlMs} ms.`,
        ),
    );
  }

  /**
   * Stores the entry only when the key holds none; `true` when this call stored it. For locks: on
   * the key's own server only (never a fallback, where another process would not look), and with
   * an absolute expiry, so that a request a hung server runs when it resumes expires when it was
   * meant to, not a whole ttl later.
   */
  async add(key: string, entry: StoreEntry): Promise<boolean> {
    const now = Date.now();
    if (entry.expiresAt !== 0 && entry.expiresAt <= now) return false;
    const cacheKey = await this.keyFor(key);
    const bytes = this.encode(entry, cacheKey);
    const expires = entry.expiresAt === 0 ? 0 : absoluteExpiry(entry.expiresAt);
    const added = await this.call<boolean | null>(
      'add',
      cacheKey,
      'owner',
      (client, done) => client.add(cacheKey, bytes, { expires }, done),
      bytes.length,
    );
    return added === true;
  }

  /**
   * Deletes the key on its own server — rejecting when that server fails, since a delete that did
   * not reach it would be undone when it returns — and a failover copy on the key's fallback (best
   * effort: a copy left there lives at most `failoverTtlMs`). `true` when the key's server had it.
   */
  async delete(key: string): Promise<boolean> {
    const cacheKey = await this.keyFor(key);
    const owner = this.call<boolean | null>('delete', cacheKey, 'owner', (client, done) => client.delete(cacheKey, done));
    const [removed] = await Promise.all([owner, this.removeFailoverCopy(cacheKey)]);
    return removed === true;
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
    await this.call<boolean | null>('set', key, 'owner', (client, done) => client.set(key, generation, { expires: 0 }, done));
    this.generation.set(generation);
  }

  /** One `get` to every server; rejects naming each server that did not answer. */
  async ping(): Promise<void> {
    const results = await Promise.allSettled(
      this.pingKeys.map((key) => this.call<Buffer | null>('ping', key, 'owner', (client, done) => client.get(key, done))),
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
    return {
      servers: this.servers.length,
      serversDown: this.states.downCount(),
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
    // A UTF-16 code unit takes at most 3 UTF-8 bytes: short keys need no byte count.
    const bytes = key.length * 3 <= this.keyLimits.maxBytes ? 0 : Buffer.byteLength(key);
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
   * Sends one memjs command for `cacheKey` (callback style: one promise per call, not three),
   * routing each attempt by `plan` (see server-routing.ts) and retrying transport failures after
   * {@link RETRY_DELAY_MS}; counts it in flight so `close()` can wait for it, rejects it if memjs
   * has not answered by the deadline, and turns a failure into an Error naming the operation, the
   * region and the server. Nothing is sent when no server may take the request.
   */
  private call<T>(
    op: string,
    cacheKey: string,
    plan: RoutePlan,
    send: (client: Client, done: Done<T>, route: Route) => void,
    valueBytes?: number,
  ): Promise<T> {
    if (this.closing) {
      return Promise.reject(new Error(`memcached region "${this.region}": the store is closed; ${op} was not sent.`));
    }
    return new Promise<T>((resolve, reject) => {
      let attempt = 0;
      let route: Route | undefined;
      const finish = (error: unknown, result?: T) => {
        if (--this.inFlight === 0) {
          this.deadlines.idle();
          this.onDrained?.();
        }
        if (error) {
          reject(this.failure(op, cacheKey, plan, route, error, valueBytes));
        } else {
          this.states.answered(route!.server);
          resolve(result as T);
        }
      };
      this.inFlight++;
      const deadline = this.deadlines.start(() =>
        finish(new Error(`no answer within ${this.deadlineMs} ms (client-side deadline)`)),
      );
      const done: Done<T> = (error, result) => {
        if (deadline.settled) return;
        if (error && attempt < this.attempts && isTransportFailure(error) && !this.closing) {
          setTimeout(sendOnce, RETRY_DELAY_MS);
          return;
        }
        deadline.settled = true;
        finish(error, result);
      };
      const sendOnce = () => {
        if (deadline.settled) return;
        route = routeKey(this.ring, this.states, cacheKey, plan);
        if (route === undefined) {
          deadline.settled = true;
          finish(NOT_SENT);
          return;
        }
        attempt++;
        this.pinned = route.server;
        try {
          send(this.connection.client, done, route);
        } catch (error) {
          done(error);
        }
      };
      sendOnce();
    });
  }

  private failure(
    op: string,
    cacheKey: string,
    plan: RoutePlan,
    route: Route | undefined,
    reason: unknown,
    valueBytes: number | undefined,
  ): Error {
    if (reason === NOT_SENT || route === undefined) return this.notSent(op, cacheKey, plan);
    const serverIndex = route.server;
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
    } else if (isTransportFailure(reason)) {
      // Not an answer from memcached but a transport failure: refused, reset, or timed out.
      this.serverFailed(serverIndex, message);
    } else {
      this.states.answered(serverIndex);
    }
    const what = message.replace(/\.$/, '');
    return new Error(`memcached ${op} failed for region "${this.region}" on ${server.name}: ${what}.${hint}`, {
      cause: reason,
    });
  }

  /** The error of an operation that no server could take (see server-routing.ts). */
  private notSent(op: string, cacheKey: string, plan: RoutePlan): Error {
    const owner = this.servers[this.ring.lookup(cacheKey)].name;
    const fallback = this.servers[this.ring.fallback(cacheKey)].name;
    const why =
      plan === 'fallback'
        ? `the key's fallback server ${fallback} is out`
        : `its key's server ${owner} and the fallback ${fallback} are both out`;
    return new Error(`memcached ${op} for region "${this.region}" was not sent: ${why}.`);
  }

  /** Records a transport failure of a server; logs the start of an outage. */
  private serverFailed(serverIndex: number, message: string): void {
    // A lone server has nowhere to fail over to: it is counted down, and every call still tries it.
    const leaveOut = this.servers.length > 1;
    if (!this.states.failed(serverIndex, leaveOut)) return;
    this.warn(
      `memcached region "${this.region}": server ${this.servers[serverIndex].name} failed (${message})` +
        (leaveOut
          ? `; for ${MEMCACHED_FAILOVER_MS / 1_000} s at a time, reads of its keys go to the next server, misses are stored there for at most ${this.failoverTtlMs} ms, and writes, deletes and locks of its keys fail, until it answers again.`
          : '.'),
    );
  }

  /** The copy of a fill written to a key's fallback: it lives at most `failoverTtlMs`. */
  private failoverCopy(entry: StoreEntry, now: number): StoreEntry {
    const until = now + this.failoverTtlMs;
    if (entry.expiresAt !== 0 && entry.expiresAt <= until) return entry;
    return { value: entry.value, expiresAt: until, freshUntil: entry.freshUntil === 0 ? 0 : Math.min(entry.freshUntil, until) };
  }

  /** Reads the region's generation, creating it (race-free, with `add`) when there is none. */
  private async readGeneration(): Promise<string> {
    const key = this.generationKey;
    const read = () => this.call<Buffer | null>('get', key, 'owner', (client, done) => client.get(key, done));
    const value = await read();
    const current = parseGeneration(value);
    if (current) return current;
    const fresh = newGeneration();
    if (!value) {
      const added = await this.call<boolean | null>('add', key, 'owner', (client, done) =>
        client.add(key, fresh, { expires: 0 }, done),
      );
      if (added) return fresh;
      // Another process created it first: use theirs.
      const again = parseGeneration(await read());
      if (again) return again;
    }
    // Something else was stored under our generation key: replace it.
    await this.call<boolean | null>('set', key, 'owner', (client, done) => client.set(key, fresh, { expires: 0 }, done));
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

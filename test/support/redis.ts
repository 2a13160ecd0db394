/**
 * Test harness: real redis-server processes on free loopback ports, started and stopped by the
 * tests. Never the machine's own Redis: every server is spawned here, on a port the OS picked
 * (6379 is refused outright).
 *
 * `startRedis()` spawns one (`--bind 127.0.0.1 --save '' --appendonly no`) and resolves once it
 * prints its ready line and answers a PING; `useRedis()` does that in a describe block's hooks.
 * No redis-server outlives the tests: `stopAllRedis()` stops them, an `exit` handler kills any
 * left, and a tiny shell watchdog per server kills it within a second if the test process dies
 * without running its handlers (SIGKILL, crash).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import net from 'node:net';
import { delimiter, join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, it } from 'vitest';

/** A redis-server started by {@link startRedis}. */
export interface RedisProcess {
  host: '127.0.0.1';
  port: number;
  /** `'redis://127.0.0.1:<port>'`, as a region's `url`. */
  url: string;
  /** Pid of the current process (changes on `restart()`). */
  readonly pid: number;
  /** SIGKILL and wait for it to exit. */
  kill(): Promise<void>;
  /** SIGSTOP: the server keeps its port and accepts connections but never answers. */
  pause(): void;
  /** SIGCONT after `pause()`. */
  resume(): void;
  /** Start again on the same port (killing it first if running), empty. */
  restart(): Promise<void>;
}

const STANDARD_DIRS = ['/usr/bin', '/usr/sbin', '/usr/local/bin', '/usr/local/sbin'];
/** The machine's own Redis, if it runs one: never started on, stopped or written to by the tests. */
const SYSTEM_REDIS_PORT = 6379;

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

// REDIS_SERVER_BIN, when set, is the only binary considered (also a way to test the no-redis path).
const redisBinary = process.env.REDIS_SERVER_BIN
  ? isExecutable(process.env.REDIS_SERVER_BIN)
    ? process.env.REDIS_SERVER_BIN
    : undefined
  : [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), ...STANDARD_DIRS]
      .map((dir) => join(dir, 'redis-server'))
      .find(isExecutable);

/** Whether a redis-server binary was found (`$REDIS_SERVER_BIN` if set, else `PATH` or /usr/bin). */
export const redisAvailable: boolean = redisBinary !== undefined;

const running = new Set<Instance>();
let exitHandlerInstalled = false;

function installExitHandler(): void {
  if (exitHandlerInstalled) return;
  exitHandlerInstalled = true;
  process.on('exit', () => {
    for (const instance of running) instance.killNow();
  });
}

/** A port that was free a moment ago, never Redis's default one. */
async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = net.createServer();
      server.unref();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const { port } = server.address() as net.AddressInfo;
        server.close(() => resolve(port));
      });
    });
    if (port !== SYSTEM_REDIS_PORT) return port;
  }
}

/** Encodes a command in RESP. */
function resp(args: (string | Buffer)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const arg of args) {
    const bytes = typeof arg === 'string' ? Buffer.from(arg) : arg;
    parts.push(Buffer.from(`$${bytes.length}\r\n`), bytes, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

/** Sends one command and resolves with its reply's raw bytes (a short one: the readiness PING). */
function sendCommand(port: number, args: (string | Buffer)[], timeoutMs = 2_000): Promise<Buffer> {
  if (port === SYSTEM_REDIS_PORT) return Promise.reject(new Error('refusing to talk to the machine\'s own Redis'));
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let reply = Buffer.alloc(0);
    const done = (error?: Error) => {
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve(reply);
    };
    const timer = setTimeout(() => done(new Error(`no answer from 127.0.0.1:${port} within ${timeoutMs} ms`)), timeoutMs);
    socket.once('connect', () => socket.write(resp(args)));
    socket.on('data', (chunk: Buffer) => {
      reply = Buffer.concat([reply, chunk]);
      if (isCompleteReply(reply)) done();
    });
    socket.once('error', (error) => done(error));
    socket.once('close', () => done(new Error(`connection to 127.0.0.1:${port} closed`)));
  });
}

/** Whether `bytes` hold a whole one-line RESP reply (`+PONG`, `-ERR …`). */
function isCompleteReply(bytes: Buffer): boolean {
  return bytes.indexOf('\r\n') >= 0;
}

function processState(pid: number | undefined): string | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return undefined;
  }
}

class Instance implements RedisProcess {
  readonly host = '127.0.0.1' as const;
  readonly url: string;
  private child!: ChildProcess;
  private exited!: Promise<void>;

  constructor(readonly port: number) {
    this.url = `redis://127.0.0.1:${port}`;
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  private get alive(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Spawns redis-server and waits for its ready line and a PONG; rejects with its output if it exits. */
  async spawn(): Promise<void> {
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no'];
    const child = spawn(redisBinary!, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let ready!: () => void;
    const readyLine = new Promise<void>((resolve) => (ready = resolve));
    const collect = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-4_000);
      if (output.includes('Ready to accept connections')) ready();
    };
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    const failed = Promise.race([
      new Promise<never>((_, reject) => child.once('error', reject)),
      this.exited.then(() => {
        throw new Error(`redis-server on port ${this.port} exited (${child.exitCode ?? child.signalCode}): ${output.trim()}`);
      }),
    ]);
    failed.catch(() => undefined);
    running.add(this);
    void this.exited.then(() => running.delete(this));
    watchdog(child.pid!);

    // Milliseconds on an idle machine; the bound is for a busy one.
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`redis-server on port ${this.port} not ready within 15 s: ${output.trim()}`)), 15_000);
    });
    try {
      await Promise.race([readyLine, failed, timeout]);
      const pong = await Promise.race([sendCommand(this.port, ['PING']), failed, timeout]);
      if (!pong.toString().startsWith('+PONG')) throw new Error(`redis-server on port ${this.port} answered PING with ${pong.toString()}`);
    } catch (error) {
      await this.kill();
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  async kill(): Promise<void> {
    if (!this.alive) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }

  killNow(): void {
    if (this.alive) this.child.kill('SIGKILL');
  }

  pause(): void {
    this.child.kill('SIGSTOP');
    // Delivered asynchronously: return once the server is really stopped.
    const deadline = Date.now() + 2_000;
    while (processState(this.child.pid) !== 'T' && Date.now() < deadline) {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2);
    }
  }

  resume(): void {
    if (this.alive) this.child.kill('SIGCONT');
  }

  async restart(): Promise<void> {
    this.resume();
    await this.kill();
    // redis-server sets SO_REUSEADDR; a short retry covers a socket that lingers a moment.
    for (let attempt = 1; ; attempt++) {
      try {
        await this.spawn();
        return;
      } catch (error) {
        if (attempt >= 10) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }
}

/** Kills `pid` within a second of this process dying, whatever way it dies. */
function watchdog(pid: number): void {
  const script =
    `while kill -0 ${process.pid} 2>/dev/null && kill -0 ${pid} 2>/dev/null; do sleep 1; done; ` +
    `kill -0 ${process.pid} 2>/dev/null || kill -9 ${pid} 2>/dev/null`;
  spawn('sh', ['-c', script], { detached: true, stdio: 'ignore' }).unref();
}

/** Starts a redis-server on a free 127.0.0.1 port; a port lost to a race is replaced (up to 5 tries). */
export async function startRedis(): Promise<RedisProcess> {
  if (!redisBinary) {
    throw new Error('redis-server not found: install it with `apt-get install -y redis-server` (or set REDIS_SERVER_BIN).');
  }
  installExitHandler();
  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt++) {
    const instance = new Instance(await freePort());
    try {
      await instance.spawn();
      return instance;
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}

/** Kills every redis-server this process started (paused ones included) and waits for them to exit. */
export async function stopAllRedis(): Promise<void> {
  await Promise.all([...running].map((instance) => instance.kill()));
}

/** Options of {@link useRedis}. */
export interface UseRedisOptions {
  /** A fresh server for each test (for tests that kill or pause it). Default: one per describe block. */
  perTest?: boolean;
}

/**
 * Registers the hooks that start a redis-server for the enclosing describe block (`beforeAll`, or
 * `beforeEach` with `perTest`) and kill it after; returns an accessor for the running server.
 * Call it first in the block (hooks run stacked), inside {@link describeRedis}.
 */
export function useRedis(options: UseRedisOptions = {}): () => RedisProcess {
  let server: RedisProcess | undefined;
  (options.perTest ? beforeEach : beforeAll)(async () => {
    server = await startRedis();
  });
  (options.perTest ? afterEach : afterAll)(async () => {
    await server?.kill();
    server = undefined;
  });
  return () => {
    if (!server) throw new Error('useRedis(): no server yet — it starts in a before hook; use it in hooks and tests.');
    return server;
  };
}

let warnedSkip = false;

/**
 * `describe` for tests that need redis-server. Without the binary: a failing test when
 * `REQUIRE_REDIS=1` (CI), else `describe.skip` plus a loud warning, printed once.
 */
export function describeRedis(name: string, fn: () => void): void {
  if (redisAvailable) {
    describe(name, fn);
    return;
  }
  if (process.env.REQUIRE_REDIS === '1') {
    describe(name, () => {
      it('needs redis-server', () => {
        throw new Error(
          'REQUIRE_REDIS=1 but no redis-server binary was found on PATH or at /usr/bin/redis-server: ' +
            'install it with `apt-get install -y redis-server`.',
        );
      });
    });
    return;
  }
  if (!warnedSkip) {
    warnedSkip = true;
    console.warn(
      [
        '',
        '!'.repeat(78),
        '!!  REDIS TESTS SKIPPED: no redis-server binary on PATH or at /usr/bin/redis-server.',
        '!!  Install it (apt-get install -y redis-server) to run them; CI sets REQUIRE_REDIS=1.',
        '!'.repeat(78),
        '',
      ].join('\n'),
    );
  }
  describe.skip(name, fn);
}

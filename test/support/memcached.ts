/**
 * Test harness: real memcached processes on free loopback ports, started and stopped by the tests.
 *
 * `startMemcached()` spawns one (bound to 127.0.0.1 only) and resolves once it accepts TCP
 * connections; `useMemcached()` does that in a describe block's hooks. No memcached outlives the tests: `stopAllMemcached()` stops them, an `exit` handler
 * kills any left, and a tiny shell watchdog per server kills it within a second if the test
 * process dies without running its handlers (SIGKILL, crash).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, it } from 'vitest';

/** A memcached started by {@link startMemcached}. */
export interface MemcachedProcess {
  host: '127.0.0.1';
  port: number;
  /** `'127.0.0.1:<port>'`, as a region's `servers` entry. */
  address: string;
  /** Pid of the current process (changes on `restart()`). */
  readonly pid: number;
  /** SIGTERM (after SIGCONT, in case it is paused) and wait for it to exit. */
  stop(): Promise<void>;
  /** SIGKILL and wait for it to exit. */
  kill(): Promise<void>;
  /** SIGSTOP: the server keeps its port and accepts connections but never answers. */
  pause(): void;
  /** SIGCONT after `pause()`. */
  resume(): void;
  /** Start again on the same port (stopping first if running), with the same options. */
  restart(): Promise<void>;
}

/** The state letter of a Linux process (`R`, `S`, `T` for stopped…), or undefined when unknown. */
function processState(pid: number | undefined): string | undefined {
  if (pid === undefined) return undefined;
  try {
    // /proc/<pid>/stat: "pid (comm) S ..." — the state follows the closing parenthesis.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return undefined;
  }
}

/** Options of {@link startMemcached}. */
export interface StartMemcachedOptions {
  /** Item memory in MiB (`-m`). Default: 32. */
  memoryMb?: number;
  /** Largest item (`-I`), e.g. `'2m'`. Default: memcached's 1m. */
  maxItemSize?: string;
  /** More command line arguments. */
  extraArgs?: string[];
  /** Require SASL (`-S`) with this one user; needs `saslpasswd2` ({@link saslAvailable}). */
  sasl?: { username: string; password: string };
}

const STANDARD_DIRS = ['/usr/bin', '/usr/sbin', '/usr/local/bin', '/usr/local/sbin'];

function findExecutable(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), ...STANDARD_DIRS];
  return dirs.map((dir) => join(dir, name)).find(isExecutable);
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

// MEMCACHED_BIN, when set, is the only binary considered (also a way to test the no-memcached path).
const memcachedBinary = process.env.MEMCACHED_BIN
  ? isExecutable(process.env.MEMCACHED_BIN)
    ? process.env.MEMCACHED_BIN
    : undefined
  : findExecutable('memcached');
const saslpasswdBinary = findExecutable('saslpasswd2');

/** Whether a memcached binary was found (`$MEMCACHED_BIN` if set, else `PATH` or /usr/bin). */
export const memcachedAvailable: boolean = memcachedBinary !== undefined;
/** Whether SASL tests can run: memcached plus `saslpasswd2` (Debian package sasl2-bin). */
export const saslAvailable: boolean = memcachedAvailable && saslpasswdBinary !== undefined;

const running = new Set<Instance>();
const tempDirs = new Set<string>();
let exitHandlerInstalled = false;

function installExitHandler(): void {
  if (exitHandlerInstalled) return;
  exitHandlerInstalled = true;
  process.on('exit', () => {
    for (const instance of running) instance.killNow();
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  });
}

/** A port that was free a moment ago (the OS picks it; memcached may still lose a race for it). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Writes a sasldb with one user and a SASL config pointing at it; returns the config dir. */
function saslConfig(username: string, password: string): string {
  if (!saslpasswdBinary) {
    throw new Error('SASL tests need saslpasswd2: install it with `apt-get install -y sasl2-bin`.');
  }
  const dir = mkdtempSync(join(tmpdir(), 'ncr-memcached-sasl-'));
  tempDirs.add(dir);
  const db = join(dir, 'sasldb2');
  const result = spawnSync(saslpasswdBinary, ['-p', '-a', 'memcached', '-c', '-f', db, username], {
    input: password,
  });
  if (result.status !== 0) {
    throw new Error(`saslpasswd2 failed (${result.status}): ${result.stderr.toString()}`);
  }
  writeFileSync(join(dir, 'memcached.conf'), `mech_list: plain\nsasldb_path: ${db}\n`);
  return dir;
}

class Instance implements MemcachedProcess {
  readonly host = '127.0.0.1' as const;
  readonly address: string;
  private child!: ChildProcess;
  private exited!: Promise<void>;

  constructor(
    readonly port: number,
    private readonly args: string[],
    private readonly env: NodeJS.ProcessEnv,
  ) {
    this.address = `127.0.0.1:${port}`;
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  private get alive(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Spawns memcached and waits until it accepts connections; rejects with its stderr if it exits. */
  async spawn(): Promise<void> {
    const child = spawn(memcachedBinary!, ['-l', '127.0.0.1', '-p', String(this.port), ...this.args], {
      env: this.env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4_000);
    });
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    const spawnFailed = new Promise<never>((_, reject) => child.once('error', reject));
    spawnFailed.catch(() => undefined);
    running.add(this);
    void this.exited.then(() => running.delete(this));
    watchdog(child.pid!);

    // Milliseconds on an idle machine; the bound is for a busy one.
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      if (!this.alive) {
        const status = child.exitCode ?? child.signalCode;
        throw new Error(`memcached on port ${this.port} exited (${status}): ${stderr.trim()}`);
      }
      if (await Promise.race([accepts(this.port), spawnFailed])) return;
      await sleep(20);
    }
    await this.kill();
    throw new Error(`memcached on port ${this.port} did not accept connections within 15 s: ${stderr.trim()}`);
  }

  async stop(): Promise<void> {
    if (!this.alive) return;
    this.child.kill('SIGTERM');
    this.child.kill('SIGCONT');
    await this.exited;
  }

  async kill(): Promise<void> {
    if (!this.alive) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }

  /** Synchronous last resort for the `exit` handler. */
  killNow(): void {
    if (this.alive) this.child.kill('SIGKILL');
  }

  pause(): void {
    this.child.kill('SIGSTOP');
    // The signal is delivered asynchronously: return only once the server is really stopped, so
    // a request sent next cannot still be answered.
    const deadline = Date.now() + 2_000;
    while (processState(this.child.pid) !== 'T' && Date.now() < deadline) {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2);
    }
  }

  resume(): void {
    this.child.kill('SIGCONT');
  }

  async restart(): Promise<void> {
    await this.stop();
    // The old socket may linger a moment; memcached sets SO_REUSEADDR, so a short retry suffices.
    for (let attempt = 1; ; attempt++) {
      try {
        await this.spawn();
        return;
      } catch (error) {
        if (attempt >= 10) throw error;
        await sleep(100);
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

/**
 * Starts a memcached on a free 127.0.0.1 port and resolves once it accepts connections. A port
 * lost to a race is replaced by another (up to 5 tries).
 */
export async function startMemcached(options: StartMemcachedOptions = {}): Promise<MemcachedProcess> {
  if (!memcachedBinary) {
    throw new Error('memcached not found: install it with `apt-get install -y memcached` (or set MEMCACHED_BIN).');
  }
  installExitHandler();
  const args = ['-U', '0', '-t', '2', '-m', String(options.memoryMb ?? 32)];
  if (options.maxItemSize) args.push('-I', options.maxItemSize);
  // memcached refuses to run as root unless told which user to be.
  if (process.getuid?.() === 0) args.push('-u', 'root');
  const env = { ...process.env };
  if (options.sasl) {
    args.push('-S');
    env.SASL_CONF_PATH = saslConfig(options.sasl.username, options.sasl.password);
  }
  args.push(...(options.extraArgs ?? []));

  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt++) {
    const instance = new Instance(await freePort(), args, env);
    try {
      await instance.spawn();
      return instance;
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}

/** Kills every memcached this process started (paused ones included) and waits for them to exit. */
export async function stopAllMemcached(): Promise<void> {
  // SIGKILL: memcached takes about a second to shut down on SIGTERM, and its data is not needed.
  await Promise.all([...running].map((instance) => instance.kill()));
}

/** Options of {@link useMemcached}. */
export interface UseMemcachedOptions extends StartMemcachedOptions {
  /**
   * A fresh server for each test (started in `beforeEach`, killed in `afterEach`), for tests that
   * kill or pause it. Default: false, one server for the whole describe block.
   */
  perTest?: boolean;
}

/**
 * Registers the hooks that start a memcached for the enclosing describe block (`beforeAll`, or
 * `beforeEach` with `perTest`) and kill it after (`afterAll`/`afterEach`); returns an accessor
 * for the running server, to call in hooks and tests. Call it first in the block: with the
 * suite's `sequence.hooks: 'stack'`, hooks registered after it run once the server is up, and
 * their teardown runs before it is killed. Put it inside {@link describeMemcached}, which decides
 * whether the block runs without a memcached binary.
 */
export function useMemcached(options: UseMemcachedOptions = {}): () => MemcachedProcess {
  const { perTest = false, ...startOptions } = options;
  let server: MemcachedProcess | undefined;
  (perTest ? beforeEach : beforeAll)(async () => {
    server = await startMemcached(startOptions);
  });
  (perTest ? afterEach : afterAll)(async () => {
    await server?.kill();
    server = undefined;
  });
  return () => {
    if (!server) throw new Error('useMemcached(): no server yet — it starts in a before hook; use it in hooks and tests.');
    return server;
  };
}

let warnedSkip = false;
let warnedSaslSkip = false;

/**
 * `describe` for SASL tests: they run when memcached and `saslpasswd2` (Debian package sasl2-bin)
 * are there, else they are skipped with a warning, printed once.
 */
export function describeSasl(name: string, fn: () => void): void {
  if (saslAvailable) {
    describe(name, fn);
    return;
  }
  if (memcachedAvailable && !warnedSaslSkip) {
    warnedSaslSkip = true;
    console.warn('memcached SASL tests skipped: saslpasswd2 not found (apt-get install -y sasl2-bin).');
  }
  describe.skip(name, fn);
}

/**
 * `describe` for tests that need memcached. Without a memcached binary: a failing test when
 * `REQUIRE_MEMCACHED=1` (CI), else `describe.skip` plus a loud warning, printed once.
 */
export function describeMemcached(name: string, fn: () => void): void {
  if (memcachedAvailable) {
    describe(name, fn);
    return;
  }
  if (process.env.REQUIRE_MEMCACHED === '1') {
    describe(name, () => {
      it('needs memcached', () => {
        throw new Error(
          'REQUIRE_MEMCACHED=1 but no memcached binary was found on PATH or at /usr/bin/memcached: ' +
            'install it with `apt-get install -y memcached`.',
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
        '!!  MEMCACHED TESTS SKIPPED: no memcached binary on PATH or at /usr/bin/memcached.',
        '!!  Install it (apt-get install -y memcached) to run them; CI sets REQUIRE_MEMCACHED=1.',
        '!'.repeat(78),
        '',
      ].join('\n'),
    );
  }
  describe.skip(name, fn);
}

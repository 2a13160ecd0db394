/**
 * Child processes for the multi-process scenarios: `node --import bench/support/register.mjs
 * <script.ts>`, talking JSON lines (requests on stdin, answers on stdout).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const REGISTER = fileURLToPath(new URL('../support/register.mjs', import.meta.url));

/** A child running a bench script. */
export interface BenchChild {
  /** Sends one request (a JSON line) and resolves with the child's next answer. */
  request<T = Record<string, unknown>>(message: object): Promise<T>;
  /** Resolves with the child's next answer without sending anything. */
  next<T = Record<string, unknown>>(): Promise<T>;
  /** Ends stdin (the child exits once done) and waits for it to exit. */
  close(): Promise<void>;
  readonly process: ChildProcess;
}

/**
 * Starts `bench/children/<script>` with `args` as JSON in argv. `nodeArgs` go before the script
 * (e.g. `--expose-gc`). A child that exits early rejects pending requests with its stderr.
 */
export function startChild(script: string, args: object = {}, nodeArgs: string[] = []): BenchChild {
  const path = fileURLToPath(new URL(`../children/${script}`, import.meta.url));
  const child = spawn(process.execPath, [...nodeArgs, '--import', REGISTER, path, JSON.stringify(args)], {
    // BENCH_DEBUG=1 shows the children's stderr as it comes; else the tail goes into errors.
    stdio: ['pipe', 'pipe', process.env.BENCH_DEBUG ? 'inherit' : 'pipe'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (text: string) => {
    stderr = (stderr + text).slice(-4_000);
  });
  const answers: unknown[] = [];
  const waiting: { resolve(value: unknown): void; reject(error: Error): void }[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    if (!line.startsWith('{')) return; // stray output (e.g. a log line)
    const answer: unknown = JSON.parse(line);
    const waiter = waiting.shift();
    if (waiter) waiter.resolve(answer);
    else answers.push(answer);
  });
  const exited = new Promise<void>((resolve) => {
    child.on('close', (code, signal) => {
      for (const waiter of waiting.splice(0)) {
        waiter.reject(new Error(`${script} exited (${code ?? signal}) before answering: ${stderr.trim()}`));
      }
      resolve();
    });
  });
  const next = <T>() =>
    new Promise<T>((resolve, reject) => {
      if (answers.length > 0) resolve(answers.shift() as T);
      else if (child.exitCode !== null || child.signalCode !== null) {
        reject(new Error(`${script} has exited: ${stderr.trim()}`));
      } else waiting.push({ resolve: resolve as (value: unknown) => void, reject });
    });
  return {
    process: child,
    next,
    request: <T>(message: object) => {
      child.stdin!.write(`${JSON.stringify(message)}\n`);
      return next<T>();
    },
    close: async () => {
      child.stdin!.end();
      await exited;
    },
  };
}

/** Reads JSON-line requests from stdin, answers each with `handle`'s result (for child scripts). */
export async function serveRequests(handle: (request: Record<string, unknown>) => Promise<object>): Promise<void> {
  const answer = (value: object) => process.stdout.write(`${JSON.stringify(value)}\n`);
  for await (const line of createInterface({ input: process.stdin })) {
    if (line.trim() === '') continue;
    try {
      answer(await handle(JSON.parse(line) as Record<string, unknown>));
    } catch (error) {
      answer({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    }
  }
}

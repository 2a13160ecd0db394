import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const RUNNER = fileURLToPath(new URL('./ts-runner.mjs', import.meta.url));

/** A child process running one of the `file-*.child.ts` scripts. */
export interface FileChild {
  process: ChildProcess;
  /** Lines the child printed so far. */
  lines: string[];
  /** Resolves once the child has printed `line` `count` times in all. */
  waitForLine(line: string, count?: number): Promise<void>;
  /** Resolves when the child has exited, with its exit code or signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends `line` to the child (see `parentSays` in file-child-args.ts). */
  send(line: string): void;
}

/**
 * Starts `test/support/<script>` (a TypeScript module) in its own `node` process through
 * `ts-runner.mjs`, passing `args` as JSON, and `nodeOptions` to `node` itself (`--expose-gc`).
 * stderr is kept for error messages.
 */
export function startFileChild(script: string, args: object, nodeOptions: string[] = []): FileChild {
  const scriptPath = fileURLToPath(new URL(`./${script}`, import.meta.url));
  const child = spawn(process.execPath, [...nodeOptions, RUNNER, scriptPath, JSON.stringify(args)], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const waiters: (() => void)[] = [];
  let stderr = '';
  let pending = '';
  child.stdout!.setEncoding('utf8').on('data', (text: string) => {
    pending += text;
    const parts = pending.split('\n');
    pending = parts.pop() ?? '';
    lines.push(...parts);
    for (const wake of waiters.splice(0)) wake();
  });
  child.stderr!.setEncoding('utf8').on('data', (text: string) => {
    stderr += text;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('close', (code, signal) => {
      for (const wake of waiters.splice(0)) wake();
      resolve({ code, signal });
    });
  });
  const waitForLine = async (line: string, count = 1) => {
    while (lines.filter((item) => item === line).length < count) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`${script} exited (${child.exitCode ?? child.signalCode}) before printing "${line}": ${stderr}`);
      }
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  };
  // A child killed or exited before a send() would make the write fail: that is not an error here.
  child.stdin!.on('error', () => undefined);
  const send = (line: string) => {
    child.stdin!.write(`${line}\n`);
  };
  return { process: child, lines, waitForLine, exited, send };
}

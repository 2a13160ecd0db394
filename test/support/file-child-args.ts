/** The JSON arguments a child script was started with (`ts-runner.mjs <module> <json>`). */
export function childArgs<T>(): T {
  const raw = process.argv[3];
  if (raw === undefined) throw new Error('child script started without its JSON arguments');
  return JSON.parse(raw) as T;
}

/** Writes one line to the parent test. */
export function tellParent(line: string): void {
  process.stdout.write(`${line}\n`);
}

const heard = new Set<string>();
const waiting = new Map<string, (() => void)[]>();
let listening = false;

function listen(): void {
  if (listening) return;
  listening = true;
  let pending = '';
  process.stdin.setEncoding('utf8').on('data', (text: string) => {
    pending += text;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      heard.add(line);
      for (const wake of waiting.get(line)?.splice(0) ?? []) wake();
    }
  });
}

/**
 * Resolves once the parent has sent `line` (`FileChild.send`): a start signal every child gets
 * at the same moment, however long each took to load. Until {@link stopListening}, stdin keeps
 * the child running.
 */
export function parentSays(line: string): Promise<void> {
  listen();
  if (heard.has(line)) return Promise.resolve();
  return new Promise((resolve) => {
    const wakers = waiting.get(line) ?? [];
    wakers.push(resolve);
    waiting.set(line, wakers);
  });
}

/** Whether the parent has sent `line` yet (for loops that run until told to stop). */
export function parentSaid(line: string): boolean {
  listen();
  return heard.has(line);
}

/** Stops listening to the parent, so the child can exit once its work is done. */
export function stopListening(): void {
  process.stdin.destroy();
}

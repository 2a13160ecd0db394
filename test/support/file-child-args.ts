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

/**
 * A bounded, paced load for the reliability tests: `total` calls started at `ratePerSec` (call i
 * is due at i / rate seconds), with at most `concurrency` in flight. Pacing spreads a fixed number
 * of calls over a known duration, so faults injected at fixed times land in the middle of it.
 */
import { setTimeout as sleep } from 'node:timers/promises';

/** What one call of the load did. */
export interface CallRecord {
  /** Index of the call, 0-based. */
  index: number;
  /** `performance.now()` when the call started. */
  startedAt: number;
  /** Milliseconds until it settled. */
  ms: number;
  /** `'ok'`: right value; `'wrong'`: a value other than the expected one; `'threw'`: rejected. */
  outcome: 'ok' | 'wrong' | 'threw';
  /** The rejection, for `'threw'`. */
  error?: unknown;
}

/** Options of {@link runPacedLoad}. */
export interface PacedLoadOptions {
  total: number;
  concurrency: number;
  ratePerSec: number;
  /** Makes call `index`; resolves whether its value was right. */
  call(index: number): Promise<boolean>;
}

/** Runs the load to the end; every call is recorded, none is allowed to escape as a rejection. */
export async function runPacedLoad(options: PacedLoadOptions): Promise<CallRecord[]> {
  const records: CallRecord[] = new Array(options.total);
  const started = performance.now();
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < options.total; index = next++) {
      const due = started + (index * 1_000) / options.ratePerSec;
      const wait = due - performance.now();
      if (wait > 1) await sleep(wait);
      const startedAt = performance.now();
      let outcome: CallRecord['outcome'];
      let error: unknown;
      try {
        outcome = (await options.call(index)) ? 'ok' : 'wrong';
      } catch (caught) {
        outcome = 'threw';
        error = caught;
      }
      records[index] = { index, startedAt, ms: performance.now() - startedAt, outcome, error };
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return records;
}

/** The value at quantile `q` (0..1) of ascending `sorted` values (nearest rank). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/** p50, p99 and max of the calls' latencies, in ms (one decimal). */
export function latencyFigures(records: readonly CallRecord[]): { p50: number; p99: number; max: number } {
  const sorted = records.map((record) => record.ms).sort((a, b) => a - b);
  const round = (ms: number) => Math.round(ms * 10) / 10;
  return { p50: round(quantile(sorted, 0.5)), p99: round(quantile(sorted, 0.99)), max: round(sorted.at(-1) ?? Number.NaN) };
}

/** A Markdown table from rows of equal keys. */
export function markdownTable(rows: readonly Record<string, string | number | boolean>[]): string {
  if (rows.length === 0) return '';
  const columns = Object.keys(rows[0]);
  const line = (cells: readonly unknown[]) => `| ${cells.map(String).join(' | ')} |`;
  return [line(columns), line(columns.map(() => '---')), ...rows.map((row) => line(columns.map((c) => row[c])))].join('\n');
}

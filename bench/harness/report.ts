/**
 * The bench's output: one Markdown table of every scenario, then notes.
 */
import { median, spread } from './stats.js';

/** Outcome of a row that has a target. */
export type Verdict = 'pass' | 'miss' | '';

/** One line of the table. */
export interface Row {
  /** Scenario, e.g. `Memory hit`. */
  scenario: string;
  /** What was measured, e.g. `@Cached (memory region)`. */
  subject: string;
  /** The median with its unit, e.g. `2.41 M ops/s`. */
  value: string;
  /** `±3%` (half range / median over the rounds), or `–` for single measurements. */
  spread: string;
  /** Median of per-round ratios against the scenario's baseline(s), e.g. `0.74× memo`. */
  ratio: string;
  /** The target, e.g. `≥ 0.70× memo`. Empty when the row has none. */
  target: string;
  /** Whether the target was met. */
  result: Verdict;
}

/** Collects rows and notes while the scenarios run. */
export class Report {
  readonly rows: Row[] = [];
  readonly notes: string[] = [];

  /** Adds a row (missing fields print as `–` or empty). */
  add(row: Partial<Row> & Pick<Row, 'scenario' | 'subject' | 'value'>): void {
    this.rows.push({ spread: '–', ratio: '', target: '', result: '', ...row });
  }

  /** Adds a note printed under the table. */
  note(text: string): void {
    this.notes.push(text);
  }

  /** Rows with a target that was missed. */
  get misses(): Row[] {
    return this.rows.filter((row) => row.result === 'miss');
  }

  /** The table and the notes, in Markdown. */
  toMarkdown(): string {
    const header = ['Scenario', 'Subject', 'Median', 'Spread', 'Ratio / detail', 'Target', 'Result'];
    const escape = (text: string) => text.replaceAll('|', '\\|');
    const lines = [
      `| ${header.join(' | ')} |`,
      `| ${header.map((_, i) => (i >= 2 && i <= 4 ? '---:' : '---')).join(' | ')} |`,
      ...this.rows.map(
        (row) =>
          `| ${[row.scenario, row.subject, row.value, row.spread, row.ratio, row.target, row.result]
            .map(escape)
            .join(' | ')} |`,
      ),
    ];
    if (this.notes.length > 0) lines.push('', ...this.notes.map((note) => `- ${note}`));
    return lines.join('\n');
  }
}

/** `2.41 M ops/s`, `48.2 k ops/s`, `950 ops/s`. */
export function formatRate(perSecond: number, unit = 'ops/s'): string {
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(2)} M ${unit}`;
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toFixed(1)} k ${unit}`;
  return `${perSecond.toFixed(0)} ${unit}`;
}

/** `1.24 GB/s`, `812 MB/s` (decimal units, as disks and networks count). */
export function formatBytesRate(bytesPerSecond: number): string {
  if (bytesPerSecond >= 1e9) return `${(bytesPerSecond / 1e9).toFixed(2)} GB/s`;
  return `${(bytesPerSecond / 1e6).toFixed(0)} MB/s`;
}

/** A duration in ms with a fitting unit: `412 ms`, `3.1 µs`, `85 ns`. */
export function formatMs(ms: number): string {
  if (ms >= 1_000) return `${(ms / 1_000).toFixed(2)} s`;
  if (ms >= 10) return `${ms.toFixed(0)} ms`;
  if (ms >= 1) return `${ms.toFixed(1)} ms`;
  if (ms >= 0.001) return `${(ms * 1_000).toFixed(ms >= 0.01 ? 0 : 1)} µs`;
  return `${(ms * 1e6).toFixed(0)} ns`;
}

/** `±3%`. */
export function formatSpread(fraction: number): string {
  return `±${(fraction * 100).toFixed(fraction < 0.1 ? 1 : 0)}%`;
}

/** `0.74×`. */
export function formatRatio(ratio: number): string {
  return `${ratio >= 100 ? ratio.toFixed(0) : ratio >= 10 ? ratio.toFixed(1) : ratio.toFixed(2)}×`;
}

/** Median and spread of samples, formatted with `format`. */
export function summarize(values: readonly number[], format: (value: number) => string): Pick<Row, 'value' | 'spread'> {
  return { value: format(median(values)), spread: formatSpread(spread(values)) };
}

/** `pass` when `value >= min`. */
export function atLeast(value: number, min: number): Verdict {
  return value >= min ? 'pass' : 'miss';
}

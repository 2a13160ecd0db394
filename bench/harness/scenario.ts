/** What every scenario gets and is. */
import type { MemcachedProcess } from '../../test/support/memcached.js';
import type { Report } from './report.js';
import type { Clock } from './throughput.js';

/** Shared state of one bench run. */
export interface ScenarioContext {
  /** Where scenarios add their rows. */
  report: Report;
  /**
   * A memcached the run started on a free loopback port (scenarios must not stop it);
   * `undefined` when there is no memcached binary, in which case scenarios that declare
   * `needsMemcached` are skipped.
   */
  memcached: MemcachedProcess | undefined;
  /** Shorter rounds, for trying the bench out (figures are noisier). */
  quick: boolean;
  /**
   * How CPU-bound comparisons (memory hits, key building) are timed: `'cpu'` (default) counts this
   * process's CPU time, so other load on the machine does not tilt one round; `'wall'` with
   * `--wall-clock`. I/O-bound scenarios always use wall time.
   */
  cpuBoundClock: Clock;
  /** Progress line on stderr (the table goes to stdout). */
  log(message: string): void;
}

/** One scenario of `npm run bench`. */
export interface Scenario {
  /** Id for `--only`, e.g. `memory-hit`. */
  id: string;
  /** Whether the scenario needs memcached (skipped, with a note, when there is none). */
  needsMemcached?: boolean;
  /**
   * Whether the scenario needs a redis-server binary (skipped, with a note, when there is none).
   * Such a scenario starts its own servers on free loopback ports (test/support/redis.ts).
   */
  needsRedis?: boolean;
  /** Runs the scenario and adds its rows. */
  run(context: ScenarioContext): Promise<void>;
}

/** The run's memcached, for scenarios that declare `needsMemcached`. */
export function memcachedOf(context: ScenarioContext): MemcachedProcess {
  if (!context.memcached) throw new Error('This scenario needs memcached; run.ts skips it when there is none.');
  return context.memcached;
}

/**
 * Key building for realistic arguments (a user object of 10 fields, two date strings, an array of
 * 20 ids): nanoseconds per key, and the cost of hashing keys over a store's byte limit.
 */
import { buildCallKey, fitKey } from '../../lib/keys/key-builder.js';
import type { StoreKeyLimits } from '../../lib/stores/cache-store.js';
import { MEMCACHED_FORBIDDEN_KEY_CHARS } from '../../lib/stores/memcached/key-layout.js';
import { realisticArgs } from '../harness/fixtures.js';
import { formatMs, formatRatio, formatSpread } from '../harness/report.js';
import type { Scenario } from '../harness/scenario.js';
import { median, spread } from '../harness/stats.js';
import { compareThroughput, type Subject } from '../harness/throughput.js';

const context = { region: 'functions', className: 'LeaseService', methodName: 'expiration' };
/** A memory region's limits, which the realistic key fits unchanged. */
const memoryLimits: StoreKeyLimits = { maxBytes: 1_024 };
/** A memcached region's limits (250 bytes minus a typical namespace and generation). */
const memcachedLimits: StoreKeyLimits = { maxBytes: 250 - 20, forbidden: MEMCACHED_FORBIDDEN_KEY_CHARS };

/** `--only keys`. */
export const keyBuilding: Scenario = {
  id: 'keys',
  async run({ report, quick, cpuBoundClock, log }) {
    log('key building');
    const logical = buildCallKey('LeaseService.expiration', realisticArgs, context);
    const long1k = `Reports.build|${JSON.stringify('x'.repeat(1_000))}`;
    const long64k = `Reports.build|${JSON.stringify('y'.repeat(64 * 1_024))}`;
    const subjects: Subject[] = [
      { name: 'json', op: () => JSON.stringify(realisticArgs) },
      { name: 'build', op: () => buildCallKey('LeaseService.expiration', realisticArgs, context) },
      {
        name: 'build+fit memory',
        op: () => fitKey(buildCallKey('LeaseService.expiration', realisticArgs, context), memoryLimits, 'hash', context),
      },
      {
        name: 'build+fit memcached',
        op: () =>
          fitKey(buildCallKey('LeaseService.expiration', realisticArgs, context), memcachedLimits, 'hash', context),
      },
      { name: 'hash 1k', op: () => fitKey(long1k, memcachedLimits, 'hash', context) },
      { name: 'hash 64k', op: () => fitKey(long64k, memcachedLimits, 'hash', context) },
    ];
    const result = await compareThroughput(subjects, {
      sync: true,
      clock: cpuBoundClock,
      durationMs: quick ? 80 : 200,
      rounds: quick ? 3 : 7,
      batch: 200,
    });
    const scenario = 'Key building';
    const nsRow = (name: string, subject: string, ratio: string) => {
      const nsPerKey = result.samples.get(name)!.map((opsPerSecond) => 1e3 / opsPerSecond);
      report.add({
        scenario,
        subject,
        value: `${formatMs(median(nsPerKey))}/key`,
        spread: formatSpread(spread(nsPerKey)),
        ratio,
      });
    };
    const vsJson = (name: string) => `${formatRatio(1 / median(result.perRound(name, 'json')))} JSON time`;
    nsRow('json', `\`JSON.stringify(args)\` (reference, ${JSON.stringify(realisticArgs).length} chars)`, '1.00× (baseline)');
    nsRow('build', `key builder: \`Class.method\` + args (${logical.length} chars)`, vsJson('build'));
    nsRow('build+fit memory', 'build + fit, memory limits (kept as is)', vsJson('build+fit memory'));
    nsRow('build+fit memcached', 'build + fit, memcached limits (hashed: over 230 B)', vsJson('build+fit memcached'));
    nsRow('hash 1k', 'fit a 1 KB key (head + SHA-256)', '');
    nsRow('hash 64k', 'fit a 64 KB key (head + SHA-256)', '');
  },
};

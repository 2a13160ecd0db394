import { describe, expect, it } from 'vitest';
import type { RegionOptions, StoreName } from '../../lib/cache-regions.options.js';
import { parseCacheConfigOptions } from '../../lib/config/beaker-config.parser.js';
import {
  REGION_OPTION_NAMES,
  REGION_OPTIONS,
  type OptionKind,
  type RegionOptionName,
  type RegionOptionSpec,
} from '../../lib/config/region-option-table.js';
import { resolveRegionsOptions } from '../../lib/config/resolve-regions-options.js';

const spec = (name: RegionOptionName): RegionOptionSpec => REGION_OPTIONS[name];

/** A valid value of each kind, as forRoot takes it and as a flat (Beaker/env) string. */
const SAMPLES: Record<OptionKind, (spec: RegionOptionSpec) => { forRoot: unknown; flat: string }> = {
  store: () => ({ forRoot: 'memory', flat: 'memory' }),
  ttl: () => ({ forRoot: '2s', flat: '2' }),
  integer: (s) => ({ forRoot: Math.max(s.bounds!.min, 1), flat: String(Math.max(s.bounds!.min, 1)) }),
  boolean: () => ({ forRoot: true, flat: 'yes' }),
  choice: (s) => ({ forRoot: s.choices!.at(-1), flat: s.choices!.at(-1)! }),
  string: () => ({ forRoot: 'app', flat: 'app' }),
  'secret-list': () => ({ forRoot: ['k'.repeat(16)], flat: 'k'.repeat(16) }),
  path: () => ({ forRoot: '/var/cache/app', flat: '/var/cache/app' }),
  servers: () => ({ forRoot: ['127.0.0.1:11211'], flat: '127.0.0.1:11211' }),
  'redis-url': () => ({ forRoot: 'redis://127.0.0.1:6379', flat: 'redis://127.0.0.1:6379' }),
  'key-prefix': () => ({ forRoot: 'p', flat: 'p' }),
};

/** A region of `store` with what that store requires, plus `extra`. */
function region(store: StoreName, extra: RegionOptions = {}): RegionOptions {
  const required: RegionOptions =
    store === 'memcached'
      ? { servers: ['127.0.0.1:11211'] }
      : store === 'redis'
        ? { url: 'redis://127.0.0.1:6379' }
        : store === 'file'
          ? { dir: '/var/cache/app' }
          : {};
  return { store, ...required, ...extra };
}

const STORES: StoreName[] = ['memory', 'memcached', 'redis', 'file', 'none'];

/** Whether another option of `store` has the Beaker name of `name` (`url`: memcached's servers, Redis's url). */
function beakerNameTakenOn(store: StoreName, name: RegionOptionName): boolean {
  return REGION_OPTION_NAMES.some(
    (other) => other !== name && spec(other).beaker === spec(name).beaker && (spec(other).stores?.includes(store) ?? true),
  );
}

describe('the region option table drives forRoot and the Beaker/env parser alike', () => {
  it.each(REGION_OPTION_NAMES)('%s: accepted by both on the stores it applies to, refused by both elsewhere', (name) => {
    const option = spec(name);
    const sample = SAMPLES[option.kind](option);
    for (const store of STORES) {
      const applies = option.stores === undefined || option.stores.includes(store);
      const forRoot = () =>
        resolveRegionsOptions({ regions: { r: name === 'store' ? region(store) : region(store, { [name]: sample.forRoot }) } });
      const beaker = () =>
        parseCacheConfigOptions({
          'cache.regions': 'r',
          'cache.r.type': store,
          ...(store === 'file' && name !== 'dir' ? { 'cache.r.data_dir': '/var/cache/app' } : {}),
          ...(name === 'store' ? {} : { [`cache.r.${option.beaker}`]: sample.flat }),
        });
      if (applies) {
        expect(forRoot, `forRoot, ${store}`).not.toThrow();
        expect(beaker, `parser, ${store}`).not.toThrow();
      } else {
        expect(forRoot, `forRoot, ${store}`).toThrow(new RegExp(`Option "${name}" in region "r" applies to`));
        if (beakerNameTakenOn(store, name)) {
          // The key is that store's own option of the name: read as such (maybe refused), never as this one.
          let parsed: ReturnType<typeof parseCacheConfigOptions> | undefined;
          try {
            parsed = beaker();
          } catch {
            parsed = undefined;
          }
          expect((parsed?.regions.r as Record<string, unknown> | undefined)?.[name], `parser, ${store}`).toBeUndefined();
        } else if (!option.anyStoreInBeaker) expect(beaker, `parser, ${store}`).toThrow(/applies to/);
        else expect(beaker, `parser, ${store} (Beaker took it anywhere)`).not.toThrow();
      }
    }
  });

  it.each(REGION_OPTION_NAMES.filter((name) => name !== 'store'))('%s: the parser sets the same option forRoot reads', (name) => {
    const option = spec(name);
    const store = option.stores?.[0] ?? 'memory';
    const parsed = parseCacheConfigOptions({
      'cache.regions': 'r',
      'cache.r.type': store,
      ...(store === 'file' && name !== 'dir' ? { 'cache.r.data_dir': '/var/cache/app' } : {}),
      [`cache.r.${option.beaker}`]: SAMPLES[option.kind](option).flat,
    });
    expect(Object.keys(parsed.regions.r)).toContain(name);
  });

  it('gives every option its default from the table', () => {
    const [memory] = resolveRegionsOptions({ regions: { r: region('memory') } });
    const [memcached] = resolveRegionsOptions({ regions: { r: region('memcached') } });
    const [file] = resolveRegionsOptions({ regions: { r: region('file') } });
    const resolved: Partial<Record<RegionOptionName, unknown>> = {
      ttl: memory.ttlMs,
      failOpen: memory.failOpen,
      lock: memory.lock,
      lockTtl: memory.lockTtlMs,
      lockWaitMs: memory.lockWaitMs,
      staleTtl: memory.staleTtlMs,
      onLongKey: memory.onLongKey,
      onKeyError: memory.onKeyError,
      breakerThreshold: memory.breakerThreshold,
      breakerCooldownMs: memory.breakerCooldownMs,
      maxEntries: memory.memory.maxEntries,
      clone: memory.memory.clone,
      timeoutMs: memcached.memcached.timeoutMs,
      retries: memcached.memcached.retries,
      maxValueBytes: memcached.memcached.maxValueBytes,
      failoverTtl: memcached.memcached.failoverTtlMs,
      sweepIntervalMs: file.file.sweepIntervalMs,
      verifyReads: file.file.verifyReads,
      store: memory.store,
    };
    for (const name of REGION_OPTION_NAMES) {
      const fallback = spec(name).default;
      if (fallback === undefined) continue;
      expect(resolved[name], name).toBe(fallback);
    }
    expect(Object.keys(resolved).sort()).toEqual(REGION_OPTION_NAMES.filter((name) => spec(name).default !== undefined).sort());
  });
});

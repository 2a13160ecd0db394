import { CacheConfigError } from '../../lib/errors.js';
import { ttlToMs } from '../../lib/ttl.js';

describe('ttlToMs', () => {
  it.each([
    [0, 0],
    [1, 1_000],
    [3_600, 3_600_000],
    [0.5, 500],
    ['500ms', 500],
    ['30s', 30_000],
    ['30', 30_000],
    ['60m', 3_600_000],
    ['12h', 43_200_000],
    ['5d', 432_000_000],
    ['45d', 3_888_000_000],
    [' 2 m ', 120_000],
  ])('%j → %d ms', (ttl, ms) => {
    expect(ttlToMs(ttl, 'test')).toBe(ms);
  });

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY, '', '5 days', '-5s', '1w', 'abc'])(
    'rejects %j with a CacheConfigError naming the option',
    (ttl) => {
      expect(() => ttlToMs(ttl, 'region "files" option "ttl"')).toThrow(CacheConfigError);
      expect(() => ttlToMs(ttl, 'region "files" option "ttl"')).toThrow(/region "files" option "ttl"/);
    },
  );
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fitKey } from '../../lib/keys/key-builder.js';
import { isInternalSpaceKey, lockSpaceKey, userSpaceKey } from '../../lib/keys/key-space.js';
import type { StoreKeyLimits } from '../../lib/stores/cache-store.js';
import { MEMCACHED_FORBIDDEN_KEY_CHARS } from '../../lib/stores/memcached/key-layout.js';
import { awkwardText } from '../reliability/key-arbitraries.js';

const ctx = { region: 'reports' };
const LIMITS: [string, StoreKeyLimits][] = [
  ['memory', { maxBytes: 1_024 }],
  ['memcached', { maxBytes: 230, forbidden: MEMCACHED_FORBIDDEN_KEY_CHARS }],
  ['tight', { maxBytes: 60, forbidden: MEMCACHED_FORBIDDEN_KEY_CHARS }],
];

/** Keys built to look internal: `!`-prefixed, lock-shaped, long enough to be hashed. */
const userKey = fc.oneof(
  awkwardText.filter((text) => text.length > 0),
  fc.tuple(fc.constantFrom('!', '!!', '!lock|', '!!lock|', '!gen', '!lock|!'), awkwardText).map(([a, b]) => a + b),
  fc.tuple(fc.constantFrom('!lock|', ''), fc.string({ minLength: 200, maxLength: 300 })).map(([a, b]) => a + b),
);

describe('key spaces', () => {
  it('keeps a user key unchanged unless it starts with "!"', () => {
    expect(userSpaceKey('report')).toBe('report');
    expect(userSpaceKey('!lock|report')).toBe('!!lock|report');
    expect(userSpaceKey('a!b')).toBe('a!b');
  });

  it.each(LIMITS)('no user key reaches the store key of any lock (%s limits)', (_name, limits) => {
    fc.assert(
      fc.property(userKey, userKey, (a, b) => {
        const userStoreKey = fitKey(userSpaceKey(a), limits, 'hash', ctx);
        const lockStoreKey = fitKey(lockSpaceKey(fitKey(userSpaceKey(b), limits, 'hash', ctx)), limits, 'hash', ctx);
        expect(userStoreKey).not.toBe(lockStoreKey);
        // Nor the lock of its own key, whatever was passed in.
        expect(userStoreKey).not.toBe(fitKey(lockSpaceKey(userStoreKey), limits, 'hash', ctx));
      }),
      { numRuns: 500 },
    );
  });

  it.each(LIMITS)('passing the exact store key of a lock as a user key does not reach it (%s limits)', (_name, limits) => {
    fc.assert(
      fc.property(userKey, (key) => {
        const lockStoreKey = fitKey(lockSpaceKey(fitKey(userSpaceKey(key), limits, 'hash', ctx)), limits, 'hash', ctx);
        expect(fitKey(userSpaceKey(lockStoreKey), limits, 'hash', ctx)).not.toBe(lockStoreKey);
      }),
      { numRuns: 300 },
    );
  });

  it('the user space stays injective: two user keys never meet after escaping', () => {
    fc.assert(
      fc.property(userKey, userKey, (a, b) => {
        if (a !== b) expect(userSpaceKey(a)).not.toBe(userSpaceKey(b));
      }),
      { numRuns: 500 },
    );
  });
});

describe('isInternalSpaceKey', () => {
  it('tells lock keys from user keys, escaped or hashed', () => {
    const limits: StoreKeyLimits = { maxBytes: 230, forbidden: MEMCACHED_FORBIDDEN_KEY_CHARS };
    fc.assert(
      fc.property(userKey, (key) => {
        const userStoreKey = fitKey(userSpaceKey(key), limits, 'hash', ctx);
        expect(isInternalSpaceKey(userStoreKey)).toBe(false);
        expect(isInternalSpaceKey(fitKey(lockSpaceKey(userStoreKey), limits, 'hash', ctx))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CacheKeyError, CacheKeyTooLongError } from '../../lib/errors.js';
import { buildCallKey, fitKey } from '../../lib/keys/key-builder.js';
import type { KeyContext } from '../../lib/keys/key-material.js';
import type { StoreKeyLimits } from '../../lib/stores/cache-store.js';

const ctx: KeyContext = { region: 'functions', className: 'LeaseService', methodName: 'expiration' };
const MEMCACHED: StoreKeyLimits = { maxBytes: 250, forbidden: /[\s\x00-\x1f\x7f]/ };
const FORBIDDEN = /[\s\x00-\x1f\x7f]/;
const bytes = (text: string): number => Buffer.byteLength(text, 'utf8');
const fit = (key: string, limits: StoreKeyLimits = MEMCACHED): string => fitKey(key, limits, 'hash', ctx);

describe('buildCallKey', () => {
  it('reads namespace, then the arguments', () => {
    expect(buildCallKey('LeaseService.expiration', [{ id: 7, name: 'Ann' }, '2024-01-01'], ctx)).toBe(
      'LeaseService.expiration|{id:7,name:"Ann"}|"2024-01-01"',
    );
  });

  it('ends with the separator when there are no arguments', () => {
    expect(buildCallKey('Jobs.list', [], ctx)).toBe('Jobs.list|');
    expect(buildCallKey('Jobs.list', [undefined], ctx)).toBe('Jobs.list|undefined');
  });

  it('escapes the separator in a namespace so it cannot run into the arguments', () => {
    expect(buildCallKey('A|1', [2], ctx)).not.toBe(buildCallKey('A', [1, 2], ctx));
    expect(buildCallKey('A\\', ['x'], ctx)).not.toBe(buildCallKey('A\\|"x"', [], ctx));
    expect(buildCallKey('A|1', [2], ctx)).toBe('A\\|1|2');
  });

  it('keeps different namespaces apart for the same arguments', () => {
    expect(buildCallKey('A.b', [1], ctx)).not.toBe(buildCallKey('A.c', [1], ctx));
  });

  it('throws CacheKeyError for unusable arguments', () => {
    expect(() => buildCallKey('A.b', [1, () => 1], ctx)).toThrow(CacheKeyError);
    expect(() => buildCallKey('A.b', [1, () => 1], ctx)).toThrow(/argument #2 is a function/);
  });
});

describe('fitKey', () => {
  it('returns a key within the limits unchanged', () => {
    const key = 'myapp:functions:LeaseService.expiration|42|"abc"';
    expect(fit(key)).toBe(key);
    expect(fitKey(key, { maxBytes: 250 }, 'error', ctx)).toBe(key);
  });

  it('counts bytes, not characters, near the limit', () => {
    const twoByte = 'é'.repeat(125); // 250 bytes, 125 characters: over length * 3, still fits
    expect(fit(twoByte)).toBe(twoByte);
    expect(fit(`${twoByte}x`)).not.toBe(`${twoByte}x`);
    const ascii = 'k'.repeat(250);
    expect(fit(ascii)).toBe(ascii);
    expect(fit(`${ascii}k`)).not.toBe(`${ascii}k`);
  });

  describe('over the limit with onLongKey: hash', () => {
    const long = `LeaseService.expiration|${'"x",'.repeat(100)}`;

    it('gives a readable head plus the SHA-256 of the full key, within the limit', () => {
      const fitted = fit(long);
      const digest = createHash('sha256').update(long, 'utf8').digest('base64url');
      expect(fitted.endsWith(`#sha256:${digest}`)).toBe(true);
      expect(bytes(fitted)).toBeLessThanOrEqual(250);
      expect(bytes(fitted)).toBeGreaterThan(240); // the head uses the room there is
      expect(long.startsWith(fitted.slice(0, fitted.indexOf('#sha256:')))).toBe(true);
      expect(fitted.startsWith('LeaseService.expiration|')).toBe(true);
    });

    it('is stable across calls', () => {
      expect(fit(long)).toBe(fit(long));
    });

    it('keeps apart long keys that share their head', () => {
      const a = fit(`${long}"a"`);
      const b = fit(`${long}"b"`);
      expect(a.slice(0, 150)).toBe(b.slice(0, 150));
      expect(a).not.toBe(b);
    });

    it.each([
      ['two-byte', 'é'],
      ['three-byte', '€'],
      ['four-byte', '😀'],
    ])('cuts a %s UTF-8 head on a character boundary', (_name, char) => {
      // Shift the text by 0–3 ASCII bytes so the cut lands inside a character at some offset.
      for (let shift = 0; shift < 4; shift++) {
        const key = 'a'.repeat(shift) + char.repeat(200);
        const fitted = fitKey(key, { maxBytes: 100 }, 'hash', ctx);
        expect(bytes(fitted)).toBeLessThanOrEqual(100);
        expect(Buffer.from(fitted, 'utf8').toString('utf8')).toBe(fitted);
        expect(fitted).not.toContain('\uFFFD');
        const head = fitted.slice(0, fitted.indexOf('#sha256:'));
        expect(key.startsWith(head)).toBe(true);
        expect(bytes(head)).toBeGreaterThan(100 - 51 - 4);
      }
    });

    it('replaces forbidden characters in the head', () => {
      const fitted = fit(`LeaseService.expiration|"Ann Example\t\n"${'x'.repeat(300)}`);
      expect(fitted).not.toMatch(FORBIDDEN);
      expect(fitted.startsWith('LeaseService.expiration|"Ann_Example__"')).toBe(true);
      expect(bytes(fitted)).toBeLessThanOrEqual(250);
    });
  });

  describe('forbidden characters within the length', () => {
    it('hashes a key with whitespace or control characters (memcached limits)', () => {
      for (const key of ['a b', 'a\tb', 'a\nb', 'a\u0000b', 'a\u007fb', 'a\u00a0b', 'a\u2028b']) {
        const fitted = fit(key);
        expect(fitted).not.toMatch(FORBIDDEN);
        expect(fitted).toContain('#sha256:');
      }
    });

    it('keeps keys that differ only in forbidden characters apart', () => {
      expect(fit('a b')).not.toBe(fit('a\tb'));
      expect(fit('a b')).not.toBe(fit('a_b'));
      expect(fit('a_b')).toBe('a_b');
    });

    it("hashes them under onLongKey: 'error' too (only length throws)", () => {
      const fitted = fitKey('a b', MEMCACHED, 'error', ctx);
      expect(fitted).not.toMatch(FORBIDDEN);
      expect(fitted).toBe(fit('a b'));
    });

    it('works with a global or sticky forbidden pattern (no lastIndex drift)', () => {
      const limits = { maxBytes: 250, forbidden: /\s/g };
      const sticky = { maxBytes: 250, forbidden: /\s/y };
      for (let i = 0; i < 3; i++) {
        expect(fitKey('a b', limits, 'hash', ctx)).toContain('#sha256:');
        expect(fitKey('ab', limits, 'hash', ctx)).toBe('ab');
        expect(fitKey(' ab', sticky, 'hash', ctx)).toContain('#sha256:');
      }
    });
  });

  describe('keys that could pass for hashed ones', () => {
    it('hashes a short key that contains the digest marker', () => {
      const forged = fit('x'.repeat(300));
      expect(fit(forged)).not.toBe(forged);
      expect(fit('a#sha256:b')).not.toBe('a#sha256:b');
      expect(fit('#1#sha256:')).not.toBe('#1#sha256:');
    });

    it('keeps a key whose # starts no digest marker', () => {
      for (const key of ['tag#1', '#sha256', 'a#sha256-b', '##sha25:']) expect(fit(key)).toBe(key);
    });

    it('hashes keys with lone surrogates, keeping them apart from U+FFFD', () => {
      const lone = fit('k\uD800');
      expect(lone).not.toBe('k\uD800');
      expect(lone).not.toBe(fit('k\uFFFD'));
      expect(fit('k\uFFFD')).toBe('k\uFFFD');
      expect(Buffer.from(lone, 'utf8').toString('utf8')).toBe(lone);
    });
  });

  describe("onLongKey: 'error'", () => {
    const long = `LeaseService.expiration|${'"x",'.repeat(100)}`;

    it('throws CacheKeyTooLongError with the byte length and the limit', () => {
      let caught: unknown;
      try {
        fitKey(long, MEMCACHED, 'error', ctx);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(CacheKeyTooLongError);
      expect(caught).toBeInstanceOf(CacheKeyError);
      const error = caught as CacheKeyTooLongError;
      expect(error.byteLength).toBe(bytes(long));
      expect(error.maxBytes).toBe(250);
      expect(error.message).toContain('LeaseService.expiration() in region "functions"');
      expect(error.message).toContain(`${bytes(long)} bytes`);
      expect(error.message).toContain('limit of 250 bytes');
      expect(error.message).toContain('`key` option of @Cached');
      expect(error.message).toContain("onLongKey: 'hash'");
    });

    it('counts multi-byte characters in the reported length', () => {
      expect(() => fitKey('€'.repeat(100), MEMCACHED, 'error', ctx)).toThrow(/is 300 bytes/);
    });

    it('shows the head of the key when no method is known', () => {
      expect(() => fitKey('files:'.repeat(60), MEMCACHED, 'error', { region: 'files' })).toThrow(
        /The cache key "files:files:.*…" in region "files" is 360 bytes/,
      );
    });
  });

  describe('limits that cannot hold a hashed key', () => {
    it('throws CacheKeyError when maxBytes leaves no room for the digest', () => {
      expect(() => fit('x'.repeat(60), { maxBytes: 40 })).toThrow(CacheKeyError);
      expect(() => fit('x'.repeat(60), { maxBytes: 40 })).toThrow(/at most 40 bytes/);
      expect(fit('x'.repeat(60), { maxBytes: 51 })).toMatch(/^#sha256:[\w-]{43}$/);
    });

    it('throws CacheKeyError when the store forbids the digest alphabet', () => {
      expect(() => fit('x'.repeat(300), { maxBytes: 250, forbidden: /#/ })).toThrow(/forbids characters used by the digest/);
    });
  });
});

import { describe, expect, it } from 'vitest';
import { closestName } from '../../lib/config/closest-name.js';

const OPTIONS = ['type', 'url', 'expire', 'data_dir', 'lock_dir', 'max_entries', 'lock', 'lock_ttl'];

describe('closestName', () => {
  it.each([
    ['expir', 'expire'], // deletion
    ['expiree', 'expire'], // insertion
    ['exbire', 'expire'], // substitution
    ['epxire', 'expire'], // swap of neighbours counts as one edit
    ['data-dir', 'data_dir'],
    ['datadir', 'data_dir'],
    ['max_entires', 'max_entries'],
    ['EXPIRE', 'expire'], // case does not count
    ['lock_dri', 'lock_dir'],
  ])('suggests %j for %j', (input, expected) => {
    expect(closestName(input, OPTIONS)).toBe(expected);
  });

  it('returns the candidate with its own spelling', () => {
    expect(closestName('files', ['Functions', 'FILES'])).toBe('FILES');
  });

  it('prefers the nearest candidate, and the first one on a tie', () => {
    expect(closestName('lock_tl', OPTIONS)).toBe('lock_ttl');
    expect(closestName('ab', ['ac', 'ad'])).toBe('ac');
  });

  it('allows two edits for short names and a third of the length for long ones', () => {
    expect(closestName('tipe', OPTIONS)).toBe('type');
    expect(closestName('tpe', ['type'])).toBe('type');
    expect(closestName('xxpirx', ['expire'])).toBe('expire'); // 2 edits, limit 2
    expect(closestName('xxxxre', ['expire'])).toBeUndefined(); // 3 edits, limit 2
    // 12 characters: limit 4.
    expect(closestName('maxentriesxx', ['max_entries'])).toBe('max_entries'); // 3 edits
    expect(closestName('mxxentriesxxx', ['max_entries'])).toBeUndefined(); // 5 edits
  });

  it('returns undefined when nothing is plausibly meant', () => {
    expect(closestName('password_hash', OPTIONS)).toBeUndefined();
    expect(closestName('zz', ['ab'])).toBeUndefined(); // every character replaced is no typo
    expect(closestName('x', ['y'])).toBeUndefined();
    expect(closestName('', OPTIONS)).toBeUndefined();
    expect(closestName('expire', [])).toBeUndefined();
  });

  it('returns an exact match', () => {
    expect(closestName('url', OPTIONS)).toBe('url');
  });
});

import { hash } from 'node:crypto';

/**
 * SHA-256 of a key, as 43 unpadded base64url characters (`A–Z a–z 0–9 - _`): the digest that ends
 * a hashed store key (`<head>#sha256:<digest>`, see `fitKey`).
 *
 * Distinct keys always hash distinct byte strings, lone surrogates included: a well-formed key is hashed as its
 * UTF-8 bytes, any other as a 0xFF byte plus its UTF-16LE code units. 0xFF never occurs in UTF-8,
 * so the two byte domains cannot meet, and `'\uD800'` and `'\uFFFD'` (which UTF-8 encoding alone
 * would confuse) get different digests.
 */
export function hashedKeyDigest(key: string): string {
  const data = isWellFormed(key) ? key : Buffer.concat([NOT_UTF8_DOMAIN, Buffer.from(key, 'utf16le')]);
  // One-shot hash() (Node >= 20.12; engines asks >= 20.19) is about twice as fast as createHash
  // for key-sized inputs.
  return hash('sha256', data, 'base64url');
}

const NOT_UTF8_DOMAIN = Buffer.of(0xff);

/**
 * Whether a string is valid UTF-16 (no lone surrogate), i.e. survives UTF-8 encoding unchanged.
 * `String.prototype.isWellFormed` exists on Node 20 but not in the ES2023 typings this project uses.
 */
export function isWellFormed(text: string): boolean {
  return (text as unknown as { isWellFormed(): boolean }).isWellFormed();
}

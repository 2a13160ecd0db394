import { createHmac, timingSafeEqual } from 'node:crypto';

/** Bytes of a signature: HMAC-SHA256 cut to 128 bits. */
export const SIGNATURE_BYTES = 16;

/**
 * Signs memcached items with HMAC-SHA256 (`signingKeys` of a memcached region), so that a party
 * who can write to memcached but does not hold a key cannot forge an entry: an item that does not
 * carry a valid signature reads as a miss and is never decoded.
 *
 * The signature covers the memcached key the item is stored under (namespace, generation and
 * key) as well as its bytes, so a signed item copied to another key — another user's, another
 * region's — does not verify there either. Items are signed with the first key and accepted when
 * signed with any of them: put a new key first, and drop the old one once the items it signed
 * have expired.
 */
export class EntrySigner {
  private readonly keys: readonly Buffer[];

  /** @param keys secrets, the first one signing; each at least 16 bytes of UTF-8. */
  constructor(keys: readonly string[]) {
    if (keys.length === 0) throw new RangeError('EntrySigner needs at least one key');
    this.keys = keys.map((key) => Buffer.from(key, 'utf8'));
  }

  /** The signature of `parts` (in order) stored under `cacheKey`, with the first key. */
  sign(cacheKey: string, parts: readonly Uint8Array[]): Buffer {
    return this.mac(this.keys[0], cacheKey, parts);
  }

  /** Whether `signature` is the signature of `parts` under `cacheKey` with one of the keys. */
  verify(cacheKey: string, parts: readonly Uint8Array[], signature: Uint8Array): boolean {
    if (signature.length !== SIGNATURE_BYTES) return false;
    return this.keys.some((key) => timingSafeEqual(this.mac(key, cacheKey, parts), signature));
  }

  private mac(key: Buffer, cacheKey: string, parts: readonly Uint8Array[]): Buffer {
    const hmac = createHmac('sha256', key);
    const keyBytes = Buffer.from(cacheKey, 'utf8');
    // The key's length first: no split of key and bytes can be read as another.
    const length = Buffer.allocUnsafe(4);
    length.writeUInt32BE(keyBytes.length, 0);
    hmac.update(length).update(keyBytes);
    for (const part of parts) hmac.update(part);
    return hmac.digest().subarray(0, SIGNATURE_BYTES);
  }
}

/**
 * Deterministic test values shared by the reliability specs and their child processes: the bytes
 * of a "document" depend only on its name and size, so any process can check that a value read
 * back is exactly the one that belongs to its key.
 */
import { createHash } from 'node:crypto';

/** App key prefix of the file-fault apps, in the spec and in its writer children alike. */
export const DOCUMENT_PREFIX = 'docs';

const made = new Map<string, Buffer>();

/**
 * The bytes of document `name` of `size` bytes: an xorshift stream seeded by a digest of both, so
 * no part of one document equals the same part of another. Memoized; do not modify the result.
 */
export function documentBytes(name: string, size: number): Buffer {
  const id = `${name}\u0000${size}`;
  const known = made.get(id);
  if (known !== undefined) return known;
  const bytes = Buffer.alloc(size);
  const words = new Uint32Array(bytes.buffer, bytes.byteOffset, Math.floor(size / 4));
  let state = createHash('sha256').update(id).digest().readUInt32LE(0) | 1;
  for (let i = 0; i < words.length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    words[i] = state >>> 0;
  }
  for (let i = words.length * 4; i < size; i++) bytes[i] = i & 0xff;
  made.set(id, bytes);
  return bytes;
}

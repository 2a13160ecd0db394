/**
 * Self-checking values for the file store's crash tests: writer `id` always writes the same
 * value, whose length and every 32-bit word depend on `id`, so a reader can tell a whole value
 * from a torn, truncated or mixed one without knowing which writer it came from.
 */

/** Size in bytes of writer `id`'s value: distinct per writer, a multiple of 4. */
export function patternSize(id: number, baseBytes: number): number {
  return baseBytes + id * 64 * 1024;
}

/** The value writer `id` writes. */
export function patternValue(id: number, baseBytes: number): Buffer {
  const bytes = Buffer.allocUnsafe(patternSize(id, baseBytes));
  const words = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
  words[0] = id;
  const seed = Math.imul(id + 1, 0x9e3779b1);
  for (let i = 1; i < words.length; i += 1) words[i] = (seed ^ i) >>> 0;
  return bytes;
}

/** Chunk `index` (of `chunkBytes`) of writer `id`'s value, for streamed writes. */
export function patternChunk(id: number, baseBytes: number, index: number, chunkBytes: number): Buffer {
  const size = patternSize(id, baseBytes);
  const start = index * chunkBytes;
  const bytes = Buffer.allocUnsafe(Math.min(chunkBytes, size - start));
  const words = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
  const seed = Math.imul(id + 1, 0x9e3779b1);
  for (let i = 0; i < words.length; i += 1) {
    const at = start / 4 + i;
    words[i] = at === 0 ? id : (seed ^ at) >>> 0;
  }
  return bytes;
}

/**
 * The writer id when `bytes` is exactly some writer's whole value (of `writers` writers),
 * else a description of what is wrong.
 */
export function checkPattern(bytes: Buffer, baseBytes: number, writers: number): number | string {
  if (bytes.length % 4 !== 0 || bytes.length < 8) return `odd length ${bytes.length}`;
  const aligned = bytes.byteOffset % 4 === 0 ? bytes : Buffer.from(bytes);
  const words = new Uint32Array(aligned.buffer, aligned.byteOffset, aligned.length / 4);
  const id = words[0];
  if (id >= writers) return `unknown writer ${id}`;
  if (bytes.length !== patternSize(id, baseBytes)) {
    return `writer ${id}'s value has ${bytes.length} bytes, expected ${patternSize(id, baseBytes)}`;
  }
  const seed = Math.imul(id + 1, 0x9e3779b1);
  for (let i = 1; i < words.length; i += 1) {
    if (words[i] !== (seed ^ i) >>> 0) return `writer ${id}'s value differs at byte ${i * 4}`;
  }
  return id;
}

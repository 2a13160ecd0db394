/**
 * A rough, bounded estimate of a value's size in memory, for the memory store's `maxBytes`.
 * Strings count 2 bytes a character; numbers 8; objects their fields. It walks at most
 * `budget` nodes so a huge value costs a bounded time (the rest is extrapolated).
 */
export function estimateBytes(value: unknown, budget = 10_000): number {
  let visited = 0;
  let bytes = 0;
  const seen = new Set<object>();
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    if (visited++ >= budget) {
      // Extrapolate from what was seen: the remaining nodes cost about the average so far.
      return Math.ceil((bytes / visited) * (visited + stack.length));
    }
    const item = stack.pop();
    switch (typeof item) {
      case 'string':
        bytes += 16 + item.length * 2;
        continue;
      case 'number':
      case 'boolean':
      case 'undefined':
        bytes += 8;
        continue;
      case 'bigint':
        bytes += 16 + Math.ceil(item.toString(16).length / 2);
        continue;
      case 'object':
        break;
      default:
        bytes += 8;
        continue;
    }
    if (item === null) {
      bytes += 8;
      continue;
    }
    if (seen.has(item)) continue;
    seen.add(item);
    if (ArrayBuffer.isView(item)) {
      bytes += 64 + item.byteLength;
    } else if (item instanceof Date) {
      bytes += 32;
    } else if (item instanceof Map) {
      bytes += 64;
      for (const [k, v] of item) stack.push(k, v);
    } else if (item instanceof Set) {
      bytes += 64;
      for (const v of item) stack.push(v);
    } else if (Array.isArray(item)) {
      bytes += 32 + item.length * 8;
      for (const v of item) stack.push(v);
    } else {
      bytes += 32;
      for (const [k, v] of Object.entries(item)) {
        bytes += 16 + k.length * 2;
        stack.push(v);
      }
    }
  }
  return bytes;
}

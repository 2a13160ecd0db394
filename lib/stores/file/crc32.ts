import { createRequire } from 'node:module';
import { crc32 as zlibCrc32 } from 'node:zlib';

/**
 * CRC-32 (the zlib/PNG polynomial) of raw file payloads, from the fastest implementation this
 * process can load. `@node-rs/crc32` (an optional dependency with prebuilt binaries) folds with
 * carry-less multiplication at about 10 GB/s per core; `zlib.crc32` computes the very same
 * checksum at about 3 GB/s and is the fallback where the native package is missing or cannot
 * load. Both give equal results, so files written with one are read with the other.
 */

/** CRC-32 of `data`, continued from `previous` when a payload is summed in parts. */
export type Crc32 = (data: Uint8Array, previous?: number) => number;

/** Which implementation {@link crc32} uses in this process. */
export type Crc32Backend = 'native' | 'zlib';

function loadNative(): Crc32 | undefined {
  try {
    const native = createRequire(import.meta.url)('@node-rs/crc32') as {
      crc32?: (input: Uint8Array, initialState?: number) => number;
    };
    return typeof native.crc32 === 'function' ? native.crc32 : undefined;
  } catch {
    return undefined; // not installed, or no binary for this platform
  }
}

const native = loadNative();

/** The implementation in use: `'native'` when `@node-rs/crc32` loaded, else `'zlib'`. */
export const crc32Backend: Crc32Backend = native === undefined ? 'zlib' : 'native';

/** CRC-32 of `data`, continued from `previous` (default 0). */
export const crc32: Crc32 = native ?? ((data, previous = 0) => zlibCrc32(data, previous));

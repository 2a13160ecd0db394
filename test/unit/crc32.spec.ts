import { randomBytes } from 'node:crypto';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { crc32, crc32Backend } from '../../lib/stores/file/crc32.js';

describe('crc32', () => {
  it('uses the native implementation where @node-rs/crc32 is installed (it is, here)', () => {
    expect(crc32Backend).toBe('native');
  });

  it.each([0, 1, 7, 64, 4_095, 65_537, 1_048_576 + 3])('equals zlib.crc32 for %i random bytes', (size) => {
    const bytes = randomBytes(size);
    expect(crc32(bytes)).toBe(zlibCrc32(bytes));
  });

  it('continues a checksum over parts, views of a larger buffer included', () => {
    const bytes = randomBytes(300_000);
    const cuts = [0, 1, 4_096, 150_001, 299_999, 300_000];
    let sum = 0;
    for (let i = 1; i < cuts.length; i++) sum = crc32(bytes.subarray(cuts[i - 1], cuts[i]), sum);
    expect(sum).toBe(zlibCrc32(bytes));
    expect(crc32(new Uint8Array(bytes.buffer, bytes.byteOffset + 10, 1_000))).toBe(
      zlibCrc32(bytes.subarray(10, 1_010)),
    );
  });

  it('gives the known check value of the CRC-32 standard', () => {
    expect(crc32(Buffer.from('123456789', 'latin1'))).toBe(0xcbf43926);
  });
});

import { pipeline, Transform, type Readable } from 'node:stream';
import { rawPayloadChecksum } from './entry-file-format.js';

/**
 * Passes the bytes of `source` through while computing their CRC-32, and ends with an error
 * instead of a normal end when it differs from `expectedCrc`: a damaged entry cannot be streamed
 * without holding it whole first, so the damage can only show at the end, and the reader must
 * learn that the bytes it got were not the value. `onMismatch` runs first (e.g. to remove the
 * file); `mismatchError` makes the error the reader sees.
 *
 * Errors of `source` reach the returned stream, and destroying the returned stream destroys
 * `source` (which closes its file).
 */
export function checkedStream(
  source: Readable,
  expectedCrc: number,
  onMismatch: () => Promise<void>,
  mismatchError: () => Error,
): Readable {
  let crc = 0;
  const checker = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      crc = rawPayloadChecksum(chunk, crc);
      done(null, chunk);
    },
    flush(done) {
      if (crc === expectedCrc) {
        done();
        return;
      }
      onMismatch().then(
        () => done(mismatchError()),
        () => done(mismatchError()),
      );
    },
  });
  // pipeline forwards errors both ways and destroys both streams on failure or early close.
  pipeline(source, checker, () => undefined);
  return checker;
}

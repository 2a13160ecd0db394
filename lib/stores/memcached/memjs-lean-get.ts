import { createRequire } from 'node:module';
import type { Client, Response } from 'memjs';

/** memjs's text for each memcached status (its protocol table, which its entry point does not export). */
const STATUS_TEXT = (createRequire(import.meta.url)('memjs/lib/memjs/protocol.js') as { errors: Record<number, string> })
  .errors;

/** The parts of a memjs 1.3 `Client` that {@link installLeanGet} uses. */
interface MemjsClientInternals {
  seq: number;
  options: { logger: { log(message: string): void } };
  incrSeq(): void;
  perform(key: string, request: Buffer, seq: number, callback: (error: Error | null, response: Response) => void): void;
  get(key: string, callback?: (error: Error | null, value: Buffer | null, flags: Buffer | null) => void): unknown;
}

const HEADER_BYTES = 24;
const REQUEST_MAGIC = 0x80;
const OPCODE_GET = 0x00;
const STATUS_OK = 0x0000;
const STATUS_KEY_NOT_FOUND = 0x0001;

/**
 * The binary-protocol GET request of `key` with `opaque` (memjs's sequence number): the bytes
 * memjs's `makeRequestBuffer(0, key, '', '', opaque)` makes, in one allocation.
 */
export function getRequest(key: string, opaque: number): Buffer {
  const keyBytes = Buffer.byteLength(key, 'utf8');
  const request = Buffer.allocUnsafe(HEADER_BYTES + keyBytes);
  request[0] = REQUEST_MAGIC;
  request[1] = OPCODE_GET;
  request.writeUInt16BE(keyBytes, 2);
  // Extras length, data type and vbucket: none.
  request.writeUInt32BE(0, 4);
  request.writeUInt32BE(keyBytes, 8);
  request.writeUInt32BE(opaque, 12);
  // CAS: none.
  request.fill(0, 16, HEADER_BYTES);
  request.write(key, HEADER_BYTES, 'utf8');
  return request;
}

/**
 * Replaces memjs 1.3's `get` on `client` (callback form; the promise form is left to memjs) by
 * one that sends the same bytes and answers the same way — the value, `null` for a miss, and for
 * any other status memjs's log line and error — with its request built in one buffer: memjs's
 * own zero-fills and copies six (key, empty extras, empty value, header object, header, request),
 * the largest part of what memjs costs a cache hit. Items reach the callback as memjs's default
 * (no-op) serializer hands them over: the client must have no other serializer.
 */
export function installLeanGet(client: Client): void {
  const internals = client as unknown as MemjsClientInternals;
  const memjsGet = internals.get;
  internals.get = function leanGet(this: MemjsClientInternals, key, callback) {
    if (callback === undefined) return memjsGet.call(this, key);
    this.incrSeq();
    const seq = this.seq;
    const logger = this.options.logger;
    this.perform(key, getRequest(key, seq), seq, (error, response) => {
      if (error) {
        callback(error, null, null);
        return;
      }
      const status = response.header.status;
      if (status === STATUS_OK) {
        callback(null, response.val, response.extras);
      } else if (status === STATUS_KEY_NOT_FOUND) {
        callback(null, null, null);
      } else {
        const message = `MemJS GET: ${STATUS_TEXT[status]}`;
        logger.log(message);
        callback(new Error(message), null, null);
      }
    });
    return undefined;
  };
}

/**
 * Test harness: look at what one memcached server holds, over a connection of its own (straight to
 * the server, never through a proxy), without going through a store.
 *
 * - {@link memcachedItems} lists every live item with its expiry (`lru_crawler metadump all`), so
 *   a test can assert that *no* key of some kind is on a server, not only that one key is absent.
 * - {@link memcachedGet} reads one item's raw bytes.
 * - {@link memcachedTime} is the server's clock (`stats` → `time`), the clock item expiries use.
 *
 * The server must be running and not paused: a SIGSTOPped server never answers (each call gives
 * up after `timeoutMs` and rejects saying so).
 */
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** One item as `lru_crawler metadump` reports it. */
export interface MemcachedItem {
  /** The memcached key, decoded. */
  key: string;
  /** Expiry as the server's Unix time in seconds, or -1 for none. */
  exp: number;
}

/** What a server is reached at: `host:port` (a `MemcachedProcess.address`). */
type Address = string;

function hostPort(address: Address): { host: string; port: number } {
  const at = address.lastIndexOf(':');
  return { host: address.slice(0, at), port: Number(address.slice(at + 1)) };
}

/**
 * Sends `request` on a fresh connection and resolves with everything the server answered up to
 * `done(answer)`. A fresh connection each time: memcached refuses metadump after other commands
 * on the same connection.
 */
function exchange(address: Address, request: Buffer | string, done: (answer: Buffer) => boolean, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(hostPort(address));
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`memcached ${address} did not answer within ${timeoutMs} ms (paused or gone?)`));
    }, timeoutMs);
    socket.once('connect', () => socket.write(request));
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      const answer = Buffer.concat(chunks);
      if (done(answer)) {
        clearTimeout(timer);
        socket.destroy();
        resolve(answer);
      }
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    });
  });
}

const endsWith = (suffix: string) => (answer: Buffer) =>
  answer.length >= suffix.length && answer.subarray(answer.length - suffix.length).toString('latin1') === suffix;

/** Every live item on the server at `address`, with its expiry. */
export async function memcachedItems(address: Address, timeoutMs = 5_000): Promise<MemcachedItem[]> {
  for (let attempt = 1; ; attempt++) {
    const answer = (
      await exchange(
        address,
        'lru_crawler metadump all\r\n',
        (bytes) => endsWith('END\r\n')(bytes) || /^(BUSY|ERROR|CLIENT_ERROR|SERVER_ERROR)[^\n]*\n$/.test(bytes.toString('latin1')),
        timeoutMs,
      )
    ).toString('latin1');
    // Another crawl (memcached's own, or a parallel call) is running: try again shortly.
    if (answer.startsWith('BUSY') && attempt < 50) {
      await sleep(20);
      continue;
    }
    if (!answer.endsWith('END\r\n')) throw new Error(`memcached ${address}: metadump failed: ${answer.trim()}`);
    return answer
      .split('\n')
      .filter((line) => line.startsWith('key='))
      .map((line) => {
        const fields = new Map(line.trim().split(' ').map((field) => field.split('=', 2) as [string, string]));
        return { key: decodeURIComponent(fields.get('key') ?? ''), exp: Number(fields.get('exp')) };
      });
  }
}

/** The server's clock, Unix seconds (what item expiries are compared with). */
export async function memcachedTime(address: Address, timeoutMs = 5_000): Promise<number> {
  const answer = (await exchange(address, 'stats\r\n', endsWith('END\r\n'), timeoutMs)).toString('latin1');
  const match = /^STAT time (\d+)\r$/m.exec(answer);
  if (!match) throw new Error(`memcached ${address}: no "STAT time" in the stats answer`);
  return Number(match[1]);
}

/** The raw bytes stored under `key`, or `undefined` when there is no such item (text protocol `get`). */
export async function memcachedGet(address: Address, key: string, timeoutMs = 5_000): Promise<Buffer | undefined> {
  if (/[\s\p{Cc}]/u.test(key) || Buffer.byteLength(key) > 250) throw new Error(`not a memcached key: ${JSON.stringify(key)}`);
  const complete = (bytes: Buffer) => {
    const text = bytes.toString('latin1');
    if (text === 'END\r\n' || /^(ERROR|CLIENT_ERROR|SERVER_ERROR)[^\n]*\n$/.test(text)) return true;
    const header = /^VALUE \S+ \d+ (\d+)\r\n/.exec(text);
    return header !== null && bytes.length >= header[0].length + Number(header[1]) + '\r\nEND\r\n'.length;
  };
  const answer = await exchange(address, `get ${key}\r\n`, complete, timeoutMs);
  const text = answer.toString('latin1');
  if (text === 'END\r\n') return undefined;
  const header = /^VALUE \S+ \d+ (\d+)\r\n/.exec(text);
  if (!header) throw new Error(`memcached ${address}: get failed: ${text.trim()}`);
  return answer.subarray(header[0].length, header[0].length + Number(header[1]));
}

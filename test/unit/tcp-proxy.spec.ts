/**
 * The loopback TCP proxy of the test support (test/support/tcp-proxy.ts), against a tiny recording
 * server of this file's own and against a real memcached reached with a raw memjs client.
 *
 * Every wait is for an event or a condition (bounded generously for a busy 2-core machine), never
 * a fixed window; only the memjs time-out figures have lower bounds, which time-outs guarantee.
 */
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { networkInterfaces } from 'node:os';
import memjs from 'memjs';
import type { Client } from 'memjs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { describeMemcached, useMemcached } from '../support/memcached.js';
import { type TcpProxy, closeAllTcpProxies, startTcpProxy } from '../support/tcp-proxy.js';

/** Bound of every wait for a condition: far above what loopback needs, even on a busy machine. */
const WAIT = { timeout: 10_000, interval: 5 };
/** memjs's per-attempt time-out in the memcached tests, in seconds (memjs's unit). */
const MEMJS_TIMEOUT_S = 0.5;

/** A TCP server that records what it gets and can echo it or send on its own. */
interface Peer {
  readonly port: number;
  /** Everything received, all connections together, as text. */
  readonly received: string;
  /** Connections accepted so far. */
  readonly accepted: number;
  /** Connections currently open. */
  readonly open: number;
  /** Connections that ended with ECONNRESET. */
  readonly resets: number;
  /** Sends `text` on every open connection. */
  push(text: string): void;
  close(): Promise<void>;
}

/** A client socket of a test, with what it received and how it ended. */
interface TestClient {
  readonly socket: net.Socket;
  /** Everything received so far, as text. */
  readonly text: string;
  /** Resolves once connected; rejects if the connection fails first. */
  readonly connected: Promise<void>;
  /** Resolves when the socket closes, with the code of the error it closed on, if any. */
  readonly closed: Promise<string | undefined>;
}

const peers: Peer[] = [];
const clients: TestClient[] = [];
const memjsClients: Client[] = [];

async function startPeer(options: { echo: boolean }): Promise<Peer> {
  const sockets = new Set<net.Socket>();
  let received = '';
  let accepted = 0;
  let resets = 0;
  const server = net.createServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString();
      if (options.echo) socket.write(chunk);
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNRESET') resets++;
    });
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const peer: Peer = {
    port: (server.address() as net.AddressInfo).port,
    get received() {
      return received;
    },
    get accepted() {
      return accepted;
    },
    get open() {
      return sockets.size;
    },
    get resets() {
      return resets;
    },
    push: (text) => sockets.forEach((socket) => socket.write(text)),
    close: () => {
      sockets.forEach((socket) => socket.destroy());
      // A server emits 'close' before its handle is released, at the end of the event loop turn; a
      // timer runs after that, so the next test counts handles from a clean slate.
      return new Promise((resolve) => server.close(() => setTimeout(resolve, 0)));
    },
  };
  peers.push(peer);
  return peer;
}

function connect(port: number): TestClient {
  const socket = net.connect({ host: '127.0.0.1', port });
  let text = '';
  let errorCode: string | undefined;
  socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
  socket.on('error', (error: NodeJS.ErrnoException) => (errorCode = error.code));
  const connected = new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  connected.catch(() => undefined);
  const client: TestClient = {
    socket,
    get text() {
      return text;
    },
    connected,
    closed: new Promise((resolve) => socket.once('close', () => resolve(errorCode))),
  };
  clients.push(client);
  return client;
}

/** A raw memjs client, as in test/stores/memcached.store.spec.ts, with a short time-out. */
function memjsClient(address: string): Client {
  const client = memjs.Client.create(address, {
    logger: { log: () => undefined },
    retries: 1,
    timeout: MEMJS_TIMEOUT_S,
  });
  memjsClients.push(client);
  return client;
}

/**
 * memjs 1.3 clears its current socket when an *old* socket emits `close`, so a request sent
 * before a failed socket's `close` is never written and never times out. That event comes in the
 * close phase of the event loop turn that saw the error; a timer runs only after it.
 */
const afterFailedSocketCloses = () => new Promise((resolve) => setTimeout(resolve, 0));

/** Time a promise takes to settle, and how it settled. */
async function settle(promise: Promise<unknown>): Promise<{ ms: number; error?: Error }> {
  const started = Date.now();
  try {
    await promise;
    return { ms: Date.now() - started };
  } catch (error) {
    return { ms: Date.now() - started, error: error as Error };
  }
}

/** TCP handles keeping this process alive (unref'd ones are not listed). */
function tcpHandles(): number {
  return process.getActiveResourcesInfo().filter((name) => name.startsWith('TCP')).length;
}

afterEach(async () => {
  for (const client of memjsClients.splice(0)) client.close();
  await closeAllTcpProxies();
  await Promise.all(
    clients.splice(0).map((client) => {
      client.socket.destroy();
      return client.closed;
    }),
  );
  await Promise.all(peers.splice(0).map((peer) => peer.close()));
});

describe('startTcpProxy', () => {
  it('listens on a free port of 127.0.0.1 only, in pass mode, with zeroed counters', async () => {
    const peer = await startPeer({ echo: true });
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: peer.port });

    expect(proxy).toMatchObject({
      host: '127.0.0.1',
      address: `127.0.0.1:${proxy.port}`,
      target: { host: '127.0.0.1', port: peer.port },
      mode: 'pass',
      connections: 0,
      open: 0,
      bytesDropped: 0,
    });
    expect(proxy.port).toBeGreaterThan(0);
    expect(proxy.port).not.toBe(peer.port);
    // Bound to loopback only: this machine's other addresses refuse the proxy's port.
    const external = Object.values(networkInterfaces())
      .flat()
      .find((info) => info && info.family === 'IPv4' && !info.internal);
    if (external) {
      const socket = net.connect({ host: external.address, port: proxy.port });
      const error = await new Promise<NodeJS.ErrnoException>((resolve) => socket.once('error', resolve));
      expect(error.code).toBe('ECONNREFUSED');
    }
  });

  it('refuses a target that is not on loopback, or not a TCP port', async () => {
    await expect(startTcpProxy({ host: '10.0.0.1', port: 11211 })).rejects.toThrow(/not a loopback address/);
    await expect(startTcpProxy({ host: '0.0.0.0', port: 11211 })).rejects.toThrow(/not a loopback address/);
    await expect(startTcpProxy({ host: 'example.com', port: 11211 })).rejects.toThrow(/not a loopback address/);
    await expect(startTcpProxy({ host: '127.0.0.1', port: 0 })).rejects.toThrow(/not a TCP port/);
    await expect(startTcpProxy({ host: '::1', port: 70_000 })).rejects.toThrow(/not a TCP port/);
  });

  it('does not keep the process alive while idle', async () => {
    const before = tcpHandles();
    const peer = await startPeer({ echo: true });
    const withPeer = tcpHandles();
    expect(withPeer).toBe(before + 1);

    await startTcpProxy({ host: '127.0.0.1', port: peer.port }); // closed by afterEach

    expect(tcpHandles()).toBe(withPeer);
  });
});

describe('pass', () => {
  it('forwards bytes both ways, on every connection', async () => {
    const peer = await startPeer({ echo: true });
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: peer.port });
    const first = connect(proxy.port);
    const second = connect(proxy.port);
    await Promise.all([first.connected, second.connected]);

    first.socket.write('ping');
    second.socket.write('pong');
    await vi.waitFor(() => expect([first.text, second.text]).toEqual(['ping', 'pong']), WAIT);
    peer.push('!');
    await vi.waitFor(() => expect([first.text, second.text]).toEqual(['ping!', 'pong!']), WAIT);

    expect(peer.accepted).toBe(2);
    expect(proxy).toMatchObject({ connections: 2, open: 2, bytesDropped: 0 });
  });

  it('passes a FIN on both ways, and forgets the connection once both sides are closed', async () => {
    const peer = await startPeer({ echo: true });
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: peer.port });
    const client = connect(proxy.port);
    client.socket.end('bye');

    // The peer gets 'bye' then the FIN; Node's default answers that FIN with its own.
    expect(await client.closed).toBeUndefined();
    expect(client.text).toBe('bye');
    await vi.waitFor(() => expect(proxy.open).toBe(0), WAIT);
    expect(peer.open).toBe(0);
    expect(peer.resets).toBe(0);
  });
});

describe('drop', () => {
  it('discards bytes both ways on an open connection; after pass new bytes flow, the dropped never do', async () => {
    const peer = await startPeer({ echo: true });
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: peer.port });
    const client = connect(proxy.port);
    client.socket.write('one;');
    await vi.waitFor(() => expect(client.text).toBe('one;'), WAIT);

    proxy.set('drop');
    expect(proxy.mode).toBe('drop');
    client.socket.write('lost-up;');
    await vi.waitFor(() => expect(proxy.bytesDropped).toBe('lost-up;'.length), WAIT);
    peer.push('lost-down;');
    await vi.waitFor(() => expect(proxy.bytesDropped).toBe('lost-up;lost-down;'.length), WAIT);
    expect(peer.received).toBe('one;');
    expect(client.text).toBe('one;');

    proxy.set('pass');
    client.socket.write('two;');
    await vi.waitFor(() => expect(client.text).toBe('one;two;'), WAIT);
    peer.push('three;');
    await vi.waitFor(() => expect(client.text).toBe('one;two;three;'), WAIT);
    expect(peer.received).toBe('one;two;');
    // The same connection all along.
    expect(peer.accepted).toBe(1);
    expect(proxy).toMatchObject({ connections: 1, open: 1 });
  });

  it('accepts new connections but reaches the server only once it passes again', async () => {
    const peer = await startPeer({ echo: true });
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: peer.port });
    proxy.set('drop');
    const client = connect(proxy.port);
    await client.connected;

    client.socket.write('early;');
    await vi.waitFor(() => expect(proxy.bytesDropped).toBe('early;'.length), WAIT);
    expect(proxy).toMatchObject({ connections: 1, open: 1 });
    expect(peer.accepted).toBe(0);

    proxy.set('pass');
    client.socket.write('late;');
    await vi.waitFor(() => expect(client.text).toBe('late;'), WAIT);
    expect(peer.received).toBe('late;');
    expect(peer.accepted).toBe(1);
  });

  it('holds a FIN while dropping and passes it on when it passes again', async () => {
    const peer = await startPeer({ echo: true });
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: peer.port });
    const client = connect(proxy.port);
    client.socket.write('hi;');
    await vi.waitFor(() => expect(client.text).toBe('hi;'), WAIT);

    proxy.set('drop');
    let closed = false;
    void client.closed.then(() => (closed = true));
    client.socket.end();
    // The proxy has the FIN once its socket to the client ended; the peer must not have it.
    await vi.waitFor(() => expect(client.socket.writableFinished).toBe(true), WAIT);
    peer.push('still-there;');
    await vi.waitFor(() => expect(proxy.bytesDropped).toBe('still-there;'.length), WAIT);
    expect(peer.open).toBe(1);
    expect(closed).toBe(false);
    expect(proxy.open).toBe(1);

    proxy.set('pass');
    expect(await client.closed).toBeUndefined();
    await vi.waitFor(() => expect([proxy.open, peer.open]).toEqual([0, 0]), WAIT);
    expect(client.text).toBe('hi;');
  });
});

describe('reset', () => {
  it('resets open connections on both sides, and each new one right after accept', async () => {
    const peer = await startPeer({ echo: true });
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: peer.port });
    const client = connect(proxy.port);
    client.socket.write('hi;');
    await vi.waitFor(() => expect(client.text).toBe('hi;'), WAIT);

    proxy.set('reset');
    expect(await client.closed).toBe('ECONNRESET');
    await vi.waitFor(() => expect(peer.resets).toBe(1), WAIT);
    await vi.waitFor(() => expect(proxy.open).toBe(0), WAIT);

    const refused = connect(proxy.port);
    expect(await refused.closed).toBe('ECONNRESET');
    expect(proxy.connections).toBe(2);
    await vi.waitFor(() => expect(proxy.open).toBe(0), WAIT);
    expect(peer.accepted).toBe(1);

    proxy.set('pass');
    const again = connect(proxy.port);
    again.socket.write('back;');
    await vi.waitFor(() => expect(again.text).toBe('back;'), WAIT);
    expect(peer.accepted).toBe(2);
    expect(proxy.bytesDropped).toBe(0);
  });
});

describe('counters', () => {
  it('count accepted, open and dropped across modes', async () => {
    const peer = await startPeer({ echo: false });
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: peer.port });
    const first = connect(proxy.port);
    const second = connect(proxy.port);
    await Promise.all([first.connected, second.connected]);
    await vi.waitFor(() => expect(peer.open).toBe(2), WAIT);
    expect(proxy).toMatchObject({ connections: 2, open: 2, bytesDropped: 0 });

    proxy.set('drop');
    second.socket.destroy();
    expect(await second.closed).toBeUndefined();
    first.socket.write('abc');
    peer.push('wxyz'); // on both connections
    await vi.waitFor(() => expect(proxy.bytesDropped).toBe(3 + 2 * 4), WAIT);
    // The proxy read the FIN of `second` before those bytes, and holds it: the peer's side of that
    // connection is still open, so the connection counts as open.
    expect(peer.open).toBe(2);
    expect(proxy.open).toBe(2);

    proxy.set('pass');
    await vi.waitFor(() => expect(proxy.open).toBe(1), WAIT);

    proxy.set('reset');
    await vi.waitFor(() => expect(proxy.open).toBe(0), WAIT);
    expect(await connect(proxy.port).closed).toBe('ECONNRESET');
    await vi.waitFor(() => expect(proxy.open).toBe(0), WAIT);
    expect(proxy).toMatchObject({ connections: 3, bytesDropped: 11 });
  });
});

describe('close', () => {
  it('resets every connection, stops listening, and leaves no socket open', async () => {
    const peer = await startPeer({ echo: true });
    const baseline = tcpHandles();
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: peer.port });
    const passing = connect(proxy.port);
    passing.socket.write('hi;');
    await vi.waitFor(() => expect(passing.text).toBe('hi;'), WAIT);
    proxy.set('drop');
    const dropping = connect(proxy.port); // no upstream connection yet
    await dropping.connected;
    const halfClosed = connect(proxy.port);
    await halfClosed.connected;
    halfClosed.socket.end(); // its FIN is held
    await vi.waitFor(() => expect(halfClosed.socket.writableFinished).toBe(true), WAIT);
    expect(proxy.open).toBe(3);

    await proxy.close();

    expect(proxy.open).toBe(0);
    expect(await Promise.all([passing.closed, dropping.closed, halfClosed.closed])).toEqual([
      'ECONNRESET',
      'ECONNRESET',
      'ECONNRESET',
    ]);
    await vi.waitFor(() => expect(peer.open).toBe(0), WAIT);
    await vi.waitFor(() => expect(tcpHandles()).toBe(baseline), WAIT);
    expect(await connect(proxy.port).closed).toBe('ECONNREFUSED');
    await expect(proxy.close()).resolves.toBeUndefined();
  });

  it('closeAllTcpProxies closes every proxy still open', async () => {
    const peer = await startPeer({ echo: true });
    const proxies = await Promise.all([1, 2].map(() => startTcpProxy({ host: '127.0.0.1', port: peer.port })));
    const clientsOf = proxies.map((proxy) => connect(proxy.port));
    await Promise.all(clientsOf.map((client) => client.connected));

    await closeAllTcpProxies();

    expect(proxies.map((proxy) => proxy.open)).toEqual([0, 0]);
    for (const proxy of proxies) expect(await connect(proxy.port).closed).toBe('ECONNREFUSED');
  });
});

describeMemcached('with memcached and memjs', () => {
  const server = useMemcached();
  /** Straight to the server, never through a proxy: what it really holds. */
  let direct: Client;
  let proxy: TcpProxy;
  let key: string;

  beforeEach(async () => {
    direct = memjsClient(server().address);
    proxy = await startTcpProxy(server());
    key = `tcp-proxy:${randomUUID()}`;
  });

  it('pass: requests go through both ways', async () => {
    const viaProxy = memjsClient(proxy.address);

    await viaProxy.set(key, 'through');

    expect((await direct.get(key)).value?.toString()).toBe('through');
    await direct.set(key, 'back');
    expect((await viaProxy.get(key)).value?.toString()).toBe('back');
    expect(proxy).toMatchObject({ connections: 1, bytesDropped: 0 });
  });

  it('drop: a set times out and is never applied, even after the proxy passes again', async () => {
    const viaProxy = memjsClient(proxy.address);
    await viaProxy.set(`${key}:warm`, 'ok');

    proxy.set('drop');
    const outcome = await settle(viaProxy.set(key, 'during-drop'));

    expect(outcome.error?.message).toBe('socket timed out waiting on response.');
    expect(outcome.ms).toBeGreaterThanOrEqual(MEMJS_TIMEOUT_S * 1_000 - 20);
    expect(outcome.ms).toBeLessThan(10_000);
    expect(proxy.bytesDropped).toBeGreaterThan(key.length);

    // memjs gave up on that connection with a FIN, which the proxy held. Passing again delivers
    // it: memcached reads the connection to its end, then closes it, so once the proxy has no
    // connection left, anything delivered late would have been applied.
    proxy.set('pass');
    await vi.waitFor(() => expect(proxy.open).toBe(0), WAIT);
    expect((await direct.get(key)).value).toBeNull();

    // The path works again (a fresh client: see afterFailedSocketCloses).
    await memjsClient(proxy.address).set(key, 'after');
    expect((await direct.get(key)).value?.toString()).toBe('after');
  });

  it('drop: a whole set dropped on a connection kept open is lost, later requests on it are answered', async () => {
    // memcached's text protocol on a plain socket: the connection outlives the partition.
    const client = connect(proxy.port);
    client.socket.write(`set ${key}:warm 0 0 2\r\nok\r\n`);
    await vi.waitFor(() => expect(client.text).toBe('STORED\r\n'), WAIT);

    proxy.set('drop');
    const lost = `set ${key} 0 0 4\r\nlost\r\n`;
    client.socket.write(lost);
    await vi.waitFor(() => expect(proxy.bytesDropped).toBe(lost.length), WAIT);

    proxy.set('pass');
    client.socket.write(`get ${key}\r\n`);
    // memcached answers a connection's requests in order: the dropped set would have come first.
    await vi.waitFor(() => expect(client.text).toBe('STORED\r\nEND\r\n'), WAIT);
    expect((await direct.get(key)).value).toBeNull();
    expect(proxy).toMatchObject({ connections: 1, open: 1 });
  });

  it('reset: memjs fails at once with ECONNRESET, and reconnects once the proxy passes again', async () => {
    const viaProxy = memjsClient(proxy.address);
    await viaProxy.set(key, 'v');

    proxy.set('reset');
    // The open connection: reset under memjs's write or read.
    const onOpen = await settle(viaProxy.get(key));
    expect(onOpen.error?.message).toMatch(/ECONNRESET|EPIPE/);
    await afterFailedSocketCloses();
    // A new connection, reset right after accept.
    const onNew = await settle(viaProxy.get(key));
    expect(onNew.error?.message).toMatch(/ECONNRESET|EPIPE/);
    expect(proxy.connections).toBe(2);

    proxy.set('pass');
    await afterFailedSocketCloses();
    expect((await viaProxy.get(key)).value?.toString()).toBe('v');
    expect(proxy.connections).toBe(3);
  });
});

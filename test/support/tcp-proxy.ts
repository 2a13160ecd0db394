/**
 * Test harness: a loopback TCP proxy in front of one server, to cut the network without touching
 * the server process.
 *
 * Why not SIGSTOP alone: a paused memcached keeps what is already in its socket buffers and runs
 * those writes on SIGCONT, so a write its client gave up on can still land and hide a lost write.
 * Behind a proxy in `drop`, those bytes never reach the server at all.
 *
 * `startTcpProxy(target)` listens on a free 127.0.0.1 port; each accepted connection gets its own
 * connection to `target`, and `set(mode)` decides what crosses:
 *
 * - `pass`: bytes flow both ways, and so do FINs and RSTs.
 * - `drop`: a silent partition. Connections stay open and new ones are accepted, but nothing
 *   crosses, either way: bytes are discarded (counted in `bytesDropped`) and lost for good; a FIN
 *   or RST is held and passed on once the proxy passes again; a connection accepted while
 *   dropping reaches the server only then. Unlike a real network, nothing retransmits what was
 *   dropped: a message cut in half leaves its protocol out of step on that connection (memcached
 *   answers garbage with an error or by closing it). Tests that heal a partition on a connection
 *   they keep should drop whole requests.
 * - `reset`: every open connection is reset on both sides (RST), and each new one right after it
 *   is accepted; the server never sees those.
 *
 * Nothing outlives the tests: `close()` (or {@link closeAllTcpProxies}) resets every connection and
 * resolves once all sockets are closed; the listener is unref'd, so a forgotten idle proxy never
 * keeps the test process alive; an `exit` handler resets whatever is left, and since the proxy
 * lives in the test process, the OS closes its sockets if that process dies any other way.
 */
import net from 'node:net';

/** What a {@link TcpProxy} lets through; see the module comment. */
export type TcpProxyMode = 'pass' | 'drop' | 'reset';

/** Where a {@link TcpProxy} forwards to: a loopback address (`127.x.x.x`, `::1` or `localhost`). */
export interface TcpProxyTarget {
  host: string;
  port: number;
}

/** A proxy started by {@link startTcpProxy}. */
export interface TcpProxy {
  readonly host: '127.0.0.1';
  /** The proxy's own port, picked by the OS. */
  readonly port: number;
  /** `'127.0.0.1:<port>'`, as a memcached `servers` entry. */
  readonly address: string;
  /** The server behind the proxy. */
  readonly target: Readonly<TcpProxyTarget>;
  /** What the proxy lets through now. Default: `'pass'`. */
  readonly mode: TcpProxyMode;
  /**
   * Switches mode; takes effect at once on every connection, open or new. Bytes already passed on
   * are not called back: switch before the request that must be lost.
   */
  set(mode: TcpProxyMode): void;
  /** Connections accepted so far (reset ones included). */
  readonly connections: number;
  /** Accepted connections with a socket still open on either side of the proxy. */
  readonly open: number;
  /** Bytes discarded in `drop` mode, both directions together. */
  readonly bytesDropped: number;
  /**
   * Stops listening, resets every connection on both sides, and resolves once every socket is
   * closed. RST, not FIN: memjs fails its requests in flight on a reset, but leaves them waiting
   * when the server closes cleanly. Idempotent.
   */
  close(): Promise<void>;
}

/** One side of a proxied connection: the proxy's socket and what its peer did. */
interface Side {
  socket: net.Socket;
  /** How the peer stopped sending: a FIN (`'end'`) or an RST or other error (`'reset'`). */
  stopped?: 'end' | 'reset';
  /** Whether `stopped` was passed on to the other side. */
  passedOn: boolean;
  closed: boolean;
}

/** One accepted connection and, once the proxy passed while it was open, its upstream twin. */
interface Link {
  client: Side;
  server?: Side;
}

/** Proxies started and not yet closed. */
const live = new Set<LoopbackProxy>();
let exitHandlerInstalled = false;

function installExitHandler(): void {
  if (exitHandlerInstalled) return;
  exitHandlerInstalled = true;
  process.on('exit', () => {
    for (const proxy of live) proxy.closeNow();
  });
}

/** RST, then destroy; nothing for a socket that is already gone. */
function reset(socket: net.Socket): void {
  if (!socket.destroyed) socket.resetAndDestroy();
}

/** The proxy adds no delay of its own: small requests go out at once, as they would without it. */
function newSide(socket: net.Socket): Side {
  socket.setNoDelay(true);
  return { socket, passedOn: false, closed: false };
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || (net.isIPv4(host) && host.startsWith('127.'));
}

class LoopbackProxy implements TcpProxy {
  readonly host = '127.0.0.1' as const;
  readonly address: string;
  readonly target: Readonly<TcpProxyTarget>;
  private currentMode: TcpProxyMode = 'pass';
  private accepted = 0;
  private dropped = 0;
  private readonly links = new Set<Link>();
  private readonly listener: net.Server;
  private closing?: Promise<void>;
  /** Called whenever a link is gone, while `close()` waits for the last one. */
  private onLinkGone?: () => void;

  constructor(
    listener: net.Server,
    readonly port: number,
    target: TcpProxyTarget,
  ) {
    this.listener = listener;
    this.address = `127.0.0.1:${port}`;
    this.target = Object.freeze({ host: target.host, port: target.port });
    listener.on('connection', (socket) => this.accept(socket));
  }

  get mode(): TcpProxyMode {
    return this.currentMode;
  }

  get connections(): number {
    return this.accepted;
  }

  get open(): number {
    return this.links.size;
  }

  get bytesDropped(): number {
    return this.dropped;
  }

  set(mode: TcpProxyMode): void {
    this.currentMode = mode;
    for (const link of this.links) {
      if (mode === 'reset') {
        this.resetLink(link);
        continue;
      }
      // Discarding must not wait for a destination that stopped reading.
      link.client.socket.resume();
      link.server?.socket.resume();
      this.sync(link);
    }
  }

  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    // The callback also runs if an exit handler closed the listener first.
    const listenerClosed = new Promise<void>((done) => this.listener.close(() => done()));
    const linksGone = new Promise<void>((done) => {
      this.onLinkGone = () => {
        if (this.links.size === 0) done();
      };
    });
    this.onLinkGone?.();
    for (const link of this.links) this.resetLink(link);
    await Promise.all([listenerClosed, linksGone]);
    live.delete(this);
  }

  /** Synchronous last resort for the `exit` handler. */
  closeNow(): void {
    if (this.listener.listening) this.listener.close();
    for (const link of this.links) this.resetLink(link);
  }

  private accept(socket: net.Socket): void {
    this.accepted++;
    const link: Link = { client: newSide(socket) };
    this.links.add(link);
    this.listen(link, link.client);
    if (this.currentMode === 'reset' || this.closing) reset(socket);
    else this.sync(link);
  }

  /** Relays what `side` receives and records how its peer stops. */
  private listen(link: Link, side: Side): void {
    const { socket } = side;
    socket.on('data', (chunk: Buffer) => this.relay(link, side, chunk));
    socket.on('end', () => {
      side.stopped ??= 'end';
      this.sync(link);
    });
    socket.on('error', () => {
      // A reset after a FIN is news for the other side too.
      if (side.stopped !== 'reset') side.passedOn = false;
      side.stopped = 'reset';
      this.sync(link);
    });
    socket.on('close', () => {
      side.closed = true;
      this.forgetIfClosed(link);
    });
  }

  private relay(link: Link, from: Side, chunk: Buffer): void {
    if (this.currentMode === 'drop') {
      this.dropped += chunk.length;
      return;
    }
    const to = from === link.client ? link.server : link.client;
    if (this.currentMode !== 'pass' || !to || !to.socket.writable) return;
    if (!to.socket.write(chunk) && !from.socket.isPaused()) {
      from.socket.pause();
      const resume = () => {
        to.socket.off('drain', resume).off('close', resume);
        from.socket.resume();
      };
      to.socket.on('drain', resume).on('close', resume);
    }
  }

  /**
   * While passing: opens the upstream connection if there is none yet, and tells each side that
   * the other stopped. While dropping nothing crosses, not even that; `set('pass')` syncs again.
   */
  private sync(link: Link): void {
    if (this.currentMode !== 'pass' || this.closing) return;
    const { client } = link;
    if (!link.server && !client.stopped) {
      const upstream = net.connect({ host: this.target.host, port: this.target.port, allowHalfOpen: true });
      link.server = newSide(upstream);
      this.listen(link, link.server);
    }
    this.passOn(client, link.server);
    if (link.server) this.passOn(link.server, client);
  }

  private passOn(from: Side, to: Side | undefined): void {
    if (!from.stopped || from.passedOn) return;
    from.passedOn = true;
    // A client that stopped before the server was ever reached: answer its FIN ourselves.
    const target = to ?? from;
    if (from.stopped === 'reset') reset(target.socket);
    else if (!target.socket.writableEnded) target.socket.end();
  }

  private resetLink(link: Link): void {
    reset(link.client.socket);
    if (link.server) reset(link.server.socket);
  }

  private forgetIfClosed(link: Link): void {
    if (!link.client.closed || (link.server && !link.server.closed)) return;
    this.links.delete(link);
    this.onLinkGone?.();
  }
}

/**
 * Starts a proxy to `target` on a free 127.0.0.1 port, in `pass` mode, and resolves once it
 * listens. Throws for a target that is not on loopback: the proxy touches no other host.
 */
export async function startTcpProxy(target: TcpProxyTarget): Promise<TcpProxy> {
  if (!isLoopback(target.host)) {
    throw new Error(
      `startTcpProxy: target host "${target.host}" is not a loopback address; ` +
        'point the proxy at a local server (127.0.0.1, ::1 or localhost).',
    );
  }
  if (!Number.isInteger(target.port) || target.port < 1 || target.port > 65_535) {
    throw new Error(`startTcpProxy: target port ${target.port} is not a TCP port (1 to 65535).`);
  }
  installExitHandler();
  // allowHalfOpen: a FIN from one side is passed on as a FIN, and the other may still answer.
  const listener = net.createServer({ allowHalfOpen: true });
  await new Promise<void>((resolve, reject) => {
    listener.once('error', reject);
    listener.listen({ port: 0, host: '127.0.0.1' }, () => {
      listener.off('error', reject);
      resolve();
    });
  });
  listener.unref();
  const proxy = new LoopbackProxy(listener, (listener.address() as net.AddressInfo).port, target);
  live.add(proxy);
  return proxy;
}

/** Closes every proxy this process started and still has open; for an `afterAll`. */
export async function closeAllTcpProxies(): Promise<void> {
  await Promise.all([...live].map((proxy) => proxy.close()));
}

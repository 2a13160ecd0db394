import { once } from 'node:events';
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import { corkWritesPerTick } from '../../lib/stores/memcached/socket-corking.js';

describe('corkWritesPerTick', () => {
  it('writes the first request of a tick at once, corks the rest until the tick ends, and loses nothing', async () => {
    const received: Buffer[] = [];
    const server = createServer((peer) => peer.on('data', (chunk: Buffer) => received.push(chunk)));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const socket: Socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
    await once(socket, 'connect');
    try {
      corkWritesPerTick(socket);
      const corked: number[] = [];
      for (const part of ['get a;', 'get b;', 'get c;']) {
        socket.write(part);
        corked.push(socket.writableCorked);
      }
      expect(corked).toEqual([0, 1, 1]);
      await new Promise((resolve) => process.nextTick(resolve));
      expect(socket.writableCorked).toBe(0);
      socket.write('get d;');
      expect(socket.writableCorked).toBe(0); // a new tick: the first write goes out at once again

      for (let waited = 0; Buffer.concat(received).length < 24 && waited < 15_000; waited += 10) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(Buffer.concat(received).toString()).toBe('get a;get b;get c;get d;');
    } finally {
      socket.destroy();
      server.close();
    }
  });
});

import type { Socket } from 'node:net';

/**
 * Makes `socket` send the requests written in one tick together. memjs writes each request with
 * its own syscall; under concurrency that dominates the CPU cost of a hit. The first request of a
 * tick goes out at once (a lone caller waits for nothing); the socket is corked for any further
 * ones, which go out together at the end of the tick (measured at 64 callers: 19 → 14 µs of CPU
 * per hit).
 */
export function corkWritesPerTick(socket: Socket): void {
  let inTick = false;
  let corked = false;
  const endOfTick = () => {
    inTick = false;
    if (corked) {
      corked = false;
      socket.uncork();
    }
  };
  const write = socket.write;
  socket.write = function corkedWrite(this: Socket, ...args: unknown[]): boolean {
    if (!inTick) {
      inTick = true;
      process.nextTick(endOfTick);
    } else if (!corked) {
      corked = true;
      socket.cork();
    }
    return (write as (...a: unknown[]) => boolean).apply(this, args);
  } as Socket['write'];
}

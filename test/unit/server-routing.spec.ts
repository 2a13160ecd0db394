import { HashRing } from '../../lib/stores/memcached/hash-ring.js';
import { routeKey, ServerStates } from '../../lib/stores/memcached/server-routing.js';

const THREE = ['127.0.0.1:1', '127.0.0.1:2', '127.0.0.1:3'];
const ring = new HashRing(THREE);
/** A key owned by server 0, and its fallback. */
const key = Array.from({ length: 100 }, (_, i) => `k${i}`).find((k) => ring.lookup(k) === 0)!;
const fallback = ring.fallback(key);

function clock(start = 1_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('routeKey', () => {
  it('sends every plan to the owner while it is in', () => {
    const states = new ServerStates(3, 5_000);
    for (const plan of ['read', 'fill', 'owner'] as const) {
      expect(routeKey(ring, states, key, plan)).toEqual({ server: 0, failover: false });
    }
  });

  it('while the owner is out: reads and fills go to the fallback, owner-only operations still to the owner', () => {
    const states = new ServerStates(3, 5_000);
    states.failed(0);
    expect(routeKey(ring, states, key, 'read')).toEqual({ server: fallback, failover: true });
    expect(routeKey(ring, states, key, 'fill')).toEqual({ server: fallback, failover: true });
    expect(routeKey(ring, states, key, 'owner')).toEqual({ server: 0, failover: false });
  });

  it('never goes past the fallback: owner and fallback out → reads and fills nowhere', () => {
    const states = new ServerStates(3, 5_000);
    states.failed(0);
    states.failed(fallback);
    for (const plan of ['read', 'fill'] as const) expect(routeKey(ring, states, key, plan)).toBeUndefined();
  });

  it('tries the owner again after outMs, or at once after it answered; a single server has no fallback', () => {
    const time = clock();
    const states = new ServerStates(3, 5_000, time.now);
    states.failed(0);
    states.answered(0);
    expect(routeKey(ring, states, key, 'read')).toEqual({ server: 0, failover: false });
    states.failed(0);
    time.advance(5_001);
    expect(routeKey(ring, states, key, 'read')).toEqual({ server: 0, failover: false });
    const lone = new ServerStates(1, 5_000);
    lone.failed(0);
    expect(routeKey(new HashRing([THREE[0]]), lone, key, 'read')).toBeUndefined();
  });
});

describe('ServerStates', () => {
  it('counts a server down from its failure until it answers, past its time out of the ring, as one outage', () => {
    const time = clock();
    const states = new ServerStates(2, 5_000, time.now);
    expect(states.failed(1)).toBe(true);
    expect(states.failed(1)).toBe(false);
    expect(states.downCount()).toBe(1);
    expect(states.failingSince(1)).toBe(1_000);
    time.advance(6_000);
    expect(states.isOut(1)).toBe(false);
    expect(states.downCount()).toBe(1);
    // Tried again and failed again: the same outage (logged once), left out again.
    expect(states.failed(1)).toBe(false);
    expect(states.isOut(1)).toBe(true);
    expect(states.failingSince(1)).toBe(1_000);
    states.answered(1);
    expect(states.downCount()).toBe(0);
    expect(states.failingSince(1)).toBe(0);
  });
});

describe('routeKey, fallback plan', () => {
  it('"fallback" goes to the fallback while it is in, whatever the owner', () => {
    const states = new ServerStates(3, 5_000);
    expect(routeKey(ring, states, key, 'fallback')).toEqual({ server: fallback, failover: true });
    states.failed(0);
    expect(routeKey(ring, states, key, 'fallback')).toEqual({ server: fallback, failover: true });
    states.failed(fallback);
    expect(routeKey(ring, states, key, 'fallback')).toBeUndefined();
  });

  it('a lone server is counted down without being left out', () => {
    const states = new ServerStates(1, 5_000);
    expect(states.failed(0, false)).toBe(true);
    expect(states.isOut(0)).toBe(false);
    expect(states.downCount()).toBe(1);
    expect(states.failed(0, false)).toBe(false);
  });
});

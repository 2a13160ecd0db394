import { HashRing } from '../../lib/stores/memcached/hash-ring.js';

const KEYS = Array.from({ length: 10_000 }, (_, i) => `app:region|gen00001|Service.method:[${i},"user-${i * 7}"]`);
const THREE = ['10.0.0.1:11211', '10.0.0.2:11211', '10.0.0.3:11211'];
const FOUR = [...THREE, '10.0.0.4:11211'];

/** Node name per key. */
const assign = (ring: HashRing) => KEYS.map((key) => ring.nodes[ring.lookup(key)]);

describe('HashRing', () => {
  it('is deterministic and independent of the order of the nodes', () => {
    const a = assign(new HashRing(THREE));
    const b = assign(new HashRing(THREE));
    const reversed = assign(new HashRing([...THREE].reverse()));
    expect(b).toEqual(a);
    expect(reversed).toEqual(a);
  });

  it('balances 10,000 keys over 3 servers within reason (each 20–47%)', () => {
    const counts = new Map<string, number>();
    for (const node of assign(new HashRing(THREE))) counts.set(node, (counts.get(node) ?? 0) + 1);
    expect([...counts.keys()].sort()).toEqual([...THREE].sort());
    for (const count of counts.values()) {
      expect(count / KEYS.length).toBeGreaterThanOrEqual(0.2);
      expect(count / KEYS.length).toBeLessThanOrEqual(0.47);
    }
  });

  it('adding a 4th server remaps about a quarter of the keys, nearly all to the new server', () => {
    const before = assign(new HashRing(THREE));
    const after = assign(new HashRing(FOUR));
    const moved = KEYS.map((_, i) => i).filter((i) => before[i] !== after[i]);
    const fraction = moved.length / KEYS.length;
    expect(fraction).toBeGreaterThanOrEqual(0.15);
    expect(fraction).toBeLessThanOrEqual(0.35);
    const toNewServer = moved.filter((i) => after[i] === FOUR[3]).length;
    expect(toNewServer / moved.length).toBeGreaterThanOrEqual(0.99);
  });

  it('beats modulo placement, which remaps about three quarters', () => {
    // What memjs does by default: a string hash modulo the server count.
    const javaHash = (s: string) => {
      let h = 0;
      for (let i = 0; i < s.length; i++) h = (31 * h + s.charCodeAt(i)) << 0;
      return Math.abs(h);
    };
    const movedByModulo = KEYS.filter((key) => javaHash(key) % 3 !== javaHash(key) % 4).length;
    const before = assign(new HashRing(THREE));
    const after = assign(new HashRing(FOUR));
    const movedByRing = KEYS.filter((_, i) => before[i] !== after[i]).length;
    expect(movedByModulo / KEYS.length).toBeGreaterThan(0.6);
    expect(movedByRing).toBeLessThan(movedByModulo / 2);
  });

  it("removing a server remaps only that server's keys", () => {
    const before = assign(new HashRing(FOUR));
    const after = assign(new HashRing(THREE));
    KEYS.forEach((_, i) => {
      if (before[i] !== FOUR[3]) expect(after[i]).toBe(before[i]);
    });
    expect(before.filter((node) => node === FOUR[3]).length).toBeGreaterThan(0);
  });

  it('lookupLive sends a down node\'s keys to the survivors, and only those keys', () => {
    const ring = new HashRing(THREE);
    const down = 1;
    const live = KEYS.map((key) => ring.lookupLive(key, (i) => i === down));
    const owners = KEYS.map((key) => ring.lookup(key));
    const reassigned = new Set<number>();
    KEYS.forEach((_, i) => {
      expect(live[i]).not.toBe(down);
      if (owners[i] !== down) expect(live[i]).toBe(owners[i]);
      else reassigned.add(live[i]);
    });
    // Spread over both survivors, not piled on one neighbour.
    expect(reassigned).toEqual(new Set([0, 2]));
    // All nodes down: the owner is still returned, so the call fails fast rather than nowhere.
    expect(KEYS.slice(0, 100).map((key) => ring.lookupLive(key, () => true))).toEqual(owners.slice(0, 100));
  });

  it('rejects empty or duplicate node lists and odd point counts', () => {
    expect(() => new HashRing([])).toThrow(/1 to 65535 nodes/);
    expect(() => new HashRing(['a:1', 'a:1'])).toThrow(/distinct/);
    expect(() => new HashRing(['a:1'], 10)).toThrow(/multiple of 4/);
  });
});

describe('HashRing.fallback', () => {
  it('is another node than the owner, and the one lookupLive picks when only the owner is down', () => {
    const ring = new HashRing(THREE);
    for (const key of KEYS.slice(0, 2_000)) {
      const owner = ring.lookup(key);
      const fallback = ring.fallback(key);
      expect(fallback).not.toBe(owner);
      expect(ring.lookupLive(key, (index) => index === owner)).toBe(fallback);
    }
  });

  it('spreads a node’s keys over the others, and is the owner itself for a single node', () => {
    const ring = new HashRing(THREE);
    const fallbacks = new Set(KEYS.filter((key) => ring.lookup(key) === 0).map((key) => ring.fallback(key)));
    expect([...fallbacks].sort()).toEqual([1, 2]);
    expect(new HashRing(['127.0.0.1:11211']).fallback('k')).toBe(0);
  });
});

import { hash } from 'node:crypto';

/** Points each server gets on the ring by default: ketama's 160 (40 md5 digests × 4 points). */
export const DEFAULT_POINTS_PER_NODE = 160;

/** A key's position on the ring: the first 4 bytes of its md5 digest, little-endian (as ketama). */
function pointOf(text: string): number {
  return hash('md5', text, 'buffer').readUInt32LE(0);
}

/**
 * A ketama-style consistent hash ring over a list of nodes (memcached `host:port` names).
 *
 * Each node owns `pointsPerNode` points derived from md5 digests of its name, so the mapping
 * depends on the node names only, not on their order. Adding a node to N moves about 1/(N+1) of
 * the keys (all of them to the new node); removing one moves only that node's keys. Pure: same
 * nodes and key, same answer, in every process.
 */
export class HashRing {
  /** The node names, in the order given; lookups return indexes into this list. */
  readonly nodes: readonly string[];
  private readonly points: Uint32Array;
  private readonly owners: Uint16Array;

  /**
   * @param nodes node names, at least one, no duplicates (at most 65,535).
   * @param pointsPerNode points per node, a multiple of 4. Default: 160.
   */
  constructor(nodes: readonly string[], pointsPerNode = DEFAULT_POINTS_PER_NODE) {
    if (nodes.length === 0 || nodes.length > 0xffff) {
      throw new RangeError(`a hash ring needs 1 to 65535 nodes, got ${nodes.length}`);
    }
    if (new Set(nodes).size !== nodes.length) {
      throw new RangeError(`hash ring nodes must be distinct, got ${nodes.join(', ')}`);
    }
    if (!Number.isInteger(pointsPerNode) || pointsPerNode < 4 || pointsPerNode % 4 !== 0) {
      throw new RangeError(`pointsPerNode must be a positive multiple of 4, got ${pointsPerNode}`);
    }
    this.nodes = [...nodes];
    const placed: { point: number; owner: number }[] = [];
    nodes.forEach((node, owner) => {
      for (let digestIndex = 0; digestIndex < pointsPerNode / 4; digestIndex++) {
        const digest = hash('md5', `${node}-${digestIndex}`, 'buffer');
        for (let part = 0; part < 4; part++) {
          placed.push({ point: digest.readUInt32LE(part * 4), owner });
        }
      }
    });
    // Ties (vanishingly rare) are broken by node name so that order of `nodes` never matters.
    placed.sort((a, b) => a.point - b.point || (nodes[a.owner] < nodes[b.owner] ? -1 : 1));
    this.points = Uint32Array.from(placed, (p) => p.point);
    this.owners = Uint16Array.from(placed, (p) => p.owner);
  }

  /** Index in {@link nodes} of the node that owns `key`. */
  lookup(key: string): number {
    if (this.nodes.length === 1) return 0;
    return this.owners[this.firstPointAtOrAfter(pointOf(key))];
  }

  /**
   * Index of the node that owns `key` when the nodes for which `isDown(index)` is true are
   * skipped: the next live node clockwise on the ring takes their keys, spread over the survivors
   * rather than piled onto one neighbour. When every node is down, the owner itself.
   */
  lookupLive(key: string, isDown: (index: number) => boolean): number {
    if (this.nodes.length === 1) return 0;
    const start = this.firstPointAtOrAfter(pointOf(key));
    const owner = this.owners[start];
    if (!isDown(owner)) return owner;
    for (let step = 1; step < this.points.length; step++) {
      const candidate = this.owners[(start + step) % this.points.length];
      if (candidate !== owner && !isDown(candidate)) return candidate;
    }
    return owner;
  }

  /**
   * Index of the node that follows `key`'s owner clockwise on the ring: where the key's failover
   * copies go while its owner is out. The owner itself when there is a single node.
   */
  fallback(key: string): number {
    if (this.nodes.length === 1) return 0;
    const start = this.firstPointAtOrAfter(pointOf(key));
    const owner = this.owners[start];
    for (let step = 1; step < this.points.length; step++) {
      const candidate = this.owners[(start + step) % this.points.length];
      if (candidate !== owner) return candidate;
    }
    return owner;
  }

  /** Binary search for the first point >= `point`, wrapping to 0 past the last point. */
  private firstPointAtOrAfter(point: number): number {
    let low = 0;
    let high = this.points.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.points[middle] < point) low = middle + 1;
      else high = middle;
    }
    return low === this.points.length ? 0 : low;
  }
}

/*
 * Collections for a region's short-lived bookkeeping: the computations under way (one entry per
 * miss, added and removed within the miss) and the writes in flight.
 *
 * Why not a plain Map or Set kept for the region's life: V8 reallocates a Map's or Set's hash
 * table when a delete leaves it under a quarter full, and when deleted slots fill it on an add, and
 * it allocates the new table in the generation of the old one. A collection that lives as long as
 * the region sits in the old generation, so every miss (one add, one delete) left a dead table in
 * old space: filling a memory region with 1 M entries left about 100 MB of such garbage there, and
 * the heap kept the room (RSS 2.4× that of a plain Map of the same entries). These collections
 * start over with a new Map or Set whenever they become empty: its tables are young and die young.
 */

/** Promises under way by key; empty most of the time. */
export class FlightTable<V> {
  #map = new Map<string, V>();

  get(key: string): V | undefined {
    return this.#map.get(key);
  }

  has(key: string): boolean {
    return this.#map.has(key);
  }

  set(key: string, value: V): void {
    this.#map.set(key, value);
  }

  /** Removes `key`'s entry if it is still `value` (a later flight of the key may have replaced it). */
  settle(key: string, value: V): void {
    const map = this.#map;
    if (map.get(key) !== value) return;
    map.delete(key);
    if (map.size === 0) this.#map = new Map();
  }

  clear(): void {
    this.#map = new Map();
  }
}

/** Work under way (writes in flight), to wait for on clear() and close(). */
export class PendingSet<V> {
  #set = new Set<V>();

  add(value: V): void {
    this.#set.add(value);
  }

  delete(value: V): void {
    const set = this.#set;
    set.delete(value);
    if (set.size === 0) this.#set = new Set();
  }

  /** A copy of the members, safe to hold while members are removed. */
  snapshot(): V[] {
    return [...this.#set];
  }
}

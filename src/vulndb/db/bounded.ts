/**
 * A Map that holds at most `max` entries: inserting one more drops the oldest insertion. An
 * open database answers lookups from caches like this one for as long as it stays open, which
 * for a server or an authz plugin is the life of the process: without a bound, the caches would
 * grow to the whole database. First-in-first-out keeps `get` a plain Map lookup.
 */
export class BoundedMap<K, V> {
  readonly #map = new Map<K, V>();

  constructor(readonly max: number) {
    if (!(max >= 1)) throw new RangeError(`BoundedMap needs a positive size, got ${max}`);
  }

  get size(): number {
    return this.#map.size;
  }

  get(key: K): V | undefined {
    return this.#map.get(key);
  }

  set(key: K, value: V): void {
    if (!this.#map.has(key) && this.#map.size >= this.max) {
      const oldest = this.#map.keys().next();
      if (!oldest.done) this.#map.delete(oldest.value);
    }
    this.#map.set(key, value);
  }
}

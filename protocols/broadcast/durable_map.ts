/**
 * A map kept in durable storage one entry per key, so that changing one entry
 * writes only that entry. Writing a layer's whole state on every message
 * would copy everything it ever delivered each time; storage deep-copies what
 * it is given, as a real disk would serialise it.
 *
 * @module
 */

import type { Storage } from "../../actors/mod.ts";

/**
 * A string-keyed map mirrored into storage under `<prefix>/<key>`. Values are
 * copied into storage when set, so treat them as immutable: set a new value
 * rather than changing one in place.
 *
 * @example
 * ```ts
 * import { MemoryStorage } from "../../actors/mod.ts";
 * import { DurableMap } from "./durable_map.ts";
 * const disk = new MemoryStorage();
 * const seen = new DurableMap<boolean>("rb/seen");
 * seen.set(disk, "n1#1", true);
 * new DurableMap<boolean>("rb/seen").load(disk).has("n1#1"); // true
 * ```
 */
export class DurableMap<V> {
  readonly prefix: string;
  #map = new Map<string, V>();

  constructor(prefix: string) {
    if (prefix === "" || prefix.endsWith("/")) {
      throw new TypeError(
        `durable map prefix must be non-empty without a trailing '/', got ${prefix}`,
      );
    }
    this.prefix = prefix;
  }

  /** Replaces the contents with what storage holds (call from `onStart`). */
  load(storage: Storage): this {
    this.#map.clear();
    const start = `${this.prefix}/`;
    for (const key of storage.keys()) {
      if (key.startsWith(start)) this.#map.set(key.slice(start.length), storage.get<V>(key)!);
    }
    return this;
  }

  get size(): number {
    return this.#map.size;
  }

  get(key: string): V | undefined {
    return this.#map.get(key);
  }

  has(key: string): boolean {
    return this.#map.has(key);
  }

  /** Sets `key` here and in storage. */
  set(storage: Storage, key: string, value: V): void {
    this.#map.set(key, value);
    storage.set(`${this.prefix}/${key}`, value);
  }

  /** Deletes `key` here and from storage. */
  delete(storage: Storage, key: string): void {
    if (!this.#map.delete(key)) return;
    storage.delete(`${this.prefix}/${key}`);
  }

  keys(): IterableIterator<string> {
    return this.#map.keys();
  }

  values(): IterableIterator<V> {
    return this.#map.values();
  }

  entries(): IterableIterator<[string, V]> {
    return this.#map.entries();
  }
}

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
 * import assert from "node:assert/strict";
 * const disk = new MemoryStorage();
 * const seen = new DurableMap<boolean>("seen");
 * seen.set(disk, "n1#1", true);
 * assert.deepEqual(disk.keys(), ["seen/n1#1"]);
 * assert.equal(new DurableMap<boolean>("seen").load(disk).has("n1#1"), true);
 * ```
 */
export class DurableMap<V> {
  /** Storage keys are `<prefix>/<key>`. */
  readonly prefix: string;
  #map = new Map<string, V>();

  /** `prefix` must be non-empty, without a trailing `/`. */
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

  /** How many entries there are. */
  get size(): number {
    return this.#map.size;
  }

  /** The value under `key`, if any. */
  get(key: string): V | undefined {
    return this.#map.get(key);
  }

  /** Whether there is a value under `key`. */
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

  /** The keys, in insertion order. */
  keys(): IterableIterator<string> {
    return this.#map.keys();
  }

  /** The values, in insertion order. */
  values(): IterableIterator<V> {
    return this.#map.values();
  }

  /** The entries, in insertion order. */
  entries(): IterableIterator<[string, V]> {
    return this.#map.entries();
  }
}

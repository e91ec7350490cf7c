/**
 * Durable storage: the only part of a node that survives a crash.
 *
 * Values are deep-copied on the way in and on the way out, so an actor cannot
 * keep a live reference into its "disk" and see it change behind its back, and
 * a crash cannot leave half-written objects. That is the discipline of real
 * persistence (serialise, fsync, read back) without the I/O; and as on a real
 * disk only plain data is kept (what JSON carries): a Map, a Set or a class
 * instance is refused at `set`, naming the key and the field, rather than
 * kept in memory here and lost by the real runtime's disk.
 *
 * @module
 */

import { NotPlainDataError, plainCopy } from "./plain_data.ts";

/**
 * A small key-value store that outlives crashes and restarts of its node.
 *
 * @example
 * ```ts
 * import { MemoryStorage } from "./storage.ts";
 * import assert from "node:assert/strict";
 * const disk = new MemoryStorage();
 * disk.set("term", 3);
 * assert.equal(disk.get<number>("term"), 3);
 * ```
 */
export interface Storage {
  /** The stored value for `key`, or `undefined`. Returns a copy. */
  get<T>(key: string): T | undefined;
  /** Stores a copy of `value` under `key`, durably. */
  set<T>(key: string, value: T): void;
  /** Removes `key`. */
  delete(key: string): void;
  /** All keys, in insertion order. */
  keys(): string[];
}

/**
 * The in-memory {@linkcode Storage} the simulator gives each node.
 *
 * @example
 * ```ts
 * import { MemoryStorage } from "./storage.ts";
 * import assert from "node:assert/strict";
 * const disk = new MemoryStorage();
 * const log = [{ term: 1 }];
 * disk.set("log", log);
 * log.push({ term: 2 }); // not persisted: storage took a copy
 * assert.deepEqual(disk.get("log"), [{ term: 1 }]);
 * ```
 */
export class MemoryStorage implements Storage {
  #data = new Map<string, unknown>();
  /** Number of `set` and `delete` calls, a proxy for disk writes. */
  writes = 0;

  get<T>(key: string): T | undefined {
    const value = this.#data.get(key);
    return value === undefined ? undefined : copy(value, key) as T;
  }

  set<T>(key: string, value: T): void {
    this.writes++;
    this.#data.set(key, copy(value, key));
  }

  delete(key: string): void {
    this.writes++;
    this.#data.delete(key);
  }

  keys(): string[] {
    return [...this.#data.keys()];
  }

  /** A plain-object snapshot of everything stored, for traces and tests. */
  snapshot(): Record<string, unknown> {
    return Object.fromEntries([...this.#data].map(([k, v]) => [k, copy(v, k)]));
  }
}

/** A stored value's copy; a value that is not plain data is refused, naming the key and the field. */
function copy<T>(value: T, key: string): T {
  try {
    return plainCopy(value);
  } catch (e) {
    if (!(e instanceof NotPlainDataError)) throw e;
    throw new TypeError(
      `storage key ${JSON.stringify(key)}: ${e.problem.replace(/^the message/, "the value")}; ` +
        "storage holds plain data (JSON), as a disk would: no Map, Set, class, function or BigInt",
    );
  }
}

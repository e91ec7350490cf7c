/**
 * Durable storage: the only part of a node that survives a crash.
 *
 * Values are deep-copied on the way in and on the way out, so an actor cannot
 * keep a live reference into its "disk" and see it change behind its back, and
 * a crash cannot leave half-written objects. That is the discipline of real
 * persistence (serialise, fsync, read back) without the I/O.
 *
 * @module
 */

/**
 * A small key-value store that outlives crashes and restarts of its node.
 *
 * @example
 * ```ts
 * import { MemoryStorage } from "./storage.ts";
 * const disk = new MemoryStorage();
 * disk.set("term", 3);
 * disk.get<number>("term"); // 3
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
 * const disk = new MemoryStorage();
 * const log = [{ term: 1 }];
 * disk.set("log", log);
 * log.push({ term: 2 }); // not persisted: storage took a copy
 * disk.get<unknown[]>("log")!.length; // 1
 * ```
 */
export class MemoryStorage implements Storage {
  #data = new Map<string, unknown>();
  /** Number of `set` and `delete` calls, a proxy for disk writes. */
  writes = 0;

  get<T>(key: string): T | undefined {
    const value = this.#data.get(key);
    return value === undefined ? undefined : copy(value) as T;
  }

  set<T>(key: string, value: T): void {
    this.writes++;
    this.#data.set(key, copy(value));
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
    return Object.fromEntries([...this.#data].map(([k, v]) => [k, copy(v)]));
  }
}

function copy<T>(value: T): T {
  // Primitives are immutable; only objects need the structured clone.
  return typeof value === "object" && value !== null ? structuredClone(value) : value;
}

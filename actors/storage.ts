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
  // Primitives are immutable; only objects need copying.
  return typeof value === "object" && value !== null ? copyObject(value, 0) as T : value;
}

/**
 * A deep copy with the semantics of `structuredClone`, several times faster
 * for the plain arrays and objects protocols persist (log entries, votes).
 * Anything else (Map, Set, Date, typed arrays), and very deep or cyclic data,
 * goes through `structuredClone` itself.
 */
function copyObject(value: object, depth: number): unknown {
  if (depth > 64) return structuredClone(value);
  if (Array.isArray(value)) {
    const out = new Array(value.length);
    for (let i = 0; i < value.length; i++) out[i] = copyValue(value[i], depth);
    return out;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return structuredClone(value);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const v = copyValue((value as Record<string, unknown>)[key], depth);
    // A "__proto__" key is data here, not the prototype.
    if (key === "__proto__") {
      Object.defineProperty(out, key, {
        value: v,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else out[key] = v;
  }
  return out;
}

function copyValue(v: unknown, depth: number): unknown {
  if (typeof v === "object" && v !== null) return copyObject(v, depth + 1);
  if (typeof v === "function" || typeof v === "symbol") {
    throw new DOMException(
      `storage values must be plain data, not a ${typeof v}`,
      "DataCloneError",
    );
  }
  return v;
}

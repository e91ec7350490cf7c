/**
 * Multi-version storage: every write is kept with the timestamp of the
 * transaction that made it, so a read "as of timestamp s" returns, for each
 * key, the latest version written at or before s. Read-only transactions
 * read a consistent snapshot this way without taking any lock: the versions
 * at or before s never change once no transaction can commit at or before
 * s any more.
 *
 * @module
 */

/**
 * One version of a key.
 *
 * @example
 * ```ts
 * import type { Version } from "./mvcc_store.ts";
 * import assert from "node:assert/strict";
 * const v: Version = { ts: 105.2, value: "t7" };
 * assert.equal(v.value, "t7");
 * ```
 */
export interface Version {
  /** The commit timestamp of the transaction that wrote it. */
  ts: number;
  /** The value. */
  value: string;
}

/**
 * A multi-version key-value store (plain data inside, for durable storage).
 *
 * @example
 * ```ts
 * import { MultiVersionStore } from "./mvcc_store.ts";
 * import assert from "node:assert/strict";
 * const store = new MultiVersionStore();
 * store.write("x", "a", 10);
 * store.write("x", "b", 20);
 * assert.equal(store.readAt("x", 5), null);
 * assert.equal(store.readAt("x", 15), "a");
 * assert.equal(store.readAt("x", 20), "b");
 * assert.equal(store.latest("x"), "b");
 * ```
 */
export class MultiVersionStore {
  /** Each key's versions, in timestamp order. */
  readonly #versions = new Map<string, Version[]>();

  /** A store holding `versions` (as {@linkcode MultiVersionStore.toJSON} gave them). */
  constructor(versions: Record<string, Version[]> = {}) {
    for (const [key, list] of Object.entries(versions)) this.#versions.set(key, [...list]);
  }

  /**
   * Adds `value` as `key`'s version at `ts`, which must be later than every
   * version the key has: commit timestamps only grow.
   */
  write(key: string, value: string, ts: number): void {
    const list = this.#versions.get(key) ?? [];
    const last = list.at(-1);
    if (last !== undefined && !(ts > last.ts)) {
      throw new RangeError(
        `write ${key} at ${ts}: not after its latest version at ${last.ts}`,
      );
    }
    list.push({ ts, value });
    this.#versions.set(key, list);
  }

  /** The value of `key` as of timestamp `ts` (`null`: none written by then). */
  readAt(key: string, ts: number): string | null {
    const list = this.#versions.get(key);
    if (list === undefined) return null;
    // Binary search for the last version at or before ts.
    let lo = 0, hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (list[mid].ts <= ts) lo = mid + 1;
      else hi = mid;
    }
    return lo === 0 ? null : list[lo - 1].value;
  }

  /** The versions of `key`, oldest first (a copy). */
  versions(key: string): Version[] {
    return (this.#versions.get(key) ?? []).map((v) => ({ ...v }));
  }

  /** The latest value of `key` (`null`: never written). */
  latest(key: string): string | null {
    return this.#versions.get(key)?.at(-1)?.value ?? null;
  }

  /** Every key's versions (a copy). */
  toJSON(): Record<string, Version[]> {
    const out: Record<string, Version[]> = {};
    for (const [key, list] of this.#versions) out[key] = list.map((v) => ({ ...v }));
    return out;
  }
}

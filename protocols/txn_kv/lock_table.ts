/**
 * A lock table for two-phase locking: per key, shared locks for readers
 * and an exclusive lock for one writer. Requests never wait (no-wait
 * 2PL): a request that conflicts is refused at once and its transaction
 * aborts. That can never deadlock, at the price of some aborts under
 * contention; the alternatives (wait-die, wound-wait, a waits-for graph)
 * all need waiting, which is the hard part of a lock manager, not of 2PL.
 *
 * Strict 2PL: locks are released only when the transaction commits or
 * aborts, never before, so no transaction sees another's uncommitted
 * writes and the serialisation order is the commit order.
 *
 * @module
 */

import type { TxnId } from "../commit/messages.ts";

/**
 * A key of the store: a number or a string, as in Jepsen's workloads.
 *
 * @example
 * ```ts
 * import type { Key } from "./lock_table.ts";
 * import assert from "node:assert/strict";
 * const k: Key = 3;
 * assert.equal(k, 3);
 * ```
 */
export type Key = number | string;

/**
 * The kind of lock: `shared` to read, `exclusive` to write.
 *
 * @example
 * ```ts
 * import type { LockMode } from "./lock_table.ts";
 * import assert from "node:assert/strict";
 * const m: LockMode = "shared";
 * assert.equal(m, "shared");
 * ```
 */
export type LockMode = "shared" | "exclusive";

/**
 * The locks one transaction holds, as plain data (what a prepared
 * transaction writes to durable storage, so its locks survive a crash).
 *
 * @example
 * ```ts
 * import type { HeldLocks } from "./lock_table.ts";
 * import assert from "node:assert/strict";
 * const h: HeldLocks = { shared: [1], exclusive: [2] };
 * assert.deepEqual(h.exclusive, [2]);
 * ```
 */
export interface HeldLocks {
  /** Keys read under a shared lock. */
  shared: Key[];
  /** Keys written under the exclusive lock. */
  exclusive: Key[];
}

/**
 * The lock table (see the module documentation).
 *
 * @example
 * ```ts
 * import { LockTable } from "./lock_table.ts";
 * import assert from "node:assert/strict";
 * const locks = new LockTable();
 * assert.equal(locks.acquire("t1", 1, "shared"), true);
 * assert.equal(locks.acquire("t2", 1, "shared"), true); // readers share
 * assert.equal(locks.acquire("t2", 1, "exclusive"), false); // t1 reads it too
 * locks.releaseAll("t1");
 * assert.equal(locks.acquire("t2", 1, "exclusive"), true); // the only reader upgrades
 * assert.equal(locks.acquire("t1", 1, "shared"), false);
 * ```
 */
export class LockTable {
  readonly #shared = new Map<Key, Set<TxnId>>();
  readonly #exclusive = new Map<Key, TxnId>();
  readonly #held = new Map<TxnId, HeldLocks>();

  /** Grants `txn` a `mode` lock on `key` if no other transaction's lock conflicts; returns whether it did. */
  acquire(txn: TxnId, key: Key, mode: LockMode): boolean {
    const writer = this.#exclusive.get(key);
    if (writer !== undefined) return writer === txn; // a writer's lock covers reading too
    const readers = this.#shared.get(key);
    if (mode === "shared") {
      if (readers === undefined) this.#shared.set(key, new Set([txn]));
      else readers.add(txn);
      this.#hold(txn).shared.push(key);
      return true;
    }
    if (readers !== undefined && [...readers].some((r) => r !== txn)) return false;
    this.#exclusive.set(key, txn);
    this.#hold(txn).exclusive.push(key);
    return true;
  }

  /** Gives `txn` back exactly the locks it held (a prepared transaction after a restart). */
  restore(txn: TxnId, held: HeldLocks): void {
    for (const key of held.exclusive) {
      if (!this.acquire(txn, key, "exclusive")) {
        throw new Error(`LockTable.restore: ${txn}'s exclusive lock on ${key} conflicts`);
      }
    }
    for (const key of held.shared) {
      if (!this.acquire(txn, key, "shared")) {
        throw new Error(`LockTable.restore: ${txn}'s shared lock on ${key} conflicts`);
      }
    }
  }

  /** The locks `txn` holds. */
  held(txn: TxnId): HeldLocks {
    const h = this.#held.get(txn);
    return { shared: [...new Set(h?.shared ?? [])], exclusive: [...(h?.exclusive ?? [])] };
  }

  /** Releases every lock of `txn` (at commit or abort: strict 2PL). */
  releaseAll(txn: TxnId): void {
    const h = this.#held.get(txn);
    if (h === undefined) return;
    for (const key of h.shared) {
      const readers = this.#shared.get(key);
      readers?.delete(txn);
      if (readers?.size === 0) this.#shared.delete(key);
    }
    for (const key of h.exclusive) {
      if (this.#exclusive.get(key) === txn) this.#exclusive.delete(key);
    }
    this.#held.delete(txn);
  }

  /** How many transactions hold locks. */
  get holders(): number {
    return this.#held.size;
  }

  #hold(txn: TxnId): HeldLocks {
    let h = this.#held.get(txn);
    if (h === undefined) this.#held.set(txn, h = { shared: [], exclusive: [] });
    return h;
  }
}

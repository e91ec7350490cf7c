/**
 * A lock service with fencing tokens: the second {@linkcode StateMachine}
 * replicated by Raft, to show the interface is not the key-value store's
 * alone (Chubby and ZooKeeper are lock services on consensus).
 *
 * A client that holds a lock may pause (a GC pause, a network hiccup) long
 * enough for the lock to pass to another client, then wake up and write as
 * if it still held it. Fencing tokens stop that (Kleppmann, "How to do
 * distributed locking"): every grant carries a number larger than any
 * before, writers send it with each write, and the storage refuses a write
 * whose token is lower than one it has seen. Here the protected storage is
 * part of the machine, so the refusal is replicated and checkable.
 *
 * @module
 */

import type { StateMachine } from "./state_machine.ts";

/**
 * An operation on the lock service.
 *
 * @example
 * ```ts
 * import type { LockOp } from "./lock_service.ts";
 * import assert from "node:assert/strict";
 * const op: LockOp = { f: "acquire", lock: "L", owner: "c1" };
 * assert.equal(op.f, "acquire");
 * ```
 */
export type LockOp =
  /** Take `lock` for `owner`: granted with a fresh fencing token if free (or already `owner`'s). */
  | { f: "acquire"; lock: string; owner: string }
  /** Give `lock` back; only its holder, with the token it was granted. */
  | { f: "release"; lock: string; owner: string; token: number }
  /** A fenced write to `resource`: refused if a write with a larger token was accepted. */
  | { f: "write"; resource: string; token: number; value: string }
  /** Read `resource` and the token of its last accepted write. */
  | { f: "read"; resource: string }
  /** Who holds `lock`, if anyone. */
  | { f: "holder"; lock: string };

/**
 * What a lock operation returns.
 *
 * @example
 * ```ts
 * import type { LockResult } from "./lock_service.ts";
 * import assert from "node:assert/strict";
 * const r: LockResult = { ok: true, token: 3 };
 * assert.equal(r.ok, true);
 * ```
 */
export type LockResult =
  | { ok: true; token: number }
  | { ok: false; holder: string | null; token: number }
  | { value: string | null; token: number }
  | { holder: string | null; token: number };

/**
 * The lock service's state as plain data.
 *
 * @example
 * ```ts
 * import type { LockSnapshot } from "./lock_service.ts";
 * import assert from "node:assert/strict";
 * const s: LockSnapshot = { nextToken: 2, locks: [["L", { owner: "a", token: 1 }]], resources: [] };
 * assert.equal(s.nextToken, 2);
 * ```
 */
export interface LockSnapshot {
  /** The token the next grant gets. */
  nextToken: number;
  /** Held locks: owner and token. */
  locks: Array<[string, { owner: string; token: number }]>;
  /** Fenced resources: the last value accepted and its token. */
  resources: Array<[string, { value: string; token: number }]>;
}

/**
 * Locks with fencing tokens, and the storage they protect.
 *
 * @example
 * ```ts
 * import { LockService } from "./lock_service.ts";
 * import assert from "node:assert/strict";
 * const locks = new LockService();
 * const first = locks.apply({ f: "acquire", lock: "L", owner: "a" });
 * assert.deepEqual(first, { ok: true, token: 1 });
 * locks.apply({ f: "release", lock: "L", owner: "a", token: 1 });
 * assert.deepEqual(locks.apply({ f: "acquire", lock: "L", owner: "b" }), { ok: true, token: 2 });
 * locks.apply({ f: "write", resource: "file", token: 2, value: "b's" });
 * // "a" wakes from a long pause and writes with its old token: fenced off.
 * assert.deepEqual(
 *   locks.apply({ f: "write", resource: "file", token: 1, value: "a's" }),
 *   { ok: false, holder: null, token: 2 },
 * );
 * assert.deepEqual(locks.query({ f: "read", resource: "file" }), { value: "b's", token: 2 });
 * ```
 */
export class LockService implements StateMachine<LockOp, LockResult> {
  #nextToken = 1;
  #locks = new Map<string, { owner: string; token: number }>();
  #resources = new Map<string, { value: string; token: number }>();

  apply(op: LockOp): LockResult {
    switch (op.f) {
      case "acquire": {
        const held = this.#locks.get(op.lock);
        if (held !== undefined && held.owner !== op.owner) {
          return { ok: false, holder: held.owner, token: held.token };
        }
        if (held !== undefined) return { ok: true, token: held.token };
        const token = this.#nextToken++;
        this.#locks.set(op.lock, { owner: op.owner, token });
        return { ok: true, token };
      }
      case "release": {
        const held = this.#locks.get(op.lock);
        if (held === undefined || held.owner !== op.owner || held.token !== op.token) {
          return { ok: false, holder: held?.owner ?? null, token: held?.token ?? 0 };
        }
        this.#locks.delete(op.lock);
        return { ok: true, token: op.token };
      }
      case "write": {
        const last = this.#resources.get(op.resource);
        if (last !== undefined && op.token < last.token) {
          return { ok: false, holder: null, token: last.token };
        }
        this.#resources.set(op.resource, { value: op.value, token: op.token });
        return { ok: true, token: op.token };
      }
      case "read":
      case "holder":
        return this.query(op);
      default: {
        const never: never = op;
        throw new TypeError(`unknown lock operation ${JSON.stringify(never)}`);
      }
    }
  }

  isReadOnly(op: LockOp): boolean {
    return op.f === "read" || op.f === "holder";
  }

  query(op: LockOp): LockResult {
    switch (op.f) {
      case "read": {
        const r = this.#resources.get(op.resource);
        return { value: r?.value ?? null, token: r?.token ?? 0 };
      }
      case "holder": {
        const held = this.#locks.get(op.lock);
        return { holder: held?.owner ?? null, token: held?.token ?? 0 };
      }
      default:
        throw new TypeError(`query: ${op.f} is not a read`);
    }
  }

  snapshot(): LockSnapshot {
    return {
      nextToken: this.#nextToken,
      locks: [...this.#locks].map(([k, v]) => [k, { ...v }]),
      resources: [...this.#resources].map(([k, v]) => [k, { ...v }]),
    };
  }

  restore(data: unknown): void {
    const s = data as LockSnapshot;
    this.#nextToken = s.nextToken;
    this.#locks = new Map(s.locks.map(([k, v]) => [k, { ...v }]));
    this.#resources = new Map(s.resources.map(([k, v]) => [k, { ...v }]));
  }
}

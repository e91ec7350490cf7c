/**
 * The transactional key-value store's messages and micro-operations.
 *
 * A transaction is a list of micro-operations in Jepsen's form, as plain
 * JSON: `["append", k, v]` appends `v` to the list at key `k`, `["w", k, v]`
 * sets the register `k` to `v`, and `["r", k, null]` reads `k`; the client
 * fills each read in as it executes (`["r", k, [1, 2]]`, or the register's
 * value; `null` for a key never written). That is exactly what Jepsen's
 * list-append and rw-register workloads record as `:value`, and what the
 * transaction checker (`sim/check`, `deno task sim txncheck`) reads.
 *
 * A client executes a transaction one micro-operation at a time at the
 * shard that owns the key (`Exec`), then asks the coordinator to commit it
 * over the shards it touched, with two-phase commit's messages.
 *
 * @module
 */

import type { CommitMsg, TxnId } from "../commit/messages.ts";
import type { Key } from "./lock_table.ts";

/**
 * A value: a number, unique per key for writes (that is how a read names
 * the write it saw).
 *
 * @example
 * ```ts
 * import type { Value } from "./messages.ts";
 * import assert from "node:assert/strict";
 * const v: Value = 7;
 * assert.equal(v, 7);
 * ```
 */
export type Value = number;

/**
 * A micro-operation, as Jepsen records it.
 *
 * @example
 * ```ts
 * import type { MicroOp } from "./messages.ts";
 * import assert from "node:assert/strict";
 * const txn: MicroOp[] = [["append", 1, 3], ["r", 2, null], ["r", 1, [1, 3]]];
 * assert.equal(txn.length, 3);
 * ```
 */
export type MicroOp =
  | ["append", Key, Value]
  | ["w", Key, Value]
  | ["r", Key, Value[] | Value | null];

/**
 * The two workloads: lists appended to, or registers written.
 *
 * @example
 * ```ts
 * import { WORKLOADS } from "./messages.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(WORKLOADS, ["list-append", "rw-register"]);
 * ```
 */
export const WORKLOADS = ["list-append", "rw-register"] as const;

/** One of {@linkcode WORKLOADS}. */
export type Workload = typeof WORKLOADS[number];

/**
 * Messages between clients and shards, plus two-phase commit's.
 *
 * @example
 * ```ts
 * import type { TxnKvMsg } from "./messages.ts";
 * import assert from "node:assert/strict";
 * const m: TxnKvMsg = { type: "Exec", txn: "c1.1", index: 0, prior: 0, op: ["r", 1, null] };
 * assert.equal(m.type, "Exec");
 * ```
 */
export type TxnKvMsg =
  /**
   * Execute micro-operation `index` of `txn` here. `prior` counts the
   * transaction's micro-operations this shard has already executed, as the
   * client knows it: a shard that lost them (it crashed, or gave up on the
   * transaction) must refuse, or the locks they took would silently be gone.
   */
  | { type: "Exec"; txn: TxnId; index: number; prior: number; op: MicroOp }
  /** The result: the read filled in, or `ok: false` (a lock conflict, or the transaction was lost). */
  | { type: "ExecReply"; txn: TxnId; index: number; ok: boolean; op: MicroOp }
  /** The client gives up on `txn` before committing: drop it and its locks. */
  | { type: "Release"; txn: TxnId }
  | CommitMsg;

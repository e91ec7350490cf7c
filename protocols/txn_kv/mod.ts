/**
 * A transactional key-value store (issue 14, item 5): shards with strict
 * two-phase locking that are two-phase commit participants
 * (`protocols/commit`), clients that run Jepsen's list-append and
 * rw-register workloads and record their transactions as Jepsen does, and
 * the `txn-kv` scenario, whose history the transaction checker reads.
 * `--no-locking` removes the locks and the anomalies appear.
 *
 * @example
 * ```ts
 * import { txnKv } from "./mod.ts";
 * import { runScenario } from "../../sim/scenario.ts";
 * import assert from "node:assert/strict";
 * const run = runScenario(txnKv, { seed: 1, trace: "off" });
 * assert.equal(run.ok, true);
 * const txn = run.sim.history.operations.find((op) => op.status === "ok")!;
 * assert.equal(txn.f, "txn"); // output: [["append", 4, 4], ["r", 2, null], ...]
 * ```
 *
 * @module
 */

export { TxnClient, type TxnClientConfig, type TxnClientTimer } from "./client.ts";
export { type JepsenEvent, jepsenEvents, txnHistoryJson, txnKvLabel } from "./history.ts";
export { type HeldLocks, type Key, type LockMode, LockTable } from "./lock_table.ts";
export { type MicroOp, type TxnKvMsg, type Value, type Workload, WORKLOADS } from "./messages.ts";
export { TXN_KV_FLAGS, txnKv, verdictLines } from "./scenario.ts";
export { Shard, type ShardConfig, type ShardTimer } from "./shard.ts";

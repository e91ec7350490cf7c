/**
 * The store's history in the forms the checkers read.
 *
 * The simulator records each transaction as one operation: `f: "txn"`, the
 * input the micro-operations with reads `null`, the output the same with
 * the reads filled in (see `messages.ts`). {@linkcode txnHistoryJson}
 * writes that as this project's JSON form (one object per line), which
 * `deno task sim txncheck` reads; {@linkcode jepsenEvents} writes what
 * Jepsen itself records for its list-append and rw-register workloads, an
 * invocation and a completion per transaction
 * (`{:process 0, :type :invoke, :f :txn, :value [[:append 1 2] [:r 3 nil]]}`),
 * as plain JSON.
 *
 * @module
 */

import type { Operation } from "../../sim/history.ts";
import { commitLabel } from "../commit/scenarios.ts";
import type { MicroOp } from "./messages.ts";

/**
 * The history as JSON lines in the project's form: `client`, `f`,
 * `input`, `output` (committed transactions), `call`, `ret`, `status`.
 *
 * @example
 * ```ts
 * import { txnHistoryJson } from "./history.ts";
 * import assert from "node:assert/strict";
 * const text = txnHistoryJson([{
 *   id: 0, client: "c1", f: "txn", input: [["r", 1, null]], output: [["r", 1, [2]]],
 *   call: 5, ret: 9, status: "ok",
 * }]);
 * assert.equal(
 *   text,
 *   '{"client":"c1","f":"txn","input":[["r",1,null]],"output":[["r",1,[2]]],"call":5,"ret":9,"status":"ok"}\n',
 * );
 * ```
 */
export function txnHistoryJson(operations: readonly Operation[]): string {
  return operations.map((op) => {
    const done = op.status === "ok" || op.status === "fail";
    return JSON.stringify({
      client: op.client,
      f: op.f,
      input: op.input,
      ...(op.status === "ok" ? { output: op.output } : {}),
      call: op.call,
      ...(done ? { ret: op.ret } : {}),
      status: op.status === "pending" ? "info" : op.status,
    }) + "\n";
  }).join("");
}

/**
 * One event of a Jepsen history: an invocation or a completion.
 *
 * @example
 * ```ts
 * import type { JepsenEvent } from "./history.ts";
 * import assert from "node:assert/strict";
 * const e: JepsenEvent = {
 *   index: 0, time: 0, process: "c1", type: "invoke", f: "txn", value: [["r", 1, null]],
 * };
 * assert.equal(e.type, "invoke");
 * ```
 */
export interface JepsenEvent {
  /** Position in the history. */
  index: number;
  /** Virtual time, in nanoseconds as Jepsen counts. */
  time: number;
  /** The client. */
  process: string;
  /** `invoke`, then `ok`, `fail` or `info`. */
  type: "invoke" | "ok" | "fail" | "info";
  /** Always `txn` here. */
  f: string;
  /** The micro-operations: reads `null` at invocation, filled in at `ok`. */
  value: MicroOp[];
}

/**
 * The history as Jepsen records it: each transaction's invocation and
 * completion, ordered by time; a transaction still pending at the end
 * completes as `info`.
 *
 * @example
 * ```ts
 * import { jepsenEvents } from "./history.ts";
 * import assert from "node:assert/strict";
 * const events = jepsenEvents([{
 *   id: 0, client: "c1", f: "txn", input: [["append", 1, 2]], output: [["append", 1, 2]],
 *   call: 1, ret: 3, status: "ok",
 * }]);
 * assert.deepEqual(events.map((e) => [e.type, e.time]), [["invoke", 1_000_000], ["ok", 3_000_000]]);
 * ```
 */
export function jepsenEvents(operations: readonly Operation[]): JepsenEvent[] {
  const raw: Array<Omit<JepsenEvent, "index">> = [];
  for (const op of operations) {
    const input = op.input as MicroOp[];
    raw.push({ time: op.call, process: op.client, type: "invoke", f: op.f, value: input });
    const type = op.status === "pending" ? "info" : op.status;
    const value = op.status === "ok" ? op.output as MicroOp[] : input;
    raw.push({
      time: Number.isFinite(op.ret) ? op.ret : Infinity,
      process: op.client,
      type,
      f: op.f,
      value,
    });
  }
  const last = Math.max(0, ...raw.map((e) => e.time).filter(Number.isFinite));
  return raw
    .map((e, i) => ({ e, i }))
    .sort((a, b) => (a.e.time - b.e.time) || (a.i - b.i))
    .map(({ e }, index) => ({
      ...e,
      index,
      time: Math.round((Number.isFinite(e.time) ? e.time : last) * 1_000_000),
    }));
}

/**
 * How diagrams label the store's messages: `Exec c1.2 #0 append 1 7`,
 * `ExecReply c1.2 #0 r 1 [7]`, and 2PC's as usual.
 *
 * @example
 * ```ts
 * import { txnKvLabel } from "./history.ts";
 * import assert from "node:assert/strict";
 * assert.equal(txnKvLabel({ type: "Exec", txn: "c1.2", index: 0, prior: 0, op: ["r", 1, null] }), "Exec c1.2 #0 r 1");
 * assert.equal(txnKvLabel({ type: "Prepare", txn: "c1.2", participants: [], epoch: 1 }), "Prepare c1.2");
 * ```
 */
export function txnKvLabel(msg: unknown): string {
  const m = msg as { type: string; txn?: string; index?: number; ok?: boolean; op?: MicroOp };
  if (m.op === undefined) return commitLabel(msg);
  const [f, k, v] = m.op;
  const shown = v === null ? "" : ` ${JSON.stringify(v)}`;
  return `${m.type} ${m.txn} #${m.index}${m.ok === false ? " refused" : ""} ${f} ${k}${shown}`;
}

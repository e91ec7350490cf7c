/**
 * The checks of the `spanner` scenario, over the clients' history.
 *
 * - **external consistency** (Spanner's guarantee, lecture 8.2): if a
 *   read-write transaction T1 was acknowledged before T2 was invoked, in
 *   real (global virtual) time, then T1's commit timestamp is smaller than
 *   T2's timestamp (its commit timestamp, or its snapshot's);
 * - **strict serializability** of the values read, by the transaction
 *   checker (`checkTransactions`, rw-register), which names the anomaly when
 *   timestamps and real time disagree (a stale snapshot is a
 *   `G-single-realtime`).
 *
 * @module
 */

import type { Operation } from "../../sim/history.ts";
import type { Violation } from "../../sim/simulation.ts";
import {
  checkTransactions,
  transactionViolations,
  type TxnCheckResult,
} from "../../sim/check/txn/check.ts";
import type { TxnOutput } from "./messages.ts";

/**
 * A pair that breaks external consistency: `first` was acknowledged before
 * `second` began, yet did not get the smaller timestamp.
 *
 * @example
 * ```ts
 * import type { Inversion } from "./check.ts";
 * import assert from "node:assert/strict";
 * const show = (i: Inversion) => `${i.first.id} then ${i.second.id}`;
 * assert.equal(typeof show, "function");
 * ```
 */
export interface Inversion {
  /** The read-write transaction acknowledged first. */
  first: Operation;
  /** A transaction invoked after that acknowledgement. */
  second: Operation;
}

/**
 * The transaction's timestamp, or `undefined` if it did not return `ok`.
 *
 * @example
 * ```ts
 * import { timestampOf } from "./check.ts";
 * import assert from "node:assert/strict";
 * const op = { id: 0, client: "c1", f: "txn", input: [], output: { ts: 12.5, txn: [] },
 *   call: 0, ret: 3, status: "ok" as const };
 * assert.equal(timestampOf(op), 12.5);
 * ```
 */
export function timestampOf(op: Operation): number | undefined {
  return op.status === "ok" ? (op.output as TxnOutput).ts : undefined;
}

function isReadWrite(op: Operation): boolean {
  return (op.input as unknown[][]).some((m) => m[0] === "w");
}

/**
 * Every pair that breaks external consistency (see the module
 * documentation), first acknowledgement first.
 *
 * @example
 * ```ts
 * import { externalConsistency } from "./check.ts";
 * import assert from "node:assert/strict";
 * const rw = (id: number, call: number, ret: number, ts: number) => ({
 *   id, client: `c${id}`, f: "txn", input: [["r", "k0", null], ["w", "k0", `t${id}`]],
 *   output: { ts, txn: [] }, call, ret, status: "ok" as const,
 * });
 * // T1 returned at 10; T2 began at 12 but got an earlier timestamp.
 * const bad = externalConsistency([rw(1, 0, 10, 50), rw(2, 12, 20, 40)]);
 * assert.deepEqual(bad.map((i) => [i.first.id, i.second.id]), [[1, 2]]);
 * assert.deepEqual(externalConsistency([rw(1, 0, 10, 50), rw(2, 12, 20, 60)]), []);
 * ```
 */
export function externalConsistency(ops: readonly Operation[]): Inversion[] {
  const done = ops.filter((o) => o.status === "ok");
  const firsts = done.filter(isReadWrite).sort((a, b) => a.ret - b.ret);
  const seconds = [...done].sort((a, b) => a.call - b.call);
  const out: Inversion[] = [];
  for (const first of firsts) {
    const ts = timestampOf(first)!;
    // Only transactions invoked after first returned: strictly later in real time.
    for (let i = seconds.length - 1; i >= 0 && seconds[i].call > first.ret; i--) {
      const second = seconds[i];
      if (!(ts < timestampOf(second)!)) out.push({ first, second });
    }
  }
  return out;
}

/**
 * The history as `checkTransactions` reads it: each transaction's output
 * is its micro-operations.
 *
 * @example
 * ```ts
 * import { asTransactions } from "./check.ts";
 * import assert from "node:assert/strict";
 * const [op] = asTransactions([{ id: 0, client: "c1", f: "txn", input: [["r", "k0", null]],
 *   output: { ts: 5, txn: [["r", "k0", null]] }, call: 0, ret: 1, status: "ok" }]);
 * assert.deepEqual(op.output, [["r", "k0", null]]);
 * ```
 */
export function asTransactions(ops: readonly Operation[]): Operation[] {
  return ops.map((o) => o.status === "ok" ? { ...o, output: (o.output as TxnOutput).txn } : o);
}

/**
 * The scenario's violations: one for the first external consistency
 * inversion (with how many there were), and the transaction checker's.
 *
 * @example
 * ```ts
 * import { spannerViolations } from "./check.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(spannerViolations([], 100).violations, []);
 * ```
 */
export function spannerViolations(
  ops: readonly Operation[],
  atMs: number,
): { violations: Violation[]; inversions: Inversion[]; txn: TxnCheckResult } {
  const inversions = externalConsistency(ops);
  const txn = checkTransactions(asTransactions(ops), {
    model: "rw-register",
    consistency: "strict-serializable",
  });
  const violations: Violation[] = [];
  if (inversions.length > 0) {
    const { first, second } = inversions[0];
    violations.push({
      check: "external-consistency",
      message: `T${first.id} (${first.client}) committed at ${fmt(timestampOf(first)!)} and ` +
        `returned at ${fmt(first.ret)}; T${second.id} (${second.client}) began later, at ` +
        `${fmt(second.call)}, yet got timestamp ${fmt(timestampOf(second)!)}` +
        (inversions.length > 1 ? ` (${inversions.length} such pairs)` : ""),
      atMs,
      // About transactions that returned: a shorter run that has them fails the same way.
      safety: true,
    });
  }
  violations.push(...transactionViolations(txn, atMs));
  return { violations, inversions, txn };
}

function fmt(ms: number): string {
  return String(Math.round(ms * 1000) / 1000);
}

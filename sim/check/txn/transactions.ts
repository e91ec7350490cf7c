/**
 * Transactions as the checker reads them: an operation whose value is a list
 * of micro-operations `[f, key, value]`, as in Jepsen's and Elle's
 * workloads.
 *
 * - **list-append**: `["append", k, v]` appends the unique element `v` to the
 *   list `k`; `["r", k, [v1, v2, ...]]` reads the whole list (`null` or `[]`:
 *   the empty initial list).
 * - **rw-register**: `["w", k, v]` sets the register `k` to the unique value
 *   `v`; `["r", k, v]` reads it (`null`: the initial, never-written state).
 *
 * An `ok` transaction's micro-operations are its output (the reads filled
 * in), or its input when it has no output. An `info` or `pending` one may or
 * may not have committed: its writes are its input's, its reads unknown. A
 * `fail` one certainly did not commit; its writes are kept only to recognise
 * a read of them (an aborted read). Function names may carry an EDN colon
 * (`":append"`), so a Jepsen `history.edn` reads unchanged.
 *
 * @module
 */

import type { OpId } from "../../../actors/mod.ts";
import type { Operation } from "../../history.ts";
import { canonical, ModelInputError, valueKey } from "../models.ts";

/**
 * The two transactional workloads: lists you append to, and registers you
 * overwrite.
 *
 * @example
 * ```ts
 * import type { TxnWorkload } from "./transactions.ts";
 * import assert from "node:assert/strict";
 * const w: TxnWorkload = "list-append";
 * assert.equal(w, "list-append");
 * ```
 */
export type TxnWorkload = "list-append" | "rw-register";

/**
 * Every {@linkcode TxnWorkload}, for command lines and error messages.
 *
 * @example
 * ```ts
 * import { TXN_WORKLOADS } from "./transactions.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual([...TXN_WORKLOADS], ["list-append", "rw-register"]);
 * ```
 */
export const TXN_WORKLOADS: readonly TxnWorkload[] = ["list-append", "rw-register"];

/**
 * One micro-operation: a read (`r`), an append (`append`, list-append) or a
 * write (`w`, rw-register) of one key.
 *
 * @example
 * ```ts
 * import type { MicroOp } from "./transactions.ts";
 * import assert from "node:assert/strict";
 * const m: MicroOp = { f: "append", key: "x", value: 3 };
 * assert.equal(m.f, "append");
 * ```
 */
export interface MicroOp {
  /** `r`, `append` or `w`. */
  f: "r" | "append" | "w";
  /** The key, as written in the history. */
  key: unknown;
  /**
   * For a write or append, the value written; for a read, the value seen
   * (`null` when not known, as in an `info` transaction's reads).
   */
  value: unknown;
}

/**
 * One transaction of the history: the operation it came from and its
 * micro-operations.
 *
 * @example
 * ```ts
 * import type { Txn } from "./transactions.ts";
 * import assert from "node:assert/strict";
 * const t: Txn = {
 *   index: 0, id: 0, client: "c1", status: "ok", call: 0, ret: 5,
 *   mops: [{ f: "r", key: "x", value: [1] }],
 * };
 * assert.equal(t.mops.length, 1);
 * ```
 */
export interface Txn {
  /** Position in the checker's list of transactions. */
  index: number;
  /** The operation's id in the history. */
  id: OpId;
  /** Who invoked it. */
  client: string;
  /** `ok` committed; `fail` did not; `info` and `pending` may have. */
  status: Operation["status"];
  /** Invocation time. */
  call: number;
  /** Return time, `Infinity` when it never returned. */
  ret: number;
  /** The micro-operations, in order. */
  mops: MicroOp[];
}

/**
 * The transactions of a history, and the workload they belong to.
 *
 * @example
 * ```ts
 * import type { TxnHistory } from "./transactions.ts";
 * import assert from "node:assert/strict";
 * const h: TxnHistory = { workload: "rw-register", txns: [] };
 * assert.equal(h.txns.length, 0);
 * ```
 */
export interface TxnHistory {
  /** The workload, given or detected. */
  workload: TxnWorkload;
  /** Every transaction, `fail`ed ones included, in history order. */
  txns: Txn[];
}

/**
 * Reads the transactions of a history. With no `workload`, it is detected:
 * an `append` makes it list-append, a `w` rw-register; a history with reads
 * only is list-append when every read is a list or `null`.
 *
 * Throws `ModelInputError` (naming the operation) for a malformed transaction, a function
 * the workload does not have, a list-append read that is not a list, a
 * `null` write, or a value written (appended) to one key twice: the checker
 * identifies a write by its value, as Elle does.
 *
 * @example
 * ```ts
 * import { readTransactions } from "./transactions.ts";
 * import assert from "node:assert/strict";
 * const { workload, txns } = readTransactions([{
 *   id: 0, client: "1", f: "txn", input: [[":append", 5, 1], [":r", 5, null]],
 *   output: [[":append", 5, 1], [":r", 5, [1]]], call: 0, ret: 1, status: "ok",
 * }]);
 * assert.equal(workload, "list-append");
 * assert.deepEqual(txns[0].mops[1], { f: "r", key: 5, value: [1] });
 * ```
 */
export function readTransactions(
  history: readonly Operation[],
  workload?: TxnWorkload,
): TxnHistory {
  if (workload !== undefined && !TXN_WORKLOADS.includes(workload)) {
    throw new RangeError(
      `unknown workload ${JSON.stringify(workload)}: use one of ${TXN_WORKLOADS.join(", ")}`,
    );
  }
  const txns: Txn[] = history.map((op, index) => ({
    index,
    id: op.id,
    client: op.client,
    status: op.status,
    call: op.call,
    ret: op.status === "ok" || op.status === "fail" ? op.ret : Infinity,
    mops: microOps(op),
  }));
  const chosen = workload ?? detectWorkload(txns);
  for (const t of txns) checkTxn(t, chosen);
  checkUniqueWrites(txns);
  return { workload: chosen, txns };
}

/** The micro-operations an operation stands for (see the module documentation). */
function microOps(op: Operation): MicroOp[] {
  const value = op.status === "ok" || op.status === "fail"
    ? (Array.isArray(op.output) ? op.output : op.input)
    : op.input;
  if (!Array.isArray(value)) {
    throw new ModelInputError(
      op.id,
      `operation ${op.id} (${op.f} by ${op.client}): the transaction must be a list of ` +
        `[f, key, value] micro-operations, got ${brief(value)}`,
    );
  }
  return value.map((m, i) => {
    if (!Array.isArray(m) || m.length !== 3) {
      throw new ModelInputError(
        op.id,
        `operation ${op.id}: micro-operation ${i} must be [f, key, value], got ${brief(m)}`,
      );
    }
    const name = typeof m[0] === "string" ? m[0].replace(/^:/, "") : undefined;
    if (name !== "r" && name !== "append" && name !== "w") {
      throw new ModelInputError(
        op.id,
        `operation ${op.id}: micro-operation ${i} has function ${brief(m[0])}; ` +
          `allowed: "r", "append" (list-append), "w" (rw-register)`,
      );
    }
    // Reads of a transaction that may not have run are unknown, whatever they hold.
    const known = name !== "r" || op.status === "ok";
    return { f: name, key: m[1], value: known ? (m[2] ?? null) : null };
  });
}

function detectWorkload(txns: readonly Txn[]): TxnWorkload {
  let append: Txn | undefined, write: Txn | undefined, scalarRead = false;
  for (const t of txns) {
    for (const m of t.mops) {
      if (m.f === "append") append ??= t;
      else if (m.f === "w") write ??= t;
      else if (m.value !== null && !Array.isArray(m.value)) scalarRead = true;
    }
  }
  if (append !== undefined && write !== undefined) {
    throw new ModelInputError(
      write.id,
      `operation ${write.id} writes ("w") but operation ${append.id} appends: ` +
        `a history is either list-append or rw-register`,
    );
  }
  if (append !== undefined) return "list-append";
  if (write !== undefined || scalarRead) return "rw-register";
  return "list-append";
}

function checkTxn(t: Txn, workload: TxnWorkload): void {
  const writeName = workload === "list-append" ? "append" : "w";
  t.mops.forEach((m, i) => {
    const where = `operation ${t.id} (${t.client}), micro-operation ${i}`;
    if (m.f !== "r" && m.f !== writeName) {
      throw new ModelInputError(
        t.id,
        `${where}: "${m.f}" is not part of ${workload} (its functions are "r" and "${writeName}")`,
      );
    }
    if (m.f !== "r" && (m.value === null || Array.isArray(m.value))) {
      throw new ModelInputError(
        t.id,
        `${where}: ${m.f} needs a single non-null value, got ${brief(m.value)}`,
      );
    }
    if (workload === "list-append" && m.f === "r" && m.value !== null && !Array.isArray(m.value)) {
      throw new ModelInputError(t.id, `${where}: a list-append read must be a list or null`);
    }
  });
}

/** Elle's precondition: a written value names its write, so no value is written to a key twice. */
function checkUniqueWrites(txns: readonly Txn[]): void {
  const seen = new Map<string | number, Map<string | number, Txn>>();
  for (const t of txns) {
    for (const m of t.mops) {
      if (m.f === "r") continue;
      const k = valueKey(m.key), v = valueKey(m.value);
      let values = seen.get(k);
      if (values === undefined) seen.set(k, values = new Map());
      const first = values.get(v);
      if (first !== undefined) {
        throw new ModelInputError(
          t.id,
          `operation ${t.id} writes ${brief(m.value)} to key ${brief(m.key)}, as operation ` +
            `${first.id} did: every value must be written to a key at most once`,
        );
      }
      values.set(v, t);
    }
  }
}

/**
 * A short text for a value in messages.
 *
 * @example
 * ```ts
 * import { brief } from "./transactions.ts";
 * import assert from "node:assert/strict";
 * assert.equal(brief([1, "a"]), '[1,"a"]');
 * assert.equal(brief(undefined), "nothing");
 * ```
 */
export function brief(v: unknown): string {
  if (v === undefined) return "nothing";
  const s = canonical(v);
  return s.length > 60 ? s.slice(0, 57) + "..." : s;
}

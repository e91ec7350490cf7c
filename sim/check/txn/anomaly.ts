/**
 * What the transaction checker reports: anomalies seen in one read (an
 * aborted or intermediate read, a read that contradicts its own
 * transaction, ...) and cycles in the dependency graph, each step of a
 * cycle explained in words as Elle does ("T3 read x = [1 2] without T5's
 * append of 3").
 *
 * Transactions are named `T<id>` after their operation's id in the history.
 *
 * @module
 */

import type { OpId } from "../../../actors/mod.ts";
import type { AnomalyType, CycleAnomalyType } from "./consistency.ts";
import type { EdgeKind, EdgeReason } from "./dependency_graph.ts";
import { brief, type Txn, type TxnWorkload } from "./transactions.ts";

/**
 * An anomaly seen in one read: `G1a`, `G1b`, `internal`, `future-read`,
 * `garbage-read`, `incompatible-order`, `duplicate-elements` or
 * `lost-update`.
 *
 * @example
 * ```ts
 * import type { ReadAnomaly } from "./anomaly.ts";
 * import assert from "node:assert/strict";
 * const a: ReadAnomaly = {
 *   type: "G1a", op: 4, writer: 2, key: "x", value: [1],
 *   description: "T4 read x = [1], but T2, which appended 1, failed",
 * };
 * assert.equal(a.type, "G1a");
 * ```
 */
export interface ReadAnomaly {
  /** Which anomaly. */
  type: Exclude<AnomalyType, CycleAnomalyType>;
  /** The transaction (operation id) that read. */
  op: OpId;
  /** The transaction whose write it saw, when that matters. */
  writer?: OpId;
  /** The key read. */
  key: unknown;
  /** The value read. */
  value: unknown;
  /** `internal`: what its own reads and writes say it should have read. */
  expected?: unknown;
  /** One sentence. */
  description: string;
}

/**
 * One edge of a cycle: `from` must precede `to` because of `kind`.
 *
 * @example
 * ```ts
 * import type { CycleStep } from "./anomaly.ts";
 * import assert from "node:assert/strict";
 * const s: CycleStep = { from: 1, to: 2, kind: "wr", why: "T2 read T1's append of 3 to x" };
 * assert.equal(s.kind, "wr");
 * ```
 */
export interface CycleStep {
  /** The earlier transaction's operation id. */
  from: OpId;
  /** The later transaction's operation id. */
  to: OpId;
  /** Why it must be later. */
  kind: EdgeKind;
  /** The reason in words. */
  why: string;
}

/**
 * A cycle in the dependency graph: no serial order (of the kind the anomaly
 * rules out) puts every transaction after the ones it depends on.
 *
 * @example
 * ```ts
 * import type { CycleAnomaly } from "./anomaly.ts";
 * import assert from "node:assert/strict";
 * const a: CycleAnomaly = {
 *   type: "G0", ops: [1, 2],
 *   cycle: [
 *     { from: 1, to: 2, kind: "ww", why: "T2 appended 2 after T1 appended 1 to x" },
 *     { from: 2, to: 1, kind: "ww", why: "T1 appended 4 after T2 appended 3 to y" },
 *   ],
 *   description: "G0 (write cycle): T1 -ww-> T2 -ww-> T1",
 * };
 * assert.equal(a.cycle.length, 2);
 * ```
 */
export interface CycleAnomaly {
  /** Which anomaly: the shape of the cycle. */
  type: CycleAnomalyType;
  /** The transactions on the cycle, in order. */
  ops: OpId[];
  /** The edges, each from the previous transaction to the next; the last closes the cycle. */
  cycle: CycleStep[];
  /** One line: the anomaly and the cycle. */
  description: string;
}

/**
 * Any anomaly the checker reports.
 *
 * @example
 * ```ts
 * import type { Anomaly } from "./anomaly.ts";
 * import assert from "node:assert/strict";
 * const a: Anomaly = {
 *   type: "internal", op: 3, key: "x", value: 1, expected: 2,
 *   description: "T3 read x = 1 after writing 2",
 * };
 * assert.ok(!("cycle" in a));
 * ```
 */
export type Anomaly = ReadAnomaly | CycleAnomaly;

/**
 * What each anomaly is called in words.
 *
 * @example
 * ```ts
 * import { ANOMALY_NAMES } from "./anomaly.ts";
 * import assert from "node:assert/strict";
 * assert.equal(ANOMALY_NAMES["G2"], "anti-dependency cycle (write skew)");
 * ```
 */
export const ANOMALY_NAMES: Readonly<Record<string, string>> = {
  "G0": "write cycle",
  "G1a": "aborted read",
  "G1b": "intermediate read",
  "G1c": "circular information flow",
  "G-single": "read skew: a cycle with one anti-dependency",
  "G2": "anti-dependency cycle (write skew)",
  "internal": "a read that contradicts its own transaction",
  "future-read": "a read of the transaction's own later write",
  "garbage-read": "a read of a value nobody wrote",
  "incompatible-order": "reads no single order of appends explains",
  "duplicate-elements": "an element appended once, read twice",
  "lost-update": "two read-modify-writes of one version",
};

/**
 * The words for an anomaly type, its variant included.
 *
 * @example
 * ```ts
 * import { anomalyName } from "./anomaly.ts";
 * import assert from "node:assert/strict";
 * assert.equal(anomalyName("G0-realtime"), "write cycle, with real-time order");
 * ```
 */
export function anomalyName(type: AnomalyType): string {
  const m = /^(.*?)(-process|-realtime)?$/.exec(type)!;
  const base = ANOMALY_NAMES[m[1]] ?? type;
  if (m[2] === "-process") return `${base}, with one client's order`;
  if (m[2] === "-realtime") return `${base}, with real-time order`;
  return base;
}

/**
 * A transaction's name in messages: `T` and its operation id.
 *
 * @example
 * ```ts
 * import { txnName } from "./anomaly.ts";
 * import assert from "node:assert/strict";
 * assert.equal(txnName(12), "T12");
 * ```
 */
export function txnName(id: OpId): string {
  return `T${id}`;
}

/** A key in messages: its text, without quotes for simple strings and numbers. */
function keyText(k: unknown): string {
  return typeof k === "string" && /^[:\w-]+$/.test(k) ? k : brief(k);
}

/** A read's value in messages: `[1 2 3]` for lists (Elle's way), else as JSON. */
function valueText(v: unknown): string {
  if (Array.isArray(v)) return "[" + v.map((x) => brief(x)).join(" ") + "]";
  return brief(v);
}

/**
 * A sentence for why `a → b` is an edge of `kind`.
 *
 * @example
 * ```ts
 * import { explainEdge } from "./anomaly.ts";
 * import assert from "node:assert/strict";
 * assert.equal(
 *   explainEdge("list-append", 1, 2, "rw", { key: "x", before: 1, after: 2 }),
 *   "T1 read x without T2's append of 2, which came after 1",
 * );
 * ```
 */
export function explainEdge(
  workload: TxnWorkload,
  a: OpId,
  b: OpId,
  kind: EdgeKind,
  r: EdgeReason,
  txns?: { a: Txn; b: Txn },
): string {
  const A = txnName(a), B = txnName(b), k = keyText(r.key);
  const list = workload === "list-append";
  switch (kind) {
    case "ww":
      return list
        ? `${B} appended ${brief(r.after)} right after ${A}'s ${brief(r.before)} to ${k}`
        : `${B} wrote ${k} = ${brief(r.after)} after ${A} wrote ${brief(r.before)}`;
    case "wr":
      return list
        ? `${B} read ${A}'s append of ${brief(r.before)} to ${k}`
        : `${B} read ${k} = ${brief(r.before)}, written by ${A}`;
    case "rw": {
      if (list) {
        return r.before === null || r.before === undefined
          ? `${A} read ${k} empty, before ${B}'s append of ${brief(r.after)}`
          : `${A} read ${k} without ${B}'s append of ${brief(r.after)}, which came after ${
            brief(r.before)
          }`;
      }
      const seen = r.before === null || r.before === undefined
        ? `the initial ${k}`
        : `${k} = ${brief(r.before)}`;
      return `${A} read ${seen}, which ${B}'s write of ${brief(r.after)} overwrote`;
    }
    case "process":
      return `${A} returned before ${B} began, on one client (${txns?.a.client ?? "?"})`;
    case "realtime":
      return txns === undefined
        ? `${A} returned before ${B} began`
        : `${A} returned (at ${txns.a.ret}) before ${B} began (at ${txns.b.call})`;
    default: {
      const never: never = kind;
      throw new Error(`unknown edge kind ${never}`);
    }
  }
}

/**
 * A one-line description of a cycle: its type, then the transactions with
 * the kinds of the edges between them.
 *
 * @example
 * ```ts
 * import { describeCycle } from "./anomaly.ts";
 * import assert from "node:assert/strict";
 * assert.equal(
 *   describeCycle("G-single", [
 *     { from: 1, to: 2, kind: "rw", why: "" },
 *     { from: 2, to: 1, kind: "wr", why: "" },
 *   ]),
 *   "G-single (read skew: a cycle with one anti-dependency): T1 -rw-> T2 -wr-> T1",
 * );
 * ```
 */
export function describeCycle(type: CycleAnomalyType, cycle: readonly CycleStep[]): string {
  const path = cycle.map((s) => `${txnName(s.from)} -${s.kind}->`).join(" ");
  return `${type} (${anomalyName(type)}): ${path} ${txnName(cycle[0]?.from ?? 0)}`;
}

/**
 * Builds a {@linkcode ReadAnomaly}, wording its description.
 *
 * @example
 * ```ts
 * import { readAnomaly } from "./anomaly.ts";
 * import assert from "node:assert/strict";
 * const a = readAnomaly("list-append", { type: "G1a", op: 4, writer: 2, key: "x", value: [1] });
 * assert.equal(a.description, "G1a (aborted read): T4 read x = [1], but T2, which wrote 1, failed");
 * ```
 */
export function readAnomaly(
  workload: TxnWorkload,
  a: Omit<ReadAnomaly, "description"> & { element?: unknown; what?: string },
): ReadAnomaly {
  const { element, what: given, ...rest } = a;
  const T = txnName(a.op), k = keyText(a.key), seen = `${T} read ${k} = ${valueText(a.value)}`;
  const last = element ?? (Array.isArray(a.value) ? a.value.at(-1) : a.value);
  const W = a.writer === undefined ? "?" : txnName(a.writer);
  let what: string;
  switch (given === undefined ? a.type : "given") {
    case "given":
      what = `${seen}, ${given}`;
      break;
    case "G1a":
      what = `${seen}, but ${W}, which wrote ${brief(last)}, failed`;
      break;
    case "G1b":
      what = `${seen}, but ${W} wrote ${brief(last)} to ${k} and then ${
        workload === "list-append" ? "appended" : "wrote"
      } again`;
      break;
    case "internal":
      what = `${seen}, but its own earlier reads and writes say ${valueText(a.expected)}`;
      break;
    case "future-read":
      what = `${seen}, which includes ${brief(last)}, a value it only writes later`;
      break;
    case "garbage-read":
      what = `${seen}, but nobody wrote ${brief(last)}`;
      break;
    case "incompatible-order":
      what = `${seen}, which is not a prefix of ${valueText(a.expected)}`;
      break;
    case "duplicate-elements":
      what = `${seen}, with ${brief(last)} more than once`;
      break;
    case "lost-update":
      what = `${seen} and wrote ${k}, as ${W} did after reading the same`;
      break;
    default:
      throw new Error(`unknown read anomaly ${a.type}`);
  }
  return { ...rest, description: `${a.type} (${anomalyName(a.type)}): ${what}` };
}

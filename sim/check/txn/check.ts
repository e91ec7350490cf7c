/**
 * `checkTransactions`: Elle's method for a history of transactions. Read the
 * transactions, infer the dependency graph from the values they read
 * (`ww`, `wr`, `rw`) and from the order they ran in (`process`,
 * `realtime`), find the anomalies single reads show and the cycles of the
 * graph, and name the consistency models they rule out.
 *
 * Every anomaly reported is certain, whatever order the database really
 * applied the writes in. For list-append histories the inference is also
 * complete: a history with no anomaly has a serial order (respecting real
 * time, when no `-realtime` cycle is found either). For rw-register
 * histories with blind writes it is not (see `rw_register.ts`).
 *
 * @module
 */

import type { Operation } from "../../history.ts";
import type { Violation } from "../../simulation.ts";
import {
  type Anomaly,
  type CycleAnomaly,
  type CycleStep,
  describeCycle,
  explainEdge,
} from "./anomaly.ts";
import {
  type AnomalyType,
  CONSISTENCY_MODELS,
  type ConsistencyModel,
  forbids,
  ruledOut,
  weakest,
} from "./consistency.ts";
import { findCycles, type FoundCycle } from "./cycles.ts";
import { DependencyGraph } from "./dependency_graph.ts";
import { inferListAppend } from "./list_append.ts";
import { addProcessEdges, addRealtimeEdges } from "./order_edges.ts";
import { inferRwRegister } from "./rw_register.ts";
import { readTransactions, type Txn, type TxnWorkload } from "./transactions.ts";

/**
 * Options of {@linkcode checkTransactions}.
 *
 * @example
 * ```ts
 * import type { TxnCheckOptions } from "./check.ts";
 * import assert from "node:assert/strict";
 * const o: TxnCheckOptions = { model: "rw-register", consistency: "snapshot-isolation" };
 * assert.equal(o.model, "rw-register");
 * ```
 */
export interface TxnCheckOptions {
  /** The workload: `list-append` or `rw-register`; detected from the micro-operations if absent. */
  model?: TxnWorkload;
  /**
   * The consistency model the history must satisfy for `valid` to be true;
   * default `strict-serializable` (every anomaly the checker knows counts).
   */
  consistency?: ConsistencyModel;
  /** Wall-clock budget for the cycle search; past it `valid` may be `"unknown"`. */
  timeoutMs?: number;
  /** Edge visits the cycle search may make (default 50 million): a budget that replays exactly. */
  maxSteps?: number;
  /** Most cycles reported per anomaly type; default 4. */
  maxCyclesPerType?: number;
}

/**
 * What {@linkcode checkTransactions} found.
 *
 * @example
 * ```ts
 * import type { TxnCheckResult } from "./check.ts";
 * import assert from "node:assert/strict";
 * const r: TxnCheckResult = {
 *   valid: true, model: "list-append", consistency: "strict-serializable",
 *   anomalies: [], anomalyTypes: [], not: [], alsoNot: [], transactions: 0,
 *   complete: true, ms: 0.1,
 * };
 * assert.equal(r.valid, true);
 * ```
 */
export interface TxnCheckResult {
  /**
   * `true`: no anomaly the `consistency` model forbids; `false`: at least
   * one; `"unknown"`: none found before the budget ran out.
   */
  valid: boolean | "unknown";
  /** The workload checked. */
  model: TxnWorkload;
  /** The consistency model `valid` is about. */
  consistency: ConsistencyModel;
  /** Every anomaly found: single-read ones first, then cycles, weakest first. */
  anomalies: Anomaly[];
  /** The distinct anomaly types found. */
  anomalyTypes: AnomalyType[];
  /** The weakest models the anomalies rule out (Elle's `:not`). */
  not: ConsistencyModel[];
  /** The stronger models they rule out too (Elle's `:also-not`). */
  alsoNot: ConsistencyModel[];
  /** Transactions read from the history, failed ones included. */
  transactions: number;
  /** Whether the cycle search finished (false: more cycles may exist). */
  complete: boolean;
  /** Wall-clock milliseconds the check took. */
  ms: number;
}

/**
 * Checks a history of list-append or read-write register transactions for
 * the anomalies of Adya's isolation levels, as Elle does. Each operation's
 * `output` (or, for one that did not return `ok`, its `input`) is a list of
 * micro-operations `[f, key, value]`: `["append", k, v]` / `["r", k, [...]]`
 * for list-append, `["w", k, v]` / `["r", k, v]` for rw-register.
 *
 * Throws `ModelInputError` (with the operation's id) for a transaction it
 * cannot read.
 *
 * @example
 * ```ts
 * import { checkTransactions } from "./check.ts";
 * import assert from "node:assert/strict";
 * const txn = (id: number, mops: unknown[], call: number, ret: number) => ({
 *   id, client: `c${id}`, f: "txn", input: mops, output: mops, call, ret, status: "ok" as const,
 * });
 * // Write skew: both read the other's key empty, then append to their own.
 * const history = [
 *   txn(0, [["r", "x", []], ["append", "y", 1]], 0, 10),
 *   txn(1, [["r", "y", []], ["append", "x", 1]], 0, 10),
 *   txn(2, [["r", "x", [1]], ["r", "y", [1]]], 20, 30),
 * ];
 * const r = checkTransactions(history, { model: "list-append" });
 * assert.equal(r.valid, false);
 * assert.deepEqual(r.anomalyTypes, ["G2"]);
 * assert.deepEqual(r.not, ["repeatable-read"]);
 * assert.ok(r.alsoNot.includes("serializable"));
 * // Snapshot isolation allows write skew:
 * assert.equal(checkTransactions(history, { consistency: "snapshot-isolation" }).valid, true);
 * ```
 */
export function checkTransactions(
  history: readonly Operation[],
  options: TxnCheckOptions = {},
): TxnCheckResult {
  const started = performance.now();
  const consistency = options.consistency ?? "strict-serializable";
  if (!CONSISTENCY_MODELS.includes(consistency)) {
    throw new RangeError(
      `unknown consistency model ${JSON.stringify(consistency)}: use one of ${
        CONSISTENCY_MODELS.join(", ")
      }`,
    );
  }
  if (options.timeoutMs !== undefined && !(options.timeoutMs >= 0)) {
    throw new RangeError(`timeoutMs must be a number >= 0, got ${options.timeoutMs}`);
  }
  const { workload, txns } = readTransactions(history, options.model);
  const graph = new DependencyGraph(txns.length);
  const readAnomalies = workload === "list-append"
    ? inferListAppend(txns, graph)
    : inferRwRegister(txns, graph);
  addProcessEdges(txns, graph);
  addRealtimeEdges(txns, graph);
  const search = findCycles(graph, {
    maxPerType: options.maxCyclesPerType,
    maxSteps: options.maxSteps,
    deadline: options.timeoutMs === undefined ? undefined : started + options.timeoutMs,
  });
  const cycles = search.cycles.map((c) => cycleAnomaly(workload, c, txns, graph));
  const anomalies: Anomaly[] = [...readAnomalies, ...cycles.sort(byType)];
  const anomalyTypes = [...new Set(anomalies.map((a) => a.type))].sort(typeOrder);
  const impossible = ruledOut(anomalyTypes);
  const not = weakest(impossible);
  const failed = anomalyTypes.some((t) => forbids(consistency, t));
  return {
    valid: failed ? false : search.complete ? true : "unknown",
    model: workload,
    consistency,
    anomalies,
    anomalyTypes,
    not,
    alsoNot: impossible.filter((m) => !not.includes(m)),
    transactions: txns.length,
    complete: search.complete,
    ms: performance.now() - started,
  };
}

function cycleAnomaly(
  workload: TxnWorkload,
  c: FoundCycle,
  txns: readonly Txn[],
  graph: DependencyGraph,
): CycleAnomaly {
  const cycle: CycleStep[] = c.edges.map((e) => {
    const a = txns[e.from], b = txns[e.to];
    const reason = graph.reason(e.from, e.to, e.kind) ?? {};
    return {
      from: a.id,
      to: b.id,
      kind: e.kind,
      why: explainEdge(workload, a.id, b.id, e.kind, reason, { a, b }),
    };
  });
  return {
    type: c.type,
    ops: cycle.map((s) => s.from),
    cycle,
    description: describeCycle(c.type, cycle),
  };
}

/** Anomaly types in the order they are reported: single reads, then cycles weakest first. */
const TYPE_ORDER: readonly AnomalyType[] = [
  "duplicate-elements",
  "garbage-read",
  "incompatible-order",
  "G1a",
  "G1b",
  "future-read",
  "internal",
  "lost-update",
  "G0",
  "G1c",
  "G-single",
  "G2",
  "G0-process",
  "G1c-process",
  "G-single-process",
  "G2-process",
  "G0-realtime",
  "G1c-realtime",
  "G-single-realtime",
  "G2-realtime",
];

function typeOrder(a: AnomalyType, b: AnomalyType): number {
  return TYPE_ORDER.indexOf(a) - TYPE_ORDER.indexOf(b);
}

function byType(a: CycleAnomaly, b: CycleAnomaly): number {
  return typeOrder(a.type, b.type);
}

/**
 * The simulator's violations for a failed transaction check (none when it
 * is valid or unknown): one per anomaly type, with its first example.
 *
 * @example
 * ```ts
 * import { checkTransactions, transactionViolations } from "./check.ts";
 * import assert from "node:assert/strict";
 * const r = checkTransactions([{
 *   id: 0, client: "c", f: "txn", input: [["r", "x", 1]], output: [["r", "x", 1]],
 *   call: 0, ret: 1, status: "ok",
 * }], { model: "rw-register" });
 * const [v] = transactionViolations(r, 100);
 * assert.equal(v.check, "transactions");
 * assert.match(v.message, /^garbage-read/);
 * ```
 */
export function transactionViolations(result: TxnCheckResult, atMs: number): Violation[] {
  if (result.valid !== false) return [];
  return result.anomalyTypes
    .filter((t) => forbids(result.consistency, t))
    .map((t) => {
      const first = result.anomalies.find((a) => a.type === t)!;
      const steps = "cycle" in first ? ": " + first.cycle.map((s) => s.why).join("; ") : "";
      return { check: "transactions", message: first.description + steps, atMs };
    });
}

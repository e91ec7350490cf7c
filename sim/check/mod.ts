/**
 * Checking recorded histories: the linearizability checker (Wing & Gong /
 * Lowe search with memoisation, split per key as Porcupine does), its
 * models (register, CAS register, key-value, counter, set, or your own),
 * the same check in windows as a long run goes (`LinearizabilityWindows`,
 * which releases what it has checked), and readers for the project's JSON form and Jepsen's `history.edn`.
 *
 * @example
 * ```ts
 * import { checkLinearizability, parseHistory, registerModel } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const history = parseHistory(JSON.stringify([
 *   { client: "c1", f: "write", input: 1, call: 0, ret: 10 },
 *   { client: "c2", f: "read", output: 1, call: 2, ret: 4 },
 *   { client: "c3", f: "read", output: null, call: 5, ret: 7 },
 * ]));
 * // c3 reads the old value after c2 saw the new one: lecture 7.2's example.
 * assert.equal(checkLinearizability(history, registerModel).result, "illegal");
 * ```
 *
 * @module
 */

export {
  checkLinearizability,
  type CheckOptions,
  type Counterexample,
  counterexampleIn,
  type LinearizabilityResult,
  type LinearizabilityViolation,
  linearizabilityViolations,
  type Verdict,
} from "./linearizability.ts";
export { LinearizabilityWindows, type WindowOptions } from "./linearizability_windows.ts";
export {
  canonical,
  casRegisterModel,
  counterModel,
  isUnknown,
  kvModel,
  type KvState,
  type Model,
  ModelInputError,
  registerModel,
  sameValue,
  setModel,
  type SetState,
  type StepResult,
  valueKey,
} from "./models.ts";
export {
  detectFormat,
  type HistoryFormat,
  HistoryFormatError,
  type ParsedOperation,
  parseEdnHistory,
  parseHistory,
  parseJsonHistory,
} from "./history_format.ts";
export { MODEL_NAMES, modelByName, type ModelName } from "./lincheck_command.ts";
export { History, type Operation } from "../history.ts";
// The types the checkers' signatures use, so that this entry point is complete on its own.
export type { NodeId, OpId, OpStatus } from "../../actors/mod.ts";
export type { Violation } from "../simulation.ts";
export {
  type Anomaly,
  anomalyName,
  type CycleAnomaly,
  type CycleStep,
  type ReadAnomaly,
} from "./txn/anomaly.ts";
export {
  checkTransactions,
  transactionViolations,
  type TxnCheckOptions,
  type TxnCheckResult,
} from "./txn/check.ts";
export {
  type AnomalyType,
  CONSISTENCY_MODELS,
  type ConsistencyModel,
  CYCLE_BASES,
  type CycleAnomalyType,
  type CycleBase,
  ruledOut,
} from "./txn/consistency.ts";
export { EDGE_KINDS, type EdgeKind } from "./txn/dependency_graph.ts";
export {
  type MicroOp,
  readTransactions,
  type Txn,
  TXN_WORKLOADS,
  type TxnHistory,
  type TxnWorkload,
} from "./txn/transactions.ts";

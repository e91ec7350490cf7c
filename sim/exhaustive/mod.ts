/**
 * Exhaustive checking of small configurations (`sim check`): every order
 * in which a scenario's events can happen, on the same actors and the same
 * simulator that run it, with timers that keep their durations.
 *
 * | file | idea |
 * | --- | --- |
 * | `check.ts` | {@linkcode checkScenario}: the search, its bounds and its report |
 * | `world.ts` | one run under the checker's control: choices, budget, liveness |
 * | `timing.ts` | which pending events may go next: `strict` or `any` |
 * | `choice.ts` | a choice as a 32-bit number; the network splits |
 * | `fingerprint.ts`, `hash.ts` | what a state is, and its 53-bit hash |
 * | `symmetry.ts` | interchangeable nodes: one state for all renamings |
 * | `visited.ts` | the visited set, in typed arrays |
 * | `search.ts`, `bfs.ts`, `dfs.ts` | judging states; breadth-first and depth-first order |
 * | `order.ts` | a checker's run as choice streams, and replaying it |
 * | `report.ts`, `command.ts` | the report for people, and the command line's side |
 *
 * @example
 * ```ts
 * import { checkScenario } from "./mod.ts";
 * import { quorum } from "../../protocols/quorum/scenarios.ts";
 * import assert from "node:assert/strict";
 * // R + W <= N: a read that starts after a write finished can miss it.
 * const report = checkScenario(quorum, {
 *   seed: 12,
 *   flags: { r: 1, w: 1, clients: 2, ops: 1 },
 * });
 * assert.equal(report.violation?.check, "linearizability");
 * assert.equal(report.violation?.steps, 11); // the shortest: breadth-first
 * ```
 *
 * @module
 */

export {
  type CheckOptions,
  type CheckReport,
  checkScenario,
  MAX_CHECK_NODES,
  replayChoices,
  type SometimesVerdict,
} from "./check.ts";
export { type CheckSettings, World } from "./world.ts";
export { enabledEvents, type Timing, TIMINGS } from "./timing.ts";
export {
  type Choice,
  type ChoiceKind,
  decodeChoice,
  encodeChoice,
  partitionOptions,
  stepOf,
} from "./choice.ts";
export { fingerprintOf, gatherState, type NodePart, type StateParts } from "./fingerprint.ts";
export { StateHash } from "./hash.ts";
export { MAX_RENAMINGS, renamings } from "./symmetry.ts";
export { VisitedSet } from "./visited.ts";
export { type Found, Search, type SearchOptions, type StopCause, traceNeeded } from "./search.ts";
export { breadthFirst } from "./bfs.ts";
export { depthFirst } from "./dfs.ts";
export { ORDER_STREAM, orderDriver, orderLog, SETTINGS_STREAM, settingsOf } from "./order.ts";
export { formatCheck, type SavedCounterexample, verdictLine } from "./report.ts";
export { checkCommand, type CheckFlagValues, type CheckOutcome } from "./command.ts";
// The types the signatures above use, so that this entry point is complete on its own.
export type { NodeId } from "../../actors/mod.ts";
export type { ChoiceLog } from "../choices.ts";
export type { Operation } from "../history.ts";
export type {
  Liveness,
  RunGiven,
  RunSpec,
  Scenario,
  ScenarioParams,
  ScenarioResult,
  ScenarioSetup,
} from "../scenario.ts";
export type {
  NodeStatus,
  PendingEvent,
  Simulation,
  StepChoice,
  StopReason,
  Violation,
} from "../simulation.ts";

/**
 * The simulator: actors on a virtual-time scheduler that draws every delay,
 * loss, duplicate, fault and random number from one seed. Here are the
 * {@linkcode Simulation} itself, its network, fault and clock models, the
 * trace and its files, client histories, and scenarios (a named,
 * parameterised run the command line, sweeps and tests all start the same
 * way).
 *
 * @example
 * ```ts
 * import { Simulation } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const sim = new Simulation({ seed: 1, network: { loss: 0.1 } });
 * sim.spawn("n1", () => ({ onMessage() {} }));
 * const result = sim.run({ until: 100 });
 * assert.equal(result.ok, true);
 * assert.equal(sim.now, 100);
 * ```
 *
 * @module
 */

export { type ClockConfig, NodeClock } from "./clock.ts";
export { checkNonNegative, checkProbability, ConfigError } from "./errors.ts";
export {
  DEFAULT_RATES,
  type Fault,
  type FaultAction,
  faultNodes,
  type FaultRates,
  type FaultSchedule,
  type FaultSpec,
  formatAction,
  formatFaults,
  generateFaults,
  parseFaults,
  parseFaultSpec,
} from "./faults.ts";
export { History, type Operation } from "./history.ts";
export {
  checkLatency,
  DEFAULT_LINK,
  formatLatency,
  type Latency,
  latencyBounds,
  Link,
  type LinkConfig,
  type NetworkOptions,
  parseLatency,
  resolveLink,
} from "./network.ts";
export { hashString, MAX_SEED, Random } from "./random.ts";
export {
  checkFlag,
  checkRunSpec,
  cliCommand,
  defineScenario,
  type ExploreModel,
  type FaultKind,
  flag,
  type FlagSpec,
  type FlagSpecs,
  type FlagValue,
  type FlagValues,
  type Liveness,
  MAX_UNTIL_MS,
  nodeIds,
  paramsOfSpec,
  replayCommand,
  resolveParams,
  type RunGiven,
  runScenario,
  type RunSpec,
  runSpecOf,
  type Scenario,
  type ScenarioParams,
  ScenarioRegistry,
  type ScenarioResult,
  type ScenarioRunOptions,
  type ScenarioSetup,
  withEvents,
} from "./scenario.ts";
export {
  type InboxMessage,
  type Invariant,
  type InvariantResult,
  type MessageCounts,
  type MessageStats,
  type NodeStatus,
  type Observed,
  type RunHooks,
  type RunResult,
  type SimStats,
  Simulation,
  type SimulationOptions,
  type SpawnOptions,
  type StopReason,
  type Violation,
} from "./simulation.ts";
export {
  type DropReason,
  formatEvent,
  hashEvents,
  Trace,
  type TraceEvent,
  type TraceKind,
  type TraceMode,
} from "./trace.ts";
export {
  loadTrace,
  type LoadTraceOptions,
  saveTrace,
  TRACE_FORMAT,
  TRACE_VERSION,
  type TraceFile,
  traceFileFromResult,
  TraceWriter,
} from "./trace_file.ts";
export { settle, SETTLE_MS } from "./settle.ts";
export { checkFullTrace } from "./full_trace.ts";
export { Causality, type CausalOrder, type CausalStep } from "./causality.ts";
export {
  isModuleReference,
  loadScenario,
  parseModuleReference,
  pickScenario,
  scenarioOfSpec,
  scenariosIn,
} from "./scenario_module.ts";
export { ChoiceLog, draw, streamKey, unit } from "./choices.ts";
export {
  applyPatch,
  diffState,
  fieldsOf,
  stateAt,
  type StateChange,
  type StateLog,
  type StateOp,
  type StatePath,
  StateRecorder,
  type StateSource,
} from "./states.ts";
export { VERSION } from "./version.ts";

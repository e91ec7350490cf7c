/**
 * The simulator: virtual time, the network and fault model, traces,
 * scenarios and histories.
 *
 * @example
 * ```ts
 * import { Simulation } from "./mod.ts";
 * const sim = new Simulation({ seed: 1, network: { loss: 0.1 } });
 * sim.spawn("n1", () => ({ onMessage() {} }));
 * sim.run({ until: 100 }).ok; // true
 * ```
 *
 * @module
 */

export { type ClockConfig, NodeClock } from "./clock.ts";
export { checkNonNegative, checkProbability, ConfigError } from "./errors.ts";
export {
  type DiagramHighlight,
  type DiagramOptions,
  renderDiagram,
  shouldColor,
  visibleWidth,
} from "./diagram.ts";
export { EventQueue, type Timed } from "./event_queue.ts";
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
  type LinkConfig,
  type NetworkOptions,
  parseLatency,
  resolveLink,
  sampleLatency,
} from "./network.ts";
export { hashString, MAX_SEED, Random } from "./random.ts";
export {
  checkFlag,
  type FlagValue,
  nodeIds,
  replayCommand,
  resolveParams,
  runScenario,
  type Scenario,
  type ScenarioFlag,
  type ScenarioParams,
  ScenarioRegistry,
  type ScenarioResult,
  type ScenarioSetup,
} from "./scenario.ts";
export {
  type Invariant,
  type InvariantResult,
  type NodeStatus,
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
  type TraceParams,
} from "./trace_file.ts";

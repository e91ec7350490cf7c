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
  withEvents,
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
export { type Eventually, eventually } from "./explore/liveness.ts";
export { firstDifference, formatDifference, type TraceDifference } from "./explore/diff.ts";
export { mergeSweepReports, missingShards, parseSweepReport } from "./explore/merge.ts";
export { paramsOfTrace, type ReplayOutcome, replayTrace } from "./explore/replay.ts";
export {
  formatSeedRange,
  formatShard,
  inShard,
  MAX_SWEEP_SEEDS,
  parseSeedRange,
  parseShard,
  type SeedRange,
  type Shard,
  shardSeeds,
} from "./explore/shard.ts";
export {
  ddmin,
  type RunSize,
  shrinkFailure,
  type ShrinkOptions,
  type ShrinkResult,
} from "./explore/shrink.ts";
export { formatSweep, type SummaryOptions, sweepFlags } from "./explore/summary.ts";
export {
  type NotReached,
  partName,
  runSeed,
  runSweep,
  SEED_TIMEOUT,
  type SeedOutcome,
  type ShrunkSummary,
  slowestOf,
  type SlowSeed,
  SWEEP_FORMAT,
  SWEEP_VERSION,
  type SweepFailure,
  type SweepGiven,
  type SweepOptions,
  type SweepParams,
  type SweepProgress,
  type SweepReport,
  type SweepSpec,
} from "./explore/sweep.ts";
export { type HtmlOptions, renderHtml } from "./render/html.ts";
export { type MessageSpan, messageSpans, traceNodes } from "./render/messages.ts";
export {
  type ChromeTrace,
  type ChromeTraceEvent,
  type PerfettoOptions,
  renderPerfetto,
  toChromeTrace,
} from "./render/perfetto.ts";
export { renderShiviz, SHIVIZ_REGEX, type VectorClock, vectorClocks } from "./render/shiviz.ts";
export { assertSeeds, checkSeeds, type SeedsOptions, type SeedsOutcome } from "./testing.ts";
export { settle, SETTLE_MS } from "./settle.ts";
export { checkFullTrace } from "./full_trace.ts";

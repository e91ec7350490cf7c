/**
 * Replay: run a saved trace's scenario again, with its seed, parameters and
 * fault schedule, and confirm it gives the same trace hash. A different
 * hash means the code (or something it depends on) changed how the run
 * goes; the first differing event says where.
 *
 * @module
 */

import { ConfigError } from "../errors.ts";
import { parseLatency } from "../network.ts";
import {
  resolveParams,
  runScenario,
  type ScenarioParams,
  type ScenarioRegistry,
  type ScenarioResult,
} from "../scenario.ts";
import type { TraceFile } from "../trace_file.ts";
import { firstDifference, type TraceDifference } from "./diff.ts";

/**
 * What a replay found.
 *
 * @example
 * ```ts
 * import type { ReplayOutcome } from "./replay.ts";
 * const say = (r: ReplayOutcome) => r.same ? `same ${r.actual}` : `differs at ${r.difference?.index}`;
 * ```
 */
export interface ReplayOutcome {
  /** Whether the new run hashed to the saved hash. */
  same: boolean;
  /** The saved trace hash. */
  expected: string;
  /** The new run's trace hash. */
  actual: string;
  /** The new run (traced in full). */
  result: ScenarioResult;
  params: ScenarioParams;
  /** The first differing event, when the hashes differ. */
  difference?: TraceDifference;
}

/**
 * The scenario parameters a trace file records (seed, nodes, time, network,
 * flags, and its fault schedule), ready for `resolveParams`.
 *
 * @example
 * ```ts
 * import { paramsOfTrace } from "./replay.ts";
 * paramsOfTrace({
 *   format: "dsim-trace", version: 1, scenario: "ping-pong", seed: 3,
 *   params: { nodes: 2, until: 500, loss: 0.1 }, faults: "", traceHash: "0000000000000000", events: [],
 * }).network; // { loss: 0.1 }
 * ```
 */
export function paramsOfTrace(file: TraceFile): Parameters<typeof resolveParams>[1] {
  const p = file.params;
  // The schedule that ran, even when the scenario's default is random faults.
  const given: Parameters<typeof resolveParams>[1] = {
    seed: file.seed,
    faults: file.faults === "" ? "none" : file.faults,
    trace: "full",
  };
  if (p === undefined) return given;
  given.nodes = p.nodes;
  given.until = p.until;
  const network: ScenarioParams["network"] = {};
  if (p.latency !== undefined) network.latency = parseLatency(p.latency, "params.latency");
  if (p.loss !== undefined) network.loss = p.loss;
  if (p.dup !== undefined) network.duplicate = p.dup;
  if (p.fifo !== undefined) network.fifo = p.fifo;
  given.network = network;
  if (p.flags !== undefined) given.flags = { ...p.flags };
  return given;
}

/**
 * Runs a saved trace's scenario again and compares the hashes. Throws a
 * {@linkcode ConfigError} when the file names no scenario or one the
 * registry does not know.
 *
 * @example
 * ```ts
 * import { replayTrace } from "./replay.ts";
 * import { scenarios } from "../../protocols/registry.ts";
 * import { resolveParams, runScenario } from "../scenario.ts";
 * import { traceFileFromResult } from "../trace_file.ts";
 * const given = { seed: 4 };
 * const run = runScenario(scenarios.get("ping-pong"), given);
 * const file = traceFileFromResult(run, resolveParams(scenarios.get("ping-pong"), given));
 * replayTrace(scenarios, file).same; // true
 * ```
 */
export function replayTrace(registry: ScenarioRegistry, file: TraceFile): ReplayOutcome {
  if (file.scenario === undefined) {
    throw new ConfigError(
      "trace file",
      "names no scenario; only traces saved from a scenario run (sim run --out) can be replayed",
    );
  }
  const scenario = registry.get(file.scenario);
  const params = resolveParams(scenario, paramsOfTrace(file));
  const result = runScenario(scenario, params);
  const same = result.traceHash === file.traceHash;
  const outcome: ReplayOutcome = {
    same,
    expected: file.traceHash,
    actual: result.traceHash,
    result,
    params,
  };
  if (!same) outcome.difference = firstDifference(file.events, result.sim.trace.events);
  return outcome;
}

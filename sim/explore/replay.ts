/**
 * Replay: run a saved trace's scenario again, with its seed, parameters and
 * fault schedule, and confirm it gives the same trace hash. A different
 * hash means the code (or something it depends on) changed how the run
 * goes; the first differing event says where.
 *
 * @module
 */

import { ChoiceLog } from "../choices.ts";
import {
  paramsOfSpec,
  runScenario,
  type Scenario,
  type ScenarioParams,
  type ScenarioResult,
} from "../scenario.ts";
import type { TraceFile } from "../trace_file.ts";
import { orderDriver } from "../exhaustive/order.ts";
import { firstDifference, type TraceDifference } from "./diff.ts";

/**
 * What replaying a saved trace found.
 *
 * @example
 * ```ts
 * import { type ReplayOutcome, replayTrace } from "./replay.ts";
 * import { runScenario } from "../scenario.ts";
 * import { traceFileFromResult } from "../trace_file.ts";
 * import { pingPong } from "../../protocols/ping_pong/scenario.ts";
 * import assert from "node:assert/strict";
 * const file = traceFileFromResult(runScenario(pingPong, { seed: 4 }));
 * // A file whose spec was edited to another seed no longer replays to its hash.
 * const o: ReplayOutcome = replayTrace(pingPong, { ...file, spec: { ...file.spec, seed: 5 } });
 * assert.equal(o.same, false);
 * assert.equal(o.params.seed, 5);
 * assert.notEqual(o.actual, o.expected);
 * assert.ok(o.difference !== undefined);
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
  /** The parameters it ran with, read from the file's spec. */
  params: ScenarioParams;
  /** The first differing event, when the hashes differ. */
  difference?: TraceDifference;
}

/**
 * Runs a saved trace's scenario again from its spec (and its choice log,
 * for a shrunk run, or its checker's choices in order, for a counterexample
 * of `sim check`) and compares the hashes; on a difference, finds the
 * first event where the runs part. `scenario` is the one the file names
 * (see `scenarioOfSpec` in `../scenario_module.ts`).
 *
 * @example
 * ```ts
 * import { replayTrace } from "./replay.ts";
 * import { runScenario } from "../scenario.ts";
 * import { loadTrace, saveTrace, traceFileFromResult } from "../trace_file.ts";
 * import { pingPong } from "../../protocols/ping_pong/scenario.ts";
 * import assert from "node:assert/strict";
 * const file = loadTrace(saveTrace(traceFileFromResult(runScenario(pingPong, { seed: 4 }))));
 * assert.equal(replayTrace(pingPong, file).same, true);
 * ```
 */
export function replayTrace(scenario: Scenario, file: TraceFile): ReplayOutcome {
  const params = paramsOfSpec(scenario, file.spec, "full");
  const choices = file.choices === undefined
    ? undefined
    : { log: ChoiceLog.from(file.choices), mode: "replay" as const };
  // A checker's counterexample takes its choices in order (see `../exhaustive/order.ts`).
  const drive = choices === undefined ? undefined : orderDriver(choices.log, params.until);
  const result = runScenario(scenario, params, {
    ...(choices === undefined ? {} : { choices }),
    ...(drive === undefined ? {} : { drive }),
  });
  const same = result.traceHash === file.traceHash;
  const outcome: ReplayOutcome = {
    same,
    expected: file.traceHash,
    actual: result.traceHash,
    result,
    params,
  };
  if (!same) {
    // A file that holds only a run's latest events is compared with the same tail.
    const mine = result.sim.trace.events, saved = file.events;
    const tail = file.forgotten === 0 ? mine : mine.slice(Math.max(0, mine.length - saved.length));
    outcome.difference = firstDifference(saved, tail);
  }
  return outcome;
}

/**
 * The faulty runs the clock tests check: the same workload and fault mix
 * for Lamport and vector clocks, so the two properties are tested on
 * comparable runs.
 *
 * @module
 */

import { runScenario, type Scenario } from "../sim/scenario.ts";
import type { TraceEvent } from "../sim/trace.ts";

/**
 * The trace of a small run of a clock scenario with every kind of fault:
 * loss, duplicates, reordering, crashes, pauses, partitions. With `durable`
 * false the clocks forget their time in a crash.
 *
 * @example
 * ```ts
 * import { faultyClockRun } from "./_clock_runs.ts";
 * import { lamport } from "../protocols/clocks/scenario.ts";
 * faultyClockRun(lamport, 1).some((e) => e.kind === "crash");
 * ```
 */
export function faultyClockRun(scenario: Scenario, seed: number, durable = true): TraceEvent[] {
  return runScenario(scenario, {
    seed,
    nodes: 2 + (seed % 3),
    until: 300,
    network: { loss: 0.1, duplicate: 0.1, latency: { kind: "uniform", min: 1, max: 20 } },
    faults: "random:crash=5,partition=3,pause=3,duration=60",
    flags: { steps: 6, "durable-clock": durable },
  }).sim.trace.events;
}

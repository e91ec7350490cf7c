/**
 * Checkers that read the trace need every event, but a run may keep only the
 * trace hash (the command line does, unless it draws a diagram). Runs are
 * deterministic, so such a checker re-runs the same scenario, seed and faults
 * with tracing `full` and checks that run instead, after confirming it is the
 * same run: the hash of the re-run's events equals the first run's hash.
 *
 * @module
 */

import { ConfigError } from "./errors.ts";
import { type ScenarioResult } from "./scenario.ts";
import type { Simulation, Violation } from "./simulation.ts";
import { hashEvents, type TraceEvent } from "./trace.ts";

/**
 * Runs `check` over the full trace of the run `sim` belongs to: `sim`'s own
 * events when it kept them, otherwise those of `rerun()` (the same scenario
 * and parameters with tracing `full`, whose own `check` has run already and
 * whose violations are returned). `keep` receives the simulation whose
 * events were checked, for summaries.
 *
 * @example
 * ```ts
 * import { checkFullTrace } from "./full_trace.ts";
 * import { runScenario, type Scenario } from "./scenario.ts";
 * import assert from "node:assert/strict";
 * const idle: Scenario = {
 *   name: "idle",
 *   summary: "one node that does nothing",
 *   defaults: { nodes: 1, until: 10 },
 *   setup: (sim) => (sim.spawn("n1", () => ({ onMessage() {} })), {}),
 * };
 * const first = runScenario(idle, { seed: 2, trace: "hash" });
 * const violations = checkFullTrace(first.sim, () => runScenario(idle, { seed: 2 }), () => []);
 * assert.deepEqual(violations, []);
 * ```
 */
export function checkFullTrace(
  sim: Simulation,
  rerun: () => ScenarioResult,
  check: (events: readonly TraceEvent[]) => Violation[],
  keep?: (full: Simulation) => void,
): Violation[] {
  if (sim.trace.mode === "full") {
    keep?.(sim);
    return check(sim.trace.events);
  }
  if (sim.stepped) {
    // Driven step by step (exhaustive checking): a re-run would be another run.
    throw new ConfigError(
      "trace",
      "this check reads the run's trace: drive the simulation with trace full",
    );
  }
  const again = rerun();
  if (again.sim.trace.mode !== "full") {
    throw new Error("internal: the re-run of a scenario must keep the full trace");
  }
  keep?.(again.sim);
  if (sim.trace.mode === "hash") {
    // The re-run's own checker may have appended violation events; they are
    // not part of the run.
    const ran = again.sim.trace.events.filter((e) => e.kind !== "violation");
    const hash = hashEvents(ran);
    if (hash !== sim.trace.hash()) {
      return [{
        check: "full-trace-rerun",
        message:
          `re-running with the full trace gave trace hash ${hash}, not ${sim.trace.hash()}: ` +
          "the run is not deterministic, so it cannot be checked",
        atMs: sim.now,
      }];
    }
  }
  return again.violations;
}

/**
 * The run's past as plain data, for `ScenarioSetup.inspect` of a scenario
 * whose check reads the trace (see {@linkcode checkFullTrace}): its events
 * without their times. Exhaustive checking then counts two runs as one
 * state only when their checks see the same past; it needs the full trace,
 * which such a scenario's check makes it keep.
 *
 * @example
 * ```ts
 * import { traceState } from "./full_trace.ts";
 * import { Simulation } from "./simulation.ts";
 * import assert from "node:assert/strict";
 * const sim = new Simulation({ seed: 1 });
 * sim.spawn("n1", () => ({ onMessage() {} }));
 * sim.run();
 * assert.deepEqual(traceState(sim), [{ kind: "start", node: "n1" }]);
 * ```
 */
export function traceState(sim: Simulation): unknown[] {
  return sim.trace.events.map(({ t: _, ...event }) => event);
}

/**
 * The `lamport` and `vector-clock` scenarios: nodes make local events and
 * send each other messages under loss, duplication, reordering, crashes and
 * partitions, stamping every event, and the run is checked against the
 * simulator's true happens-before order.
 *
 * @module
 */

import {
  defineScenario,
  flag,
  type FlagSpec,
  nodeIds,
  runScenario,
  type Scenario,
  type ScenarioParams,
} from "../../sim/scenario.ts";
import type { Simulation, Violation } from "../../sim/simulation.ts";
import type { TraceEvent } from "../../sim/trace.ts";
import {
  checkLamport,
  checkVectorClocks,
  concurrentPairs,
  describeEvent,
  findLamportConverse,
  stampedEvents,
} from "./check.ts";
import { ClockNode } from "./clock_node.ts";
import { checkFullTrace, traceState } from "../../sim/full_trace.ts";

/** The flags of the `lamport` and `vector-clock` scenarios. */
export type ClockFlags = {
  /** Local events and sends per node. */
  steps: FlagSpec<number>;
  /** Probability that a step is a send. */
  "send-chance": FlagSpec<number>;
  /** Keep clocks in storage across crashes. */
  "durable-clock": FlagSpec<boolean>;
};

const FLAGS: ClockFlags = {
  steps: flag.int("local events and sends per node", 8, { min: 1, max: 500 }),
  "send-chance": flag.number("probability that a step is a send", 0.6, { min: 0, max: 1 }),
  "durable-clock": flag.bool(
    "keep clocks in storage across crashes (false shows why they must be)",
    true,
  ),
};

const DEFAULTS: Scenario["defaults"] = {
  nodes: 3,
  minNodes: 1,
  maxNodes: 26,
  until: 400,
  faults: "random",
};

function spawnClockNodes(sim: Simulation, params: ScenarioParams<ClockFlags>): void {
  const ids = nodeIds(params.nodes);
  for (const id of ids) {
    sim.spawn(id, () =>
      new ClockNode({
        peers: ids.filter((p) => p !== id),
        steps: params.flags.steps,
        stepMs: 30,
        sendChance: params.flags["send-chance"],
        durable: params.flags["durable-clock"],
      }));
  }
}

/** The sentence saying how many events the clocks stamped and related. */
function counts(events: readonly TraceEvent[]): string {
  const stamped = stampedEvents(events);
  const pairs = (stamped.length * (stamped.length - 1)) / 2;
  return `${stamped.length} stamped events, ${pairs} pairs, ${
    concurrentPairs(events).length
  } of them concurrent`;
}

/** What sets the two clock scenarios apart. */
interface ClockScenario {
  name: string;
  summary: string;
  /** The clock checker, run over the full trace. */
  check: (events: readonly TraceEvent[]) => Violation[];
  /** Summary lines after the counts, from the full trace. */
  describe: (events: readonly TraceEvent[]) => string[];
}

/**
 * A scenario that runs clock nodes and checks them over the full trace (the
 * run is repeated with tracing `full` when it kept only the hash).
 */
function clockScenario(spec: ClockScenario): Scenario<ClockFlags> {
  const scenario: Scenario<ClockFlags> = defineScenario({
    name: spec.name,
    summary: spec.summary,
    defaults: DEFAULTS,
    flags: FLAGS,
    needsTrace: true,
    // Logical clocks do not read the hardware clock: clock faults change nothing.
    explore: {
      faults: ["crash", "pause", "partition"],
      flags: { steps: [3, 8, 20], "send-chance": [0.3, 0.6, 1] },
    },
    setup(sim, params) {
      spawnClockNodes(sim, params);
      let full: Simulation | undefined;
      return {
        // The check reads the trace: the past is part of the state.
        inspect: traceState,
        check: (s): Violation[] =>
          checkFullTrace(
            s,
            () => runScenario(scenario, { ...params, trace: "full" }),
            spec.check,
            (f) => (full = f),
          ),
        summary: () => {
          if (full === undefined) return [];
          const events = full.trace.events;
          return [counts(events), ...spec.describe(events)];
        },
      };
    },
  });
  return scenario;
}

/**
 * `deno task sim run lamport`: Lamport clocks, checked to respect happens-before
 * and to give a total order that extends it; the summary shows a pair with
 * L(a) < L(b) that are concurrent all the same.
 *
 * @example
 * ```ts
 * import { lamport } from "./scenario.ts";
 * import { runScenario } from "../../sim/scenario.ts";
 * import assert from "node:assert/strict";
 * assert.ok(runScenario(lamport, { seed: 3, network: { loss: 0.1 } }).ok);
 * ```
 */
export const lamport: Scenario<ClockFlags> = clockScenario({
  name: "lamport",
  summary: "Lamport clocks: a -> b implies L(a) < L(b), (L, node) totally orders events",
  check: checkLamport,
  describe: (events) => {
    const pair = findLamportConverse(events);
    return [
      pair === undefined
        ? "no concurrent pair with different Lamport times in this run"
        : `L(a) < L(b) yet a ∥ b: a = ${describeEvent(pair[0])}, b = ${describeEvent(pair[1])}`,
    ];
  },
});

/**
 * `deno task sim run vector-clock`: vector clocks, checked to compare exactly
 * as the true happens-before order does, pair by pair.
 *
 * @example
 * ```ts
 * import { vectorClock } from "./scenario.ts";
 * import { runScenario } from "../../sim/scenario.ts";
 * import assert from "node:assert/strict";
 * assert.ok(runScenario(vectorClock, { seed: 3, network: { duplicate: 0.1 } }).ok);
 * ```
 */
export const vectorClock: Scenario<ClockFlags> = clockScenario({
  name: "vector-clock",
  summary: "vector clocks: a -> b exactly when V(a) < V(b), concurrent exactly when incomparable",
  check: checkVectorClocks,
  describe: (events) =>
    concurrentPairs(events).slice(0, 3).map(([a, b]) =>
      `concurrent: ${describeEvent(a)}  ∥  ${describeEvent(b)}`
    ),
});

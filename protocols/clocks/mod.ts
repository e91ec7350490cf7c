/**
 * Logical clocks: Lamport and vector clocks as values, a stamper that any
 * actor can compose, a demo node, checkers against the simulator's true
 * happens-before order, diagrams with clocks beside events, and the
 * `lamport` and `vector-clock` scenarios.
 *
 * @example
 * ```ts
 * import { checkVectorClocks, vectorClock } from "./mod.ts";
 * import { runScenario } from "../../sim/scenario.ts";
 * import assert from "node:assert/strict";
 * const run = runScenario(vectorClock, { seed: 1 });
 * assert.ok(run.ok);
 * assert.deepEqual(checkVectorClocks(run.sim.trace.events), []);
 * ```
 *
 * @module
 */

export {
  checkLamport,
  checkVectorClocks,
  concurrentPairs,
  describeEvent,
  findLamportConverse,
  type StampedEvent,
  stampedEvents,
} from "./check.ts";
export { type ClockMsg, ClockNode, type ClockNodeConfig } from "./clock_node.ts";
export {
  CLOCK_NOTE,
  type ClockEventKind,
  type ClockNote,
  EventClocks,
  type EventClocksOptions,
  type Stamp,
} from "./event_clocks.ts";
export { compareLamport, LamportClock, type LamportStamp } from "./lamport_clock.ts";
export { clockDiagram, type ClockShown, eventNames, formatStamp } from "./render.ts";
export { type ClockFlags, lamport, vectorClock } from "./scenario.ts";
export { VectorClock, type VectorTimestamp } from "./vector_clock.ts";

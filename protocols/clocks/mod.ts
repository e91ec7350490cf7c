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
 * checkVectorClocks(runScenario(vectorClock, { seed: 1 }).sim.trace.events).length; // 0
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
export { lamport, vectorClock } from "./scenario.ts";
export { VectorClock, type VectorTimestamp } from "./vector_clock.ts";

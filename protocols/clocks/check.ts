/**
 * Checkers of logical clocks against the true happens-before order.
 *
 * They read the {@linkcode CLOCK_NOTE} log notes that {@linkcode EventClocks}
 * writes (one per stamped event, at the place in the trace where the event
 * happened) and relate them with {@linkcode Causality.fromTrace}, which knows
 * nothing of clocks: only program order and which send each delivery
 * received.
 *
 * - Lamport: if a → b then L(a) < L(b); and ordering by (L, node) is a total
 *   order (no two events share a stamp) that extends →.
 * - Vector: a → b exactly when V(a) < V(b), and a ∥ b exactly when V(a) and
 *   V(b) are incomparable.
 * - The converse of the Lamport property fails: {@linkcode findLamportConverse}
 *   finds L(a) < L(b) with a ∥ b.
 *
 * @module
 */

import type { NodeId } from "../../actors/mod.ts";
import { Causality, type CausalOrder } from "../../sim/causality.ts";
import type { Violation } from "../../sim/simulation.ts";
import type { TraceEvent } from "../../sim/trace.ts";
import { CLOCK_NOTE, type ClockEventKind, type ClockNote } from "./event_clocks.ts";
import { compareLamport } from "./lamport_clock.ts";
import { VectorClock } from "./vector_clock.ts";

/**
 * One stamped event found in a trace.
 *
 * @example
 * ```ts
 * import { type StampedEvent, stampedEvents } from "./check.ts";
 * import assert from "node:assert/strict";
 * const data = { event: "send", lamport: 3, vc: { a: 3 }, peer: "b" };
 * const trace = [{ t: 7, kind: "log", node: "a", note: "clock", data }] as const;
 * const [e]: StampedEvent[] = stampedEvents(trace);
 * assert.equal(`${e.node} ${e.event} to ${e.peer} L=${e.lamport}`, "a send to b L=3");
 * assert.equal(e.vc.get("a"), 3);
 * ```
 */
export interface StampedEvent {
  /** Index of its log note in the trace. */
  index: number;
  /** The node it happened on. */
  node: NodeId;
  /** Global virtual time, ms. */
  t: number;
  /** What kind of event it is. */
  event: ClockEventKind;
  /** Its Lamport time. */
  lamport: number;
  /** Its vector clock. */
  vc: VectorClock;
  /** The receiver of a send, the sender of a receive. */
  peer?: NodeId;
  /** What the event was, for people. */
  label?: string;
}

/**
 * The stamped events of a trace, in trace order.
 *
 * @example
 * ```ts
 * import { stampedEvents } from "./check.ts";
 * import assert from "node:assert/strict";
 * const data = { event: "local", lamport: 1, vc: { a: 1 } };
 * const stamped = stampedEvents([
 *   { t: 0, kind: "start", node: "a" },
 *   { t: 0, kind: "log", node: "a", note: "clock", data },
 * ]);
 * assert.deepEqual(stamped.map((e) => [e.index, e.lamport]), [[1, 1]]);
 * ```
 */
export function stampedEvents(events: readonly TraceEvent[]): StampedEvent[] {
  const out: StampedEvent[] = [];
  events.forEach((e, index) => {
    if (e.kind !== "log" || e.note !== CLOCK_NOTE) return;
    const d = e.data as ClockNote;
    const s: StampedEvent = {
      index,
      node: e.node,
      t: e.t,
      event: d.event,
      lamport: d.lamport,
      vc: new VectorClock(d.vc),
    };
    if (d.peer !== undefined) s.peer = d.peer;
    if (d.label !== undefined) s.label = d.label;
    out.push(s);
  });
  return out;
}

/**
 * A stamped event in a few words: `n2 receive from n1 (L=4)`.
 *
 * @example
 * ```ts
 * import { describeEvent } from "./check.ts";
 * import { VectorClock } from "./vector_clock.ts";
 * import assert from "node:assert/strict";
 * const vc = new VectorClock({ n1: 1, n2: 3 });
 * const e = { index: 0, node: "n2", t: 1, event: "receive", lamport: 4, vc, peer: "n1" } as const;
 * assert.equal(describeEvent(e), "n2 receive from n1 @1ms L=4 V={n1:1,n2:3}");
 * ```
 */
export function describeEvent(e: StampedEvent): string {
  const peer = e.peer === undefined ? "" : e.event === "send" ? ` to ${e.peer}` : ` from ${e.peer}`;
  return `${e.node} ${e.event}${peer} @${e.t}ms L=${e.lamport} V=${e.vc}`;
}

/** The trace's happens-before relation and its stamped events, computed once. */
interface Checked {
  causality: Causality;
  stamped: StampedEvent[];
}

function prepare(events: readonly TraceEvent[]): Checked {
  return { causality: Causality.fromTrace(events), stamped: stampedEvents(events) };
}

/** Reports at most this many violations of one property (the count says the rest). */
const MAX_REPORTED = 5;

class Findings {
  readonly list: Violation[] = [];
  #more = new Map<string, number>();

  add(check: string, message: string, e: StampedEvent): void {
    if (this.list.filter((v) => v.check === check).length < MAX_REPORTED) {
      // About events that happened: a shorter run that shows them fails the same way.
      this.list.push({ check, message, atMs: e.t, node: e.node, safety: true });
    } else {
      this.#more.set(check, (this.#more.get(check) ?? 0) + 1);
    }
  }

  done(): Violation[] {
    for (const [check, n] of this.#more) {
      const last = this.list.findLast((v) => v.check === check)!;
      last.message += ` (and ${n} more)`;
    }
    return this.list;
  }
}

/**
 * Checks the Lamport clock property and the total order over a trace:
 * `lamport-causality` (a → b implies L(a) < L(b)) and `lamport-total-order`
 * (no two events share (L, node), so sorting by it orders every pair).
 *
 * @example
 * ```ts
 * import { checkLamport } from "./check.ts";
 * import { runScenario } from "../../sim/scenario.ts";
 * import { lamport } from "./scenario.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(checkLamport(runScenario(lamport, { seed: 1 }).sim.trace.events), []);
 * ```
 */
export function checkLamport(events: readonly TraceEvent[]): Violation[] {
  const { causality, stamped } = prepare(events);
  const found = new Findings();
  for (const a of stamped) {
    for (const b of stamped) {
      if (causality.happensBefore(a.index, b.index) && !(a.lamport < b.lamport)) {
        found.add(
          "lamport-causality",
          `${describeEvent(a)} happens before ${
            describeEvent(b)
          }, but L ${a.lamport} is not < ${b.lamport}`,
          b,
        );
      }
    }
  }
  const sorted = [...stamped].sort((a, b) =>
    compareLamport({ time: a.lamport, node: a.node }, { time: b.lamport, node: b.node })
  );
  for (let i = 1; i < sorted.length; i++) {
    const a = sorted[i - 1], b = sorted[i];
    if (a.lamport === b.lamport && a.node === b.node) {
      found.add(
        "lamport-total-order",
        `two events share the stamp (${a.lamport}, ${a.node}): ${describeEvent(a)} and ${
          describeEvent(b)
        }`,
        b,
      );
    }
  }
  return found.done();
}

/**
 * Checks that vector clocks characterise causality exactly:
 * `vector-causality` (for every pair, the clocks compare the way the events
 * do: before, after or concurrent) and `vector-distinct` (distinct events
 * never have equal clocks).
 *
 * @example
 * ```ts
 * import { checkVectorClocks } from "./check.ts";
 * import { runScenario } from "../../sim/scenario.ts";
 * import { vectorClock } from "./scenario.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(checkVectorClocks(runScenario(vectorClock, { seed: 1 }).sim.trace.events), []);
 * ```
 */
export function checkVectorClocks(events: readonly TraceEvent[]): Violation[] {
  const { causality, stamped } = prepare(events);
  const found = new Findings();
  for (let i = 0; i < stamped.length; i++) {
    for (let j = i + 1; j < stamped.length; j++) {
      const a = stamped[i], b = stamped[j];
      const truth = causality.compare(a.index, b.index);
      const clocks = a.vc.compare(b.vc);
      if (clocks === "equal") {
        found.add(
          "vector-distinct",
          `${describeEvent(a)} and ${describeEvent(b)} have equal clocks`,
          b,
        );
      } else if (clocks !== truth) {
        found.add(
          "vector-causality",
          `${describeEvent(a)} is ${phrase(truth)} ${describeEvent(b)}, but the clocks say ${
            phrase(clocks)
          }`,
          b,
        );
      }
    }
  }
  return found.done();
}

function phrase(order: CausalOrder): string {
  switch (order) {
    case "before":
      return "before";
    case "after":
      return "after";
    case "equal":
      return "the same event as";
    case "concurrent":
      return "concurrent with";
    default: {
      const never: never = order;
      return never;
    }
  }
}

/**
 * Pairs of stamped events that are concurrent in truth, in trace order.
 *
 * @example
 * ```ts
 * import { concurrentPairs } from "./check.ts";
 * import { runScenario } from "../../sim/scenario.ts";
 * import { vectorClock } from "./scenario.ts";
 * import assert from "node:assert/strict";
 * const events = runScenario(vectorClock, { seed: 1 }).sim.trace.events;
 * assert.ok(concurrentPairs(events).every(([a, b]) => a.vc.concurrent(b.vc)));
 * assert.ok(concurrentPairs(events).length > 0);
 * ```
 */
export function concurrentPairs(
  events: readonly TraceEvent[],
): Array<[StampedEvent, StampedEvent]> {
  const { causality, stamped } = prepare(events);
  const out: Array<[StampedEvent, StampedEvent]> = [];
  for (let i = 0; i < stamped.length; i++) {
    for (let j = i + 1; j < stamped.length; j++) {
      if (causality.concurrent(stamped[i].index, stamped[j].index)) {
        out.push([stamped[i], stamped[j]]);
      }
    }
  }
  return out;
}

/**
 * A counterexample to the converse of the Lamport property: events a and b
 * with L(a) < L(b) that are nonetheless concurrent (so on different nodes).
 * Prefers the pair with the widest gap in L, the most striking one to show.
 * Undefined when the trace has none.
 *
 * @example
 * ```ts
 * import { findLamportConverse } from "./check.ts";
 * import assert from "node:assert/strict";
 * const clock = (node: string, lamport: number) => {
 *   const data = { event: "local", lamport, vc: { [node]: lamport } };
 *   return { t: 0, kind: "log", node, note: "clock", data } as const;
 * };
 * // a makes two local events, b one; no message: b's event is concurrent with both of a's.
 * const pair = findLamportConverse([clock("a", 1), clock("a", 2), clock("b", 1)]);
 * assert.deepEqual(pair?.map((e) => `${e.node} L=${e.lamport}`), ["b L=1", "a L=2"]);
 * ```
 */
export function findLamportConverse(
  events: readonly TraceEvent[],
): [StampedEvent, StampedEvent] | undefined {
  const { causality, stamped } = prepare(events);
  let best: [StampedEvent, StampedEvent] | undefined;
  for (const a of stamped) {
    for (const b of stamped) {
      if (a.lamport < b.lamport && causality.concurrent(a.index, b.index)) {
        if (best === undefined || b.lamport - a.lamport > best[1].lamport - best[0].lamport) {
          best = [a, b];
        }
      }
    }
  }
  return best;
}

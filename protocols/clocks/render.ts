/**
 * Space-time diagrams with each event's logical clock beside it, drawn with
 * {@linkcode renderDiagram}. Sends and deliveries are drawn as usual, with
 * the stamp their clock note carries; local events are drawn as marks; the
 * clock notes themselves and timers are left out, since the rows above say
 * the same. Each stamped event gets a short name, `n1.2` for n1's second,
 * so lists of pairs can point into the picture.
 *
 * @module
 */

import type { NodeId } from "../../actors/mod.ts";
import { type DiagramOptions, renderDiagram } from "../../sim/render/diagram.ts";
import type { TraceEvent } from "../../sim/trace.ts";
import type { StampedEvent } from "./check.ts";
import { stampedEvents } from "./check.ts";

/** Which clock to show beside each event. */
export type ClockShown = "lamport" | "vector" | "both";

/**
 * Short names of stamped events: `<node>.<k>` for the node's k-th, by trace index.
 *
 * @example
 * ```ts
 * import { eventNames } from "./render.ts";
 * import assert from "node:assert/strict";
 * import { VectorClock } from "./vector_clock.ts";
 * const event = (index: number, node: string) =>
 *   ({ index, node, t: 0, event: "local", lamport: 1, vc: new VectorClock() }) as const;
 * const names = eventNames([event(4, "n1"), event(6, "n2"), event(9, "n1")]);
 * assert.deepEqual([...names], [[4, "n1.1"], [6, "n2.1"], [9, "n1.2"]]);
 * ```
 */
export function eventNames(stamped: readonly StampedEvent[]): Map<number, string> {
  const count = new Map<NodeId, number>();
  const names = new Map<number, string>();
  for (const e of stamped) {
    const k = (count.get(e.node) ?? 0) + 1;
    count.set(e.node, k);
    names.set(e.index, `${e.node}.${k}`);
  }
  return names;
}

/**
 * The stamp of an event as text: `L=3`, `[1,2,0]` (one entry per node of
 * `nodes`), or both.
 *
 * @example
 * ```ts
 * import { formatStamp } from "./render.ts";
 * import { VectorClock } from "./vector_clock.ts";
 * import assert from "node:assert/strict";
 * const vc = new VectorClock({ a: 2 });
 * const e = { index: 0, node: "a", t: 0, event: "local", lamport: 2, vc } as const;
 * assert.equal(formatStamp(e, "both", ["a", "b"]), "L=2 [2,0]");
 * ```
 */
export function formatStamp(e: StampedEvent, shown: ClockShown, nodes: readonly NodeId[]): string {
  switch (shown) {
    case "lamport":
      return `L=${e.lamport}`;
    case "vector":
      return e.vc.format(nodes);
    case "both":
      return `L=${e.lamport} ${e.vc.format(nodes)}`;
    default: {
      const never: never = shown;
      throw new TypeError(`unknown clock ${JSON.stringify(never)}`);
    }
  }
}

/**
 * The diagram of a run whose nodes stamp events with {@linkcode EventClocks},
 * with the chosen clock and each event's name beside it.
 *
 * @example
 * ```ts
 * import { clockDiagram } from "./render.ts";
 * import { runScenario } from "../../sim/scenario.ts";
 * import { vectorClock } from "./scenario.ts";
 * import assert from "node:assert/strict";
 * const run = runScenario(vectorClock, { seed: 1, nodes: 2, flags: { steps: 2 }, faults: "none" });
 * const text = clockDiagram(run.sim.trace.events, "vector", { width: 60, legend: false });
 * // Each stamped event carries its name and clock: n1's first event is n1.1, at [1,0].
 * assert.match(text, /n1\.1 \[1,0\]/);
 * assert.match(text, /n2\.1 \[0,1\]/);
 * assert.ok(text.split("\n").every((line) => line.length <= 60));
 * ```
 */
export function clockDiagram(
  events: readonly TraceEvent[],
  shown: ClockShown,
  options: Omit<DiagramOptions, "annotate"> = {},
): string {
  const stamped = stampedEvents(events);
  const names = eventNames(stamped);
  const byIndex = new Map(stamped.map((e) => [e.index, e]));
  const nodes = options.nodes ?? [...new Set(stamped.map((e) => e.node))].sort();
  const note = new Map<TraceEvent, string>();
  const shownEvents: TraceEvent[] = [];
  // A send's clock note comes just before its send; a receive's just after its delivery.
  const pendingSend = new Map<NodeId, StampedEvent>();
  const lastDelivery = new Map<NodeId, TraceEvent>();
  const label = (s: StampedEvent) => `${names.get(s.index)} ${formatStamp(s, shown, nodes)}`;
  events.forEach((e, i) => {
    const s = byIndex.get(i);
    if (s !== undefined) {
      if (s.event === "send") pendingSend.set(s.node, s);
      else if (s.event === "receive") {
        const d = lastDelivery.get(s.node);
        if (d !== undefined) note.set(d, label(s));
      } else {
        const local: TraceEvent = { t: e.t, kind: "log", node: s.node, note: s.label ?? "local" };
        note.set(local, label(s));
        shownEvents.push(local);
      }
      return;
    }
    if (e.kind === "timer" || e.kind === "log") return;
    if (e.kind === "send") {
      const stamp = pendingSend.get(e.node);
      if (stamp !== undefined) note.set(e, label(stamp));
      pendingSend.delete(e.node);
    }
    if (e.kind === "deliver") lastDelivery.set(e.node, e);
    shownEvents.push(e);
  });
  return renderDiagram(shownEvents, {
    ...options,
    nodes,
    label: options.label ?? ((msg) => (msg as { type?: string }).type ?? "msg"),
    annotate: (e) => note.get(e),
  });
}

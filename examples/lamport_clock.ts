/**
 * Lamport clocks on three nodes: the space-time diagram with each event's
 * Lamport timestamp beside it, the total order of (timestamp, node), the
 * check against the simulator's true happens-before order, and a pair of
 * events that shows why L(a) < L(b) does not mean a happened before b.
 *
 * Run it with `deno run examples/lamport_clock.ts` (no permissions needed).
 *
 * @module
 */

import { runScenario } from "../sim/scenario.ts";
import { checkLamport, findLamportConverse, stampedEvents } from "../protocols/clocks/check.ts";
import { compareLamport } from "../protocols/clocks/lamport_clock.ts";
import { clockDiagram, eventNames } from "../protocols/clocks/render.ts";
import { lamport } from "../protocols/clocks/scenario.ts";
import { Causality } from "../sim/causality.ts";
import { wrapText } from "./_text.ts";

/**
 * How to draw the example.
 *
 * @example
 * ```ts
 * import { type ExampleOptions, lamportClockExample } from "./lamport_clock.ts";
 * import assert from "node:assert/strict";
 * const o: ExampleOptions = { width: 100, color: false };
 * const text = lamportClockExample(o);
 * assert.ok(text.split("\n").every((line) => [...line].length <= 100));
 * assert.ok(!text.includes("\x1b[")); // no colour
 * ```
 */
export interface ExampleOptions {
  /** Columns to fit (default 100). */
  width?: number;
  /** ANSI colours (default false). */
  color?: boolean;
}

/**
 * The example as text.
 *
 * @example
 * ```ts
 * import { lamportClockExample } from "./lamport_clock.ts";
 * import assert from "node:assert/strict";
 * assert.ok(lamportClockExample().includes("L(a) < L(b)"));
 * ```
 */
export function lamportClockExample(options: ExampleOptions = {}): string {
  const width = options.width ?? 100;
  const run = runScenario(lamport, { seed: 1, faults: "none", flags: { steps: 4 } });
  const events = run.sim.trace.events;
  const stamped = stampedEvents(events);
  const names = eventNames(stamped);
  const name = (i: number) => names.get(i)!;
  const ordered = [...stamped].sort((a, b) =>
    compareLamport({ time: a.lamport, node: a.node }, { time: b.lamport, node: b.node })
  );
  const causality = Causality.fromTrace(events);
  let related = 0;
  for (const a of stamped) {
    for (const b of stamped) if (causality.happensBefore(a.index, b.index)) related++;
  }
  const violations = checkLamport(events);
  const pair = findLamportConverse(events);
  const lines = [
    "Lamport clocks (lecture 4.1). Each node keeps a counter t:",
    "  on a local event or a send:  t := t + 1   (a message carries t)",
    "  on receiving a message (t'): t := max(t, t') + 1",
    "",
    clockDiagram(events, "lamport", { width, color: options.color ?? false, legend: false }),
    "",
    "Ordering events by (L, node id) gives a total order that every node can compute:",
    ...wrapText(
      `  ${ordered.map((e) => `${name(e.index)}(${e.lamport},${e.node})`).join(" < ")}`,
      width,
      0,
    ),
    "",
    `Checked against the simulator's true happens-before order: of ${stamped.length} events, ` +
    `${related} pairs have a -> b,`,
    violations.length === 0
      ? "and L(a) < L(b) for every one of them."
      : `but ${violations.length} of them break L(a) < L(b): ${violations[0].message}`,
  ];
  if (pair !== undefined) {
    const [a, b] = pair;
    lines.push(
      "",
      `The converse fails: L(${name(a.index)}) = ${a.lamport} < L(${
        name(b.index)
      }) = ${b.lamport}, ` +
        "yet the two are concurrent: no chain",
      `of messages leads from ${name(a.index)} to ${name(b.index)}.`,
      "Vector clocks (examples/vector_clock.ts) tell the two cases apart.",
    );
  }
  return lines.join("\n");
}

if (import.meta.main) console.log(lamportClockExample());

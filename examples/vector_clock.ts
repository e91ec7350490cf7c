/**
 * Vector clocks on three nodes: the space-time diagram with each event's
 * vector timestamp beside it, and the pairs of concurrent events, all
 * checked against the simulator's true happens-before order.
 *
 * Run it with `deno run examples/vector_clock.ts` (no permissions needed).
 *
 * @module
 */

import { Causality } from "../sim/causality.ts";
import { wrapText } from "./_text.ts";
import { runScenario } from "../sim/scenario.ts";
import { checkVectorClocks, concurrentPairs, stampedEvents } from "../protocols/clocks/check.ts";
import { clockDiagram, eventNames } from "../protocols/clocks/render.ts";
import { vectorClock } from "../protocols/clocks/scenario.ts";

/**
 * How to draw the example.
 *
 * @example
 * ```ts
 * import { type ExampleOptions, vectorClockExample } from "./vector_clock.ts";
 * import assert from "node:assert/strict";
 * const o: ExampleOptions = { width: 100, color: false, steps: 2 };
 * const text = vectorClockExample(o);
 * assert.ok(text.split("\n").every((line) => [...line].length <= 100));
 * assert.ok(!text.includes("\x1b[")); // no colour
 * ```
 */
export interface ExampleOptions {
  /** Columns to fit (default 100). */
  width?: number;
  /** ANSI colours (default false). */
  color?: boolean;
  /** Local events and sends per node (default 4). */
  steps?: number;
}

/**
 * The diagram and the concurrent pairs of one small run, as text.
 *
 * @example
 * ```ts
 * import { vectorClockExample } from "./vector_clock.ts";
 * import assert from "node:assert/strict";
 * assert.ok(vectorClockExample().includes("∥"));
 * ```
 */
export function vectorClockExample(options: ExampleOptions = {}): string {
  const width = options.width ?? 100;
  const run = runScenario(vectorClock, {
    seed: 1,
    faults: "none",
    flags: { steps: options.steps ?? 4 },
  });
  const events = run.sim.trace.events;
  const stamped = stampedEvents(events);
  const names = eventNames(stamped);
  const name = (i: number) => names.get(i)!;
  const pairs = concurrentPairs(events);
  const causality = Causality.fromTrace(events);
  const total = (stamped.length * (stamped.length - 1)) / 2;
  const before = total - pairs.length;
  const violations = checkVectorClocks(events);
  const lines = [
    "Vector clocks (lecture 4.1). Node i keeps a vector V, one counter per node:",
    "  on a local event or a send:  V[i] := V[i] + 1   (a message carries V)",
    "  on receiving a message (V'): V := max(V, V') entry by entry; V[i] := V[i] + 1",
    "Entries are [n1,n2,n3]. a -> b exactly when V(a) <= V(b) entry by entry and V(a) != V(b).",
    "",
    clockDiagram(events, "vector", { width, color: options.color ?? false, legend: false }),
    "",
    "Concurrent events (a ∥ b: neither vector is <= the other), for each event the later ones:",
  ];
  for (const a of stamped) {
    const later = pairs.filter(([x]) => x.index === a.index).map(([, b]) => name(b.index));
    if (later.length === 0) continue;
    lines.push(
      // Continuation lines hang by four, so each event's list reads as one block.
      ...wrapText(
        `  ${name(a.index)} ${a.vc.format(run.sim.nodes)} ∥ ${later.join(" ")}`,
        width,
        4,
      ),
    );
  }
  const checked = stamped.every((a) =>
    stamped.every((b) =>
      a.index === b.index || causality.happensBefore(a.index, b.index) === a.vc.before(b.vc)
    )
  );
  lines.push(
    "",
    `${stamped.length} events, ${total} pairs: ${before} ordered by happens-before, ` +
      `${pairs.length} concurrent.`,
    checked && violations.length === 0
      ? "Each pair compared with the simulator's true happens-before order: the clocks agree on all."
      : `The clocks disagree with the true order: ${violations[0]?.message ?? "see above"}`,
  );
  return lines.join("\n");
}

if (import.meta.main) console.log(vectorClockExample());

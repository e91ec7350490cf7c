/**
 * The logical clocks and broadcast section of the demo tour (`deno task
 * demo`): a small run with each event's vector clock beside it, checked
 * against the simulator's happens-before order, and the same chat messages
 * delivered under FIFO, causal and total order broadcast.
 *
 * @module
 */

import { runScenario } from "../sim/scenario.ts";
import {
  checkLamport,
  checkVectorClocks,
  concurrentPairs,
  findLamportConverse,
  stampedEvents,
} from "../protocols/clocks/check.ts";
import { clockDiagram, eventNames } from "../protocols/clocks/render.ts";
import { vectorClock } from "../protocols/clocks/scenario.ts";
import { broadcastOrderTable } from "./broadcast_order.ts";
import { heading, wrapText } from "./_text.ts";

/**
 * The section as text, every line at most `width` columns (default 100).
 *
 * @example
 * ```ts
 * import { clocksSection } from "./_clocks_section.ts";
 * import assert from "node:assert/strict";
 * assert.ok(clocksSection({ color: false, width: 100 }).includes("vector clock"));
 * ```
 */
export function clocksSection(options: { color?: boolean; width?: number } = {}): string {
  const color = options.color ?? false;
  const width = Math.max(80, options.width ?? 100);
  const run = runScenario(vectorClock, { seed: 1, faults: "none", flags: { steps: 3 } });
  const events = run.sim.trace.events;
  const stamped = stampedEvents(events);
  const names = eventNames(stamped);
  const pairs = concurrentPairs(events);
  const agree = checkVectorClocks(events).length === 0 && checkLamport(events).length === 0;
  const converse = findLamportConverse(events);
  const lines = [
    heading("Logical clocks and broadcast order", color, width),
    "Three nodes stamp every event with a Lamport clock L and a vector clock [n1,n2,n3]. The " +
    "simulator knows the true happens-before order (program order plus send -> delivery), so " +
    "every pair of events is checked: a -> b exactly when V(a) < V(b), and a -> b implies L(a) < L(b).",
    "",
    clockDiagram(events, "both", { width, color, legend: false }),
    "",
    `${stamped.length} events, ${pairs.length} concurrent pairs (e.g. ` +
    pairs.slice(0, 3).map(([a, b]) => `${names.get(a.index)} ∥ ${names.get(b.index)}`).join(", ") +
    (agree
      ? "): both clocks agree with the true order on every pair."
      : "): the clocks DISAGREE with the true order (a bug in the clock code)."),
  ];
  if (converse !== undefined) {
    const [a, b] = converse;
    lines.push(
      `Lamport clocks cannot tell concurrency: L(${names.get(a.index)}) = ${a.lamport} < ` +
        `L(${names.get(b.index)}) = ${b.lamport}, yet the two are concurrent.`,
    );
  }
  lines.push(
    "",
    "Broadcast: n1 asks A, n2 answers B after delivering A, n3 posts C, n1 answers B with D.",
    broadcastOrderTable({ width }),
    "",
    "Try: deno task sim run broadcast-causal --protocol fifo --seed 1   (the checker catches it)",
    "     deno run examples/vector_clock.ts   (every concurrent pair)",
  );
  // Diagrams and tables fit already; prose is broken at spaces.
  return lines.flatMap((text) => text.split("\n")).flatMap((line) => wrapText(line, width, 0))
    .join("\n");
}

if (import.meta.main) console.log(clocksSection());

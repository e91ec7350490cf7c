/**
 * The CRDT section of the demo tour (`deno task demo`): counter replicas
 * converging under random faults, the LWW anomaly next to the OR-Set that
 * avoids it, and three users editing one text while partitioned.
 *
 * @module
 */

import { styleText } from "node:util";
import { runScenario } from "../sim/scenario.ts";
import { crdtCounter } from "../protocols/crdt/scenarios.ts";
import { anomalyTable } from "./lww_anomaly.ts";
import { documentTable, runEditing } from "./collaborative_text.ts";
import { heading, wrapText } from "./_text.ts";

/**
 * The section as text, every line at most `width` columns (default 100, at least 80).
 *
 * @example
 * ```ts
 * import { crdtSection } from "./_crdt_section.ts";
 * import assert from "node:assert/strict";
 * assert.ok(crdtSection({ color: false, width: 100 }).includes("OR-Set"));
 * ```
 */
export function crdtSection(options: { color?: boolean; width?: number } = {}): string {
  const color = options.color ?? false;
  const width = Math.max(80, options.width ?? 100);
  const run = runScenario(crdtCounter, { seed: 4 });
  const verdict = run.ok
    ? "ok: converged, to the value the acknowledged operations allow"
    : `FAILED: ${run.violations.map((v) => `${v.check} (${v.message})`).join("; ")}`;
  const lines = [
    heading("CRDTs: replicas that agree without coordination", color, width),
    "A CRDT's merge is commutative, associative and idempotent, so replicas that accept updates " +
    "on their own and exchange states (or operations) in any order, any number of times, " +
    "converge. Three PN-Counter replicas, three clients, loss, duplication, crashes, pauses and " +
    "partitions; the clients stop at 60% of the run, then every fault is repaired and the " +
    "checker waits for the replicas to agree:",
    ...run.summary.map((line) => `  ${line}`),
    `  ${
      color ? styleText(run.ok ? "green" : "red", verdict, { validateStream: false }) : verdict
    }`,
    "  replay it (the faults come from the seed): deno task sim run crdt-counter --seed 4",
    "",
    "Last-writer-wins loses writes. A shopping list on two replicas, partitioned: alice removes " +
    "eggs while bob, who still sees them, adds them again. What each set holds once healed:",
    ...anomalyTable(),
    "",
    "Collaborative text (RGA): three users edit one document while a partition keeps them apart.",
    ...documentTable(runEditing()),
    "",
    "Try: deno run examples/crdt_counters.ts        (state-based and op-based counters)",
    "     deno run examples/lww_anomaly.ts          (the anomaly, step by step)",
    "     deno run examples/collaborative_text.ts   (the editing session, with the heal drawn)",
    "     deno task sim run crdt-lww-set --skew 200 --seed 4 (lost adds under clock skew)",
  ];
  // Tables fit already; prose is broken at spaces, indented lines hanging by two more.
  return lines.flatMap((text) => text.split("\n"))
    .flatMap((line) => wrapText(line, width, line.startsWith(" ") ? 2 : 0)).join("\n");
}

if (import.meta.main) console.log(crdtSection());

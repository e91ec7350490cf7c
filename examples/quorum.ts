/**
 * Quorum replication, lecture 5.2, in three experiments:
 *
 * 1. how many replicas can fail before reads, or writes, become unavailable,
 *    for N = 3 and N = 5 and various R and W, computed and checked in the
 *    simulator;
 * 2. with R + W <= N a read misses a write that has returned: a seed search
 *    finds one, the linearizability checker rejects the history, and the
 *    diagram highlights the operations;
 * 3. what read repair does for replicas left behind by lost messages.
 *
 * Run it with `deno run examples/quorum.ts` (no permissions needed).
 *
 * @module
 */

import {
  availabilityRow,
  formatAvailabilityTable,
  LESSON_SETUPS,
} from "../protocols/quorum/availability.ts";
import { READ_REPAIR_MODES } from "../protocols/quorum/client.ts";
import { runLesson, STALE_READ_LESSON } from "../protocols/quorum/lessons.ts";
import { quorum } from "../protocols/quorum/scenarios.ts";
import { runScenario } from "../sim/scenario.ts";
import { findLessonViolation, type SectionOptions, violationLines } from "./_quorum_section.ts";
import { commandLines, heading, wrapText } from "./_text.ts";

/** Seeds per read repair mode in the third experiment. */
const REPAIR_SEEDS = 200;

/**
 * The whole walk-through as text.
 *
 * @example
 * ```ts
 * import { quorumExample } from "./quorum.ts";
 * import assert from "node:assert/strict";
 * assert.ok(quorumExample({ color: false }).includes("stale read"));
 * ```
 */
export function quorumExample(options: SectionOptions = {}): string {
  const color = options.color ?? false;
  const width = options.width ?? 100;
  const out: string[] = [];
  // One paragraph, wrapped to the width.
  const say = (...text: string[]) => out.push(...wrapText(text.join(" "), width, 0));

  out.push(heading("1. What fails when replicas fail", color, width));
  say(
    "N replicas; a write waits for W acknowledgements, a read for R replies. With f replicas down,",
    "a write can still succeed while N - f >= W, a read while N - f >= R. A read that writes back",
    "before returning (sync repair, ABD) needs W as well, and so does an ABD write's first round.",
    "Every row is checked in the simulator: each replica starts with its own version of x (so",
    "every read must repair), f = 0..N replicas are crashed, and a read and a write either",
    "succeed or time out exactly as predicted.",
  );
  const rows = LESSON_SETUPS.map((s) => availabilityRow(s));
  out.push(formatAvailabilityTable(rows), "");

  out.push(heading("2. R + W <= N: stale reads", color, width));
  say(
    "N = 3, R = W = 1: a write returns when one replica has it, a read asks one replica. One",
    "client writes, two read; the simulator runs seed after seed and the linearizability checker",
    "reads each history.",
  );
  const found = findLessonViolation(STALE_READ_LESSON);
  if (found === undefined) {
    out.push("(no seed in 1000 showed a stale read)");
  } else {
    out.push(
      `Seeds 1..${found.seed - 1} happened to be linearizable; seed ${found.seed} is not:`,
      "",
      ...violationLines(found, { color, width }),
    );
    const overlapping = runLesson(
      { ...STALE_READ_LESSON, params: { flags: { r: 2, w: 2 } } },
      found.seed,
      "off",
    );
    out.push(
      "",
      `The same seed with R = W = 2 (R + W > N): ${
        overlapping.summary.find((l) => l.startsWith("linearizable:"))
      }`,
      "replay the stale read:",
      ...commandLines(found.result.replay, width),
      "",
    );
  }

  out.push(heading("3. Read repair", color, width));
  say(
    `Without repair, a replica that missed a write (10% of messages are lost here) stays behind`,
    `until the next write. Runs of ${REPAIR_SEEDS} seeds, one writer and two readers on keys x, y, z:`,
  );
  for (const mode of READ_REPAIR_MODES) {
    let behind = 0, violations = 0;
    for (let seed = 1; seed <= REPAIR_SEEDS; seed++) {
      const r = runScenario(quorum, {
        seed,
        trace: "off",
        network: { loss: 0.1 },
        flags: { "read-repair": mode, keys: 3 },
      });
      if (r.summary.some((l) => l.startsWith("replicas disagree"))) behind++;
      if (!r.ok) violations++;
    }
    out.push(
      `  --read-repair ${mode.padEnd(5)}  runs ending with a replica behind: ${
        String(behind).padStart(3)
      }   not linearizable: ${violations}`,
    );
  }
  out.push("");
  say(
    "Repair brings stale replicas up to date as a side effect of reading. Only sync repair also",
    "makes reads linearizable (with one writer): see examples/consistency_demo.ts.",
  );
  return out.join("\n");
}

if (import.meta.main) console.log(quorumExample({ color: false }));

/**
 * The quorum part of the demo tour, and the drawing helpers that
 * `examples/quorum.ts` and `examples/consistency_demo.ts` share (the plain
 * text helpers are in `_text.ts`).
 *
 * @module
 */

import { type Anomaly, describeAnomaly, findAnomaly } from "../protocols/quorum/anomalies.ts";
import {
  availabilityRow,
  formatAvailabilityTable,
  LESSON_SETUPS,
} from "../protocols/quorum/availability.ts";
import {
  type Lesson,
  MID_WRITE_LESSON,
  runLesson,
  searchSeeds,
} from "../protocols/quorum/lessons.ts";
import { describeMessage, type QuorumMsg } from "../protocols/quorum/messages.ts";
import { verdictLines } from "../protocols/quorum/scenarios.ts";
import { checkLinearizability } from "../sim/check/linearizability.ts";
import { kvModel } from "../sim/check/models.ts";
import { renderDiagram } from "../sim/render/diagram.ts";
import type { Operation } from "../sim/history.ts";
import type { ScenarioResult } from "../sim/scenario.ts";
import type { TraceEvent } from "../sim/trace.ts";
import { commandLines, heading, wrapText } from "./_text.ts";

/**
 * How a section is drawn.
 *
 * @example
 * ```ts
 * import { opsDiagram, type SectionOptions } from "./_quorum_section.ts";
 * import { runLesson, STALE_READ_LESSON } from "../protocols/quorum/lessons.ts";
 * import assert from "node:assert/strict";
 * const o: SectionOptions = { color: false, width: 80 };
 * const run = runLesson(STALE_READ_LESSON, 1);
 * const text = opsDiagram(run, run.sim.history.operations.slice(0, 2), o);
 * assert.ok(text.split("\n").every((line) => [...line].length <= 80));
 * assert.ok(!text.includes("\x1b[")); // no colour
 * ```
 */
export interface SectionOptions {
  /** ANSI colours (default false). */
  color?: boolean;
  /** Columns to fit (default 100). */
  width?: number;
}

/**
 * The operations an anomaly is made of, in call order.
 *
 * @example
 * ```ts
 * import { anomalyOps } from "./_quorum_section.ts";
 * import { findAnomaly } from "../protocols/quorum/anomalies.ts";
 * import assert from "node:assert/strict";
 * const op = (id: number, f: string, input: unknown, output: unknown, call: number, ret: number) =>
 *   ({ id, client: `c${id}`, f, input, output, call, ret, status: "ok" as const });
 * const anomaly = findAnomaly([
 *   op(0, "write", { key: "x", value: 1 }, undefined, 0, 10),
 *   op(1, "read", { key: "x" }, 1, 2, 4),
 *   op(2, "read", { key: "x" }, null, 5, 7),
 * ]);
 * assert.deepEqual(anomalyOps(anomaly!).map((o) => o.id), [0, 1, 2]); // write, first, second
 * ```
 */
export function anomalyOps(a: Anomaly): Operation[] {
  switch (a.kind) {
    case "stale-read":
      return [a.write, a.read];
    case "new-then-old":
      return [a.write, a.first, a.second];
    default: {
      const never: never = a;
      throw new Error(`unknown anomaly ${JSON.stringify(never)}`);
    }
  }
}

/**
 * The stretch of a traced run that shows `ops`: the replicas and the clients
 * of `ops` only, from the first call to the last return, with those
 * operations highlighted and messages labelled like `Write x=c1.2 (2,c1)`.
 *
 * @example
 * ```ts
 * import { opsDiagram } from "./_quorum_section.ts";
 * import { runLesson, STALE_READ_LESSON } from "../protocols/quorum/lessons.ts";
 * import assert from "node:assert/strict";
 * const run = runLesson(STALE_READ_LESSON, 1);
 * const ops = run.sim.history.operations.slice(0, 2);
 * const text = opsDiagram(run, ops, { width: 100 });
 * assert.match(text.split("\n")[0], /n1 .* n2 .* n3 .* c2 .* c1/); // replicas, then the clients
 * ```
 */
export function opsDiagram(
  result: ScenarioResult,
  ops: readonly Operation[],
  options: SectionOptions = {},
): string {
  const shown = new Set([
    ...result.sim.nodes.filter((id) => /^n\d+$/.test(id)),
    ...ops.map((op) => op.client),
  ]);
  const from = Math.min(...ops.map((op) => op.call));
  const to = Math.max(...ops.map((op) => op.ret).filter(Number.isFinite), from);
  const visible = (e: TraceEvent) => {
    switch (e.kind) {
      case "deliver":
        return shown.has(e.node) && shown.has(e.from);
      case "drop":
        return shown.has(e.from) && shown.has(e.to);
      case "invoke":
      case "complete":
      case "crash":
      case "restart":
      case "pause":
      case "resume":
        return shown.has(e.node);
      case "partition":
      case "heal":
        return true;
      default:
        return false;
    }
  };
  return renderDiagram(result.sim.trace.events.filter(visible), {
    width: options.width ?? 100,
    color: options.color ?? false,
    from,
    to,
    nodes: [...shown],
    highlight: { ops: ops.map((op) => op.id) },
    label: (msg) => describeMessage(msg as QuorumMsg),
    legend: false,
  });
}

/**
 * A seed of a lesson whose history is not linearizable: how many seeds the
 * search tried, the seed, its run (traced), and the anomaly when it is one
 * of the lecture's.
 *
 * @example
 * ```ts
 * import { findLessonViolation, type LessonViolation } from "./_quorum_section.ts";
 * import { STALE_READ_LESSON } from "../protocols/quorum/lessons.ts";
 * import assert from "node:assert/strict";
 * const v: LessonViolation | undefined = findLessonViolation(STALE_READ_LESSON);
 * assert.equal(v?.seed, v?.tried); // the search starts at seed 1
 * assert.equal(v?.result.ok, false);
 * ```
 */
export interface LessonViolation {
  tried: number;
  seed: number;
  result: ScenarioResult;
  anomaly?: Anomaly;
}

/**
 * What a lesson's seed search found. `undefined` when no seed in the budget
 * violated.
 *
 * @example
 * ```ts
 * import { findLessonViolation } from "./_quorum_section.ts";
 * import { STALE_READ_LESSON } from "../protocols/quorum/lessons.ts";
 * import assert from "node:assert/strict";
 * assert.equal(findLessonViolation(STALE_READ_LESSON)?.anomaly?.kind, "stale-read");
 * ```
 */
export function findLessonViolation(
  lesson: Lesson,
  limit = 1000,
): LessonViolation | undefined {
  const found = searchSeeds(lesson, { limit });
  if (found.seed === undefined) return undefined;
  const result = runLesson(lesson, found.seed);
  return {
    tried: found.tried,
    seed: found.seed,
    result,
    anomaly: findAnomaly(result.sim.history.operations),
  };
}

/**
 * The linearizability checker's verdict on a run's history, wrapped to `width`.
 *
 * @example
 * ```ts
 * import { verdictText } from "./_quorum_section.ts";
 * import { runLesson, STALE_READ_LESSON } from "../protocols/quorum/lessons.ts";
 * import assert from "node:assert/strict";
 * assert.ok(verdictText(runLesson(STALE_READ_LESSON, 1), 100)[0].startsWith("linearizable:"));
 * ```
 */
export function verdictText(result: ScenarioResult, width: number): string[] {
  const lin = checkLinearizability(result.sim.history.operations, kvModel);
  return verdictLines(lin).flatMap((line) => wrapText(line, width));
}

/**
 * A violation shown: the anomaly's operations drawn and highlighted, the
 * anomaly in words, then the checker's verdict.
 *
 * @example
 * ```ts
 * import { findLessonViolation, violationLines } from "./_quorum_section.ts";
 * import { STALE_READ_LESSON } from "../protocols/quorum/lessons.ts";
 * import assert from "node:assert/strict";
 * const found = findLessonViolation(STALE_READ_LESSON);
 * const lines = violationLines(found!, { width: 100 });
 * assert.ok(lines.some((line) => line.startsWith("linearizable: NO")));
 * assert.ok(lines.some((line) => line.endsWith("cannot be placed")));
 * ```
 */
export function violationLines(found: LessonViolation, options: SectionOptions = {}): string[] {
  const { result, anomaly } = found;
  const width = options.width ?? 100;
  const drawn = anomaly === undefined ? [] : [
    opsDiagram(result, anomalyOps(anomaly), options),
    "",
    ...wrapText(describeAnomaly(anomaly), width),
  ];
  return [...drawn, ...verdictText(result, width)];
}

/**
 * The demo tour's quorum section: lecture 7.2's anomaly found by searching
 * seeds with N = 3, R = W = 2 and no write-back, drawn with the operations
 * highlighted; the same seeds with synchronous read repair; and what each
 * N = 3 configuration survives.
 *
 * @example
 * ```ts
 * import { quorumSection } from "./_quorum_section.ts";
 * import assert from "node:assert/strict";
 * assert.ok(quorumSection({ color: false }).includes("linearizable: NO"));
 * ```
 */
export function quorumSection(options: SectionOptions = {}): string {
  const color = options.color ?? false;
  const width = options.width ?? 100;
  const lines = [
    heading("Quorums: R + W > N is not yet linearizable", color, width),
    "Three replicas n1..n3 hold (value, timestamp) per key. A write goes to all three and returns",
    "after W = 2 acknowledgements; a read asks all three and returns the newest of R = 2 replies.",
    "Every read quorum overlaps every write quorum, so a read sees any write that has returned.",
    "But links are slow now and then (exponential latency), one client writes and three read",
    "back to back, and the linearizability checker looks at every seed's history:",
  ];
  const found = findLessonViolation(MID_WRITE_LESSON);
  if (found === undefined) return [...lines, "", "(no seed in 1000 showed it)"].join("\n");
  const { result, anomaly } = found;
  const shown = anomaly === undefined ? [] : anomalyOps(anomaly);
  const lin = checkLinearizability(result.sim.history.operations, kvModel);
  lines.push(
    `seeds 1..${found.seed - 1} were linearizable; seed ${found.seed} is not. Its highlighted ` +
      "operations:",
    "",
    shown.length > 0 ? opsDiagram(result, shown, { color, width }) : "",
    "",
    ...(anomaly === undefined ? [] : wrapText(describeAnomaly(anomaly), width)),
    ...verdictLines(lin).slice(0, 1).flatMap((l) => wrapText(l, width)),
  );
  const sync = {
    ...MID_WRITE_LESSON,
    params: {
      ...MID_WRITE_LESSON.params,
      flags: { ...MID_WRITE_LESSON.params.flags, "read-repair": "sync" },
    },
  };
  const checked = Math.max(4 * found.seed, 100);
  const fixed = searchSeeds(sync, { limit: checked });
  lines.push(
    "",
    "The fix is to write back: a reader sends the newest value to the replicas until W hold it,",
    "and only then returns (ABD's read; --read-repair sync). " +
      (fixed.seed === undefined
        ? `Seeds 1..${checked} are then all linearizable.`
        : `Yet seed ${fixed.seed} still fails!`),
    "",
    "What it costs: how many replicas may be down with reads, or writes, still available",
    "(each row checked in the simulator with 0..N replicas crashed):",
    formatAvailabilityTable(LESSON_SETUPS.filter((s) => s.n === 3).map((s) => availabilityRow(s))),
    "",
    "replay the violation (add --diagram to draw all of it):",
    ...commandLines(result.replay, width),
  );
  return lines.join("\n");
}

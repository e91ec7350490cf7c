/**
 * Linearizability, lecture 7.2, in four experiments on three replicas:
 *
 * 1. R + W > N without write-back: a seed search finds the lecture's
 *    history (a read sees a write under way, a later read misses it), drawn
 *    with the operations highlighted;
 * 2. background (async) read repair does not prevent it;
 * 3. writing back before returning does, on every seed searched;
 * 4. ABD (reads write back, writes ask a quorum for the highest timestamp
 *    first) over 1,000 seeds of crashes, pauses, partitions, loss and
 *    duplication: no violation; without its writes' first round, three
 *    writers lose updates at once.
 *
 * Run it with `deno run examples/consistency_demo.ts` (no permissions needed).
 *
 * @module
 */

import { describeAnomaly } from "../protocols/quorum/anomalies.ts";
import {
  ABD_LESSON,
  type Lesson,
  MID_WRITE_LESSON,
  runLesson,
  searchSeeds,
} from "../protocols/quorum/lessons.ts";
import { checkLinearizability } from "../sim/check/linearizability.ts";
import { kvModel } from "../sim/check/models.ts";
import {
  anomalyOps,
  findLessonViolation,
  type LessonViolation,
  opsDiagram,
  type SectionOptions,
  verdictText,
} from "./_quorum_section.ts";
import { commandLines, heading, wrapText } from "./_text.ts";

/** Seeds run where the point is that nothing goes wrong. */
const CLEAN_SEEDS = 1000;

/** `lesson` with some of its scenario flags changed. */
function withFlags(lesson: Lesson, flags: Record<string, string | number | boolean>): Lesson {
  return { ...lesson, params: { ...lesson.params, flags: { ...lesson.params.flags, ...flags } } };
}

/**
 * The whole walk-through as text.
 *
 * @example
 * ```ts
 * import { consistencyDemo } from "./consistency_demo.ts";
 * import assert from "node:assert/strict";
 * assert.ok(consistencyDemo({ color: false }).includes("new then old"));
 * ```
 */
export function consistencyDemo(options: SectionOptions = {}): string {
  const color = options.color ?? false;
  const width = options.width ?? 100;
  const out: string[] = [];
  const say = (...text: string[]) => out.push(...wrapText(text.join(" "), width, 0));

  out.push(heading("1. R + W > N is not linearizable without write-back", color, width));
  say(
    "N = 3, R = W = 2: every read quorum overlaps every write quorum, so a read sees every write",
    "that returned before it began. One client writes, three read back to back, and links are",
    "sometimes slow (exponential latency, mean 5 ms), so a write can reach one replica long",
    "before the others. Searching seeds for a history the checker rejects:",
  );
  const found = findLessonViolation(MID_WRITE_LESSON);
  if (found === undefined) {
    out.push("(no seed in 1000 showed it)");
  } else {
    out.push(
      `seeds 1..${found.seed - 1} are linearizable; seed ${found.seed} is not:`,
      "",
      ...counterexampleLines(found, { color, width }),
      "replay it:",
      ...commandLines(found.result.replay, width),
      "",
    );
  }

  out.push(heading("2. Read repair in the background does not help", color, width));
  const async = findLessonViolation(withFlags(MID_WRITE_LESSON, { "read-repair": "async" }));
  say(
    "With --read-repair async a reader sends the newest value to stale replicas but returns at",
    "once, so the next reader can still get there first.",
    async === undefined
      ? `No violation in ${CLEAN_SEEDS} seeds this time.`
      : `The first seed that shows it is seed ${async.seed}:` +
        (async.anomaly === undefined ? "" : ` ${describeAnomaly(async.anomaly)}`),
  );
  out.push("");

  out.push(heading("3. Write back before returning", color, width));
  const sync = searchSeeds(withFlags(MID_WRITE_LESSON, { "read-repair": "sync" }), {
    limit: CLEAN_SEEDS,
  });
  say(
    "With --read-repair sync a reader sends the newest value to the replicas that lack it and",
    "returns only when W replicas hold it; every later read quorum overlaps those W.",
    sync.seed === undefined
      ? `Seeds 1..${CLEAN_SEEDS}: no violation.`
      : `Seed ${sync.seed} is still not linearizable!`,
    "That is ABD's read. It is enough while one client writes.",
  );
  out.push("");

  out.push(heading("4. ABD under faults", color, width));
  say(
    "ABD's write also asks a read quorum for the highest timestamp first, so that several",
    "writers' timestamps follow real time. Three clients read and write; replicas and clients",
    "crash, pause and get partitioned, and 5% of messages are lost and 5% duplicated:",
  );
  const totals = { ok: 0, fail: 0, info: 0, crashes: 0, partitions: 0, dropped: 0, dup: 0 };
  let violations = 0;
  for (let seed = 1; seed <= CLEAN_SEEDS; seed++) {
    const r = runLesson(ABD_LESSON, seed, "off");
    if (!r.ok) violations++;
    for (const op of r.sim.history.operations) {
      if (op.status === "ok" || op.status === "fail" || op.status === "info") totals[op.status]++;
    }
    totals.crashes += r.faults.split("; ").filter((f) => f.includes(" crash ")).length;
    totals.partitions += r.faults.split("; ").filter((f) => f.includes(" partition ")).length;
    totals.dropped += r.sim.stats.dropped;
    totals.dup += r.sim.stats.duplicated;
  }
  out.push(
    `  ${CLEAN_SEEDS} seeds: ${violations} violations`,
    `  operations: ${totals.ok} ok, ${totals.fail} fail, ${totals.info} info (timed out)`,
    `  faults: ${totals.crashes} crashes, ${totals.partitions} partitions; ` +
      `${totals.dropped} messages dropped, ${totals.dup} duplicated`,
    "",
  );
  const blind = findLessonViolation(withFlags(ABD_LESSON, { "single-writer": true }));
  say(
    "Skip the writes' first round (--single-writer, right only for one writer) and the same runs",
    "go wrong at once:",
    blind === undefined ? "no violation found." : `seed ${blind.seed} loses an update:`,
  );
  if (blind !== undefined) {
    out.push(...verdictText(blind.result, width));
    out.push("replay it:", ...commandLines(blind.result.replay, width));
  }
  return out.join("\n");
}

/**
 * The anomaly in words and the checker's verdict, under a diagram of every
 * operation either names, so that each client the verdict mentions is drawn.
 */
function counterexampleLines(found: LessonViolation, options: SectionOptions): string[] {
  const { result, anomaly } = found;
  const width = options.width ?? 100;
  const history = result.sim.history.operations;
  // The anomaly's operations first, so that its clients are drawn next to the replicas.
  const first = anomaly === undefined ? [] : anomalyOps(anomaly);
  const named = new Set(checkLinearizability(history, kvModel).counterexample?.ops ?? []);
  for (const op of first) named.delete(op.id);
  const ops = [...first, ...history.filter((op) => named.has(op.id))];
  return [
    ...(ops.length === 0 ? [] : [opsDiagram(result, ops, options), ""]),
    ...(anomaly === undefined ? [] : wrapText(describeAnomaly(anomaly), width)),
    ...verdictText(result, width),
  ];
}

if (import.meta.main) console.log(consistencyDemo({ color: false }));

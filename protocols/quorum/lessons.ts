/**
 * The lessons of lectures 5.2 and 7.2 as experiments that the examples, the
 * demo and the tests share: which runs to make, how to search seeds for a
 * violation, and how to name what went wrong in a history.
 *
 * 1. With R + W <= N a read can miss a write that has already returned: a
 *    *stale read* ({@linkcode STALE_READ_LESSON}).
 * 2. With R + W > N every read sees every write that returned before it
 *    began, yet reads are still not linearizable without a write-back: one
 *    read sees a write that is still under way, a later read misses it
 *    (*new then old*, {@linkcode MID_WRITE_LESSON}). It needs a slow write,
 *    so its runs use latency with a long tail.
 * 3. ABD has no violation, under crashes, partitions, loss and duplication
 *    ({@linkcode ABD_LESSON}).
 *
 * `anomalies.ts` names the first two patterns in a history.
 *
 * @module
 */

import type { FaultSpec } from "../../sim/faults.ts";
import {
  runScenario,
  type Scenario,
  type ScenarioParams,
  type ScenarioResult,
} from "../../sim/scenario.ts";
import { abd, quorum } from "./scenarios.ts";

/**
 * A scenario and the parameters of one lesson's runs, all but the seed.
 *
 * @example
 * ```ts
 * import { type Lesson, runLesson } from "./lessons.ts";
 * import { quorum } from "./scenarios.ts";
 * import assert from "node:assert/strict";
 * const l: Lesson = { scenario: quorum, params: { flags: { r: 3, w: 3 } }, what: "all replicas" };
 * assert.ok(runLesson(l, 1, "off").ok); // R + W > N, one writer: linearizable
 * ```
 */
export interface Lesson {
  /** The scenario its runs use. */
  scenario: Scenario;
  /** The run parameters (flags, network, faults, ...), all but the seed and tracing. */
  params: Partial<Omit<ScenarioParams, "seed" | "faults" | "trace">> & {
    faults?: FaultSpec | string;
  };
  /** What the runs show, in a few words. */
  what: string;
}

/**
 * Lecture 5.2: N = 3, R = W = 1, one writer and two readers. A read asks
 * one replica, which may not have the write that just returned.
 *
 * @example
 * ```ts
 * import { STALE_READ_LESSON } from "./lessons.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(STALE_READ_LESSON.params.flags, { r: 1, w: 1 });
 * ```
 */
export const STALE_READ_LESSON: Lesson = {
  scenario: quorum,
  params: { flags: { r: 1, w: 1 } },
  what: "R + W <= N: a read misses a write that already returned",
};

/**
 * Lecture 7.2: N = 3, R = W = 2, no read repair, one writer and three
 * readers that read back to back, over links whose latency is exponential
 * (mean 5 ms): now and then a write reaches one replica long before the
 * others, and two reads in a row can see it and then miss it.
 *
 * @example
 * ```ts
 * import { MID_WRITE_LESSON } from "./lessons.ts";
 * import assert from "node:assert/strict";
 * assert.equal(MID_WRITE_LESSON.params.flags?.["read-repair"], "none");
 * ```
 */
export const MID_WRITE_LESSON: Lesson = {
  scenario: quorum,
  params: {
    flags: { r: 2, w: 2, "read-repair": "none", clients: 4, writers: 1, "think-ms": 1 },
    network: { latency: { kind: "exponential", mean: 5 } },
  },
  what: "R + W > N without write-back: a read sees a write under way, a later read misses it",
};

/**
 * ABD over three replicas with three writing clients: crashes, pauses and
 * partitions (of replicas and clients) from the seed, 5% loss and 5%
 * duplication, over a short run with small histories.
 *
 * @example
 * ```ts
 * import { ABD_LESSON } from "./lessons.ts";
 * import assert from "node:assert/strict";
 * assert.equal(ABD_LESSON.scenario.name, "abd");
 * ```
 */
export const ABD_LESSON: Lesson = {
  scenario: abd,
  params: {
    until: 1000,
    flags: { clients: 3, writers: 3, ops: 8, "think-ms": 30 },
    network: { loss: 0.05, duplicate: 0.05 },
    // At most one node down at a time, so a quorum can usually still be found
    // and most operations finish to be checked.
    faults: { kind: "random", rates: { crash: 3, partition: 2, pause: 2, maxDown: 1 } },
  },
  what: "ABD: linearizable under crashes, partitions, loss and duplication",
};

/**
 * The outcome of a search over seeds.
 *
 * @example
 * ```ts
 * import { searchSeeds, type SeedSearch, STALE_READ_LESSON } from "./lessons.ts";
 * import assert from "node:assert/strict";
 * const s: SeedSearch = searchSeeds(STALE_READ_LESSON, { from: 1, limit: 200 });
 * assert.equal(s.seed, s.tried); // searching from seed 1, the k-th seed tried is seed k
 * assert.equal(s.result?.ok, false);
 * ```
 */
export interface SeedSearch {
  /** Seeds run. */
  tried: number;
  /** The first seed with a violation, if any. */
  seed?: number;
  /** That run (traced only as the lesson's params say; tracing is off by default). */
  result?: ScenarioResult;
}

/**
 * Runs `lesson` on seeds `from`, `from + 1`, ... up to `limit` seeds, with
 * tracing off, and stops at the first run with a violation.
 *
 * @example
 * ```ts
 * import { searchSeeds, STALE_READ_LESSON } from "./lessons.ts";
 * import assert from "node:assert/strict";
 * const found = searchSeeds(STALE_READ_LESSON, { limit: 200 });
 * assert.notEqual(found.seed, undefined); // R + W <= N: some seed shows a stale read
 * ```
 */
export function searchSeeds(
  lesson: Lesson,
  options: { from?: number; limit?: number } = {},
): SeedSearch {
  const from = options.from ?? 1;
  const limit = options.limit ?? 1000;
  for (let k = 0; k < limit; k++) {
    const result = runLesson(lesson, from + k, "off");
    if (!result.ok) return { tried: k + 1, seed: from + k, result };
  }
  return { tried: limit };
}

/**
 * Runs `lesson` on one seed, by default with the full trace (for a diagram).
 *
 * @example
 * ```ts
 * import { runLesson, STALE_READ_LESSON } from "./lessons.ts";
 * import assert from "node:assert/strict";
 * const run = runLesson(STALE_READ_LESSON, 1);
 * assert.ok(run.sim.trace.events.some((e) => e.kind === "deliver")); // a full trace, to draw
 * ```
 */
export function runLesson(
  lesson: Lesson,
  seed: number,
  trace: ScenarioParams["trace"] = "full",
): ScenarioResult {
  return runScenario(lesson.scenario, { ...lesson.params, seed, trace });
}

/**
 * Merging reports: the `--json` outputs of the shards of one sweep or one
 * exploration (from a CI matrix or a cluster's job array) become one
 * report, as if one machine had run it all. For a sweep, totals add up,
 * failures are listed together in seed order, and the slowest seeds are
 * the slowest of all; for an exploration, runs and `sometimes` counts add
 * up and the first failure is the one with the lowest run number.
 *
 * Reports merge only when they are of the same scenario, parameters and
 * framework version and cover disjoint parts: the same range split into
 * shards of the same count, or ranges that do not overlap, with no shard
 * missing. Anything else is refused, naming the file, rather than counted
 * twice or passed with seeds never run.
 *
 * @module
 */

import { ConfigError } from "../errors.ts";
import type { ExploreReport } from "./explore_report.ts";
import { reportObject } from "./report_files.ts";
import { parseSeedRange, parseShard, type SeedRange, type Shard, shardSeeds } from "./shard.ts";
import {
  slowestOf,
  SWEEP_FORMAT,
  SWEEP_VERSION,
  type SweepFailure,
  type SweepReport,
} from "./sweep.ts";

/**
 * Reads one `sweep --json` output. Throws a {@linkcode ConfigError} naming
 * `name` (the file) when it is not a sweep report this build reads.
 *
 * @example
 * ```ts
 * import { parseSweepReport } from "./merge.ts";
 * import assert from "node:assert/strict";
 * assert.throws(() => parseSweepReport("{}", "a.json"), {
 *   message: "a.json: format must be dsim-sweep, got nothing",
 * });
 * ```
 */
export function parseSweepReport(text: string, name: string): SweepReport {
  const r = reportObject(text, name, SWEEP_FORMAT, SWEEP_VERSION);
  const shown = (x: unknown) => x === undefined ? "nothing" : JSON.stringify(x);
  const numbers = [
    "workers",
    "wallMs",
    "runs",
    "failed",
    "events",
    "messages",
    "virtualMs",
    "runMs",
  ];
  for (const key of numbers) {
    if (typeof r[key] !== "number" || !((r[key] as number) >= 0)) {
      throw new ConfigError(name, `${key} must be a number >= 0, got ${shown(r[key])}`);
    }
  }
  for (const key of ["dsim", "scenario", "seeds"]) {
    if (typeof r[key] !== "string") {
      throw new ConfigError(name, `${key} must be a string, got ${shown(r[key])}`);
    }
  }
  for (const key of ["parts", "slowest", "failures"]) {
    if (!Array.isArray(r[key])) {
      throw new ConfigError(name, `${key} must be an array, got ${shown(r[key])}`);
    }
  }
  if (r.params === null || typeof r.params !== "object") {
    throw new ConfigError(name, `params must be an object, got ${shown(r.params)}`);
  }
  const nr = r.notReached as Record<string, unknown> | undefined;
  if (
    nr === null || typeof nr !== "object" || !Array.isArray(nr.seeds) || !Array.isArray(nr.rest)
  ) {
    throw new ConfigError(name, `notReached must be { seeds, rest, count }, got ${shown(nr)}`);
  }
  const report = r as unknown as SweepReport;
  let seedsInParts = 0;
  for (const part of report.parts) {
    try {
      const { range, shard } = parsePart(part);
      seedsInParts += shardSeeds(range, shard).length;
    } catch {
      throw new ConfigError(name, `parts: cannot read ${JSON.stringify(part)}`);
    }
  }
  // A report must add up, or a merge of it proves nothing.
  if (
    r.shard !== null && (typeof r.shard !== "string" ||
      report.parts.length !== 1 || report.parts[0] !== `${r.shard} of ${r.seeds}`)
  ) {
    throw new ConfigError(
      name,
      `shard ${shown(r.shard)} does not match its parts ${JSON.stringify(report.parts)}`,
    );
  }
  if (report.failed !== report.failures.length) {
    throw new ConfigError(
      name,
      `says ${report.failed} failed but lists ${report.failures.length} failures`,
    );
  }
  if (report.runs + report.notReached.count !== seedsInParts) {
    throw new ConfigError(
      name,
      `ran ${report.runs} seeds and did not reach ${report.notReached.count}, ` +
        `but its parts hold ${seedsInParts}`,
    );
  }
  return report;
}

/**
 * One report for several: the shards of one sweep, or sweeps over disjoint
 * seed ranges. `names` (the files) name the reports in errors.
 *
 * @example
 * ```ts
 * import { mergeSweepReports } from "./merge.ts";
 * import { runSweep } from "./sweep.ts";
 * import { pingPong } from "../../protocols/ping_pong/scenario.ts";
 * const spec = { scenario: "ping-pong", given: {}, seeds: { from: 1, to: 10 } };
 * const a = await runSweep(pingPong, { ...spec, shard: { index: 1, count: 2 } }, { workers: 0 });
 * const b = await runSweep(pingPong, { ...spec, shard: { index: 2, count: 2 } }, { workers: 0 });
 * import assert from "node:assert/strict";
 * assert.equal(mergeSweepReports([a, b]).runs, 10);
 * assert.throws(() => mergeSweepReports([a, a]), /cover the same seeds: a duplicate shard/);
 * ```
 */
export function mergeSweepReports(
  reports: readonly SweepReport[],
  names: readonly string[] = reports.map((_, i) => `report ${i + 1}`),
): SweepReport {
  if (reports.length === 0) throw new ConfigError("merge", "needs at least one sweep report");
  const first = reports[0];
  mustAgree(reports, names, [
    ["sweeps", (r) => r.scenario, "one scenario merges"],
    ["ran with", (r) => r.params, "runs with the same parameters merge"],
    ["was made by dsim", (r) => r.dsim, "reports of one dsim version merge"],
  ]);
  const parts = checkCoverage(reports, names);
  const sum = (f: (r: SweepReport) => number) => reports.reduce((n, r) => n + f(r), 0);
  const ranges = parts.map((p) => parsePart(p.part).range);
  const failures: SweepFailure[] = reports.flatMap((r) => r.failures).sort((a, b) =>
    a.seed - b.seed
  );
  const shrunk =
    reports.map((r) => r.shrunk).filter((s) => s !== undefined).sort((a, b) => a.seed - b.seed)[0];
  const keep = Math.max(...reports.map((r) => r.slowest.length));
  const merged: SweepReport = {
    format: SWEEP_FORMAT,
    version: SWEEP_VERSION,
    dsim: first.dsim,
    scenario: first.scenario,
    params: first.params,
    seeds: `${Math.min(...ranges.map((r) => r.from))}..${Math.max(...ranges.map((r) => r.to))}`,
    shard: reports.length === 1 ? first.shard : null,
    parts: parts.map((p) => p.part),
    workers: sum((r) => r.workers),
    wallMs: Math.max(...reports.map((r) => r.wallMs)),
    budgetMs: reports.some((r) => r.budgetMs !== null)
      ? Math.max(...reports.map((r) => r.budgetMs ?? 0))
      : null,
    runs: sum((r) => r.runs),
    failed: sum((r) => r.failed),
    events: sum((r) => r.events),
    messages: sum((r) => r.messages),
    virtualMs: round(sum((r) => r.virtualMs)),
    runMs: round(sum((r) => r.runMs)),
    slowest: slowestOf(reports.flatMap((r) => r.slowest), keep),
    failures,
    notReached: {
      seeds: reports.flatMap((r) => r.notReached.seeds).sort((a, b) => a - b),
      rest: reports.flatMap((r) => r.notReached.rest),
      count: sum((r) => r.notReached.count),
    },
  };
  if (shrunk !== undefined) merged.shrunk = shrunk;
  return merged;
}

/**
 * One report for the shards of one exploration: runs and `sometimes`
 * counts add up, and the first failure is the failing run with the lowest
 * run number (each shard stops at its own first failure, so the lowest of
 * those is the first of all), with its shrunk form. `names` (the files)
 * name the reports in errors.
 *
 * @example
 * ```ts
 * import { mergeExploreReports } from "./merge.ts";
 * import type { ExploreReport } from "./explore_report.ts";
 * import assert from "node:assert/strict";
 * const shard = (k: number, runs: number, reached: number): ExploreReport => ({
 *   format: "dsim-explore", version: 1, dsim: "0.2.0", scenario: "abd", strategy: "swarm",
 *   seed: 1, params: { nodes: 3, until: 500, faults: "", flags: {} }, shard: `${k}/2`,
 *   parts: [`${k}/2 of runs 0..9`], runs, found: false, firstFailure: null, shrunk: null,
 *   sometimes: { "stale-read": reached }, wallMs: 10, runsPerSecond: 500, notReached: 0,
 *   workers: 1,
 * });
 * const merged = mergeExploreReports([shard(1, 5, 2), shard(2, 5, 1)]);
 * assert.equal(merged.runs, 10);
 * assert.deepEqual(merged.sometimes, { "stale-read": 3 });
 * assert.throws(() => mergeExploreReports([shard(1, 5, 2)]), /missing shard 2\/2 of runs 0\.\.9/);
 * ```
 */
export function mergeExploreReports(
  reports: readonly ExploreReport[],
  names: readonly string[] = reports.map((_, i) => `report ${i + 1}`),
): ExploreReport {
  if (reports.length === 0) throw new ConfigError("merge", "needs at least one explore report");
  const first = reports[0];
  mustAgree(reports, names, [
    ["explores", (r) => r.scenario, "one scenario merges"],
    ["explores with strategy", (r) => r.strategy, "one strategy merges"],
    ["starts from seed", (r) => r.seed, "runs from one base seed merge"],
    ["ran with", (r) => r.params, "runs with the same parameters merge"],
    ["was made by dsim", (r) => r.dsim, "reports of one dsim version merge"],
  ]);
  const parts = checkCoverage(reports, names);
  const failing = reports.filter((r) => r.firstFailure !== null)
    .sort((a, b) => a.firstFailure!.run - b.firstFailure!.run)[0];
  const sometimes: Record<string, number> = {};
  for (const r of reports) {
    for (const [name, n] of Object.entries(r.sometimes)) {
      sometimes[name] = (sometimes[name] ?? 0) + n;
    }
  }
  const sum = (f: (r: ExploreReport) => number) => reports.reduce((n, r) => n + f(r), 0);
  return {
    format: first.format,
    version: first.version,
    dsim: first.dsim,
    scenario: first.scenario,
    ...(first.module === undefined ? {} : { module: first.module }),
    strategy: first.strategy,
    seed: first.seed,
    params: first.params,
    shard: reports.length === 1 ? first.shard : null,
    parts: parts.map((p) => p.part),
    runs: sum((r) => r.runs),
    found: failing !== undefined,
    firstFailure: failing?.firstFailure ?? null,
    shrunk: failing?.shrunk ?? null,
    sometimes: Object.fromEntries(Object.entries(sometimes).sort(([a], [b]) => a < b ? -1 : 1)),
    wallMs: Math.max(...reports.map((r) => r.wallMs)),
    // The shards ran side by side: their speeds add up.
    runsPerSecond: sum((r) => r.runsPerSecond),
    notReached: sum((r) => r.notReached),
    workers: sum((r) => r.workers),
  };
}

/**
 * The shards missing from a set of parts, for each range split into shards
 * (`3/4 of 1..1000`, `3/4 of runs 0..999`): what a merge still lacks to
 * cover its sweep or exploration.
 *
 * @example
 * ```ts
 * import { missingShards } from "./merge.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(missingShards(["1/3 of 1..90", "3/3 of 1..90"]), ["2/3 of 1..90"]);
 * ```
 */
export function missingShards(parts: readonly string[]): string[] {
  const groups = new Map<string, { count: number; whole: string; have: Set<number> }>();
  for (const p of parts) {
    const { range, shard, unit } = parsePart(p);
    if (shard === undefined) continue;
    const whole = `${unit}${range.from}..${range.to}`;
    const key = `${shard.count} ${whole}`;
    if (!groups.has(key)) groups.set(key, { count: shard.count, whole, have: new Set() });
    groups.get(key)!.have.add(shard.index);
  }
  const missing: string[] = [];
  for (const { count, whole, have } of groups.values()) {
    for (let k = 1; k <= count; k++) {
      if (!have.has(k)) missing.push(`${k}/${count} of ${whole}`);
    }
  }
  return missing;
}

/** A fact every report must share: how to say it, where it is, and what merges. */
type Agreement<R> = [says: string, of: (r: R) => unknown, only: string];

/** Refuses the first report that differs from the first one in any of `facts`, naming it. */
function mustAgree<R>(
  reports: readonly R[],
  names: readonly string[],
  facts: ReadonlyArray<Agreement<R>>,
): void {
  const show = (x: unknown) => typeof x === "string" ? x : canonical(x);
  for (const [says, of, only] of facts) {
    const want = canonical(of(reports[0]));
    reports.forEach((r, i) => {
      if (canonical(of(r)) !== want) {
        throw new ConfigError(
          names[i],
          `${says} ${show(of(r))}, but ${names[0]} ${says} ${show(of(reports[0]))}: only ${only}`,
        );
      }
    });
  }
}

/**
 * Every part of every report, refused when two may share seeds (or runs),
 * or when a shard of a split range is missing.
 */
function checkCoverage(
  reports: ReadonlyArray<{ parts: string[] }>,
  names: readonly string[],
): Array<{ name: string; part: string }> {
  const parts = reports.flatMap((r, i) => r.parts.map((p) => ({ name: names[i], part: p })));
  for (let i = 0; i < parts.length; i++) {
    for (let j = i + 1; j < parts.length; j++) {
      const why = overlap(parsePart(parts[i].part), parsePart(parts[j].part));
      if (why !== undefined) {
        throw new ConfigError(
          parts[j].name,
          `${parts[j].part} and ${parts[i].part} (from ${parts[i].name}) ${why}`,
        );
      }
    }
  }
  const missing = missingShards(parts.map((p) => p.part));
  if (missing.length > 0) {
    throw new ConfigError(
      "merge",
      `missing ${missing.length === 1 ? "shard" : "shards"} ${missing.join(", ")}: ` +
        "merge the report of every shard",
    );
  }
  return parts;
}

/** A part read back: `K/M of A..B`, `A..B`, or the same with `runs ` before the range. */
interface Part {
  range: SeedRange;
  shard?: Shard;
  /** `runs ` for an exploration's run numbers, empty for seeds. */
  unit: string;
}

function parsePart(part: string): Part {
  const m = /^(?:(\S+) of )?(runs )?(\S+)$/.exec(part);
  if (m === null) throw new ConfigError("part", `cannot read ${JSON.stringify(part)}`);
  const range = parseSeedRange(m[3], "part");
  const unit = m[2] ?? "";
  return m[1] === undefined ? { range, unit } : { range, unit, shard: parseShard(m[1], "part") };
}

/** Why two parts may share seeds (or runs), or undefined when they cannot. */
function overlap(a: Part, b: Part): string | undefined {
  // Run numbers and seeds never meet: a sweep and an exploration do not merge anyway.
  if (a.unit !== b.unit) return undefined;
  if (a.range.to < b.range.from || b.range.to < a.range.from) return undefined;
  const what = a.unit === "" ? "seeds" : "runs";
  const sa = a.shard ?? { index: 1, count: 1 }, sb = b.shard ?? { index: 1, count: 1 };
  if (sa.count === sb.count) {
    return sa.index === sb.index ? `cover the same ${what}: a duplicate shard` : undefined;
  }
  return `may share ${what}: their ranges overlap and they are split into different shard counts`;
}

/** JSON with sorted keys, so that key order does not make parameters differ. */
function canonical(x: unknown): string {
  return JSON.stringify(
    x,
    (_, v) =>
      v !== null && typeof v === "object" && !Array.isArray(v)
        ? Object.fromEntries(Object.entries(v).sort(([p], [q]) => p < q ? -1 : p > q ? 1 : 0))
        : v,
  );
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

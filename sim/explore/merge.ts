/**
 * Merging sweep reports: the `--json` outputs of the shards of one sweep
 * (from a CI matrix or a cluster's job array) become one report, as if one
 * machine had run every seed. Totals add up, failures are listed together
 * in seed order, and the slowest seeds are the slowest of all.
 *
 * Reports merge only when they sweep the same scenario with the same
 * parameters and cover disjoint seeds: the same range split into shards of
 * the same count, or ranges that do not overlap. Anything else is refused,
 * naming the two files, rather than counted twice.
 *
 * @module
 */

import { ConfigError } from "../errors.ts";
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
 * try {
 *   parseSweepReport("{}", "a.json");
 * } catch (e) {
 *   (e as Error).message; // "a.json: format must be dsim-sweep, got nothing"
 * }
 * ```
 */
export function parseSweepReport(text: string, name: string): SweepReport {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(name, `is not JSON (${(e as Error).message})`);
  }
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new ConfigError(name, "must be a JSON object (the output of sweep --json)");
  }
  const r = raw as Record<string, unknown>;
  const shown = (x: unknown) => x === undefined ? "nothing" : JSON.stringify(x);
  if (r.format !== SWEEP_FORMAT) {
    throw new ConfigError(name, `format must be ${SWEEP_FORMAT}, got ${shown(r.format)}`);
  }
  if (r.version !== SWEEP_VERSION) {
    throw new ConfigError(
      name,
      `version ${shown(r.version)} is not supported; this build reads version ${SWEEP_VERSION}`,
    );
  }
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
  for (const key of ["scenario", "seeds"]) {
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
  const report = raw as SweepReport;
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
 * import { scenarios } from "../../protocols/registry.ts";
 * const spec = { scenario: "ping-pong", given: {}, seeds: { from: 1, to: 10 } };
 * const a = await runSweep(scenarios, { ...spec, shard: { index: 1, count: 2 } }, { workers: 0 });
 * const b = await runSweep(scenarios, { ...spec, shard: { index: 2, count: 2 } }, { workers: 0 });
 * mergeSweepReports([a, b]).runs; // 10
 * ```
 */
export function mergeSweepReports(
  reports: readonly SweepReport[],
  names: readonly string[] = reports.map((_, i) => `report ${i + 1}`),
): SweepReport {
  if (reports.length === 0) throw new ConfigError("merge", "needs at least one sweep report");
  const first = reports[0];
  const params = canonical(first.params);
  reports.forEach((r, i) => {
    if (r.scenario !== first.scenario) {
      throw new ConfigError(
        names[i],
        `sweeps ${r.scenario}, but ${names[0]} sweeps ${first.scenario}: only one scenario merges`,
      );
    }
    if (canonical(r.params) !== params) {
      throw new ConfigError(
        names[i],
        `ran with ${canonical(r.params)}, but ${names[0]} with ${params}: ` +
          "only runs with the same parameters merge",
      );
    }
  });
  // Every part of every report, checked pairwise for shared seeds.
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
 * The shards missing from a set of parts, for each range split into shards
 * (`3/4 of 1..1000`): what a merge still lacks to cover its sweep.
 *
 * @example
 * ```ts
 * import { missingShards } from "./merge.ts";
 * missingShards(["1/3 of 1..90", "3/3 of 1..90"]); // ["2/3 of 1..90"]
 * ```
 */
export function missingShards(parts: readonly string[]): string[] {
  const groups = new Map<string, Set<number>>();
  for (const p of parts) {
    const { range, shard } = parsePart(p);
    if (shard === undefined) continue;
    const key = `${shard.count} ${range.from}..${range.to}`;
    if (!groups.has(key)) groups.set(key, new Set());
    groups.get(key)!.add(shard.index);
  }
  const missing: string[] = [];
  for (const [key, have] of groups) {
    const [count, range] = key.split(" ");
    for (let k = 1; k <= Number(count); k++) {
      if (!have.has(k)) missing.push(`${k}/${count} of ${range}`);
    }
  }
  return missing;
}

/** `K/M of A..B` or `A..B`. */
function parsePart(part: string): { range: SeedRange; shard?: Shard } {
  const m = /^(?:(\S+) of )?(\S+)$/.exec(part);
  if (m === null) throw new ConfigError("part", `cannot read ${JSON.stringify(part)}`);
  const range = parseSeedRange(m[2], "part");
  return m[1] === undefined ? { range } : { range, shard: parseShard(m[1], "part") };
}

/** Why two parts may share seeds, or undefined when they cannot. */
function overlap(
  a: { range: SeedRange; shard?: Shard },
  b: { range: SeedRange; shard?: Shard },
): string | undefined {
  if (a.range.to < b.range.from || b.range.to < a.range.from) return undefined;
  const sa = a.shard ?? { index: 1, count: 1 }, sb = b.shard ?? { index: 1, count: 1 };
  if (sa.count === sb.count) {
    return sa.index === sb.index ? "cover the same seeds" : undefined;
  }
  return "may share seeds: their ranges overlap and they are split into different shard counts";
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

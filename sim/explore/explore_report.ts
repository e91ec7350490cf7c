/**
 * The report of an exploration, as `explore --json` prints it and
 * `--out-dir` saves it: what was searched (scenario, strategy, base seed,
 * parameters, which runs), what was found (the first failure and its
 * shrunk form), and how often each `sometimes` condition was reached.
 * Like a sweep report it says which runs it covers (`parts`), so the
 * reports of an exploration split over many machines merge into one (see
 * `merge.ts`).
 *
 * @module
 */

import { ConfigError } from "../errors.ts";
import { reportObject } from "./report_files.ts";
import type { SweepParams } from "./sweep.ts";

/**
 * The `format` of an exploration report.
 *
 * @example
 * ```ts
 * import { EXPLORE_FORMAT } from "./explore_report.ts";
 * import assert from "node:assert/strict";
 * assert.equal(EXPLORE_FORMAT, "dsim-explore");
 * ```
 */
export const EXPLORE_FORMAT = "dsim-explore";

/**
 * The exploration report version this code writes and reads.
 *
 * @example
 * ```ts
 * import { EXPLORE_VERSION } from "./explore_report.ts";
 * import assert from "node:assert/strict";
 * assert.equal(EXPLORE_VERSION, 1);
 * ```
 */
export const EXPLORE_VERSION = 1;

/**
 * What `explore --json` prints: the search, its first failure and its
 * shrunk form, and how many runs reached each `sometimes` condition.
 *
 * @example
 * ```ts
 * import type { ExploreReport } from "./explore_report.ts";
 * import assert from "node:assert/strict";
 * const r: ExploreReport = {
 *   format: "dsim-explore", version: 1, dsim: "0.2.0", scenario: "raft", strategy: "mixed",
 *   seed: 1, params: { nodes: 5, until: 3000, faults: "", flags: {} }, shard: "1/2",
 *   parts: ["1/2 of runs 0..239"], runs: 120, found: false, firstFailure: null, shrunk: null,
 *   sometimes: { "leader-change": 80 }, wallMs: 2100, runsPerSecond: 57, notReached: 0,
 *   workers: 2,
 * };
 * assert.equal(r.found, false);
 * ```
 */
export interface ExploreReport {
  /** Always {@linkcode EXPLORE_FORMAT}. */
  format: typeof EXPLORE_FORMAT;
  /** Always {@linkcode EXPLORE_VERSION}. */
  version: typeof EXPLORE_VERSION;
  /** The framework's version that ran it (reports of different versions do not merge). */
  dsim: string;
  /** The scenario's name. */
  scenario: string;
  /** The scenario's module, when it is not one of the framework's own. */
  module?: string;
  /** The `--strategy` that drew the runs. */
  strategy: string;
  /** The base seed: run i has seed `seed + i`. */
  seed: number;
  /** The parameters every run starts from, as the command line writes them. */
  params: SweepParams;
  /** The shard, `K/M`, or null for every run (and for a merged report). */
  shard: string | null;
  /** The runs it covers: `K/M of runs 0..N-1` for a shard, `runs 0..N-1` for all of them. */
  parts: string[];
  /** Runs that finished. */
  runs: number;
  /** Whether a run failed. */
  found: boolean;
  /** The failing run with the lowest run number. */
  firstFailure: {
    run: number;
    seed: number;
    /** The strategy that drew the failing run. */
    strategy: string;
    check: string;
    message: string;
    replay: string;
  } | null;
  /** The first failure shrunk, when it was. */
  shrunk: {
    events: number;
    delivered: number;
    nodes: number;
    faults: number;
    /** Runs the shrinking search took. */
    runs: number;
    /** The file holding the shrunk run and its draws. */
    file: string;
    command: string;
  } | null;
  /** For each `sometimes` condition: how many runs reached it. */
  sometimes: Record<string, number>;
  /** Wall time, ms (for a merged report: the longest shard's). */
  wallMs: number;
  /** Runs a second (for a merged report: of every shard together). */
  runsPerSecond: number;
  /** Runs not run because the budget ran out (0 once a failure is found). */
  notReached: number;
  /** Parallel workers (for a merged report: of every shard together). */
  workers: number;
}

/**
 * How an exploration report names the runs it covers.
 *
 * @example
 * ```ts
 * import { explorePart } from "./explore_report.ts";
 * import assert from "node:assert/strict";
 * assert.equal(explorePart(1000, { index: 3, count: 8 }), "3/8 of runs 0..999");
 * assert.equal(explorePart(10), "runs 0..9");
 * ```
 */
export function explorePart(runs: number, shard?: { index: number; count: number }): string {
  const all = `runs 0..${runs - 1}`;
  return shard === undefined ? all : `${shard.index}/${shard.count} of ${all}`;
}

/**
 * Reads one `explore --json` output. Throws a {@linkcode ConfigError} naming
 * `name` (the file) when it is not an exploration report this build reads.
 *
 * @example
 * ```ts
 * import { parseExploreReport } from "./explore_report.ts";
 * import assert from "node:assert/strict";
 * assert.throws(
 *   () => parseExploreReport('{"format":"dsim-explore","version":0}', "e.json"),
 *   /e\.json: version 0 is not supported; this build reads version 1/,
 * );
 * ```
 */
export function parseExploreReport(text: string, name: string): ExploreReport {
  const r = reportObject(text, name, EXPLORE_FORMAT, EXPLORE_VERSION);
  const shown = (x: unknown) => x === undefined ? "nothing" : JSON.stringify(x);
  const want: Array<[string, string]> = [
    ["dsim", "string"],
    ["scenario", "string"],
    ["strategy", "string"],
    ["seed", "number"],
    ["runs", "number"],
    ["found", "boolean"],
    ["wallMs", "number"],
    ["runsPerSecond", "number"],
    ["notReached", "number"],
    ["workers", "number"],
    ["params", "object"],
    ["sometimes", "object"],
    ["firstFailure", "object"],
    ["shrunk", "object"],
  ];
  for (const [key, type] of want) {
    const ok = typeof r[key] === type &&
      (type !== "number" || (r[key] as number) >= 0) &&
      (r[key] !== null || key === "firstFailure" || key === "shrunk");
    if (!ok) {
      throw new ConfigError(name, `${key} must be a ${type}, got ${shown(r[key])}`);
    }
  }
  if (!Array.isArray(r.parts) || r.parts.length === 0) {
    throw new ConfigError(
      name,
      `parts must be a list of the runs it covers, got ${shown(r.parts)}`,
    );
  }
  if (
    r.shard !== null && (r.parts.length !== 1 || !String(r.parts[0]).startsWith(`${r.shard} of`))
  ) {
    throw new ConfigError(
      name,
      `shard ${shown(r.shard)} does not match its parts ${shown(r.parts)}`,
    );
  }
  if (r.found !== (r.firstFailure !== null)) {
    throw new ConfigError(name, `found is ${r.found} but firstFailure is ${shown(r.firstFailure)}`);
  }
  return r as unknown as ExploreReport;
}

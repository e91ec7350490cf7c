/**
 * `merge`: the reports of many jobs, named one by one or found in folders,
 * become one. Sweep reports merge with sweep reports and exploration
 * reports with exploration reports (see `merge.ts` for what is refused);
 * in a folder, the traces of shrunk failures that `--out-dir` saves beside
 * the reports are passed by, and anything else is refused, naming it, so
 * that a broken report never passes for a missing one.
 *
 * @module
 */

import { TRACE_FORMAT } from "../trace_file.ts";
import { ConfigError } from "../errors.ts";
import { EXPLORE_FORMAT, type ExploreReport, parseExploreReport } from "./explore_report.ts";
import { mergeExploreReports, mergeSweepReports, parseSweepReport } from "./merge.ts";
import { jsonObject, reportFilesIn } from "./report_files.ts";
import { SWEEP_FORMAT, type SweepReport } from "./sweep.ts";

/**
 * What `merge` made of its files: one merged report of one kind, the files
 * it merged, and the trace files it passed by.
 *
 * @example
 * ```ts
 * import type { MergedReports } from "./merge_command.ts";
 * import assert from "node:assert/strict";
 * const count = (m: MergedReports) => m.kind === "sweep" ? m.report.runs : m.report.runs;
 * assert.equal(typeof count, "function");
 * ```
 */
export type MergedReports =
  & { files: string[]; skipped: string[] }
  & ({ kind: "sweep"; report: SweepReport } | { kind: "explore"; report: ExploreReport });

/**
 * Reads the reports `paths` name (files, or folders of them), checks they
 * are shards of one sweep or one exploration, and merges them. `read`
 * reads one file's text (the command line's reader bounds its size).
 * Throws a {@linkcode ConfigError} naming the file for anything refused.
 *
 * @example
 * ```ts
 * import { mergeReportFiles } from "./merge_command.ts";
 * import { runSweep } from "./sweep.ts";
 * import { pingPong } from "../../protocols/ping_pong/scenario.ts";
 * import assert from "node:assert/strict";
 * const dir = Deno.makeTempDirSync();
 * const spec = { scenario: "ping-pong", given: {}, seeds: { from: 1, to: 6 } };
 * for (const index of [1, 2]) {
 *   const r = await runSweep(pingPong, { ...spec, shard: { index, count: 2 } }, { workers: 0 });
 *   Deno.writeTextFileSync(`${dir}/${index}.json`, JSON.stringify(r));
 * }
 * const merged = mergeReportFiles([dir]);
 * assert.equal(merged.kind, "sweep");
 * assert.equal(merged.report.runs, 6);
 * Deno.removeSync(`${dir}/2.json`);
 * assert.throws(() => mergeReportFiles([dir]), /missing shard 2\/2 of 1\.\.6/);
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export function mergeReportFiles(
  paths: readonly string[],
  read: (path: string) => string = (path) => Deno.readTextFileSync(path),
): MergedReports {
  const files = reportFilesIn(paths);
  const sweeps: Array<{ file: string; report: SweepReport }> = [];
  const explorations: Array<{ file: string; report: ExploreReport }> = [];
  const skipped: string[] = [];
  for (const { path: file, inFolder } of files) {
    const text = read(file);
    const format = jsonObject(text, file, "sweep --json or explore --json").format;
    if (format === TRACE_FORMAT && inFolder) skipped.push(file);
    else if (format === EXPLORE_FORMAT) {
      explorations.push({ file, report: parseExploreReport(text, file) });
    } else sweeps.push({ file, report: parseSweepReport(text, file) });
  }
  if (sweeps.length > 0 && explorations.length > 0) {
    throw new ConfigError(
      explorations[0].file,
      `is an explore report, but ${sweeps[0].file} is a sweep report: merge one kind at a time`,
    );
  }
  if (sweeps.length === 0 && explorations.length === 0) {
    throw new ConfigError(
      "merge",
      `found only traces, no ${SWEEP_FORMAT} or ${EXPLORE_FORMAT} report, in ${paths.join(", ")}`,
    );
  }
  if (sweeps.length > 0) {
    const names = sweeps.map((s) => s.file);
    return {
      kind: "sweep",
      report: mergeSweepReports(sweeps.map((s) => s.report), names),
      files: names,
      skipped,
    };
  }
  const names = explorations.map((e) => e.file);
  return {
    kind: "explore",
    report: mergeExploreReports(explorations.map((e) => e.report), names),
    files: names,
    skipped,
  };
}

/**
 * The lines that end a merged sweep's summary: the first failure and the
 * command that replays it (none when every seed held).
 *
 * @example
 * ```ts
 * import { firstFailureLines } from "./merge_command.ts";
 * import { runSweep } from "./sweep.ts";
 * import { pingPong } from "../../protocols/ping_pong/scenario.ts";
 * import assert from "node:assert/strict";
 * const r = await runSweep(pingPong, {
 *   scenario: "ping-pong", given: { faults: "@30 crash n2" }, seeds: { from: 4, to: 6 },
 * }, { workers: 0 });
 * const lines = firstFailureLines(r);
 * assert.equal(lines[0], "first of 3 failures: seed 4 (all-rounds-done); replay it with:");
 * assert.match(lines[1], /run ping-pong --seed 4 --faults '@30 crash n2'$/);
 * ```
 */
export function firstFailureLines(report: SweepReport): string[] {
  const f = report.failures[0];
  if (f === undefined) return [];
  return [
    `first of ${report.failed} ${report.failed === 1 ? "failure" : "failures"}: seed ${f.seed} ` +
    `(${f.check}); replay it with:`,
    `  ${f.replay}`,
  ];
}

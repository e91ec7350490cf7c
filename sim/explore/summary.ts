/**
 * A sweep report for people: a table of runs, failures and speed, a table
 * of the slowest seeds, each failure with the command that replays it, the
 * seeds a budget left out with the command that resumes them, and the
 * shrunk failure.
 *
 * @module
 */

import Table from "npm:cli-table3@0.6.5";
import { styleText } from "node:util";
import { fill } from "../fill.ts";
import { missingShards } from "./merge.ts";
import { scenarioCommand } from "../scenario.ts";
import type { SweepParams, SweepReport } from "./sweep.ts";

/**
 * How to write the summary.
 *
 * @example
 * ```ts
 * import { formatSweep, type SummaryOptions } from "./summary.ts";
 * import { runSweep } from "./sweep.ts";
 * import { pingPong } from "../../protocols/ping_pong/scenario.ts";
 * import assert from "node:assert/strict";
 * const spec = { scenario: "ping-pong", given: { faults: "@30 crash n2" }, seeds: { from: 1, to: 3 } };
 * const report = await runSweep(pingPong, spec, { workers: 0 });
 * const o: SummaryOptions = { color: false, failures: 1 };
 * const text = formatSweep(report, o);
 * assert.match(text, /seed 1: all-rounds-done/);
 * assert.match(text, /\.\.\. and 2 more \(--json lists them all\)/);
 * ```
 */
export interface SummaryOptions {
  /** ANSI colours (default false). */
  color?: boolean;
  /** Failures listed at most (default 5); the JSON report has them all. */
  failures?: number;
}

/**
 * The text summary of a sweep (or merged) report.
 *
 * @example
 * ```ts
 * import { formatSweep } from "./summary.ts";
 * import { runSweep } from "./sweep.ts";
 * import { pingPong } from "../../protocols/ping_pong/scenario.ts";
 * import assert from "node:assert/strict";
 * const report = await runSweep(pingPong, {
 *   scenario: "ping-pong", given: {}, seeds: { from: 1, to: 5 },
 * }, { workers: 0 });
 * const text = formatSweep(report);
 * assert.match(text, /^ping-pong · seeds 1\.\.5 · in one thread · 2 nodes · until 1000 ms/);
 * assert.match(text, /ok: all 5 seeds hold$/);
 * ```
 */
export function formatSweep(report: SweepReport, options: SummaryOptions = {}): string {
  const color = options.color ?? false;
  const paint = (style: "bold" | "red" | "green" | "yellow", s: string) =>
    color ? styleText(style, s, { validateStream: false }) : s;
  const style = { head: color ? ["cyan"] : [], border: color ? ["grey"] : [] };
  const p = report.params;
  const header = [
    paint("bold", report.scenario),
    `seeds ${report.parts.join(" + ")}`,
    report.workers === 0 ? "in one thread" : `${report.workers} workers`,
    `${p.nodes} nodes`,
    `until ${p.until} ms`,
    `faults ${p.faults || "none"}`,
  ];
  const lines = [header.join(" · ")];

  const table = new Table({
    head: ["runs", "ok", "failed", "not reached", "events", "events/s", "seeds/s", "wall s"],
    style,
  });
  table.push([
    report.runs,
    report.runs - report.failed,
    report.failed,
    report.notReached.count,
    report.events,
    rate(report.events, report.runMs),
    rate(report.runs, report.wallMs),
    (report.wallMs / 1000).toFixed(2),
  ]);
  lines.push(table.toString());

  if (report.slowest.length > 0) {
    const slow = new Table({ head: ["slowest seed", "wall ms", "events", "result"], style });
    for (const s of report.slowest) {
      slow.push([s.seed, s.wallMs.toFixed(1), s.events, s.ok ? "ok" : "FAILED"]);
    }
    lines.push(slow.toString());
  }

  const shown = options.failures ?? 5;
  if (report.failures.length > 0) {
    lines.push(paint("red", `failures (${report.failures.length}):`));
    for (const f of report.failures.slice(0, shown)) {
      lines.push(
        `  seed ${f.seed}: ${f.check}: ${f.message} (node ${f.node ?? "-"}, at ${f.atMs} ms)`,
        `    ${f.replay}`,
      );
    }
    if (report.failures.length > shown) {
      lines.push(`  ... and ${report.failures.length - shown} more (--json lists them all)`);
    }
  }

  const nr = report.notReached;
  if (nr.count > 0) {
    const budget = report.budgetMs === null ? "" : ` within the ${report.budgetMs} ms budget`;
    lines.push(paint("yellow", `not reached${budget}: ${nr.count} seeds`));
    const stopped = nr.seeds;
    if (stopped.length > 0) {
      const shown = stopped.slice(0, 20).join(", ");
      lines.push(`  stopped while running: ${shown}${stopped.length > 20 ? ", ..." : ""}`);
    }
    // The resume range starts at the first seed stopped mid-run, so none is skipped
    // (seeds in between that finished run again, which is harmless).
    const firstStopped = stopped.length > 0 ? Math.min(...stopped) : Infinity;
    const ranges = nr.rest.length > 0
      ? nr.rest.map((rest, i) => ({
        ...rest,
        from: i === 0 ? Math.min(rest.from, firstStopped) : rest.from,
      }))
      : stopped.length > 0
      ? [{ from: firstStopped, to: Math.max(...stopped), shard: report.shard }]
      : [];
    for (const rest of nr.rest) {
      lines.push(`  never started: ${rest.from}..${rest.to}`);
    }
    for (const range of ranges) {
      const shard = range.shard === null ? "" : ` --shard ${range.shard}`;
      lines.push(
        "  resume with:",
        `    ${scenarioCommand(report.scenario, p.module, "sweep")} ` +
          `--seeds ${range.from}..${range.to}${shard}` +
          sweepFlags(p),
      );
    }
  }
  const missing = missingShards(report.parts);
  if (missing.length > 0) lines.push(paint("yellow", `shards not merged: ${missing.join(", ")}`));

  if (report.shrunk !== undefined) {
    const s = report.shrunk;
    const early = s.stopped === "runs"
      ? " (stopped at the run limit: the smallest found so far)"
      : s.stopped === "time"
      ? " (stopped at the time limit: the smallest found so far)"
      : "";
    lines.push(
      `shrunk seed ${s.seed} (${s.check}) in ${s.runs} runs${early}: events ${s.eventsBefore} -> ` +
        `${s.eventsAfter} (${s.delivered} delivered), faults ${s.faultsBefore} -> ${s.faultsAfter}, ` +
        `${s.nodes} nodes; saved ${s.out}; replay it with:`,
      `  ${s.replay}`,
    );
    if (s.changed !== undefined && s.changed.length > 0) {
      lines.push(...fill(`  (the shrink also changed ${s.changed.join(", ")})`, 4));
    }
  }

  const total = report.runs + nr.count;
  lines.push(
    report.failed > 0
      ? paint("red", `FAILED: ${report.failed} of ${report.runs} seeds`)
      : nr.count > 0
      ? paint(
        "yellow",
        `INCOMPLETE: ${report.runs} of ${total} seeds hold, ${nr.count} not reached (exit 3)`,
      )
      : paint("green", `ok: all ${report.runs} seeds hold`),
  );
  return lines.join("\n");
}

/**
 * The flags that give a sweep's parameters, as ` --name value` pairs.
 *
 * @example
 * ```ts
 * import { sweepFlags } from "./summary.ts";
 * import assert from "node:assert/strict";
 * assert.equal(sweepFlags({ nodes: 3, until: 500, faults: "", flags: {} }), " --nodes 3 --until 500");
 * assert.equal(
 *   sweepFlags({ nodes: 2, until: 900, loss: 0.1, faults: "@30 crash n2", flags: { rounds: 4 } }),
 *   " --nodes 2 --until 900 --loss 0.1 --faults '@30 crash n2' --rounds 4",
 * );
 * ```
 */
export function sweepFlags(p: SweepParams): string {
  const parts = [`--nodes ${p.nodes}`, `--until ${p.until}`];
  if (p.stopAt !== undefined) parts.push(`--stop-at ${p.stopAt}`);
  if (p.latency !== undefined) parts.push(`--latency ${p.latency}`);
  if (p.loss !== undefined) parts.push(`--loss ${p.loss}`);
  if (p.dup !== undefined) parts.push(`--dup ${p.dup}`);
  if (p.fifo) parts.push("--fifo");
  if (p.faults !== "") parts.push(`--faults '${p.faults}'`);
  for (const [name, value] of Object.entries(p.flags)) parts.push(`--${name} ${value}`);
  return parts.map((s) => ` ${s}`).join("");
}

/** `count` per second of `ms`, readable. */
function rate(count: number, ms: number): string {
  if (!(ms > 0)) return "-";
  const r = count / (ms / 1000);
  return r >= 100 ? String(Math.round(r)) : r.toFixed(1);
}

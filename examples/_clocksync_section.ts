/**
 * The physical time section of the demo tour (`deno task demo`, lecture
 * 3.2): one NTP exchange with its four timestamps against the truth, the
 * `clock-sync` scenario under faults, and what synchronised clocks do for a
 * last-writer-wins set.
 *
 * @module
 */

import { styleText } from "node:util";
import { runScenario } from "../sim/scenario.ts";
import { clockSync } from "../protocols/clocksync/scenario.ts";
import { oneExchange } from "./clock_sync.ts";
import { compareLww } from "./lww_clock_sync.ts";
import { heading, wrapText } from "./_text.ts";

/**
 * The section as text, every line at most `width` columns (default 100, at least 80).
 *
 * @example
 * ```ts
 * import { clockSyncSection } from "./_clocksync_section.ts";
 * import assert from "node:assert/strict";
 * assert.match(clockSyncSection({ color: false, width: 100 }), /NTP/);
 * ```
 */
export function clockSyncSection(options: { color?: boolean; width?: number } = {}): string {
  const color = options.color ?? false;
  const width = Math.max(80, options.width ?? 100);
  const r = (x: number) => Math.round(x * 10) / 10;
  const e = oneExchange();
  const run = runScenario(clockSync, { seed: 3 });
  const verdict = run.ok
    ? "ok: every estimate within delay/2 of the truth, no clock ever went back"
    : `FAILED: ${run.violations.map((v) => `${v.check} (${v.message})`).join("; ")}`;
  const { skewed, synced } = compareLww([1, 2, 3]);
  const lines = [
    heading("Physical time: synchronising clocks", color, width),
    "Quartz clocks skew and drift, and a node cannot see how long a message took. NTP asks a " +
    "time server and keeps four timestamps: t1 sent, t2 received by the server, t3 replied, t4 " +
    "received. A client 150 ms behind, requests taking 9 ms and replies 2 ms:",
    `  t1 = ${r(e.t1)}, t2 = ${r(e.t2)}, t3 = ${r(e.t3)}, t4 = ${r(e.t4)}: delay δ = ${
      r(e.delay)
    } ms, offset θ = ${r(e.offset)} ms; true offset ${r(e.truth)} ms, within δ/2.`,
    "",
    "Three clients with skewed, drifting clocks that are sometimes set back, under loss, " +
    "crashes and partitions; each corrects its clock by slewing (running it slower or faster), " +
    "never by setting it back:",
    ...run.summary.map((line) => `  ${line}`),
    `  ${
      color ? styleText(run.ok ? "green" : "red", verdict, { validateStream: false }) : verdict
    }`,
    "",
    "Last-writer-wins trusts timestamps. An LWW set whose replicas' clocks are off by up to 120 " +
    `ms lost ${skewed.lostToEarlierRemove} adds to a remove that had already finished before ` +
    `the add began (3 runs); with NTP-synchronised clocks, ${synced.lostToEarlierRemove}.`,
    "",
    "Try: deno run examples/clock_sync.ts                   (NTP, Cristian, stepping vs slewing)",
    "     deno run examples/lww_clock_sync.ts               (the LWW set with and without sync)",
    "     deno task sim run clock-sync --discipline step    (a clock set back: caught)",
  ];
  return lines.flatMap((text) => text.split("\n"))
    .flatMap((line) => wrapText(line, width, line.startsWith(" ") ? 2 : 0)).join("\n");
}

if (import.meta.main) console.log(clockSyncSection());

/**
 * The Spanner section of the demo tour (`deno task demo`, lecture 8.2):
 * commit wait shown on two shards with skewed clocks, then the `spanner`
 * scenario under faults, with and without it.
 *
 * @module
 */

import { styleText } from "node:util";
import { runScenario } from "../sim/scenario.ts";
import { spanner } from "../protocols/spanner/scenario.ts";
import { runCommitWait } from "./spanner_commit_wait.ts";
import { heading, wrapText } from "./_text.ts";

/**
 * The section as text, every line at most `width` columns (default 100, at least 80).
 *
 * @example
 * ```ts
 * import { spannerSection } from "./_spanner_section.ts";
 * import assert from "node:assert/strict";
 * assert.match(spannerSection({ color: false, width: 100 }), /commit wait/);
 * ```
 */
export function spannerSection(options: { color?: boolean; width?: number } = {}): string {
  const color = options.color ?? false;
  const width = Math.max(80, options.width ?? 100);
  const r = (x: number) => Math.round(x * 10) / 10;
  const none = runCommitWait(false), wait = runCommitWait(true);
  const good = runScenario(spanner, { seed: 1 });
  const bad = runScenario(spanner, { seed: 1, flags: { "commit-wait": false } });
  const paint = (ok: boolean, s: string) =>
    color ? styleText(ok ? "green" : "red", s, { validateStream: false }) : s;
  const verdict = (run: typeof good) =>
    run.ok ? "ok" : `FAILED: ${run.violations.map((v) => v.check).join(", ")}`;
  const lines = [
    heading("Spanner: TrueTime and commit wait", color, width),
    "TrueTime reads a clock as an interval [earliest, latest] that surely holds the true time. A " +
    "shard stamps a commit with TT.now().latest and, before it answers, waits until " +
    "TT.now().earliest has passed that stamp. sA's clock runs 8 ms fast, sB's 8 ms slow, ε = 10 " +
    "ms; bob writes at sB just after alice's write at sA was acknowledged:",
    `  without commit wait: ts(alice) = ${r(none.t1.ts)}, acknowledged at ${
      r(none.t1.acked)
    }; ts(bob) = ${r(none.t2.ts)}: bob's later write is ordered first`,
    `  with commit wait:    ts(alice) = ${r(wait.t1.ts)}, acknowledged at ${
      r(wait.t1.acked)
    }; ts(bob) = ${r(wait.t2.ts)}`,
    "",
    "Three shards, four clients, read-write and read-only (snapshot) transactions, clocks off by up " +
    "to 10 ms, loss, crashes and partitions; checked for external consistency and, by the " +
    "transaction checker, strict serializability:",
    ...good.summary.map((line) => `  ${line}`),
    `  ${paint(good.ok, verdict(good))}`,
    `  the same seed without commit wait: ${paint(bad.ok, verdict(bad))}`,
    ...(bad.violations[0] === undefined ? [] : [`    ${bad.violations[0].message}`]),
    "",
    "Try: deno run examples/spanner_commit_wait.ts           (the story, step by step)",
    "     deno task sim run spanner --commit-wait false      (external consistency broken)",
  ];
  return lines.flatMap((text) => text.split("\n"))
    .flatMap((line) => wrapText(line, width, line.startsWith(" ") ? 2 : 0)).join("\n");
}

if (import.meta.main) console.log(spannerSection());

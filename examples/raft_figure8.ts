/**
 * Figure 8 of the Raft paper, played out by the `raft-figure8` scenario:
 * why a leader may only count replicas of entries from its own term.
 *
 * 1. n1 leads term 1; A commits at index 1.
 * 2. Cut off with n2, n1 appends B at index 2; n1 crashes.
 * 3. n5 wins term 2 with n3 and n4, appends C at index 2 alone, crashes.
 * 4. n1 comes back and wins term 3; it copies B to n3 and n4. B is on a
 *    majority now, but it is from term 1: n1 must not call it committed.
 * 5. n1 crashes; n5 comes back and wins term 4 (its last term 2 beats their
 *    1), overwrites B with C everywhere, and commits C along with D.
 *
 * Then the same script with the rule broken (`unsafeCommitPreviousTerms`):
 * n1 commits B in step 4, and the safety checks stop the run in step 5.
 *
 * Run it with `deno run examples/raft_figure8.ts [--color]`.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { raftMessageLabel } from "../protocols/raft/labels.ts";
import { raftFigure8 } from "../protocols/raft/scenarios.ts";
import { renderDiagram, shouldColor } from "../sim/render/diagram.ts";
import { runScenario } from "../sim/scenario.ts";
import { wrapText } from "./_text.ts";
import type { RaftExampleOptions } from "./raft_election.ts";

/** Each server's log (value@term per index), as the scenario's summary prints it. */
type Logs = Map<string, string>;

/**
 * The logs once the script has run until `until` ms. A crashed server's log
 * is on its disk, unchanged since it went down, so `before` supplies it.
 */
function logsAt(until: number, before: Logs = new Map()): Logs {
  const logs: Logs = new Map();
  for (const line of runScenario(raftFigure8, { seed: 1, until }).summary) {
    const m = line.match(/^(n\d) log: (.*?) {2}x = /);
    if (m === null) continue;
    logs.set(m[1], m[2] === "down" ? `${before.get(m[1]) ?? "?"}  (down)` : m[2]);
  }
  return logs;
}

function logLines(logs: Logs): string[] {
  return [...logs].map(([id, log]) => `  ${id} log: ${log}`);
}

/**
 * The example as text.
 *
 * @example
 * ```ts
 * import { raftFigure8Example } from "./raft_figure8.ts";
 * import assert from "node:assert/strict";
 * assert.ok(raftFigure8Example().includes("leader-completeness"));
 * ```
 */
export function raftFigure8Example(options: RaftExampleOptions = {}): string {
  const width = options.width ?? 100;
  const color = options.color ?? false;
  const safe = runScenario(raftFigure8, { seed: 1 });
  const unsafe = runScenario(raftFigure8, { seed: 1, flags: { "unsafe-commit": true } });
  const servers = ["n1", "n2", "n3", "n4", "n5"];
  const window = (from: number, to: number) =>
    renderDiagram(safe.sim.trace.events, {
      width,
      color,
      from,
      to,
      nodes: servers,
      kinds: ["deliver", "crash", "restart", "log"],
      label: raftMessageLabel,
      maxRows: 60,
      legend: false,
    });
  // The script's steps start when the one before is done; the summary says when.
  const at = safe.summary.flatMap((l) => l.match(/^step (\d+) at ([\d.]+) ms/)?.slice(2) ?? [])
    .map(Number);
  // Taken before step 2's partition and just before each crash, while the logs are still seen.
  const step1 = logsAt(at[2] - 1);
  const step2 = logsAt(at[3] - 1, step1);
  const step3 = logsAt(at[5] - 1, step2);
  const say = (text: string) => wrapText(text, width, 0);
  return [
    ...say("Logs show value@term per index."),
    "",
    ...say("Step 1: n1 wins term 1 and replicates A at index 1 to everyone; A is committed."),
    ...logLines(step1),
    "",
    ...say(
      "Step 2: cut off with n2 from n3, n4 and n5, n1 appends B at index 2 and copies it to n2 " +
        "only (two of five: not committed); then n1 crashes.",
    ),
    ...logLines(step2),
    "",
    ...say(
      "Step 3: the partition heals; n5 wins term 2 with the votes of n3 and n4, is cut off " +
        "alone, appends C at index 2, and crashes before it copies C anywhere.",
    ),
    ...logLines(step3),
    "",
    ...say(
      "Step 4: n1 comes back and wins term 3, and copies B (index 2, term 1) to n3 and n4. B is " +
        'on a majority, and yet "commit" stays at 0 in its heartbeats (c0): B is not from term 3.',
    ),
    "",
    window(at[5], at[6]),
    "",
    ...say(
      "Step 5: n1 crashes; n5 comes back and wins term 4 (its last term 2 beats their 1), " +
        "overwrites B with its C everywhere, and commits both with D:",
    ),
    "",
    window(at[6], at[8]),
    "",
    "How it ends (value@term per index):",
    ...safe.summary.filter((l) => l.includes(" log: ")).map((l) => `  ${l}`),
    ...wrapText(
      safe.ok
        ? "  every safety check held after every event: B was never committed; C took its place"
        : `  VIOLATION ${safe.violations[0].check}: ${safe.violations[0].message}`,
      width,
    ),
    "",
    "The same script with old-term replicas counted (unsafeCommitPreviousTerms):",
    ...unsafe.summary.filter((l) => l.includes(" log: ")).map((l) => `  ${l}`),
    "",
    // The report quotes messages as JSON; wrap its long lines to the page too.
    ...unsafe.sim.failureReport().split("\n").flatMap((line) => wrapText(line, width, 4)),
  ].join("\n");
}

if (import.meta.main) {
  let color: boolean | undefined;
  try {
    color = parseArgs({ args: Deno.args, options: { color: { type: "boolean" } } }).values.color;
  } catch (e) {
    // parseArgs's first sentence names the unknown option or stray argument.
    console.error(`${(e as Error).message.split(/\.( |\n)/)[0]}; allowed: --color`);
    Deno.exit(2);
  }
  console.log(raftFigure8Example({ color: color ?? shouldColor() }));
}

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
import { renderDiagram, shouldColor } from "../sim/diagram.ts";
import { runScenario } from "../sim/scenario.ts";
import type { RaftExampleOptions } from "./raft_election.ts";

/**
 * The example as text.
 *
 * @example
 * ```ts
 * import { raftFigure8Example } from "./raft_figure8.ts";
 * raftFigure8Example().includes("leader-completeness"); // true
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
  return [
    "Step 4: n1 wins term 3 and copies B (index 2, term 1) to n3 and n4. B is on a majority, and",
    'yet "commit" stays at 0 in its heartbeats (c0): B is not from term 3.',
    "",
    window(295, 330),
    "",
    "Step 5: n5 wins term 4, overwrites B with its C everywhere, and commits both with D:",
    "",
    window(440, 530),
    "",
    "How it ends (value@term per index):",
    ...safe.summary.filter((l) => l.includes(" log: ")).map((l) => `  ${l}`),
    safe.ok
      ? "  every safety check held after every event: B was never committed; C took its place"
      : `  VIOLATION ${safe.violations[0].check}: ${safe.violations[0].message}`,
    "",
    "The same script with old-term replicas counted (unsafeCommitPreviousTerms):",
    ...unsafe.summary.filter((l) => l.includes(" log: ")).map((l) => `  ${l}`),
    "",
    unsafe.sim.failureReport(),
  ].join("\n");
}

if (import.meta.main) {
  const { values } = parseArgs({ args: Deno.args, options: { color: { type: "boolean" } } });
  console.log(raftFigure8Example({ color: values.color ?? shouldColor() }));
}

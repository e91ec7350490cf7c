/**
 * A Raft election, message by message: five servers start as followers;
 * the first whose randomised timeout fires asks for pre-votes (without
 * raising its term), then for votes, and becomes leader; its first
 * heartbeats carry the no-op of its term.
 *
 * Run it with `deno run examples/raft_election.ts [--seed N] [--color]`.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { raftMessageLabel } from "../protocols/raft/labels.ts";
import { raftElection } from "../protocols/raft/scenarios.ts";
import { renderDiagram, shouldColor } from "../sim/render/diagram.ts";
import { runScenario } from "../sim/scenario.ts";

/**
 * How to run and draw the example.
 *
 * @example
 * ```ts
 * import { type RaftExampleOptions, raftElectionExample } from "./raft_election.ts";
 * import assert from "node:assert/strict";
 * const o: RaftExampleOptions = { seed: 2, width: 100, color: false };
 * const text = raftElectionExample(o);
 * assert.match(text, /raft-election, seed 2/);
 * assert.ok(text.split("\n").every((line) => [...line].length <= 100));
 * ```
 */
export interface RaftExampleOptions {
  seed?: number;
  /** Columns to fit (default 100). */
  width?: number;
  /** ANSI colours (default false). */
  color?: boolean;
}

/**
 * The example as text.
 *
 * @example
 * ```ts
 * import { raftElectionExample } from "./raft_election.ts";
 * import assert from "node:assert/strict";
 * assert.ok(raftElectionExample({ seed: 1 }).includes("leader t1"));
 * ```
 */
export function raftElectionExample(options: RaftExampleOptions = {}): string {
  const seed = options.seed ?? 1;
  const run = runScenario(raftElection, { seed, until: 600 });
  const first = Number(run.summary[0].match(/at ([\d.]+) ms/)?.[1] ?? 0);
  return [
    `raft-election, seed ${seed}: the first election, until the leader's heartbeats are answered`,
    "",
    renderDiagram(run.sim.trace.events, {
      width: options.width ?? 100,
      color: options.color ?? false,
      from: first - 25,
      to: first + 12,
      kinds: ["deliver", "drop", "timer", "log"],
      label: raftMessageLabel,
      maxRows: 80,
    }),
    "",
    ...run.summary,
  ].join("\n");
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: { seed: { type: "string", default: "1" }, color: { type: "boolean" } },
  });
  console.log(
    raftElectionExample({ seed: Number(values.seed), color: values.color ?? shouldColor() }),
  );
}

/**
 * A Raft leader cut off in a minority (`raft-partition`): it keeps its role
 * until CheckQuorum tells it that no majority answers, the majority elects a
 * new leader, and when the partition heals the cut-off servers rejoin as
 * followers without raising the term, because PreVote kept them from
 * campaigning while they could not win. With `--no-pre-vote` they come back
 * with higher terms and depose the new leader, as the scenario's check reports.
 *
 * Run it with `deno run examples/raft_partition.ts [--seed N] [--no-pre-vote] [--color]`.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { raftMessageLabel } from "../protocols/raft/labels.ts";
import { raftPartition } from "../protocols/raft/scenarios.ts";
import { renderDiagram, shouldColor } from "../sim/render/diagram.ts";
import { runScenario } from "../sim/scenario.ts";
import { isElectionEvent } from "./_raft_section.ts";
import type { RaftExampleOptions } from "./raft_election.ts";

/**
 * The example as text; `preVote: false` shows the disruption PreVote prevents.
 *
 * @example
 * ```ts
 * import { raftPartitionExample } from "./raft_partition.ts";
 * import assert from "node:assert/strict";
 * assert.ok(raftPartitionExample({ seed: 3 }).includes("heal"));
 * ```
 */
export function raftPartitionExample(
  options: RaftExampleOptions & { preVote?: boolean } = {},
): string {
  const seed = options.seed ?? 3;
  const width = options.width ?? 100;
  const color = options.color ?? false;
  const run = runScenario(raftPartition, { seed, flags: { "pre-vote": options.preVote ?? true } });
  const servers = run.sim.nodes.filter((id) => /^n\d+$/.test(id));
  const isPeer = (m: unknown) =>
    (m as { type: string }).type !== "ClientRequest" &&
    !["ClientReply", "NotLeader"].includes((m as { type: string }).type);
  return [
    `raft-partition, seed ${seed}${options.preVote === false ? ", PreVote off" : ""}: ` +
    "role and term changes",
    "",
    renderDiagram(run.sim.trace.events.filter(isElectionEvent), {
      width,
      color,
      nodes: servers,
      maxRows: 50,
      legend: false,
    }),
    "",
    "The heal, message by message (client traffic left out):",
    "",
    renderDiagram(
      run.sim.trace.events.filter((e) =>
        e.kind === "heal" || (e.kind === "log" && isElectionEvent(e)) ||
        (e.kind === "deliver" && isPeer(e.msg))
      ),
      { width, color, nodes: servers, from: 2500, to: 2560, label: raftMessageLabel, maxRows: 40 },
    ),
    "",
    ...run.summary,
    run.ok
      ? "every check held"
      : `VIOLATION ${run.violations[0].check}: ${run.violations[0].message}`,
    `replay: ${run.replay} --diagram`,
  ].join("\n");
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      seed: { type: "string", default: "3" },
      "no-pre-vote": { type: "boolean" },
      color: { type: "boolean" },
    },
  });
  console.log(raftPartitionExample({
    seed: Number(values.seed),
    preVote: !values["no-pre-vote"],
    color: values.color ?? shouldColor(),
  }));
}

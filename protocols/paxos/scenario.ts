/**
 * The `paxos` scenario: nodes `n1..nN` reach consensus under random
 * crashes, pauses and partitions, 5% message loss and 5% duplication.
 *
 * - `--mode single`: single-decree Paxos; nodes `n1..nK` (`--proposers`)
 *   each propose their own value `v-<id>` at a random moment in the first
 *   half of the run: close ones duel, later ones must find the value that
 *   may already be chosen and propose it again.
 * - `--mode multi` (default): Multi-Paxos as total order broadcast; every
 *   node broadcasts `--values` values at random moments in the first half of
 *   the run.
 *
 * Agreement and validity are checked after every event; at the end every
 * fault is healed and every node must decide (single) or deliver every
 * broadcast value (multi) within 5 s of virtual time: termination.
 * `--ignore-accepted` plants the classic bug (a proposer, or a new leader,
 * ignores the accepted values its promises report) and the agreement check
 * catches it.
 *
 * @module
 */

import type { NodeId } from "../../actors/mod.ts";
import { Random } from "../../sim/random.ts";
import {
  defineScenario,
  flag,
  type FlagSpec,
  type FlagSpecs,
  nodeIds,
  type Scenario,
} from "../../sim/scenario.ts";
import type { Simulation } from "../../sim/simulation.ts";
import { formatBallot } from "./ballot.ts";
import { checkLog, checkSingleDecree, healAndAwait, terminationViolation } from "./check.ts";
import { PaxosLogNode } from "./log_node.ts";
import type { LogEntry } from "./multi_paxos.ts";
import { PaxosNode } from "./single_decree.ts";

/** How long after the heal every node must have decided, virtual ms. */
export const PAXOS_TERMINATION_MS = 5000;

/** The flags of `paxos`, declared once: their types flow into the setup's parameters. */
export const PAXOS_FLAGS: {
  mode: FlagSpec<"single" | "multi">;
  proposers: FlagSpec<number>;
  values: FlagSpec<number>;
  "ignore-accepted": FlagSpec<boolean>;
} = {
  mode: flag.choice(
    "single-decree Paxos, or Multi-Paxos with a distinguished proposer",
    ["single", "multi"] as const,
    "multi",
  ),
  proposers: flag.int("single: nodes n1..nK that propose, duelling", 3, { min: 1, max: 15 }),
  values: flag.int("multi: values each node broadcasts", 3, { min: 0, max: 1000 }),
  "ignore-accepted": flag.bool(
    "planted bug: a proposer (a new leader) ignores the accepted values promises report",
    false,
  ),
} satisfies FlagSpecs;

/**
 * `deno task sim run paxos`: single-decree Paxos or Multi-Paxos under
 * faults, checked for agreement, validity and termination.
 *
 * @example
 * ```ts
 * import { runScenario } from "../../sim/scenario.ts";
 * import { paxos } from "./scenario.ts";
 * import assert from "node:assert/strict";
 * assert.equal(runScenario(paxos, { seed: 1, trace: "off" }).ok, true);
 * assert.equal(runScenario(paxos, { seed: 1, flags: { mode: "single" }, trace: "off" }).ok, true);
 * ```
 */
export const paxos: Scenario<typeof PAXOS_FLAGS> = defineScenario({
  name: "paxos",
  summary: "single-decree Paxos and Multi-Paxos under faults: agreement, validity, termination",
  label: paxosLabel,
  defaults: {
    nodes: 5,
    minNodes: 1,
    maxNodes: 15,
    until: 2000,
    faults: "random",
    network: { loss: 0.05, duplicate: 0.05 },
  },
  flags: PAXOS_FLAGS,
  // What swarm varies: both modes, duelling proposers, the load; the default faults' kinds.
  explore: {
    faults: ["crash", "pause", "partition", "clock"],
    maxLoss: 0.05,
    maxDup: 0.05,
    flags: { mode: ["single", "multi"], proposers: [1, 2, 3], values: [1, 3, 6] },
  },
  setup(sim, params) {
    const nodes = nodeIds(params.nodes);
    const random = Random.stream(params.seed, "paxos-plan");
    if (params.flags.mode === "single") {
      const proposers = nodes.slice(0, params.flags.proposers);
      for (const id of nodes) {
        const atMs = Math.round(random.uniform(0, params.until / 2));
        const propose = proposers.includes(id) ? { value: `v-${id}`, atMs } : undefined;
        sim.spawn(id, () =>
          new PaxosNode({
            nodes,
            propose,
            unsafeIgnoreAccepted: params.flags["ignore-accepted"],
          }));
      }
      checkSingleDecree(sim, nodes, proposers.map((id) => `v-${id}`));
      const undecided = (s: Simulation) =>
        nodes.filter((id) => s.actor<PaxosNode>(id)?.decided == null);
      return {
        check: (s) => {
          if (
            healAndAwait(s, (x) => undecided(x).length === 0, PAXOS_TERMINATION_MS) !== undefined
          ) {
            return [];
          }
          return [
            terminationViolation(
              `${undecided(s).join(", ")} had not decided`,
              PAXOS_TERMINATION_MS,
              s.now,
            ),
          ];
        },
        summary: (s) => [
          ...nodes.map((id) => {
            const n = s.actor<PaxosNode>(id);
            if (n === undefined) return `${id} ${s.status(id)}`;
            const view = n.inspect();
            return `${id} promised ${view.promised}, accepted ${view.accepted ?? "-"}, ` +
              `decided ${view.decided ?? "-"}`;
          }),
        ],
      };
    }
    const plans = new Map(nodes.map((id) => [
      id,
      Array.from(
        { length: params.flags.values },
        () => Math.round(random.uniform(0, params.until / 2)),
      )
        .sort((a, b) => a - b)
        .map((atMs, i) => ({ atMs, value: `${id}.${i + 1}` })),
    ]));
    for (const id of nodes) {
      sim.spawn(id, () =>
        new PaxosLogNode({
          nodes,
          plan: plans.get(id)!,
          unsafeIgnoreAccepted: params.flags["ignore-accepted"],
        }));
    }
    const planned = new Set([...plans.values()].flat().map((p) => p.value));
    const valid = (e: LogEntry<string>) =>
      e.kind === "noop" || (planned.has(e.value) && e.value.startsWith(`${e.origin}.`))
        ? undefined
        : `${JSON.stringify(e)} was never broadcast`;
    checkLog(sim, nodes, (s, id) => s.actor<PaxosLogNode>(id)?.paxos.layer, valid);
    const missing = (s: Simulation): string | undefined => {
      for (const id of nodes) {
        const n = s.actor<PaxosLogNode>(id);
        if (n === undefined) return `${id} is down`;
        if (n.values.length < planned.size) {
          return `${id} delivered ${n.values.length} of ${planned.size} values`;
        }
      }
      return undefined;
    };
    return {
      check: (s) => {
        const held = healAndAwait(s, (x) => missing(x) === undefined, PAXOS_TERMINATION_MS);
        if (held !== undefined) return [];
        return [
          terminationViolation(
            missing(s) ?? "not every value was delivered",
            PAXOS_TERMINATION_MS,
            s.now,
          ),
        ];
      },
      summary: (s) => logSummary(s, nodes),
    };
  },
});

/** One line per node: role, ballot, how much is decided and delivered; then the common order. */
function logSummary(sim: Simulation, nodes: readonly NodeId[]): string[] {
  const lines = nodes.map((id) => {
    const n = sim.actor<PaxosLogNode>(id);
    if (n === undefined) return `${id} ${sim.status(id)}`;
    const v = n.paxos.layer.inspect();
    return `${id} ${v.role.padEnd(9)} ballot ${v.ballot.padEnd(6)} promised ${
      v.promised.padEnd(6)
    } ` +
      `decided 1..${v.decided}  delivered ${n.values.length} values`;
  });
  const first = nodes.map((id) => sim.actor<PaxosLogNode>(id)).find((n) => n !== undefined);
  if (first !== undefined) {
    const shown = first.values.slice(0, 12).join(" ");
    lines.push(`log order: ${shown}${first.values.length > 12 ? " ..." : ""}`);
  }
  return lines;
}

/**
 * How diagrams label Paxos messages: the type, the ballot and the slot or
 * value, e.g. `Accept 2.n1 #3` or `Promise 1.n2`.
 *
 * @example
 * ```ts
 * import { paxosLabel } from "./scenario.ts";
 * import assert from "node:assert/strict";
 * assert.equal(paxosLabel({ type: "Prepare", ballot: { round: 2, node: "n1" } }), "Prepare 2.n1");
 * assert.equal(
 *   paxosLabel({ layer: "paxos", msg: { type: "Decide", slot: 3, entry: { kind: "noop" } } }),
 *   "Decide #3",
 * );
 * ```
 */
export function paxosLabel(msg: unknown): string {
  const inner = (msg as { layer?: string; msg?: unknown }).layer !== undefined
    ? (msg as { msg: unknown }).msg
    : msg;
  const m = inner as {
    type?: string;
    ballot?: { round: number; node: string };
    slot?: number;
    value?: unknown;
  };
  const parts = [m.type ?? "?"];
  if (m.ballot !== undefined) parts.push(formatBallot(m.ballot));
  if (m.slot !== undefined) parts.push(`#${m.slot}`);
  if (typeof m.value === "string") parts.push(m.value);
  return parts.join(" ");
}

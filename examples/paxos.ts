/**
 * Paxos (issue 14, item 6), on three nodes and 10 ms links:
 *
 * 1. single-decree Paxos with two proposers: n3's higher ballot pre-empts
 *    n1's, and n3's value is chosen by n2 and n3 while n1 is cut off;
 * 2. when the partition heals, n1 tries again with a higher ballot; the
 *    promises report the accepted value, and n1 proposes that value, not
 *    its own; with the rule switched off it proposes its own, and the
 *    agreement check catches two values chosen;
 * 3. Multi-Paxos: a distinguished proposer runs phase 1 once for the whole
 *    log; when it crashes the next leader re-proposes what may have been
 *    chosen; every node delivers the same log.
 *
 * Run it with `deno run examples/paxos.ts [--color]`.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { checkLog, checkSingleDecree } from "../protocols/paxos/check.ts";
import { PaxosLogNode } from "../protocols/paxos/log_node.ts";
import { paxosLabel } from "../protocols/paxos/scenario.ts";
import { PaxosNode } from "../protocols/paxos/single_decree.ts";
import { renderDiagram, shouldColor } from "../sim/render/diagram.ts";
import { Simulation } from "../sim/simulation.ts";
import type { TraceEvent } from "../sim/trace.ts";
import { wrapText } from "./_text.ts";

/**
 * How to draw the example.
 *
 * @example
 * ```ts
 * import type { PaxosExampleOptions } from "./paxos.ts";
 * import assert from "node:assert/strict";
 * const o: PaxosExampleOptions = { width: 100, color: false };
 * assert.equal(o.color, false);
 * ```
 */
export interface PaxosExampleOptions {
  /** Columns to fit (default 100). */
  width?: number;
  /** ANSI colours (default false). */
  color?: boolean;
}

const NODES = ["n1", "n2", "n3"];

/**
 * Scenes 1 and 2: n1 proposes at 0 ms, n3 at 15 ms; n1 is cut off from 36
 * to 200 ms. `ignoreAccepted` plants the bug of scene 2.
 *
 * @example
 * ```ts
 * import { duel } from "./paxos.ts";
 * import assert from "node:assert/strict";
 * const sim = duel();
 * assert.deepEqual(["n1", "n2", "n3"].map((id) => sim.actor<{ decided: string }>(id)!.decided), [
 *   "v-n3", "v-n3", "v-n3",
 * ]);
 * assert.equal(duel(true).violations[0].check, "agreement");
 * ```
 */
export function duel(ignoreAccepted = false): Simulation {
  const sim = new Simulation({
    seed: 2,
    network: { latency: { kind: "fixed", ms: 10 } },
  });
  const proposes: Record<string, { value: string; atMs: number }> = {
    n1: { value: "v-n1", atMs: 0 },
    n3: { value: "v-n3", atMs: 15 },
  };
  for (const id of NODES) {
    sim.spawn(
      id,
      () =>
        new PaxosNode({
          nodes: NODES,
          propose: proposes[id],
          unsafeIgnoreAccepted: ignoreAccepted,
          askMs: 1000, // so that n1 tries again before it asks what was decided
        }),
    );
  }
  checkSingleDecree(sim, NODES, ["v-n1", "v-n3"]);
  sim.schedule([
    { at: 36, action: { type: "partition", groups: [["n1"], ["n2", "n3"]] } },
    { at: 200, action: { type: "heal" } },
  ]);
  sim.run({ until: 600 });
  return sim;
}

/**
 * Scene 3: three log nodes each broadcast two values; the first leader
 * crashes at 300 ms and comes back at 600 ms.
 *
 * @example
 * ```ts
 * import { multiPaxosRun } from "./paxos.ts";
 * import { PaxosLogNode } from "../protocols/paxos/log_node.ts";
 * import assert from "node:assert/strict";
 * const { sim } = multiPaxosRun();
 * const logs = ["n1", "n2", "n3"].map((id) => sim.actor<PaxosLogNode>(id)!.values.join(" "));
 * assert.equal(new Set(logs).size, 1);
 * ```
 */
export function multiPaxosRun(): { sim: Simulation; firstLeader: string } {
  const sim = new Simulation({ seed: 4, network: { latency: { kind: "fixed", ms: 10 } } });
  for (const id of NODES) {
    sim.spawn(id, () =>
      new PaxosLogNode({
        nodes: NODES,
        plan: [{ atMs: 250, value: `${id}.1` }, { atMs: 320, value: `${id}.2` }],
      }));
  }
  checkLog(sim, NODES, (s, id) => s.actor<PaxosLogNode>(id)?.paxos.layer, () => undefined);
  sim.run({ until: 280 });
  const firstLeader = NODES.find((id) =>
    sim.actor<PaxosLogNode>(id)?.paxos.layer.role === "leader"
  )!;
  sim.schedule([
    { at: 300, action: { type: "crash", node: firstLeader } },
    { at: 600, action: { type: "restart", node: firstLeader } },
  ]);
  sim.run({ until: 1000 });
  return { sim, firstLeader };
}

/**
 * Phase 1 and phase 2 messages between nodes, and decisions; left out: a
 * node's messages to itself, the Accepted fan-out to learners, and drops.
 */
function isPhase(e: TraceEvent): boolean {
  if (e.kind === "log" || e.kind === "partition" || e.kind === "heal") return true;
  if (e.kind !== "deliver" || e.from === e.node) return false;
  return ["Prepare", "Promise", "Accept", "Nack"].includes((e.msg as { type: string }).type);
}

/**
 * The single-decree run's phase 1 and phase 2 messages from `from` to `to`
 * ms, labelled with their ballots.
 *
 * @example
 * ```ts
 * import { duel, phaseDiagram } from "./paxos.ts";
 * import assert from "node:assert/strict";
 * assert.match(phaseDiagram(duel(), 0, 60, {}), /Accept 2\.n3 v-n3/);
 * ```
 */
export function phaseDiagram(
  sim: Simulation,
  from: number,
  to: number,
  options: PaxosExampleOptions,
): string {
  return renderDiagram(sim.trace.events.filter(isPhase), {
    width: options.width ?? 100,
    color: options.color ?? false,
    from,
    to,
    nodes: NODES,
    label: paxosLabel,
    maxRows: 40,
    legend: false,
  });
}

/**
 * The example as text.
 *
 * @example
 * ```ts
 * import { paxosExample } from "./paxos.ts";
 * import assert from "node:assert/strict";
 * assert.match(paxosExample(), /agreement/);
 * ```
 */
export function paxosExample(options: PaxosExampleOptions = {}): string {
  const width = options.width ?? 100;
  const color = options.color ?? false;
  const say = (text: string) => wrapText(text, width, 0);
  const good = duel();
  const bad = duel(true);
  const draw = (sim: Simulation, from: number, to: number) => phaseDiagram(sim, from, to, options);
  const decided = (sim: Simulation) =>
    NODES.map((id) => `${id} decided ${sim.actor<PaxosNode>(id)?.decided ?? "-"}`).join(", ");
  const { sim: multi, firstLeader } = multiPaxosRun();
  const roles = multi.trace.events.filter((e) =>
    (e.kind === "log" && /^(leader|candidate|follower) /.test(e.note)) || e.kind === "crash" ||
    e.kind === "restart"
  );
  return [
    ...say(
      "1. Single-decree Paxos. n1 proposes v-n1 with ballot 1.n1. 15 ms later n3 proposes v-n3; " +
        "having promised 1.n1 already, it takes a higher ballot, 2.n3. The acceptors promise " +
        "2.n3 and refuse n1's Accept (their Nacks are lost: n1 is cut off at 36 ms); n2 and n3, a " +
        "majority, accept and choose v-n3 (messages of a node to itself left out):",
    ),
    "",
    draw(good, 0, 80),
    "",
    ...say(
      "2. The partition heals at 200 ms. n1, which never learned the outcome, tries again with " +
        "a higher ballot. The promises report v-n3, accepted in ballot 2.n3, so n1 proposes " +
        "v-n3, not its own value: a value that may be chosen is never overwritten.",
    ),
    "",
    draw(good, 200, 270),
    "",
    `  ${decided(good)}`,
    `  agreement and validity held after every event: ${good.violations.length === 0}`,
    "",
    ...say(
      "Let n1 ignore what the promises report (--ignore-accepted) and it proposes v-n1 in its " +
        "new ballot; the acceptors accept it, a second value is chosen, and the agreement check " +
        "stops the run:",
    ),
    `  ${decided(bad)}`,
    ...say(`  ${bad.violations[0]?.check}: ${bad.violations[0]?.message}`),
    "",
    ...say(
      `3. Multi-Paxos. One node becomes the distinguished proposer by running phase 1 once, for ` +
        `every slot of the log; each value then costs one round trip of phase 2. The leader ` +
        `(${firstLeader}) crashes at 300 ms; another runs phase 1 with a higher ballot, ` +
        `re-proposes whatever the promises report, and goes on; ${firstLeader} comes back ` +
        `at 600 ms and catches up. Leadership, on each node's line:`,
    ),
    "",
    renderDiagram(roles, { width, color, nodes: NODES, maxRows: 30, legend: false }),
    "",
    ...NODES.map((id) => `  ${id} delivered ${multi.actor<PaxosLogNode>(id)?.values.join(" ")}`),
    `  agreement and validity held after every event: ${multi.violations.length === 0}`,
  ].join("\n");
}

if (import.meta.main) {
  const { values } = parseArgs({ args: Deno.args, options: { color: { type: "boolean" } } });
  console.log(paxosExample({ color: values.color ?? shouldColor() }));
}

/**
 * The `smr-cas` scenario: a compare-and-set register replicated on
 * replicas `n1..nN` over total order broadcast, used by clients `c1..cK`
 * that read, write and compare-and-set, under loss, duplication, crashes,
 * pauses and partitions of replicas and clients alike. When the run ends,
 * the faults are repaired and the network settles, then the checks of
 * `check.ts` judge it: agreement of the replicas' logs, linearizability of
 * the clients' history, and progress.
 *
 * ```sh
 * deno task sim run smr-cas --seed 3
 * deno task sim run smr-cas --order total-lamport
 * deno task sim run smr-cas --seed 8 --local-reads true   # the planted bug: caught
 * ```
 *
 * @module
 */

import type { NodeId } from "../../actors/mod.ts";
import type { LinearizabilityResult } from "../../sim/check/linearizability.ts";
import { linearizabilityViolations } from "../../sim/check/linearizability.ts";
import { defineScenario, flag, type FlagSpec, nodeIds, type Scenario } from "../../sim/scenario.ts";
import { settle } from "../../sim/settle.ts";
import type { Simulation, Violation } from "../../sim/simulation.ts";
import { broadcastLabel } from "../broadcast/labels.ts";
import { verdictLines } from "../quorum/scenarios.ts";
import { checkAgreement, checkProgress, checkRegister, replicaLogs } from "./check.ts";
import { SmrClient } from "./client.ts";
import type { ClientMsg } from "./machine.ts";
import { casRegister, describeOp, type RegisterOp } from "./register.ts";
import { SmrReplica, TOTAL_ORDERS, type TotalOrder } from "./replica.ts";

/**
 * The flags of `smr-cas`.
 *
 * @example
 * ```ts
 * import { smrCas } from "./scenario.ts";
 * import assert from "node:assert/strict";
 * assert.equal(smrCas.flags?.order.default, "total-sequencer");
 * ```
 */
export type SmrFlags = {
  /** The total order broadcast underneath. */
  order: FlagSpec<TotalOrder>;
  /** How many clients. */
  clients: FlagSpec<number>;
  /** Operations per client. */
  ops: FlagSpec<number>;
  /** Mean pause before each operation, ms. */
  "think-ms": FlagSpec<number>;
  /** A client retries through the next replica after this long, ms. */
  "timeout-ms": FlagSpec<number>;
  /** The planted bug: replicas answer reads from their own state. */
  "local-reads": FlagSpec<boolean>;
};

/**
 * A label for the scenario's messages on a diagram: `cas 3→7 #2` for a
 * request, `#2 → true` for its reply, and the broadcast's labels for the
 * layer's messages.
 *
 * @example
 * ```ts
 * import { smrLabel } from "./scenario.ts";
 * import assert from "node:assert/strict";
 * assert.equal(smrLabel({ type: "request", id: 2, op: { type: "write", value: 7 } }), "write 7 #2");
 * assert.equal(smrLabel({ type: "reply", id: 2, output: null }), "#2 → null");
 * assert.equal(smrLabel({ layer: "tob", msg: { layer: "link", msg: { type: "ack", seq: 4 } } }), "ack s4");
 * ```
 */
export function smrLabel(msg: unknown): string {
  const m = msg as ClientMsg<RegisterOp, unknown>;
  if (m?.type === "request") return `${describeOp(m.op)} #${m.id}`;
  if (m?.type === "reply") return `#${m.id} → ${JSON.stringify(m.output)}`;
  return broadcastLabel(msg);
}

/**
 * `deno task sim run smr-cas`: a linearizable compare-and-set register by
 * state machine replication over total order broadcast (lectures 5.3, 7.2).
 *
 * @example
 * ```ts
 * import { runScenario } from "../../sim/scenario.ts";
 * import { smrCas } from "./scenario.ts";
 * import assert from "node:assert/strict";
 * assert.equal(runScenario(smrCas, { seed: 1, trace: "off" }).ok, true);
 * ```
 */
export const smrCas: Scenario<SmrFlags> = defineScenario({
  name: "smr-cas",
  summary: "a compare-and-set register replicated over total order broadcast: linearizable",
  label: smrLabel,
  defaults: {
    nodes: 3,
    minNodes: 1,
    maxNodes: 15,
    until: 1000,
    network: { loss: 0.05, duplicate: 0.05 },
    faults: "random:crash=2,partition=1,pause=1,duration=100",
  },
  flags: {
    order: flag.choice("total order broadcast underneath", TOTAL_ORDERS, "total-sequencer"),
    clients: flag.int("clients c1..cK", 3, { min: 1, max: 50 }),
    ops: flag.int("operations per client", 10, { min: 0, max: 10_000 }),
    "think-ms": flag.number("mean pause before each operation, ms", 15, { min: 0 }),
    "timeout-ms": flag.number("retry through the next replica after this, ms", 80, { min: 1 }),
    "local-reads": flag.bool("planted bug: answer reads from the local state", false),
  },
  // Linearizable over either total order, with clients retrying through
  // another replica; --local-reads is the planted bug, so it stays off.
  explore: {
    faults: ["crash", "pause", "partition"],
    maxLoss: 0.1,
    maxDup: 0.1,
    flags: {
      order: ["total-sequencer", "total-lamport"],
      clients: [1, 3, 5],
      "think-ms": [0, 15, 50],
    },
  },
  setup(sim, params) {
    const f = params.flags;
    const replicas = nodeIds(params.nodes);
    const clients = nodeIds(f.clients, "c");
    for (const id of replicas) {
      sim.spawn(id, () =>
        new SmrReplica({
          machine: casRegister,
          replicas,
          order: f.order,
          localReads: f["local-reads"],
        }));
    }
    clients.forEach((id, i) =>
      sim.spawn(id, () =>
        new SmrClient({
          replicas,
          first: i,
          ops: f.ops,
          thinkMs: f["think-ms"],
          timeoutMs: f["timeout-ms"],
        }))
    );
    let lin: LinearizabilityResult | undefined;
    const logs = (s: Simulation) => replicaLogs(replicas, (id) => s.storage(id));
    return {
      // Every command goes through the sequencer.
      ...(f.order === "total-sequencer" ? { special: () => replicas[0] } : {}),
      check: (s): Violation[] => {
        settle(s);
        lin = checkRegister(s.history.operations);
        const unfinished = clients.filter((id) => !s.actor<SmrClient>(id)!.done);
        return [
          ...checkAgreement(logs(s), s.now),
          ...linearizabilityViolations(lin, s.now),
          ...checkProgress(logs(s), unfinished, s.now),
        ];
      },
      summary: (s) => summaryLines(s, replicas, f.order, f["local-reads"], logs(s), lin),
    };
  },
});

function summaryLines(
  s: Simulation,
  replicas: readonly NodeId[],
  order: TotalOrder,
  localReads: boolean,
  logs: Map<NodeId, unknown[]>,
  lin: LinearizabilityResult | undefined,
): string[] {
  const ops = s.history.operations;
  const count = (f: string) => ops.filter((op) => op.f === f).length;
  const swapped = ops.filter((op) => op.f === "cas" && op.output === true).length;
  const answered = ops.filter((op) => op.status === "ok").length;
  const values = replicas.map((id) =>
    `${id}=${JSON.stringify(s.storage(id).get("state") ?? null)}`
  );
  return [
    `${casRegister.name} on ${replicas.length} replicas over ${order} broadcast` +
    (localReads ? ", reads answered locally (the planted bug)" : ""),
    `${ops.length} operations (${count("read")} reads, ${count("write")} writes, ` +
    `${count("cas")} cas of which ${swapped} swapped), ${answered} answered; ` +
    `${(s.stats.messages / Math.max(1, answered)).toFixed(1)} messages per answer`,
    `replicas: ${values.join(" ")}; logs ${[...logs.values()].map((l) => l.length).join("/")}`,
    ...(lin === undefined ? [] : verdictLines(lin)),
  ];
}

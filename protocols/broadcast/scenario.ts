/**
 * The `broadcast-fifo`, `broadcast-causal` and `broadcast-total` scenarios: a
 * group chat (see `broadcast_node.ts`) over a broadcast protocol, under loss,
 * duplication, reordering, crashes, pauses and partitions, judged by the
 * checker of one delivery guarantee.
 *
 * Each scenario's `--protocol` flag picks the protocol that runs, by default
 * the one that keeps the scenario's guarantee; picking a weaker one shows the
 * checker catching it (`deno task sim run broadcast-causal --protocol fifo`).
 *
 * After the run, every fault is repaired and the network settles (see
 * `sim/settle.ts`), so that "every node delivers every message" can be judged.
 *
 * @module
 */

import type { NodeId } from "../../actors/mod.ts";
import { Random } from "../../sim/random.ts";
import {
  defineScenario,
  flag,
  type FlagSpec,
  nodeIds,
  runScenario,
  type Scenario,
} from "../../sim/scenario.ts";
import type { Simulation, Violation } from "../../sim/simulation.ts";
import { checkFullTrace, traceState } from "../../sim/full_trace.ts";
import { BroadcastNode } from "./broadcast_node.ts";
import { broadcastLabel } from "./labels.ts";
import { appEvents, checkBroadcast, deliveryOrders, type Guarantee, PROMISES } from "./check.ts";
import { BROADCAST_PROTOCOLS, type BroadcastProtocol } from "./layer.ts";
import { settle } from "../../sim/settle.ts";

/**
 * When each node posts: `count` times per node, uniform over
 * [0, `windowMs`), drawn from the seed (not from the nodes' own streams, so a
 * restart does not change the plan).
 *
 * @example
 * ```ts
 * import { postingPlan } from "./scenario.ts";
 * import assert from "node:assert/strict";
 * const plan = postingPlan(1, ["n1", "n2"], 3, 300).get("n1")!;
 * assert.equal(plan.length, 3);
 * assert.ok(plan.every((t, i) => t >= 0 && t < 300 && (i === 0 || t >= plan[i - 1])));
 * ```
 */
export function postingPlan(
  seed: number,
  nodes: readonly NodeId[],
  count: number,
  windowMs: number,
): Map<NodeId, number[]> {
  const random = Random.stream(seed, "broadcast-plan");
  return new Map(nodes.map((id) => [
    id,
    Array.from({ length: count }, () => Math.round(random.uniform(0, windowMs) * 1000) / 1000)
      .sort((a, b) => a - b),
  ]));
}

function broadcastScenario(
  name: string,
  summary: string,
  guarantee: BroadcastProtocol,
): Scenario<BroadcastFlags> {
  const promises: readonly Guarantee[] = PROMISES[guarantee];
  const scenario: Scenario<BroadcastFlags> = defineScenario({
    name,
    summary,
    label: broadcastLabel,
    defaults: {
      nodes: 4,
      minNodes: 2,
      maxNodes: 26,
      until: 600,
      faults: "random:crash=2,partition=1,pause=1,duration=100",
    },
    flags: broadcastFlags(guarantee),
    needsTrace: true,
    // The reliable link under every protocol retransmits until acknowledged
    // and keeps its state in storage, so loss, duplication, crashes, pauses
    // and partitions are all within what these protocols survive.
    explore: {
      faults: ["crash", "pause", "partition"],
      maxLoss: 0.2,
      maxDup: 0.2,
      flags: {
        protocol: EXPLORED[guarantee] ?? [guarantee],
        posts: [1, 3, 8],
        "reply-chance": [0, 0.5, 1],
        "max-replies": [0, 2, 6],
      },
    },
    setup(sim, params) {
      const ids = nodeIds(params.nodes);
      const protocol = params.flags.protocol;
      const plan = postingPlan(params.seed, ids, params.flags.posts, params.until / 2);
      for (const id of ids) {
        sim.spawn(id, () =>
          new BroadcastNode({
            protocol,
            nodes: ids,
            plan: plan.get(id)!,
            replyChance: params.flags["reply-chance"],
            maxReplies: params.flags["max-replies"],
          }));
      }
      let full: Simulation | undefined;
      return {
        // A sequencer is the one node every message goes through.
        ...(protocol === "total-sequencer" ? { special: () => ids[0] } : {}),
        // The check reads the trace: the past is part of the state.
        inspect: traceState,
        check: (s): Violation[] => {
          settle(s);
          return checkFullTrace(
            s,
            () => runScenario(scenario, { ...params, trace: "full" }),
            (events) => checkBroadcast(events, promises, ids),
            (f) => (full = f),
          );
        },
        summary: () => {
          if (full === undefined) return [];
          const app = appEvents(full.trace.events);
          const sent = app.filter((e) => e.kind === "broadcast").length;
          const lines = [
            `${protocol} broadcast, checked for ${promises.join(", ")}: ${sent} messages, ` +
            `${full.stats.messages} network messages, settled at ${full.now} ms`,
          ];
          for (const [node, order] of [...deliveryOrders(app)].sort(([a], [b]) => a < b ? -1 : 1)) {
            lines.push(`${node} delivered ${order.join(" ")}`);
          }
          return lines;
        },
      };
    },
  });
  return scenario;
}

/** The implementations exploration tries for a guarantee: each one that promises it. */
const EXPLORED: Partial<Record<BroadcastProtocol, readonly BroadcastProtocol[]>> = {
  "total-sequencer": ["total-sequencer", "total-lamport"],
};

/**
 * The flags of the broadcast scenarios.
 *
 * @example
 * ```ts
 * import { broadcastCausal } from "./scenario.ts";
 * import assert from "node:assert/strict";
 * assert.equal(broadcastCausal.flags?.protocol.default, "causal");
 * ```
 */
export type BroadcastFlags = {
  /** The protocol that runs. */
  protocol: FlagSpec<BroadcastProtocol>;
  /** Messages each node posts. */
  posts: FlagSpec<number>;
  /** Probability of answering a delivered message. */
  "reply-chance": FlagSpec<number>;
  /** Answers per node at most. */
  "max-replies": FlagSpec<number>;
};

/** The flags of a broadcast scenario whose protocol is `guarantee` by default. */
function broadcastFlags(guarantee: BroadcastProtocol): BroadcastFlags {
  return {
    protocol: flag.choice(
      `broadcast protocol to run (one weaker than ${guarantee} shows a violation)`,
      BROADCAST_PROTOCOLS,
      guarantee,
    ),
    posts: flag.int("messages each node posts", 3, { min: 0, max: 100 }),
    "reply-chance": flag.number("probability of answering a delivered message", 0.5, {
      min: 0,
      max: 1,
    }),
    "max-replies": flag.int("answers per node at most", 2, { min: 0 }),
  };
}

/**
 * `deno task sim run broadcast-fifo`: FIFO broadcast, checked for FIFO order
 * (and integrity and agreement).
 *
 * @example
 * ```ts
 * import { broadcastFifo } from "./scenario.ts";
 * import { runScenario } from "../../sim/scenario.ts";
 * import assert from "node:assert/strict";
 * assert.equal(runScenario(broadcastFifo, { seed: 3, network: { loss: 0.1 } }).ok, true);
 * ```
 */
export const broadcastFifo: Scenario<BroadcastFlags> = broadcastScenario(
  "broadcast-fifo",
  "FIFO broadcast over eager reliable broadcast: each sender's messages in order",
  "fifo",
);

/**
 * `deno task sim run broadcast-causal`: causal broadcast with vector clocks,
 * checked for causal order against the application's happens-before order.
 *
 * @example
 * ```ts
 * import { broadcastCausal } from "./scenario.ts";
 * import { runScenario } from "../../sim/scenario.ts";
 * import assert from "node:assert/strict";
 * assert.equal(runScenario(broadcastCausal, { seed: 3, network: { loss: 0.1 } }).ok, true);
 * ```
 */
export const broadcastCausal: Scenario<BroadcastFlags> = broadcastScenario(
  "broadcast-causal",
  "causal broadcast with vector clocks: a message never before what it depends on",
  "causal",
);

/**
 * `deno task sim run broadcast-total`: total order broadcast (a sequencer by
 * default; `--protocol total-lamport` for Lamport clocks with
 * acknowledgements from all), checked for one delivery order everywhere.
 *
 * @example
 * ```ts
 * import { broadcastTotal } from "./scenario.ts";
 * import { runScenario } from "../../sim/scenario.ts";
 * import assert from "node:assert/strict";
 * assert.equal(runScenario(broadcastTotal, { seed: 3, flags: { protocol: "total-lamport" } }).ok, true);
 * ```
 */
export const broadcastTotal: Scenario<BroadcastFlags> = broadcastScenario(
  "broadcast-total",
  "total order broadcast, via a sequencer or Lamport clocks: one order at every node",
  "total-sequencer",
);

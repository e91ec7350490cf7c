/**
 * The reference solutions of `examples/maelstrom/`, one per workload, as the
 * scenarios the command line knows: `maelstrom-echo`, `maelstrom-unique-ids`,
 * `maelstrom-broadcast`, `maelstrom-g-counter`, `maelstrom-kafka`,
 * `maelstrom-txn-rw-register` and `maelstrom-lin-kv`, simulated and as
 * processes. Replace a solution with your own to test it the same way.
 *
 * @module
 */

import { BroadcastNode } from "../../examples/maelstrom/broadcast.ts";
import { CounterNode } from "../../examples/maelstrom/g_counter.ts";
import { EchoNode } from "../../examples/maelstrom/echo.ts";
import { KafkaNode } from "../../examples/maelstrom/kafka.ts";
import { LinKvNode } from "../../examples/maelstrom/lin_kv.ts";
import { TxnNode } from "../../examples/maelstrom/txn_rw_register.ts";
import { UniqueIdsNode } from "../../examples/maelstrom/unique_ids.ts";
import type { ClusterScenario } from "../../runtime/cluster.ts";
import type { NodeFactory } from "../../runtime/factory.ts";
import type { Scenario } from "../../sim/scenario.ts";
import { broadcastWorkload } from "./broadcast.ts";
import { echoWorkload } from "./echo.ts";
import { gCounterWorkload } from "./g_counter.ts";
import { kafkaWorkload } from "./kafka.ts";
import { linKvWorkload } from "./lin_kv.ts";
import { maelstromCluster, type MaelstromDefaults, maelstromScenario } from "./scenarios.ts";
import { txnRwRegisterWorkload } from "./txn_rw_register.ts";
import { uniqueIdsWorkload } from "./unique_ids.ts";
import type { MaelstromWorkload } from "./workload.ts";

/** Each workload with its reference solution and the defaults of its scenarios. */
const SOLUTIONS: Array<{
  workload: MaelstromWorkload;
  factory: NodeFactory;
  /** `module#export` under examples/maelstrom/. */
  spec: string;
  defaults: MaelstromDefaults;
}> = [
  { workload: echoWorkload, factory: () => new EchoNode(), spec: "echo.ts#echoNode", defaults: {} },
  {
    workload: uniqueIdsWorkload,
    factory: () => new UniqueIdsNode(),
    spec: "unique_ids.ts#uniqueIdsNode",
    defaults: { faults: "random" },
  },
  {
    workload: broadcastWorkload,
    factory: (_id, nodes) => new BroadcastNode(nodes),
    spec: "broadcast.ts#broadcastNode",
    defaults: { nodes: 5, faults: "random" },
  },
  {
    workload: gCounterWorkload,
    factory: (_id, nodes) => new CounterNode(nodes),
    spec: "g_counter.ts#counterNode",
    defaults: { faults: "random" },
  },
  {
    workload: kafkaWorkload,
    factory: (_id, nodes) => new KafkaNode(nodes),
    spec: "kafka.ts#kafkaNode",
    defaults: { faults: "random" },
  },
  {
    workload: txnRwRegisterWorkload,
    factory: (_id, nodes) => new TxnNode(nodes),
    spec: "txn_rw_register.ts#txnNode",
    defaults: { faults: "random" },
  },
  {
    workload: linKvWorkload,
    factory: (_id, nodes) => new LinKvNode(nodes),
    spec: "lin_kv.ts#linKvNode",
    defaults: { faults: "random" },
  },
];

const EXAMPLES = new URL("../../examples/maelstrom/", import.meta.url);

/**
 * The simulated scenarios, in the order of the Gossip Glomers challenges.
 *
 * @example
 * ```ts
 * import { maelstromScenarios } from "./solutions.ts";
 * import { runScenario } from "../../sim/scenario.ts";
 * import assert from "node:assert/strict";
 * const broadcast = maelstromScenarios.find((s) => s.name === "maelstrom-broadcast")!;
 * assert.equal(runScenario(broadcast, { seed: 3 }).ok, true);
 * ```
 */
export const maelstromScenarios: Scenario[] = SOLUTIONS.map(({ workload, factory, defaults }) =>
  // This module exports them, so workers (sweep, explore) load them from here.
  ({
    ...maelstromScenario(workload, factory, defaults),
    module: import.meta.url,
  }) as unknown as Scenario
);

/**
 * The same solutions as real processes (`deno task cluster maelstrom-kafka`).
 *
 * @example
 * ```ts
 * import { maelstromClusters } from "./solutions.ts";
 * import assert from "node:assert/strict";
 * assert.ok(maelstromClusters.every((c) => c.server.includes("/examples/maelstrom/")));
 * ```
 */
export const maelstromClusters: ClusterScenario[] = SOLUTIONS.map(({ workload, spec }) =>
  maelstromCluster(workload, new URL(spec, EXAMPLES).href)
);

/**
 * The Raft key-value store as real processes: `deno task cluster raft-kv
 * --nodes 3` starts three `RaftNode` processes on loopback ports, each with
 * its log on disk, runs `RaftClient`s against them from the driver, kills,
 * restarts, pauses and partitions the servers, and checks the clients'
 * history for linearizability with the checker the simulated `raft`
 * scenarios use.
 *
 * The servers are the simulator's `RaftNode`, unchanged; only the timing is
 * set for a real network on a busy machine (elections after 300 to 600 ms
 * of silence, heartbeats every 60 ms).
 *
 * @module
 */

import type { NodeId } from "../../actors/mod.ts";
import {
  checkLinearizability,
  linearizabilityViolations,
} from "../../sim/check/linearizability.ts";
import { kvModel } from "../../sim/check/models.ts";
import { type ClusterScenario, defineClusterScenario } from "../../runtime/cluster.ts";
import { RaftClient, RaftNode } from "./mod.ts";

/**
 * The server factory the processes load:
 * `protocols/raft/cluster.ts#raftServer`.
 *
 * @example
 * ```ts
 * import { raftServer } from "./cluster.ts";
 * import assert from "node:assert/strict";
 * assert.equal(raftServer("n1", ["n1", "n2", "n3"]).config.electionMinMs, 300);
 * ```
 */
export function raftServer(_id: NodeId, nodes: readonly NodeId[]): RaftNode {
  return new RaftNode({
    servers: nodes,
    electionMinMs: 300,
    electionMaxMs: 600,
    heartbeatMs: 60,
    snapshotEvery: 50,
  });
}

/** How long one linearizability check may take before it answers `unknown`. */
const CHECK_BUDGET_MS = 60_000;

/**
 * `raft-kv`: three clients against N Raft servers under random faults.
 *
 * @example
 * ```ts
 * import { raftKvCluster } from "./cluster.ts";
 * import assert from "node:assert/strict";
 * assert.equal(raftKvCluster.clients(["n1", "n2", "n3"], { durationMs: 1000, settleMs: 1000 }).length, 3);
 * ```
 */
export const raftKvCluster: ClusterScenario = defineClusterScenario({
  name: "raft-kv",
  summary: "Raft key-value store as processes: clients, kills, pauses, partitions, linearizability",
  server: new URL("./cluster.ts#raftServer", import.meta.url).href,
  defaults: {
    nodes: 3,
    minNodes: 1,
    maxNodes: 9,
    durationMs: 10_000,
    settleMs: 3000,
    faults: "random:crash=0.4,partition=0.3,pause=0.2,duration=1200",
  },
  clients: (servers) =>
    ["c1", "c2", "c3"].map((id) => ({
      id,
      actor: () =>
        new RaftClient({
          servers,
          // The driver stops the clients when the run ends, whatever they are doing.
          ops: 1_000_000,
          keys: ["x", "y", "z"],
          thinkMs: 25,
          requestTimeoutMs: 300,
          giveUpMs: 3000,
        }),
    })),
  check(history) {
    const end = history.reduce(
      (t, op) => Math.max(t, op.call, Number.isFinite(op.ret) ? op.ret : 0),
      0,
    );
    return linearizabilityViolations(
      checkLinearizability(history, kvModel, { timeoutMs: CHECK_BUDGET_MS }),
      end,
    );
  },
  describe(history) {
    const lin = checkLinearizability(history, kvModel, { timeoutMs: CHECK_BUDGET_MS });
    return [
      `linearizable: ${lin.result} (${lin.ops} operations, ${lin.partitions} keys, ${
        lin.ms.toFixed(0)
      } ms to check)`,
    ];
  },
});

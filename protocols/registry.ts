/**
 * The registry of every scenario the command line, the demo and the tests
 * know. Each protocol adds its scenarios here, one line each.
 *
 * @module
 */

import type { ClusterScenario } from "../runtime/cluster.ts";
import { ScenarioRegistry } from "../sim/scenario.ts";
import { broadcastCausal, broadcastFifo, broadcastTotal } from "./broadcast/scenario.ts";
import { lamport, vectorClock } from "./clocks/scenario.ts";
import { clockSync } from "./clocksync/scenario.ts";
import { twoPhaseCommit, twoPhaseCommitFt } from "./commit/scenarios.ts";
import { crdtCounter, crdtLwwSet, crdtOrSet, crdtText } from "./crdt/scenarios.ts";
import { gossip } from "./gossip/scenario.ts";
import { maelstromClusters, maelstromScenarios } from "./maelstrom/solutions.ts";
import { paxos } from "./paxos/scenario.ts";
import { pingPong } from "./ping_pong/scenario.ts";
import { abd, quorum } from "./quorum/scenarios.ts";
import { smrCas } from "./smr/scenario.ts";
import { spanner } from "./spanner/scenario.ts";
import { txnKv } from "./txn_kv/scenario.ts";
import {
  raft,
  raftChurn,
  raftElection,
  raftFigure8,
  raftLeaderCrash,
  raftMembership,
  raftPartition,
  raftReplication,
  raftTransfer,
  raftUnreliable,
} from "./raft/scenarios.ts";
import { raftKvCluster } from "./raft/cluster.ts";

/**
 * All registered scenarios.
 *
 * @example
 * ```ts
 * import { scenarios } from "./registry.ts";
 * import assert from "node:assert/strict";
 * assert.equal(scenarios.get("ping-pong").name, "ping-pong");
 * assert.equal(scenarios.list()[0].name, "ping-pong"); // in the order of the course
 * ```
 */
export const scenarios: ScenarioRegistry = new ScenarioRegistry()
  // In the order of the course: models, physical time (3.2), logical time and order, quorums,
  // replication by total order, consensus (Raft, then Paxos in Raft's terms), atomic commit
  // and transactions, CRDTs, Spanner (8.2).
  .register(pingPong)
  .register(gossip)
  .register(clockSync)
  .register(lamport)
  .register(vectorClock)
  .register(broadcastFifo)
  .register(broadcastCausal)
  .register(broadcastTotal)
  .register(quorum)
  .register(abd)
  .register(smrCas)
  .register(raft)
  .register(raftElection)
  .register(raftReplication)
  .register(raftLeaderCrash)
  .register(raftPartition)
  .register(raftFigure8)
  .register(raftChurn)
  .register(raftUnreliable)
  .register(raftMembership)
  .register(raftTransfer)
  .register(paxos)
  .register(twoPhaseCommit)
  .register(twoPhaseCommitFt)
  .register(txnKv)
  .register(crdtCounter)
  .register(crdtLwwSet)
  .register(crdtOrSet)
  .register(crdtText)
  .register(spanner);
// Then Maelstrom's workloads (the Gossip Glomers challenges), with reference solutions.
for (const s of maelstromScenarios) scenarios.register(s);

/**
 * The scenarios `deno task cluster` runs as real processes on this machine.
 *
 * @example
 * ```ts
 * import { clusterScenarios } from "./registry.ts";
 * import assert from "node:assert/strict";
 * assert.ok(clusterScenarios.some((s) => s.name === "raft-kv"));
 * ```
 */
export const clusterScenarios: readonly ClusterScenario[] = [
  raftKvCluster,
  ...maelstromClusters,
];

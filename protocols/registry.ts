/**
 * The registry of every scenario the command line, the demo and the tests
 * know. Each protocol adds its scenarios here, one line each.
 *
 * @module
 */

import { ScenarioRegistry } from "../sim/scenario.ts";
import { twoPhaseCommit, twoPhaseCommitFt } from "./commit/scenarios.ts";
import { broadcastCausal, broadcastFifo, broadcastTotal } from "./broadcast/scenario.ts";
import { lamport, vectorClock } from "./clocks/scenario.ts";
import { crdtCounter, crdtLwwSet, crdtOrSet, crdtText } from "./crdt/scenarios.ts";
import { gossip } from "./gossip/scenario.ts";
import { paxos } from "./paxos/scenario.ts";
import { pingPong } from "./ping_pong/scenario.ts";
import { txnKv } from "./txn_kv/scenario.ts";
import { abd, quorum } from "./quorum/scenarios.ts";
import {
  raft,
  raftChurn,
  raftElection,
  raftFigure8,
  raftLeaderCrash,
  raftPartition,
  raftReplication,
  raftUnreliable,
} from "./raft/scenarios.ts";

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
  // In the order of the course: models, time and order, quorums, consensus, atomic commit, CRDTs.
  .register(pingPong)
  .register(gossip)
  .register(lamport)
  .register(vectorClock)
  .register(broadcastFifo)
  .register(broadcastCausal)
  .register(broadcastTotal)
  .register(quorum)
  .register(abd)
  .register(paxos)
  .register(raft)
  .register(raftElection)
  .register(raftReplication)
  .register(raftLeaderCrash)
  .register(raftPartition)
  .register(raftFigure8)
  .register(raftChurn)
  .register(raftUnreliable)
  .register(twoPhaseCommit)
  .register(twoPhaseCommitFt)
  .register(txnKv)
  .register(crdtCounter)
  .register(crdtLwwSet)
  .register(crdtOrSet)
  .register(crdtText);

/**
 * The mutation suite: classic one-to-five-line mistakes across every
 * protocol, each planted in a copy of the repository and searched for with
 * `sim explore` on the scenario a user would pick first (see `run.ts`).
 *
 * @module
 */

import { broadcastMutants } from "./broadcast.ts";
import { clockMutants } from "./clocks.ts";
import { clockSyncMutants } from "./clocksync.ts";
import { commitMutants } from "./commit.ts";
import { crdtMutants } from "./crdt.ts";
import { gossipMutants } from "./gossip.ts";
import { paxosMutants } from "./paxos.ts";
import type { Mutant } from "./mutant.ts";
import { quorumMutants } from "./quorum.ts";
import { raftMutants } from "./raft.ts";
import { smrMutants } from "./smr.ts";
import { spannerMutants } from "./spanner.ts";
import { txnKvMutants } from "./txn_kv.ts";

export type { Edit, Mutant } from "./mutant.ts";

/** Every mutant, in the order of the course. */
export const mutants: readonly Mutant[] = [
  ...gossipMutants,
  ...clockSyncMutants,
  ...clockMutants,
  ...broadcastMutants,
  ...quorumMutants,
  ...smrMutants,
  ...paxosMutants,
  ...raftMutants,
  ...commitMutants,
  ...crdtMutants,
  ...txnKvMutants,
  ...spannerMutants,
];

/**
 * Raft: a replicated key-value store on the consensus algorithm of Ongaro
 * and Ousterhout, as actors for the simulator. Read `node.ts` next to
 * Figure 2 of the paper; `scenarios.ts` lists what the simulator runs.
 *
 * | file | idea |
 * | --- | --- |
 * | `messages.ts` | the RPCs (Figure 2), PreVote, InstallSnapshot, client messages |
 * | `log.ts` | the log on durable storage, with compaction |
 * | `state_machine.ts` | the key-value machine with exactly-once client sessions |
 * | `node.ts` | a server: one step function per role, one handler per message |
 * | `client.ts` | a client that retries, follows leader hints and gives up with `info` |
 * | `invariants.ts` | the five safety properties checked after every event, and liveness |
 * | `scenarios.ts` | `raft`, `raft-election`, ... `raft-figure8` |
 * | `labels.ts` | short message labels for diagrams |
 *
 * @example
 * ```ts
 * import { raftFigure8 } from "./mod.ts";
 * import { runScenario } from "../../sim/scenario.ts";
 * import assert from "node:assert/strict";
 * assert.equal(runScenario(raftFigure8, { seed: 1 }).ok, true);
 * ```
 *
 * @module
 */

export { assert, RaftAssertionError } from "./assert.ts";
export { RaftClient, type RaftClientConfig } from "./client.ts";
export {
  type CheckedServer,
  type LivenessBounds,
  livenessBounds,
  RaftLiveness,
  RaftSafety,
  SAFETY_CHECKS,
  type SafetyCheck,
} from "./invariants.ts";
export { raftMessageLabel } from "./labels.ts";
export { RaftLog } from "./log.ts";
export type {
  AdminMsg,
  ClientMsg,
  Entry,
  PeerMsg,
  RaftMsg,
  ReadPath,
  Snapshot,
} from "./messages.ts";
export {
  type RaftConfig,
  type RaftEvent,
  type RaftInspect,
  RaftNode,
  type RaftTimer,
  type ResolvedRaftConfig,
  resolveRaftConfig,
  type Role,
} from "./node.ts";
export { Inflights, Progress, type ProgressState } from "./progress.ts";
export {
  committedIndex,
  jointCommittedIndex,
  type JointConfig,
  jointVoteResult,
  type VoteResult,
  voteResult,
} from "./quorum.ts";
export { type PendingRead, ReadOnly } from "./read_only.ts";
export {
  applyConfChange,
  type ClusterConfig,
  type ConfChange,
  EMPTY_CONFIG,
  members,
} from "./membership.ts";
export {
  raft,
  raftChurn,
  type RaftCluster,
  type RaftClusterOptions,
  raftElection,
  raftFigure8,
  type RaftFigure8Flags,
  raftLeaderCrash,
  raftMembership,
  type RaftMembershipFlags,
  raftPartition,
  type RaftPartitionFlags,
  raftReplication,
  raftScenarios,
  raftSummary,
  raftTransfer,
  type RaftTransferFlags,
  raftUnreliable,
  type RaftWorkloadFlags,
  spawnRaftCluster,
} from "./scenarios.ts";
export {
  type AnyMachine,
  type ApplyOutcome,
  type Command,
  commandKey,
  type KvOp,
  type KvResult,
  KvStore,
  type MachineSnapshot,
  type OpOf,
  type ResultOf,
  type Session,
  SessionMachine,
  type StateMachine,
} from "./state_machine.ts";
export {
  ELECTION_TIMEOUT_MS,
  LabFailure,
  LabMachine,
  RaftHarness,
  type RaftHarnessOptions,
  type StartResult,
} from "./harness.ts";
export { type LockOp, type LockResult, LockService, type LockSnapshot } from "./lock_service.ts";
export { type AdminTimer, RaftAdmin, type RaftAdminConfig } from "./admin.ts";
export {
  describeEntry,
  describeMessage,
  formatTranscript,
  parseTranscript,
  RaftInteraction,
  type TranscriptCase,
} from "./transcript.ts";

/**
 * The messages of Raft, with the field names of Figure 2 of the paper
 * (Ongaro and Ousterhout, "In Search of an Understandable Consensus
 * Algorithm", 2014), plus the extensions etcd's raft ships and this
 * implementation uses:
 *
 * - `PreVote` (dissertation §9.6): ask "would you vote for me?" before
 *   bumping the term, so a node that was cut off cannot disrupt the cluster
 *   when it returns;
 * - `AppendEntriesReply` carries a conflict hint (`conflictIndex`,
 *   `conflictTerm`) so a leader backs up over a whole term per round trip
 *   (end of §5.3);
 * - `seq` on AppendEntries and InstallSnapshot, echoed in the replies, so a
 *   leader can tell that a majority still followed it after a given moment
 *   (the ReadIndex read, dissertation §6.4);
 * - `TimeoutNow`: start an election at once (leadership transfer,
 *   dissertation §3.10); scripted scenarios use it to pick leaders;
 * - administration: `ConfChangeRequest` changes the membership one server at
 *   a time, `TransferLeadership` hands the lead to another voter.
 *
 * The paper's `leaderId` and `candidateId` are the message's sender, which
 * every handler gets, so they are not repeated in the message. Messages are
 * plain data: log entries and snapshots inside them are never mutated.
 *
 * @module
 */

import type { NodeId } from "../../actors/mod.ts";
import type { ClusterConfig, ConfChange } from "./membership.ts";
import type { Command, KvOp, KvResult, MachineSnapshot } from "./state_machine.ts";

/**
 * One log entry: the command, the term of the leader that created it, and
 * its position. (term, index) names an entry uniquely (Log Matching).
 *
 * @example
 * ```ts
 * import type { Entry } from "./messages.ts";
 * import assert from "node:assert/strict";
 * const e: Entry = { term: 2, index: 7, command: { type: "noop" } };
 * assert.equal(e.index, 7);
 * ```
 */
export interface Entry<C = KvOp> {
  /** The term of the leader that created it. */
  term: number;
  /** Its position in the log, from 1. */
  index: number;
  /** What it asks the state machine (or Raft) to do. */
  command: Command<C>;
}

/**
 * A snapshot of the state machine after applying every entry up to
 * `lastIncludedIndex` (§7, Figure 12), with the configuration in force
 * there (the latest configuration entry it covers).
 *
 * @example
 * ```ts
 * import type { Snapshot } from "./messages.ts";
 * import assert from "node:assert/strict";
 * const s: Snapshot = {
 *   lastIncludedIndex: 10, lastIncludedTerm: 2,
 *   config: { voters: ["n1", "n2", "n3"], learners: [] },
 *   state: { machine: [], sessions: [], digest: 0 },
 * };
 * assert.equal(s.config.voters.length, 3);
 * ```
 */
export interface Snapshot {
  /** The last index the snapshot covers. */
  lastIncludedIndex: number;
  /** The term of that entry. */
  lastIncludedTerm: number;
  /** The configuration in force at that index. */
  config: ClusterConfig;
  /** The state machine with its sessions. */
  state: MachineSnapshot;
}

/**
 * Messages between servers.
 *
 * @example
 * ```ts
 * import type { PeerMsg } from "./messages.ts";
 * import assert from "node:assert/strict";
 * const hb: PeerMsg = {
 *   type: "AppendEntries", term: 3, prevLogIndex: 9, prevLogTerm: 3,
 *   entries: [], leaderCommit: 9, seq: 41,
 * };
 * assert.equal(hb.type, "AppendEntries");
 * ```
 */
export type PeerMsg<C = KvOp> =
  /** "Would you vote for me in `term`?" Sent for currentTerm + 1, without changing any term. */
  | { type: "PreVote"; term: number; lastLogIndex: number; lastLogTerm: number }
  | { type: "PreVoteReply"; term: number; granted: boolean }
  /** §5.2. `transfer`: sent after TimeoutNow, so voters skip the leader lease. */
  | {
    type: "RequestVote";
    term: number;
    lastLogIndex: number;
    lastLogTerm: number;
    transfer: boolean;
  }
  | { type: "RequestVoteReply"; term: number; granted: boolean }
  /** §5.3. No entries: a heartbeat. */
  | {
    type: "AppendEntries";
    term: number;
    prevLogIndex: number;
    prevLogTerm: number;
    entries: Entry<C>[];
    leaderCommit: number;
    seq: number;
  }
  /** Success: the follower's log matches the leader's through `matchIndex`. */
  | { type: "AppendEntriesReply"; term: number; success: true; matchIndex: number; seq: number }
  /**
   * Failure: no entry (`prevLogIndex`, its term) here. The follower's best
   * guess of the last match is `conflictIndex`, whose term here is
   * `conflictTerm` (the largest index <= prevLogIndex with a term <= prevLogTerm).
   */
  | {
    type: "AppendEntriesReply";
    term: number;
    success: false;
    prevLogIndex: number;
    conflictIndex: number;
    conflictTerm: number;
    seq: number;
  }
  /** §7, Figure 13, sent whole (the paper's chunking by `offset` is not needed in a simulation). */
  | { type: "InstallSnapshot"; term: number; snapshot: Snapshot; seq: number }
  | { type: "InstallSnapshotReply"; term: number; matchIndex: number; seq: number }
  /** Start an election now, skipping PreVote and the leader lease (dissertation §3.10). */
  | { type: "TimeoutNow" };

/**
 * Messages between clients and servers. The client id of a session is the
 * sender of the request.
 *
 * @example
 * ```ts
 * import type { ClientMsg } from "./messages.ts";
 * import assert from "node:assert/strict";
 * const req: ClientMsg = { type: "ClientRequest", seq: 1, op: { f: "get", key: "x" }, read: "read-index" };
 * assert.equal(req.type, "ClientRequest");
 * ```
 */
export type ClientMsg<C = KvOp, R = KvResult> =
  /** `read`: how a read-only command is served: through the log (default) or by ReadIndex. */
  | { type: "ClientRequest"; seq: number; op: C; read?: ReadPath }
  | { type: "ClientReply"; seq: number; result: R }
  /** "I am not the leader; try `leaderHint`" (null when it does not know one). */
  | { type: "NotLeader"; seq: number; leaderHint: NodeId | null };

/**
 * How a linearizable read is served: `log` appends the `get` to the log like
 * any command; `read-index` confirms leadership with a round of heartbeats
 * and reads once the state machine has caught up (dissertation §6.4).
 *
 * @example
 * ```ts
 * import type { ReadPath } from "./messages.ts";
 * import assert from "node:assert/strict";
 * const path: ReadPath = "read-index";
 * assert.equal(path, "read-index");
 * ```
 */
export type ReadPath = "log" | "read-index";

/**
 * Messages of an operator (a test, a scenario's admin actor) to the leader.
 * A membership change is answered once it commits (`ok`), or at once with
 * the reason it was refused (not the leader, a change still pending, no
 * entry of the leader's term committed yet, a learner not caught up, an
 * invalid change). A transfer is not answered: the new leader shows it.
 *
 * @example
 * ```ts
 * import type { AdminMsg } from "./messages.ts";
 * import assert from "node:assert/strict";
 * const m: AdminMsg = { type: "ConfChangeRequest", id: 1, change: { op: "remove", node: "n3" } };
 * assert.equal(m.type, "ConfChangeRequest");
 * ```
 */
export type AdminMsg =
  | { type: "ConfChangeRequest"; id: number; change: ConfChange }
  | { type: "ConfChangeReply"; id: number; ok: true; index: number }
  | { type: "ConfChangeReply"; id: number; ok: false; reason: string; leaderHint: NodeId | null }
  /** Hand the lead to `to` (dissertation §3.10): catch it up, then TimeoutNow. */
  | { type: "TransferLeadership"; to: NodeId }
  /**
   * Snapshot the state machine now and drop the log through `index` (6.824's
   * `Snapshot(index, data)`: the data is the state machine's own snapshot).
   */
  | { type: "TakeSnapshot"; index: number };

/**
 * Every message a Raft server or client sends or receives.
 *
 * @example
 * ```ts
 * import type { RaftMsg } from "./messages.ts";
 * import assert from "node:assert/strict";
 * const m: RaftMsg = { type: "TimeoutNow" };
 * assert.equal(m.type, "TimeoutNow");
 * ```
 */
export type RaftMsg<C = KvOp, R = KvResult> = PeerMsg<C> | ClientMsg<C, R> | AdminMsg;

/**
 * A Raft server as an actor, written to be read next to Figure 2 of the
 * paper (Ongaro and Ousterhout, 2014) and etcd's `raft.go`.
 *
 * The shape is etcd's: every message first goes through the term rules that
 * hold for all servers ({@linkcode RaftNode} `#stepTerm`), then to the step
 * function of the node's role (`#stepFollower`, `#stepCandidate`,
 * `#stepLeader`), which has one case per message type. Handlers are named
 * after the RPCs and cite the rule they implement.
 *
 * Beyond the paper's core, as etcd's users expect:
 *
 * - PreVote (dissertation §9.6) and CheckQuorum: a node cut off from the
 *   cluster cannot raise its term and disrupt the leader when it returns, and
 *   a leader that no longer hears from a majority steps down. With
 *   CheckQuorum, a server that heard from a leader within the minimum
 *   election timeout ignores vote requests (the leader lease).
 * - Log replication with pipelining (a follower that matched gets entries
 *   streamed without waiting for replies) and fast back-off: a rejection
 *   carries the follower's best guess of where the logs match, and the
 *   leader skips a whole term per round trip (end of §5.3).
 * - A no-op entry at the start of each term (§8), so a new leader commits
 *   entries of earlier terms promptly, and knows its commit index for reads.
 * - Snapshots when the applied log grows past `snapshotEvery` entries, and
 *   InstallSnapshot for followers too far behind (§7).
 * - Client sessions for exactly-once commands (in `state_machine.ts`), and
 *   linearizable reads through the log or by ReadIndex (dissertation §6.4).
 *
 * Persistence: `currentTerm`, `votedFor`, the log and the snapshot are
 * written to `ctx.storage` before any message that depends on them is sent
 * (Figure 2: "updated on stable storage before responding to RPCs"). A
 * restart builds a fresh instance; `onStart` reads them back and every other
 * field starts over, as Figure 2's "volatile state" says.
 *
 * @module
 */

import type { Actor, Context, NodeId } from "../../actors/mod.ts";
import { ConfigError } from "../../sim/errors.ts";
import { assert } from "./assert.ts";
import { RaftLog } from "./log.ts";
import type { Entry, PeerMsg, RaftMsg, Snapshot } from "./messages.ts";
import { type ApplyOutcome, type Command, KvStateMachine } from "./state_machine.ts";

/**
 * The role of a server. `precandidate` is etcd's: a follower whose election
 * timer fired, asking for pre-votes before it dares to raise its term.
 *
 * @example
 * ```ts
 * import type { Role } from "./node.ts";
 * const r: Role = "leader";
 * ```
 */
export type Role = "follower" | "precandidate" | "candidate" | "leader";

/**
 * Settings of a Raft server. Only `servers` is required.
 *
 * @example
 * ```ts
 * import type { RaftConfig } from "./node.ts";
 * const c: RaftConfig = { servers: ["n1", "n2", "n3"], heartbeatMs: 50, snapshotEvery: 100 };
 * ```
 */
export interface RaftConfig {
  /** Every server of the cluster, this one included. */
  servers: readonly NodeId[];
  /** Election timeouts are drawn uniformly from [min, max) ms (§5.2; default 150..300). */
  electionMinMs?: number;
  electionMaxMs?: number;
  /** Time between a leader's heartbeats, ms (default 50). */
  heartbeatMs?: number;
  /** Ask for pre-votes before starting an election (default true). */
  preVote?: boolean;
  /** Leaders step down without a majority; followers honour the leader lease (default true). */
  checkQuorum?: boolean;
  /** A new leader appends a no-op entry (§8; default true). */
  noopOnElection?: boolean;
  /** Take a snapshot once this many applied entries follow the last one (default 100). */
  snapshotEvery?: number;
  /** Most entries in one AppendEntries (default 64). */
  maxEntriesPerAppend?: number;
  /**
   * For teaching only: count replicas of entries from earlier terms when
   * committing, breaking the rule Figure 8 of the paper shows is needed.
   * The safety checkers catch the result. Default false.
   */
  unsafeCommitPreviousTerms?: boolean;
}

/**
 * A {@linkcode RaftConfig} with every default filled in.
 *
 * @example
 * ```ts
 * import { resolveRaftConfig } from "./node.ts";
 * resolveRaftConfig({ servers: ["n1"] }).heartbeatMs; // 50
 * ```
 */
export type ResolvedRaftConfig = Readonly<Required<RaftConfig>>;

/**
 * Fills in defaults and checks a configuration; throws a
 * {@linkcode ConfigError} naming the bad setting.
 *
 * @example
 * ```ts
 * import { resolveRaftConfig } from "./node.ts";
 * resolveRaftConfig({ servers: ["n1", "n2", "n3"] }).electionMaxMs; // 300
 * ```
 */
export function resolveRaftConfig(config: RaftConfig): ResolvedRaftConfig {
  const c: Required<RaftConfig> = {
    servers: [...config.servers],
    electionMinMs: config.electionMinMs ?? 150,
    electionMaxMs: config.electionMaxMs ?? 300,
    heartbeatMs: config.heartbeatMs ?? 50,
    preVote: config.preVote ?? true,
    checkQuorum: config.checkQuorum ?? true,
    noopOnElection: config.noopOnElection ?? true,
    snapshotEvery: config.snapshotEvery ?? 100,
    maxEntriesPerAppend: config.maxEntriesPerAppend ?? 64,
    unsafeCommitPreviousTerms: config.unsafeCommitPreviousTerms ?? false,
  };
  if (c.servers.length === 0 || new Set(c.servers).size !== c.servers.length) {
    throw new ConfigError("raft servers", `must be distinct node ids, got ${c.servers.join(",")}`);
  }
  if (!(c.electionMinMs > 0 && c.electionMaxMs > c.electionMinMs)) {
    throw new ConfigError(
      "raft election timeout",
      `needs 0 < electionMinMs < electionMaxMs, got ${c.electionMinMs}..${c.electionMaxMs}`,
    );
  }
  if (!(c.heartbeatMs > 0 && c.heartbeatMs < c.electionMinMs)) {
    throw new ConfigError(
      "raft heartbeatMs",
      `must be > 0 and below electionMinMs (${c.electionMinMs}), got ${c.heartbeatMs}`,
    );
  }
  for (const k of ["snapshotEvery", "maxEntriesPerAppend"] as const) {
    if (!(Number.isInteger(c[k]) && c[k] >= 1)) {
      throw new ConfigError(`raft ${k}`, `must be a whole number >= 1, got ${c[k]}`);
    }
  }
  return c;
}

/**
 * What a leader knows about one follower (etcd's `Progress`).
 *
 * @example
 * ```ts
 * import type { Progress } from "./node.ts";
 * const p: Progress = {
 *   match: 4, next: 5, state: "replicate", probeSent: false, recentActive: true, ackedSeq: 12,
 * };
 * ```
 */
export interface Progress {
  /** Figure 2's matchIndex: highest index known to match the leader's log. */
  match: number;
  /** Figure 2's nextIndex: the next entry to send. */
  next: number;
  /**
   * `probe`: one AppendEntries at a time until the logs are found to match;
   * `replicate`: entries are streamed, `next` moves ahead optimistically;
   * `snapshot`: an InstallSnapshot is on its way.
   */
  state: "probe" | "replicate" | "snapshot";
  /** In `probe`: an AppendEntries is out; wait for its reply or the next heartbeat. */
  probeSent: boolean;
  /** Heard from since the last CheckQuorum. */
  recentActive: boolean;
  /** The highest `seq` the follower has echoed in this term (for ReadIndex). */
  ackedSeq: number;
}

/** A ReadIndex read waiting to be served. */
interface PendingRead {
  client: NodeId;
  seq: number;
  key: string;
  /** The read index: commitIndex when the read arrived. */
  index: number;
  /** Replies to messages with `seq` above this confirm leadership after the read arrived. */
  after: number;
}

/** What `raft/hard` holds (etcd's HardState without the commit index). */
interface HardState {
  term: number;
  votedFor: NodeId | null;
}

type TimerName = "election" | "heartbeat" | "check-quorum" | "compact";
type VoteRequest = Extract<PeerMsg, { type: "PreVote" | "RequestVote" }>;
type Termed = Extract<RaftMsg, { term: number }>;

const HARD_STATE = "raft/hard";
const SNAPSHOT = "raft/snapshot";

/**
 * One Raft server.
 *
 * @example
 * ```ts
 * import { Simulation } from "../../sim/simulation.ts";
 * import { RaftNode } from "./node.ts";
 * const servers = ["n1", "n2", "n3"];
 * const sim = new Simulation({ seed: 1, trace: "off" });
 * for (const id of servers) sim.spawn(id, () => new RaftNode({ servers }));
 * sim.run({ until: 1000 });
 * servers.filter((id) => sim.actor<RaftNode>(id)!.role === "leader").length; // 1
 * ```
 */
export class RaftNode implements Actor<RaftMsg> {
  readonly config: ResolvedRaftConfig;

  // Persistent state on all servers (Figure 2), mirrored in ctx.storage.
  #currentTerm = 0;
  #votedFor: NodeId | null = null;
  #log!: RaftLog;
  #snapshot: Snapshot | null = null;

  // Volatile state on all servers.
  #self: NodeId = "";
  #peers: NodeId[] = [];
  #quorum = 1;
  #role: Role = "follower";
  #leaderId: NodeId | null = null;
  #commitIndex = 0;
  #lastApplied = 0;
  #sm = new KvStateMachine();
  /** Local time we last heard from the leader (for the lease). */
  #leaderContactAt = -Infinity;
  /** Local time the election timeout runs out. */
  #electionDeadline = 0;
  /** Local time the election timer is armed for, or null when it is not. */
  #electionTimerAt: number | null = null;

  // Volatile state on candidates.
  #granted = new Set<NodeId>();
  #rejected = new Set<NodeId>();

  // Volatile state on leaders (reinitialised after election).
  #progress = new Map<NodeId, Progress>();
  #seq = 0;
  /** Per client, the command last proposed in this term, so a retry is not appended twice. */
  #proposed = new Map<NodeId, { seq: number; index: number }>();
  #readsAwaitingCommit: PendingRead[] = [];
  #readsAwaitingQuorum: PendingRead[] = [];
  #readsAwaitingApply: PendingRead[] = [];

  constructor(config: RaftConfig) {
    this.config = resolveRaftConfig(config);
  }

  // ---- read-only views for checkers, tests and summaries ---------------------

  /** Whether `onStart` has run: a restarted instance exists a moment before it starts. */
  get started(): boolean {
    return this.#log !== undefined;
  }

  /** This node's role. */
  get role(): Role {
    return this.#role;
  }
  /** Figure 2's currentTerm. */
  get currentTerm(): number {
    return this.#currentTerm;
  }
  /** Figure 2's votedFor. */
  get votedFor(): NodeId | null {
    return this.#votedFor;
  }
  /** The leader this node follows in the current term, if known. */
  get leaderId(): NodeId | null {
    return this.#leaderId;
  }
  /** Figure 2's commitIndex. */
  get commitIndex(): number {
    return this.#commitIndex;
  }
  /** Figure 2's lastApplied. */
  get lastApplied(): number {
    return this.#lastApplied;
  }
  /** The log (for reading: checkers and tests must not change it). */
  get log(): RaftLog {
    return this.#log;
  }
  /** The state machine (for reading). */
  get stateMachine(): KvStateMachine {
    return this.#sm;
  }
  /** What this node, as leader, knows of `peer`; undefined when not leader. */
  progress(peer: NodeId): Readonly<Progress> | undefined {
    return this.#role === "leader" ? this.#progress.get(peer) : undefined;
  }

  // ---- the actor's entry points ------------------------------------------------

  onStart(ctx: Context<RaftMsg>): void {
    this.#self = ctx.self;
    assert(
      this.config.servers.includes(ctx.self),
      () => `${ctx.self} is not among the servers ${this.config.servers.join(",")}`,
    );
    this.#peers = this.config.servers.filter((id) => id !== ctx.self);
    this.#quorum = Math.floor(this.config.servers.length / 2) + 1;
    const hard = ctx.storage.get<HardState>(HARD_STATE);
    this.#currentTerm = hard?.term ?? 0;
    this.#votedFor = hard?.votedFor ?? null;
    this.#log = new RaftLog(ctx.storage);
    this.#snapshot = ctx.storage.get<Snapshot>(SNAPSHOT) ?? null;
    assert(
      (this.#snapshot?.lastIncludedIndex ?? 0) === this.#log.snapshotIndex,
      "the snapshot on disk does not match the log",
    );
    this.#sm = this.#snapshot ? KvStateMachine.restore(this.#snapshot.state) : new KvStateMachine();
    // Volatile state starts over: what the snapshot holds is applied and
    // committed; the rest of the commit index is learned from the leader.
    this.#commitIndex = this.#lastApplied = this.#log.snapshotIndex;
    this.#role = "follower";
    ctx.log(`follower t${this.#currentTerm}`);
    this.#resetElectionTimer(ctx);
  }

  onMessage(ctx: Context<RaftMsg>, msg: RaftMsg, from: NodeId): void {
    if ("term" in msg && !this.#stepTerm(ctx, msg, from)) return;
    switch (this.#role) {
      case "follower":
        return this.#stepFollower(ctx, msg, from);
      case "precandidate":
      case "candidate":
        return this.#stepCandidate(ctx, msg, from);
      case "leader":
        return this.#stepLeader(ctx, msg, from);
      default: {
        const never: never = this.#role;
        throw new Error(`unknown role ${never}`);
      }
    }
  }

  onTimer(ctx: Context<RaftMsg>, name: string): void {
    const timer = name as TimerName;
    switch (timer) {
      case "election":
        // Figure 2, followers: "If election timeout elapses without receiving
        // AppendEntries RPC from current leader or granting vote to candidate:
        // convert to candidate." Candidates: "If election timeout elapses:
        // start new election."
        assert(this.#role !== "leader", "a leader's election timer fired");
        this.#electionTimerAt = null;
        // Heard from the leader since it was armed: wait out the rest. (Timers
        // are rounded to the microsecond; less than that left is no wait.)
        if (this.#electionDeadline - ctx.now() >= 0.001) return this.#armElectionTimer(ctx);
        return this.#campaign(ctx, this.config.preVote ? "pre" : "election");
      case "heartbeat":
        return this.#onHeartbeat(ctx);
      case "check-quorum":
        return this.#onCheckQuorum(ctx);
      case "compact":
        return this.#compact(ctx);
      default: {
        const never: never = timer;
        throw new Error(`unknown timer ${JSON.stringify(never)}`);
      }
    }
  }

  // ---- rules for all servers ---------------------------------------------------

  /**
   * The term rules every message goes through first. Returns whether the
   * message should go on to the role's step function.
   */
  #stepTerm(ctx: Context<RaftMsg>, msg: Termed, from: NodeId): boolean {
    if (msg.term > this.#currentTerm) {
      const vote = msg.type === "PreVote" || msg.type === "RequestVote";
      const transfer = msg.type === "RequestVote" && msg.transfer;
      if (vote && !transfer && this.#inLease(ctx)) {
        // The leader lease (CheckQuorum, dissertation §4.2.3): we heard from a
        // live leader less than an election timeout ago, so whoever campaigns
        // is disrupting a working cluster. Ignore it and keep our term.
        return false;
      }
      if (msg.type === "PreVote") return true; // a pre-vote never changes our term
      if (msg.type === "PreVoteReply" && msg.granted) return true; // the term we may campaign for
      // Figure 2, all servers: "If RPC request or response contains term
      // T > currentTerm: set currentTerm = T, convert to follower (§5.1)."
      const leader = msg.type === "AppendEntries" || msg.type === "InstallSnapshot" ? from : null;
      this.#becomeFollower(ctx, msg.term, leader);
      return true;
    }
    if (msg.term < this.#currentTerm) {
      // A message from an older term. Requests get a reply carrying our term,
      // so a stale leader or candidate learns it and steps down (§5.1); old
      // replies are dropped.
      switch (msg.type) {
        case "AppendEntries":
          ctx.send(from, {
            type: "AppendEntriesReply",
            term: this.#currentTerm,
            success: false,
            prevLogIndex: msg.prevLogIndex,
            conflictIndex: 0,
            conflictTerm: 0,
            seq: msg.seq,
          });
          break;
        case "InstallSnapshot":
          ctx.send(from, {
            type: "InstallSnapshotReply",
            term: this.#currentTerm,
            matchIndex: 0,
            seq: msg.seq,
          });
          break;
        case "PreVote":
          ctx.send(from, { type: "PreVoteReply", term: this.#currentTerm, granted: false });
          break;
        case "RequestVote":
          ctx.send(from, { type: "RequestVoteReply", term: this.#currentTerm, granted: false });
          break;
        default:
          break;
      }
      return false;
    }
    return true;
  }

  /**
   * RequestVote and PreVote, in any role (§5.2, §5.4.1). The term rules
   * have already run, so `msg.term >= currentTerm`.
   */
  #handleVoteRequest(ctx: Context<RaftMsg>, msg: VoteRequest, from: NodeId): void {
    const pre = msg.type === "PreVote";
    // "If votedFor is null or candidateId" (§5.2): one vote per term. Like
    // etcd, we also refuse while we follow a leader of this term. A pre-vote
    // for a later term binds nothing, so it only needs the log check.
    const canVote = this.#votedFor === from ||
      (this.#votedFor === null && this.#leaderId === null) ||
      (pre && msg.term > this.#currentTerm);
    // "...and candidate's log is at least as up-to-date as receiver's log,
    // grant vote" (§5.4.1, the election restriction).
    const upToDate = this.#log.isUpToDate(msg.lastLogIndex, msg.lastLogTerm);
    const type = pre ? "PreVoteReply" : "RequestVoteReply";
    if (canVote && upToDate) {
      if (!pre) {
        this.#votedFor = from;
        this.#saveHardState(ctx); // persist the vote before granting it
        this.#resetElectionTimer(ctx);
      }
      // The reply carries the request's term: for a pre-vote it is our term
      // plus one, which the pre-candidate must not drop as stale.
      ctx.send(from, { type, term: msg.term, granted: true });
    } else {
      ctx.send(from, { type, term: this.#currentTerm, granted: false });
    }
  }

  // ---- followers -----------------------------------------------------------------

  #stepFollower(ctx: Context<RaftMsg>, msg: RaftMsg, from: NodeId): void {
    switch (msg.type) {
      case "AppendEntries":
        this.#followLeader(ctx, from);
        return this.#handleAppendEntries(ctx, msg, from);
      case "InstallSnapshot":
        this.#followLeader(ctx, from);
        return this.#handleInstallSnapshot(ctx, msg, from);
      case "PreVote":
      case "RequestVote":
        return this.#handleVoteRequest(ctx, msg, from);
      case "TimeoutNow":
        return this.#campaign(ctx, "transfer");
      case "ClientRequest":
        // Figure 2 lets followers redirect clients to the leader.
        return ctx.send(from, { type: "NotLeader", seq: msg.seq, leaderHint: this.#leaderId });
      case "PreVoteReply":
      case "RequestVoteReply":
      case "AppendEntriesReply":
      case "InstallSnapshotReply":
      case "ClientReply":
      case "NotLeader":
        return; // late replies to a role we left, or client messages meant for clients
      default: {
        const never: never = msg;
        throw new Error(`unexpected message ${JSON.stringify(never)}`);
      }
    }
  }

  /** AppendEntries at a follower (Figure 2, "Receiver implementation"). */
  #handleAppendEntries(
    ctx: Context<RaftMsg>,
    msg: Extract<PeerMsg, { type: "AppendEntries" }>,
    from: NodeId,
  ): void {
    let { prevLogIndex, prevLogTerm, entries } = msg;
    if (prevLogIndex < this.#commitIndex) {
      // An old or duplicated message. Entries up to our commitIndex are
      // committed, and committed entries are in every later leader's log at
      // the same index (Leader Completeness, §5.4): skip that part.
      const skip = Math.min(entries.length, this.#commitIndex - prevLogIndex);
      if (skip > 0) {
        prevLogTerm = entries[skip - 1].term;
        entries = entries.slice(skip);
        prevLogIndex += skip;
      }
      if (prevLogIndex < this.#commitIndex) {
        return this.#replyAppend(ctx, from, msg.seq, this.#commitIndex);
      }
    }
    // 2. "Reply false if log doesn't contain an entry at prevLogIndex whose
    //    term matches prevLogTerm (§5.3)."
    if (!this.#log.matches(prevLogIndex, prevLogTerm)) {
      assert(prevLogIndex > this.#commitIndex, "the leader's log conflicts with a committed entry");
      // Fast back-off: everything after the largest index whose term is
      // <= prevLogTerm cannot match, so point the leader there.
      const hint = this.#log.findConflictByTerm(
        Math.min(prevLogIndex, this.#log.lastIndex),
        prevLogTerm,
      );
      ctx.send(from, {
        type: "AppendEntriesReply",
        term: this.#currentTerm,
        success: false,
        prevLogIndex: msg.prevLogIndex,
        conflictIndex: hint.index,
        conflictTerm: hint.term,
        seq: msg.seq,
      });
      return;
    }
    // 3. "If an existing entry conflicts with a new one (same index but
    //    different terms), delete the existing entry and all that follow it."
    // 4. "Append any new entries not already in the log."
    // An entry that is already there stays, and so does whatever follows it:
    // a delayed, shorter AppendEntries must not cut off newer entries.
    let i = 0;
    for (; i < entries.length; i++) {
      const mine = this.#log.term(entries[i].index);
      if (mine === undefined) break;
      if (mine !== entries[i].term) {
        assert(entries[i].index > this.#commitIndex, "a committed entry would be overwritten");
        this.#log.truncateFrom(entries[i].index);
        break;
      }
    }
    if (i < entries.length) this.#log.append(entries.slice(i)); // persisted before the reply
    // 5. "If leaderCommit > commitIndex, set commitIndex =
    //    min(leaderCommit, index of last new entry)."
    const lastNew = prevLogIndex + entries.length;
    const commit = Math.min(msg.leaderCommit, lastNew);
    if (commit > this.#commitIndex) this.#commitTo(ctx, commit);
    this.#replyAppend(ctx, from, msg.seq, lastNew);
  }

  #replyAppend(ctx: Context<RaftMsg>, to: NodeId, seq: number, matchIndex: number): void {
    ctx.send(to, {
      type: "AppendEntriesReply",
      term: this.#currentTerm,
      success: true,
      matchIndex,
      seq,
    });
  }

  /** InstallSnapshot at a follower (§7, Figure 13 "Receiver implementation"). */
  #handleInstallSnapshot(
    ctx: Context<RaftMsg>,
    msg: Extract<PeerMsg, { type: "InstallSnapshot" }>,
    from: NodeId,
  ): void {
    const s = msg.snapshot;
    const reply = (matchIndex: number) =>
      ctx.send(from, {
        type: "InstallSnapshotReply",
        term: this.#currentTerm,
        matchIndex,
        seq: msg.seq,
      });
    if (s.lastIncludedIndex <= this.#commitIndex) return reply(this.#commitIndex); // old news
    if (this.#log.matches(s.lastIncludedIndex, s.lastIncludedTerm)) {
      // 6. "If existing log entry has same index and term as snapshot's last
      //    included entry, retain log entries following it": the entries the
      //    snapshot covers are committed, and we hold them, so apply them.
      this.#commitTo(ctx, s.lastIncludedIndex);
      return reply(s.lastIncludedIndex);
    }
    // 7. "Discard the entire log." 8. "Reset state machine using snapshot
    //    contents." The snapshot reaches the disk first.
    ctx.storage.set(SNAPSHOT, s);
    this.#snapshot = s;
    this.#log.restore(s.lastIncludedIndex, s.lastIncludedTerm);
    this.#sm = KvStateMachine.restore(s.state);
    this.#commitIndex = this.#lastApplied = s.lastIncludedIndex;
    ctx.log(`installed snapshot ${s.lastIncludedIndex}`);
    reply(s.lastIncludedIndex);
  }

  /** Heard from the leader of the current term: remember it and stay a follower. */
  #followLeader(ctx: Context<RaftMsg>, leader: NodeId): void {
    assert(this.#role === "follower", "only followers follow");
    this.#leaderId = leader;
    this.#leaderContactAt = ctx.now();
    this.#resetElectionTimer(ctx);
  }

  // ---- candidates (and pre-candidates) ------------------------------------------------

  #stepCandidate(ctx: Context<RaftMsg>, msg: RaftMsg, from: NodeId): void {
    switch (msg.type) {
      case "AppendEntries":
      case "InstallSnapshot":
        // Figure 2, candidates: "If AppendEntries RPC received from new
        // leader: convert to follower." (Its term equals ours.)
        this.#becomeFollower(ctx, msg.term, from);
        return this.#stepFollower(ctx, msg, from);
      case "PreVote":
      case "RequestVote":
        return this.#handleVoteRequest(ctx, msg, from);
      case "PreVoteReply":
        // Only grants for the term we asked about count; a rejection from a
        // later term already made us a follower.
        if (this.#role === "precandidate" && (!msg.granted || msg.term === this.#currentTerm + 1)) {
          this.#poll(ctx, from, msg.granted);
        }
        return;
      case "RequestVoteReply":
        if (this.#role === "candidate") this.#poll(ctx, from, msg.granted);
        return;
      case "TimeoutNow":
        return this.#campaign(ctx, "transfer");
      case "ClientRequest":
        return ctx.send(from, { type: "NotLeader", seq: msg.seq, leaderHint: null });
      case "AppendEntriesReply":
      case "InstallSnapshotReply":
      case "ClientReply":
      case "NotLeader":
        return;
      default: {
        const never: never = msg;
        throw new Error(`unexpected message ${JSON.stringify(never)}`);
      }
    }
  }

  /**
   * Starts a (pre-)election. `pre` asks for pre-votes for currentTerm + 1
   * and changes nothing durable; `election` is §5.2's "increment
   * currentTerm, vote for self, reset election timer, send RequestVote RPCs
   * to all other servers"; `transfer` is an election on TimeoutNow, which
   * voters accept even inside the leader lease.
   */
  #campaign(ctx: Context<RaftMsg>, kind: "pre" | "election" | "transfer"): void {
    assert(this.#role !== "leader", "a leader campaigned");
    this.#granted = new Set([this.#self]);
    this.#rejected = new Set();
    this.#leaderId = null;
    const last = { lastLogIndex: this.#log.lastIndex, lastLogTerm: this.#log.lastTerm };
    if (kind === "pre") {
      this.#role = "precandidate";
      ctx.log(`precandidate t${this.#currentTerm}`);
    } else {
      this.#role = "candidate";
      this.#currentTerm++;
      this.#votedFor = this.#self;
      this.#saveHardState(ctx);
      ctx.log(`candidate t${this.#currentTerm}`);
    }
    this.#resetElectionTimer(ctx);
    if (this.#granted.size >= this.#quorum) return this.#wonVote(ctx); // a cluster of one
    for (const peer of this.#peers) {
      if (kind === "pre") {
        ctx.send(peer, { type: "PreVote", term: this.#currentTerm + 1, ...last });
      } else {
        ctx.send(peer, {
          type: "RequestVote",
          term: this.#currentTerm,
          ...last,
          transfer: kind === "transfer",
        });
      }
    }
  }

  /** Counts a (pre-)vote; a majority either way decides (§5.2). */
  #poll(ctx: Context<RaftMsg>, from: NodeId, granted: boolean): void {
    (granted ? this.#granted : this.#rejected).add(from);
    if (this.#granted.size >= this.#quorum) {
      this.#wonVote(ctx);
    } else if (this.#rejected.size >= this.#quorum) {
      this.#becomeFollower(ctx, this.#currentTerm, null);
    }
  }

  #wonVote(ctx: Context<RaftMsg>): void {
    if (this.#role === "precandidate") return this.#campaign(ctx, "election");
    this.#becomeLeader(ctx);
  }

  // ---- leaders ---------------------------------------------------------------------------

  #stepLeader(ctx: Context<RaftMsg>, msg: RaftMsg, from: NodeId): void {
    switch (msg.type) {
      case "AppendEntries":
      case "InstallSnapshot":
        // Election Safety: at most one leader per term (§5.2).
        throw new Error(`two leaders in term ${this.#currentTerm}: ${this.#self} and ${from}`);
      case "AppendEntriesReply":
        return this.#handleAppendEntriesReply(ctx, msg, from);
      case "InstallSnapshotReply":
        return this.#handleInstallSnapshotReply(ctx, msg, from);
      case "PreVote":
      case "RequestVote":
        return this.#handleVoteRequest(ctx, msg, from);
      case "ClientRequest":
        return this.#handleClientRequest(ctx, msg, from);
      case "PreVoteReply":
      case "RequestVoteReply":
      case "TimeoutNow":
      case "ClientReply":
      case "NotLeader":
        return;
      default: {
        const never: never = msg;
        throw new Error(`unexpected message ${JSON.stringify(never)}`);
      }
    }
  }

  #becomeLeader(ctx: Context<RaftMsg>): void {
    assert(this.#role === "candidate", "only a candidate becomes leader");
    assert(this.#votedFor === this.#self, "a leader voted for itself");
    this.#role = "leader";
    this.#leaderId = this.#self;
    ctx.log(`leader t${this.#currentTerm}`);
    this.#stopElectionTimer(ctx);
    // Figure 2, volatile state on leaders, "reinitialized after election":
    // nextIndex = leader last log index + 1, matchIndex = 0.
    this.#progress = new Map(this.#peers.map((peer) => [peer, {
      match: 0,
      next: this.#log.lastIndex + 1,
      state: "probe",
      probeSent: false,
      recentActive: false,
      ackedSeq: 0,
    }]));
    this.#proposed = new Map();
    if (this.config.noopOnElection) {
      this.#appendToOwnLog({ type: "noop" });
    }
    for (const peer of this.#peers) this.#sendAppend(ctx, peer, true);
    this.#maybeCommit(ctx); // a cluster of one commits alone
    ctx.setTimer("heartbeat", this.config.heartbeatMs);
    if (this.config.checkQuorum) ctx.setTimer("check-quorum", this.config.electionMinMs);
  }

  /** A client command at the leader: append it, replicate it, answer once applied. */
  #handleClientRequest(
    ctx: Context<RaftMsg>,
    msg: Extract<RaftMsg, { type: "ClientRequest" }>,
    client: NodeId,
  ): void {
    const session = this.#sm.session(client);
    if (session !== undefined && msg.seq <= session.seq) {
      // Exactly once: this command was applied already. Answer a retry from
      // the session; a request older than that the client no longer waits for.
      if (msg.seq === session.seq) {
        ctx.send(client, { type: "ClientReply", seq: msg.seq, result: session.result });
      }
      return;
    }
    const proposed = this.#proposed.get(client);
    if (proposed !== undefined && msg.seq <= proposed.seq) return; // already in our log
    if (msg.op.f === "get" && msg.read === "read-index") {
      return this.#startRead(ctx, { client, seq: msg.seq, key: msg.op.key, index: 0, after: 0 });
    }
    const index = this.#appendToOwnLog({
      type: "kv",
      client,
      seq: msg.seq,
      op: msg.op,
    });
    this.#proposed.set(client, { seq: msg.seq, index });
    for (const peer of this.#peers) this.#sendAppend(ctx, peer, false);
    this.#maybeCommit(ctx);
  }

  /** Figure 2, leaders: "If command received from client: append entry to local log". */
  #appendToOwnLog(command: Command): number {
    const index = this.#log.lastIndex + 1;
    const entry: Entry = { term: this.#currentTerm, index, command };
    this.#log.append([entry]); // Leader Append-Only: the leader only ever appends
    return index;
  }

  /**
   * Sends `peer` what it is missing: entries from nextIndex (§5.3), or the
   * snapshot when those entries are compacted away (§7). A heartbeat is
   * sent even when there is nothing new, and even while a probe is out.
   */
  #sendAppend(ctx: Context<RaftMsg>, peer: NodeId, heartbeat: boolean): void {
    const pr = this.#progress.get(peer)!;
    if (pr.state === "snapshot") {
      if (heartbeat) this.#sendSnapshot(ctx, peer, pr); // it may have been lost
      return;
    }
    if (pr.state === "probe" && pr.probeSent && !heartbeat) return;
    const prevLogIndex = pr.next - 1;
    const prevLogTerm = this.#log.term(prevLogIndex);
    if (prevLogTerm === undefined) return this.#sendSnapshot(ctx, peer, pr);
    const last = Math.min(this.#log.lastIndex, prevLogIndex + this.config.maxEntriesPerAppend);
    if (last === prevLogIndex && !heartbeat) return;
    const entries = last > prevLogIndex ? this.#log.slice(prevLogIndex + 1, last) : [];
    ctx.send(peer, {
      type: "AppendEntries",
      term: this.#currentTerm,
      prevLogIndex,
      prevLogTerm,
      entries,
      leaderCommit: this.#commitIndex,
      seq: ++this.#seq,
    });
    if (pr.state === "replicate") pr.next = last + 1; // optimistic: stream the next batch now
    else pr.probeSent = true;
  }

  #sendSnapshot(ctx: Context<RaftMsg>, peer: NodeId, pr: Progress): void {
    const snapshot = this.#snapshot;
    assert(
      snapshot !== null && snapshot.lastIncludedIndex === this.#log.snapshotIndex,
      "a compacted log without its snapshot",
    );
    pr.state = "snapshot";
    ctx.send(peer, {
      type: "InstallSnapshot",
      term: this.#currentTerm,
      snapshot,
      seq: ++this.#seq,
    });
  }

  /** AppendEntries results at the leader (Figure 2, rules for leaders). */
  #handleAppendEntriesReply(
    ctx: Context<RaftMsg>,
    msg: Extract<PeerMsg, { type: "AppendEntriesReply" }>,
    from: NodeId,
  ): void {
    const pr = this.#progress.get(from);
    if (pr === undefined) return;
    pr.recentActive = true;
    pr.ackedSeq = Math.max(pr.ackedSeq, msg.seq);
    if (msg.success) {
      // "If successful: update nextIndex and matchIndex for follower (§5.3)."
      // Replies may come late, twice, or out of order: only ever move forward.
      assert(msg.matchIndex <= this.#log.lastIndex, "a follower matched beyond our log");
      if (msg.matchIndex > pr.match) {
        pr.match = msg.matchIndex;
        pr.next = Math.max(pr.next, pr.match + 1);
        if (pr.state !== "replicate") this.#becomeReplicate(pr);
        this.#maybeCommit(ctx);
      } else if (pr.state === "probe" && msg.matchIndex === pr.match) {
        this.#becomeReplicate(pr);
      }
      if (pr.state === "replicate" && pr.next <= this.#log.lastIndex) {
        this.#sendAppend(ctx, from, false);
      }
    } else {
      // "If AppendEntries fails because of log inconsistency: decrement
      // nextIndex and retry (§5.3)." A rejection of a message older than
      // what we already know is stale and changes nothing.
      const stale = pr.state === "replicate"
        ? msg.prevLogIndex <= pr.match
        : pr.state === "snapshot" || msg.prevLogIndex !== pr.next - 1;
      if (!stale) {
        // Fast back-off: our own log tells where, at or below the follower's
        // hint, the terms could still agree.
        const probe = this.#log.findConflictByTerm(msg.conflictIndex, msg.conflictTerm).index;
        pr.next = Math.max(pr.match + 1, Math.min(msg.prevLogIndex, probe + 1));
        pr.state = "probe";
        pr.probeSent = false;
        this.#sendAppend(ctx, from, false);
      }
    }
    this.#advanceReads(ctx);
  }

  #becomeReplicate(pr: Progress): void {
    pr.state = "replicate";
    pr.next = pr.match + 1;
    pr.probeSent = false;
  }

  #handleInstallSnapshotReply(
    ctx: Context<RaftMsg>,
    msg: Extract<PeerMsg, { type: "InstallSnapshotReply" }>,
    from: NodeId,
  ): void {
    const pr = this.#progress.get(from);
    if (pr === undefined) return;
    pr.recentActive = true;
    pr.ackedSeq = Math.max(pr.ackedSeq, msg.seq);
    if (msg.matchIndex > pr.match) {
      pr.match = msg.matchIndex;
      this.#maybeCommit(ctx);
    }
    if (pr.state === "snapshot") {
      pr.state = "probe";
      pr.next = pr.match + 1;
      pr.probeSent = false;
      this.#sendAppend(ctx, from, false);
    }
    this.#advanceReads(ctx);
  }

  /**
   * Figure 2, leaders: "If there exists an N such that N > commitIndex, a
   * majority of matchIndex[i] >= N, and log[N].term == currentTerm: set
   * commitIndex = N (§5.3, §5.4)." Counting replicas commits only entries
   * of the current term; earlier entries are committed with them, by Log
   * Matching. Figure 8 shows why: an entry of an earlier term stored on a
   * majority can still be overwritten by a later leader.
   */
  #maybeCommit(ctx: Context<RaftMsg>): void {
    const matches = [this.#log.lastIndex];
    for (const pr of this.#progress.values()) matches.push(pr.match);
    matches.sort((a, b) => b - a);
    const n = matches[this.#quorum - 1];
    if (n <= this.#commitIndex) return;
    if (this.#log.term(n) !== this.#currentTerm && !this.config.unsafeCommitPreviousTerms) return;
    this.#commitTo(ctx, n);
  }

  #onHeartbeat(ctx: Context<RaftMsg>): void {
    // Figure 2, leaders: "send initial empty AppendEntries RPCs (heartbeat)
    // to each server; repeat during idle periods to prevent election
    // timeouts (§5.2)." Ours also carry any entries a follower still lacks.
    for (const peer of this.#peers) this.#sendAppend(ctx, peer, true);
    ctx.setTimer("heartbeat", this.config.heartbeatMs);
  }

  /**
   * CheckQuorum (dissertation §6.2): once per minimum election timeout, a
   * leader that has not heard from a majority (itself included) steps down,
   * so a leader cut off in a minority stops taking commands it can never
   * commit, and clients go looking for the real one.
   */
  #onCheckQuorum(ctx: Context<RaftMsg>): void {
    let active = 1;
    for (const pr of this.#progress.values()) {
      if (pr.recentActive) active++;
      pr.recentActive = false;
    }
    if (active < this.#quorum) {
      ctx.log(`lost quorum t${this.#currentTerm}`);
      return this.#becomeFollower(ctx, this.#currentTerm, null);
    }
    ctx.setTimer("check-quorum", this.config.electionMinMs);
  }

  // ---- linearizable reads by ReadIndex (dissertation §6.4) -------------------------

  #startRead(ctx: Context<RaftMsg>, read: PendingRead): void {
    // 1. The leader needs an entry of its own term committed to know the
    //    latest commit index (the no-op does it).
    if (this.#log.term(this.#commitIndex) !== this.#currentTerm) {
      this.#readsAwaitingCommit.push(read);
      return;
    }
    this.#confirmLeadership(ctx, [read]);
  }

  /**
   * 2. Save commitIndex as the read index. 3. Send a round of heartbeats;
   * replies from a majority prove no newer leader had taken over when the
   * read arrived.
   */
  #confirmLeadership(ctx: Context<RaftMsg>, reads: PendingRead[]): void {
    for (const read of reads) {
      read.index = this.#commitIndex;
      read.after = this.#seq;
      this.#readsAwaitingQuorum.push(read);
    }
    for (const peer of this.#peers) this.#sendAppend(ctx, peer, true);
    this.#advanceReads(ctx);
  }

  #advanceReads(ctx: Context<RaftMsg>): void {
    const waiting = this.#readsAwaitingQuorum;
    while (waiting.length > 0) {
      const after = waiting[0].after;
      let acks = 1;
      for (const pr of this.#progress.values()) if (pr.ackedSeq > after) acks++;
      if (acks < this.#quorum) break;
      this.#readsAwaitingApply.push(waiting.shift()!);
    }
    this.#serveReads(ctx);
  }

  /** 4. Once lastApplied reaches the read index, read the state machine and answer. */
  #serveReads(ctx: Context<RaftMsg>): void {
    const ready = this.#readsAwaitingApply;
    while (ready.length > 0 && ready[0].index <= this.#lastApplied) {
      const read = ready.shift()!;
      ctx.send(read.client, {
        type: "ClientReply",
        seq: read.seq,
        result: this.#sm.read(read.key),
      });
    }
  }

  // ---- commit, apply, compact (all servers) -----------------------------------------

  #commitTo(ctx: Context<RaftMsg>, index: number): void {
    assert(index > this.#commitIndex, "commitIndex only grows");
    assert(index <= this.#log.lastIndex, "commitIndex beyond the log");
    this.#commitIndex = index;
    ctx.log(`commit ${index}`);
    this.#applyCommitted(ctx);
    if (this.#role === "leader" && this.#readsAwaitingCommit.length > 0) {
      if (this.#log.term(this.#commitIndex) === this.#currentTerm) {
        const reads = this.#readsAwaitingCommit;
        this.#readsAwaitingCommit = [];
        this.#confirmLeadership(ctx, reads);
      }
    }
  }

  /**
   * Figure 2, all servers: "If commitIndex > lastApplied: increment
   * lastApplied, apply log[lastApplied] to state machine (§5.3)." The
   * leader answers the client of each command.
   */
  #applyCommitted(ctx: Context<RaftMsg>): void {
    while (this.#lastApplied < this.#commitIndex) {
      const entry = this.#log.entry(this.#lastApplied + 1);
      assert(entry !== undefined, () => `committed entry ${this.#lastApplied + 1} is missing`);
      this.#lastApplied++;
      const outcome = this.#sm.apply(entry.command);
      if (this.#role === "leader" && entry.command.type === "kv") {
        this.#answer(ctx, entry.command, outcome);
      }
    }
    if (this.#role === "leader") this.#serveReads(ctx);
    // Snapshotting runs as a separate step, as it would in the background.
    if (this.#lastApplied - this.#log.snapshotIndex >= this.config.snapshotEvery) {
      ctx.setTimer("compact", 0);
    }
  }

  #answer(
    ctx: Context<RaftMsg>,
    command: Extract<Command, { type: "kv" }>,
    outcome: ApplyOutcome,
  ): void {
    if (outcome.kind === "applied" || outcome.kind === "duplicate") {
      ctx.send(command.client, { type: "ClientReply", seq: command.seq, result: outcome.result });
    }
  }

  /** Log compaction (§7): snapshot the state machine at lastApplied and drop the entries it covers. */
  #compact(ctx: Context<RaftMsg>): void {
    const index = this.#lastApplied;
    if (index - this.#log.snapshotIndex < this.config.snapshotEvery) return;
    const snapshot: Snapshot = {
      lastIncludedIndex: index,
      lastIncludedTerm: this.#log.term(index)!,
      state: this.#sm.snapshot(),
    };
    ctx.storage.set(SNAPSHOT, snapshot); // the snapshot is durable before the log forgets
    this.#snapshot = snapshot;
    this.#log.compact(index);
    ctx.log(`snapshot ${index}`);
  }

  // ---- role changes and timers ----------------------------------------------------------

  #becomeFollower(ctx: Context<RaftMsg>, term: number, leader: NodeId | null): void {
    assert(term >= this.#currentTerm, "terms never go back");
    const changed = term !== this.#currentTerm || this.#role !== "follower";
    if (this.#role === "leader") this.#stopLeading(ctx, leader);
    if (term > this.#currentTerm) {
      this.#currentTerm = term;
      this.#votedFor = null;
      this.#saveHardState(ctx);
    }
    this.#role = "follower";
    this.#leaderId = leader;
    if (changed) ctx.log(`follower t${term}`);
    this.#resetElectionTimer(ctx);
  }

  /** Leaves the leader role: its timers stop and waiting reads are turned away. */
  #stopLeading(ctx: Context<RaftMsg>, newLeader: NodeId | null): void {
    ctx.cancelTimer("heartbeat");
    ctx.cancelTimer("check-quorum");
    const reads = [
      ...this.#readsAwaitingCommit,
      ...this.#readsAwaitingQuorum,
      ...this.#readsAwaitingApply,
    ];
    for (const read of reads) {
      ctx.send(read.client, { type: "NotLeader", seq: read.seq, leaderHint: newLeader });
    }
    this.#readsAwaitingCommit = [];
    this.#readsAwaitingQuorum = [];
    this.#readsAwaitingApply = [];
    this.#progress = new Map();
    this.#proposed = new Map();
  }

  /**
   * Restarts the election timeout with a fresh random length (§5.2). Only
   * the deadline moves: the timer, when it fires before the deadline, arms
   * itself again for the rest (etcd counts ticks to the same effect). A
   * follower hears from its leader on every AppendEntries, and replacing a
   * timer each time would cost far more than this.
   */
  #resetElectionTimer(ctx: Context<RaftMsg>): void {
    const { electionMinMs: min, electionMaxMs: max } = this.config;
    this.#electionDeadline = ctx.now() + min + ctx.random() * (max - min);
    if (this.#electionTimerAt === null || this.#electionTimerAt > this.#electionDeadline) {
      this.#armElectionTimer(ctx);
    }
  }

  #armElectionTimer(ctx: Context<RaftMsg>): void {
    this.#electionTimerAt = this.#electionDeadline;
    ctx.setTimer("election", this.#electionDeadline - ctx.now());
  }

  #stopElectionTimer(ctx: Context<RaftMsg>): void {
    this.#electionTimerAt = null;
    ctx.cancelTimer("election");
  }

  /** Within the leader lease: CheckQuorum is on and a leader was heard from lately. */
  #inLease(ctx: Context<RaftMsg>): boolean {
    if (!this.config.checkQuorum || this.#leaderId === null) return false;
    if (this.#role === "leader") return true;
    return ctx.now() - this.#leaderContactAt < this.config.electionMinMs;
  }

  #saveHardState(ctx: Context<RaftMsg>): void {
    const hard: HardState = { term: this.#currentTerm, votedFor: this.#votedFor };
    ctx.storage.set(HARD_STATE, hard);
  }
}

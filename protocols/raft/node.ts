/**
 * A Raft server as an actor, written to be read next to Figure 2 of the
 * paper (Ongaro and Ousterhout, 2014) and etcd's `raft.go`.
 *
 * The shape is etcd's: every message first goes through the term rules that
 * hold for all servers (`#stepTerm`), then to the step function of the
 * node's role (`#stepFollower`, `#stepCandidate`, `#stepLeader`), which has
 * one case per message type. Handlers are named after the RPCs and cite the
 * rule they implement. What is not a rule of Figure 2 lives in its own file:
 *
 * | file | idea |
 * | --- | --- |
 * | `log.ts` | the log on durable storage; `maybeAppend`, compaction |
 * | `progress.ts` | what the leader knows of each follower; the in-flight window |
 * | `quorum.ts` | the commit index and vote outcome of a (joint) majority |
 * | `read_only.ts` | linearizable reads by ReadIndex |
 * | `membership.ts` | configurations and one-server-at-a-time changes |
 * | `state_machine.ts` | the application, with exactly-once sessions |
 *
 * Beyond the paper's core, as etcd's users expect:
 *
 * - PreVote (dissertation §9.6) and CheckQuorum: a node cut off from the
 *   cluster cannot raise its term and disrupt the leader when it returns, and
 *   a leader that no longer hears from a majority steps down. With
 *   CheckQuorum, a server that heard from a leader within the minimum
 *   election timeout ignores vote requests (the leader lease).
 * - Replication with pipelining and flow control: a follower whose log
 *   matches gets entries streamed, at most `maxInflight` messages (and
 *   `maxInflightBytes`) outstanding, each at most `maxEntriesPerAppend`
 *   entries and `maxBytesPerAppend` bytes. Rejections carry a hint so the
 *   leader skips a whole term per round trip (end of §5.3); a rejection of a
 *   message sent before the stream last restarted is stale and ignored.
 * - A no-op entry at the start of each term (§8), so a new leader commits
 *   entries of earlier terms promptly, and knows its commit index for reads.
 * - Snapshots when the applied log grows past `snapshotEvery` entries, and
 *   InstallSnapshot for followers too far behind (§7). A leader keeps the
 *   entries its live followers still need, up to `snapshotEvery` of them.
 * - Membership changes one server at a time (dissertation §4), learners,
 *   and leadership transfer (§3.10).
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
import { applyConfChange, type ClusterConfig, type ConfChange, members } from "./membership.ts";
import type { Entry, PeerMsg, RaftMsg, Snapshot } from "./messages.ts";
import { Progress } from "./progress.ts";
import { committedIndex, voteResult } from "./quorum.ts";
import { type PendingRead, ReadOnly } from "./read_only.ts";
import {
  type AnyMachine,
  type ApplyOutcome,
  type Command,
  KvStore,
  type OpOf,
  type ResultOf,
  SessionMachine,
} from "./state_machine.ts";

/**
 * The role of a server. `precandidate` is etcd's: a follower whose election
 * timer fired, asking for pre-votes before it dares to raise its term.
 *
 * @example
 * ```ts
 * import type { Role } from "./node.ts";
 * import assert from "node:assert/strict";
 * const r: Role = "leader";
 * assert.equal(r, "leader");
 * ```
 */
export type Role = "follower" | "precandidate" | "candidate" | "leader";

/**
 * The timers of a Raft server. None carries data: there is one of each.
 *
 * @example
 * ```ts
 * import type { RaftTimer } from "./node.ts";
 * import assert from "node:assert/strict";
 * const t: RaftTimer = "heartbeat";
 * assert.equal(t, "heartbeat");
 * ```
 */
export type RaftTimer = "election" | "heartbeat" | "check-quorum" | "compact" | "transfer-timeout";

/**
 * What a server tells an observer as it happens (the harness of
 * `harness.ts` turns these into 6.824's apply channel).
 *
 * @example
 * ```ts
 * import type { RaftEvent } from "./node.ts";
 * import assert from "node:assert/strict";
 * const e: RaftEvent = { type: "snapshot-installed", index: 10, term: 2 };
 * assert.equal(e.type, "snapshot-installed");
 * ```
 */
export type RaftEvent<C = unknown> =
  /** After a handler that changed role, term, log, commit or apply state (for checkers). */
  | { type: "changed" }
  | { type: "applied"; index: number; term: number; command: Command<C> }
  | { type: "snapshot-installed"; index: number; term: number }
  | { type: "role"; role: Role; term: number };

/**
 * Settings of a Raft server. Only `servers` is required.
 *
 * @example
 * ```ts
 * import type { RaftConfig } from "./node.ts";
 * import assert from "node:assert/strict";
 * const c: RaftConfig = { servers: ["n1", "n2", "n3"], heartbeatMs: 50, snapshotEvery: 100 };
 * assert.equal(c.servers.length, 3);
 * ```
 */
export interface RaftConfig<M extends AnyMachine = KvStore> {
  /** The voters of the cluster as it is first started (this server among them unless `join`). */
  servers: readonly NodeId[];
  /**
   * Start with no configuration and wait to be added (as a learner) by the
   * cluster's leader, instead of taking `servers` as the first configuration.
   * Default false.
   */
  join?: boolean;
  /** Builds the replicated application (default: a fresh {@linkcode KvStore}). */
  stateMachine?: () => M;
  /** Election timeouts are drawn uniformly from [min, max) ms (§5.2; default 150..300). */
  electionMinMs?: number;
  /** See `electionMinMs`. */
  electionMaxMs?: number;
  /** Time between a leader's heartbeats, ms (default 50). */
  heartbeatMs?: number;
  /** Ask for pre-votes before starting an election (default true). */
  preVote?: boolean;
  /** Leaders step down without a majority; followers honour the leader lease (default true). */
  checkQuorum?: boolean;
  /**
   * CheckQuorum's window: a leader that heard from no majority within it
   * steps down (checked every `electionMinMs`; default `2 * electionMaxMs`,
   * so that replies delayed by hundreds of milliseconds, while the
   * heartbeats themselves arrive, do not depose a working leader).
   */
  checkQuorumMs?: number;
  /** A new leader appends a no-op entry (§8; default true). */
  noopOnElection?: boolean;
  /** Take a snapshot once this many applied entries follow the last one; 0: never (default 100). */
  snapshotEvery?: number;
  /**
   * At a snapshot, a leader keeps up to this many entries behind it that its
   * live followers still need, so a follower a little behind gets entries,
   * not the snapshot (hashicorp's TrailingLogs; default `snapshotEvery`).
   */
  trailingEntries?: number;
  /** Most entries in one AppendEntries (default 64). */
  maxEntriesPerAppend?: number;
  /** Most bytes of entries in one AppendEntries, past the first entry (default 64 KiB). */
  maxBytesPerAppend?: number;
  /** Most AppendEntries with entries outstanding to one follower (default 64). */
  maxInflight?: number;
  /** Most bytes of entries outstanding to one follower (default 4 MiB). */
  maxInflightBytes?: number;
  /**
   * Told about applied entries, installed snapshots, role changes, and,
   * once per handler, that the server changed (for harnesses and checkers);
   * `server` is the instance that reports.
   */
  observer?: (node: NodeId, event: RaftEvent<OpOf<M>>, server: RaftNode<M>) => void;
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
 * import assert from "node:assert/strict";
 * assert.equal(resolveRaftConfig({ servers: ["n1"] }).heartbeatMs, 50);
 * ```
 */
export type ResolvedRaftConfig<M extends AnyMachine = KvStore> = Readonly<
  Required<Omit<RaftConfig<M>, "observer">> & Pick<RaftConfig<M>, "observer">
>;

/**
 * Fills in defaults and checks a configuration; throws a
 * {@linkcode ConfigError} naming the bad setting.
 *
 * @example
 * ```ts
 * import { resolveRaftConfig } from "./node.ts";
 * import assert from "node:assert/strict";
 * assert.equal(resolveRaftConfig({ servers: ["n1", "n2", "n3"] }).electionMaxMs, 300);
 * assert.throws(() => resolveRaftConfig({ servers: ["n1"], heartbeatMs: 500 }), /heartbeatMs/);
 * ```
 */
export function resolveRaftConfig<M extends AnyMachine = KvStore>(
  config: RaftConfig<M>,
): ResolvedRaftConfig<M> {
  const c = {
    servers: [...config.servers],
    join: config.join ?? false,
    stateMachine: config.stateMachine ?? (() => new KvStore() as unknown as M),
    electionMinMs: config.electionMinMs ?? 150,
    electionMaxMs: config.electionMaxMs ?? 300,
    heartbeatMs: config.heartbeatMs ?? 50,
    preVote: config.preVote ?? true,
    checkQuorum: config.checkQuorum ?? true,
    checkQuorumMs: config.checkQuorumMs ?? 2 * (config.electionMaxMs ?? 300),
    noopOnElection: config.noopOnElection ?? true,
    snapshotEvery: config.snapshotEvery ?? 100,
    trailingEntries: config.trailingEntries ?? config.snapshotEvery ?? 100,
    maxEntriesPerAppend: config.maxEntriesPerAppend ?? 64,
    maxBytesPerAppend: config.maxBytesPerAppend ?? 64 * 1024,
    maxInflight: config.maxInflight ?? 64,
    maxInflightBytes: config.maxInflightBytes ?? 4 * 1024 * 1024,
    observer: config.observer,
    unsafeCommitPreviousTerms: config.unsafeCommitPreviousTerms ?? false,
  };
  if (new Set(c.servers).size !== c.servers.length || (!c.join && c.servers.length === 0)) {
    throw new ConfigError("raft servers", `must be distinct node ids, got ${c.servers.join(",")}`);
  }
  if (!(c.electionMinMs > 0 && c.electionMaxMs > c.electionMinMs)) {
    throw new ConfigError(
      "raft election timeout",
      `needs 0 < electionMinMs < electionMaxMs, got ${c.electionMinMs}..${c.electionMaxMs}`,
    );
  }
  if (!(c.checkQuorumMs >= c.electionMinMs)) {
    throw new ConfigError(
      "raft checkQuorumMs",
      `must be at least electionMinMs (${c.electionMinMs}), got ${c.checkQuorumMs}`,
    );
  }
  if (!(c.heartbeatMs > 0 && c.heartbeatMs < c.electionMinMs)) {
    throw new ConfigError(
      "raft heartbeatMs",
      `must be > 0 and below electionMinMs (${c.electionMinMs}), got ${c.heartbeatMs}`,
    );
  }
  for (
    const k of [
      "maxEntriesPerAppend",
      "maxBytesPerAppend",
      "maxInflight",
      "maxInflightBytes",
    ] as const
  ) {
    if (!(Number.isInteger(c[k]) && c[k] >= 1)) {
      throw new ConfigError(`raft ${k}`, `must be a whole number >= 1, got ${c[k]}`);
    }
  }
  if (!(Number.isInteger(c.trailingEntries) && c.trailingEntries >= 0)) {
    throw new ConfigError(
      "raft trailingEntries",
      `must be a whole number >= 0, got ${c.trailingEntries}`,
    );
  }
  if (!(Number.isInteger(c.snapshotEvery) && c.snapshotEvery >= 0)) {
    throw new ConfigError(
      "raft snapshotEvery",
      `must be a whole number >= 0 (0: never), got ${c.snapshotEvery}`,
    );
  }
  return c;
}

/**
 * A plain-data view of a server, for the studio, model checkers and tests.
 *
 * @example
 * ```ts
 * import type { RaftInspect } from "./node.ts";
 * import assert from "node:assert/strict";
 * const v: RaftInspect = {
 *   role: "leader", term: 2, votedFor: "n1", leader: "n1",
 *   log: { first: 1, last: 3, terms: [[1, 1, 2], [2, 3, 3]] }, snapshot: 0,
 *   commit: 3, applied: 3, config: { voters: ["n1", "n2", "n3"], learners: [] },
 *   progress: { n2: { match: 3, next: 4, state: "replicate", inflight: 0 } },
 *   electionDeadline: 412.5, heardFromLeader: null,
 * };
 * assert.equal(v.log.terms.length, 2);
 * ```
 */
export interface RaftInspect {
  /** This server's role. */
  role: Role;
  /** Figure 2's currentTerm. */
  term: number;
  /** Figure 2's votedFor. */
  votedFor: NodeId | null;
  /** The leader it follows in this term, if known. */
  leader: NodeId | null;
  /** Indexes held, and their terms as runs `[term, from, to]`. */
  log: { first: number; last: number; terms: Array<[number, number, number]> };
  /** The snapshot's last included index (0: none). */
  snapshot: number;
  /** Figure 2's commitIndex. */
  commit: number;
  /** Figure 2's lastApplied. */
  applied: number;
  /** The configuration in force (the latest in the log). */
  config: ClusterConfig;
  /** On a leader, what it knows of each member. */
  progress?: Record<NodeId, ReturnType<Progress["inspect"]>>;
  /** On a leader handing over, the voter it hands over to. */
  transferee?: NodeId;
  /** When its election timeout falls due, local ms (the timer may be set to fire earlier). */
  electionDeadline: number;
  /** When it last heard from a leader, local ms (null: never). */
  heardFromLeader: number | null;
  /** While they can still count, the servers that granted (or refused) its vote. */
  votes?: Record<NodeId, boolean>;
  /** While they can still count, the servers that granted (or refused) its pre-vote. */
  preVotes?: Record<NodeId, boolean>;
  /** On a leader: its heartbeat round, each session's last proposal, reads waiting, a change under way. */
  leading?: {
    seq: number;
    proposed: Record<NodeId, { seq: number; index: number }>;
    reads: unknown;
    pendingChange: { index: number; id: number; from: NodeId } | null;
  };
}

/** What `raft/hard` holds (etcd's HardState without the commit index). */
interface HardState {
  term: number;
  votedFor: NodeId | null;
}

type Termed = Extract<PeerMsg<unknown>, { term: number }>;

const HARD_STATE = "raft/hard";
const CHANGED: RaftEvent<never> = Object.freeze({ type: "changed" as const });
const SNAPSHOT = "raft/snapshot";

/**
 * One Raft server, replicating the application `M` (the key-value store
 * unless configured otherwise).
 *
 * @example
 * ```ts
 * import { Simulation } from "../../sim/simulation.ts";
 * import { RaftNode } from "./node.ts";
 * import assert from "node:assert/strict";
 * const servers = ["n1", "n2", "n3"];
 * const sim = new Simulation({ seed: 1, trace: "off" });
 * for (const id of servers) sim.spawn(id, () => new RaftNode({ servers }));
 * sim.run({ until: 1000 });
 * assert.equal(servers.filter((id) => sim.actor<RaftNode>(id)!.role === "leader").length, 1);
 * ```
 */
export class RaftNode<M extends AnyMachine = KvStore>
  implements Actor<RaftMsg<OpOf<M>, ResultOf<M>>, RaftTimer> {
  /** The settings, defaults filled in. */
  readonly config: ResolvedRaftConfig<M>;

  // Persistent state on all servers (Figure 2), mirrored in ctx.storage.
  #currentTerm = 0;
  #votedFor: NodeId | null = null;
  #log!: RaftLog<OpOf<M>>;
  #snapshot: Snapshot | null = null;

  // Membership: the configuration at the snapshot, then each configuration
  // entry in the log after it. The last one is in force (§4.1).
  #snapshotConfig: ClusterConfig = { voters: [], learners: [] };
  #configs: Array<{ index: number; config: ClusterConfig }> = [];
  #isVoter = false;

  // Volatile state on all servers.
  #self: NodeId = "";
  #role: Role = "follower";
  #leaderId: NodeId | null = null;
  #commitIndex = 0;
  #lastApplied = 0;
  #sm!: SessionMachine<M>;
  /** Local time we last heard from the leader (for the lease). */
  #leaderContactAt = -Infinity;
  /** Local time the election timeout runs out. */
  #electionDeadline = 0;
  /** Local time the election timer is armed for, or null when it is not. */
  #electionTimerAt: number | null = null;
  /** Bumped on every change a safety checker looks at. */
  #version = 0;

  // Volatile state on candidates.
  /** Pre-votes for `#preVoteTerm`, gathered over the rounds asking for it. */
  #preVotes = new Map<NodeId, boolean>();
  #preVoteTerm = -1;
  /** Votes for this server's own candidacy in `#voteTerm`. */
  #votes = new Map<NodeId, boolean>();
  #voteTerm = -1;

  // Volatile state on leaders (reinitialised after election).
  #progress = new Map<NodeId, Progress>();
  #seq = 0;
  /** Per client, the command last proposed in this term, so a retry is not appended twice. */
  #proposed = new Map<NodeId, { seq: number; index: number }>();
  #reads = new ReadOnly<OpOf<M>>();
  /** The membership change being committed, and who asked for it. */
  #pendingChange: { index: number; id: number; from: NodeId } | null = null;
  /** The voter the lead is being handed to, while a transfer is on. */
  #transferee: NodeId | null = null;

  /** A server with `config`; throws a `ConfigError` on a bad setting. */
  constructor(config: RaftConfig<M>) {
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
  get log(): RaftLog<OpOf<M>> {
    return this.#log;
  }
  /** The state machine with its sessions (for reading). */
  get stateMachine(): SessionMachine<M> {
    return this.#sm;
  }
  /** The latest snapshot, if any. */
  get snapshot(): Snapshot | null {
    return this.#snapshot;
  }
  /** The configuration in force: the latest in the log (§4.1). */
  get clusterConfig(): ClusterConfig {
    const n = this.#configs.length;
    return n === 0 ? this.#snapshotConfig : this.#configs[n - 1].config;
  }
  /** A number that changes whenever role, term, log, commit or apply state does. */
  get version(): number {
    return this.#version;
  }
  /** What this node, as leader, knows of `peer`; undefined when not leader. */
  progress(peer: NodeId): Readonly<Progress> | undefined {
    return this.#role === "leader" ? this.#progress.get(peer) : undefined;
  }
  /**
   * Where this leader appended `client`'s command `seq` in its current
   * term, if it did (6.824's `Start` returns that index).
   */
  proposedIndex(client: NodeId, seq: number): number | undefined {
    const p = this.#role === "leader" ? this.#proposed.get(client) : undefined;
    return p !== undefined && p.seq === seq ? p.index : undefined;
  }

  /** The voter a leadership transfer hands over to, while one is on. */
  get transferee(): NodeId | null {
    return this.#transferee;
  }

  /** The state as plain data (Actor's `inspect`). */
  inspect(): RaftInspect {
    const log = this.#log;
    const terms: Array<[number, number, number]> = [];
    for (let i = log.firstIndex; i <= log.lastIndex; i++) {
      const t = log.term(i)!;
      const run = terms[terms.length - 1];
      if (run !== undefined && run[0] === t) run[2] = i;
      else terms.push([t, i, i]);
    }
    const view: RaftInspect = {
      role: this.#role,
      term: this.#currentTerm,
      votedFor: this.#votedFor,
      leader: this.#leaderId,
      log: { first: log.firstIndex, last: log.lastIndex, terms },
      snapshot: this.#snapshot?.lastIncludedIndex ?? 0,
      commit: this.#commitIndex,
      applied: this.#lastApplied,
      config: {
        voters: [...this.clusterConfig.voters],
        learners: [...this.clusterConfig.learners],
      },
      electionDeadline: this.#electionDeadline,
      heardFromLeader: this.#leaderContactAt === -Infinity ? null : this.#leaderContactAt,
    };
    // What decides its next steps, for exhaustive checking's fingerprints: the
    // tallies while they can still count (a later pre-campaign for the same
    // term reuses its pre-votes; votes count while campaigning in their term).
    const campaigning = this.#role === "candidate" || this.#role === "precandidate";
    if (campaigning && this.#voteTerm === this.#currentTerm && this.#votedFor === this.#self) {
      view.votes = Object.fromEntries(this.#votes);
    }
    if (this.#preVoteTerm === this.#currentTerm + 1) {
      view.preVotes = Object.fromEntries(this.#preVotes);
    }
    if (this.#role === "leader") {
      view.progress = Object.fromEntries(
        [...this.#progress].map(([id, pr]) => [id, pr.inspect()]),
      );
      if (this.#transferee !== null) view.transferee = this.#transferee;
      view.leading = {
        seq: this.#seq,
        proposed: Object.fromEntries(this.#proposed),
        reads: this.#reads.inspect(),
        pendingChange: this.#pendingChange,
      };
    }
    return view;
  }

  // ---- the actor's entry points ------------------------------------------------

  onStart(ctx: Context<RaftMsg<OpOf<M>, ResultOf<M>>, RaftTimer>): void {
    this.#self = ctx.self;
    const hard = ctx.storage.get<HardState>(HARD_STATE);
    this.#currentTerm = hard?.term ?? 0;
    this.#votedFor = hard?.votedFor ?? null;
    this.#log = new RaftLog(ctx.storage);
    this.#snapshot = ctx.storage.get<Snapshot>(SNAPSHOT) ?? null;
    const snapshotIndex = this.#snapshot?.lastIncludedIndex ?? 0;
    assert(
      snapshotIndex >= this.#log.snapshotIndex && snapshotIndex <= this.#log.lastIndex,
      "the snapshot on disk does not match the log",
    );
    this.#sm = new SessionMachine(this.config.stateMachine());
    if (this.#snapshot !== null) this.#sm.restore(this.#snapshot.state);
    this.#snapshotConfig = this.#snapshot?.config ??
      (this.config.join
        ? { voters: [], learners: [] }
        : { voters: this.config.servers, learners: [] });
    this.#configs = [];
    this.#noteAppended(snapshotIndex + 1, this.#log.lastIndex);
    // Volatile state starts over: what the snapshot holds is applied and
    // committed; the rest of the commit index is learned from the leader.
    this.#commitIndex = this.#lastApplied = snapshotIndex;
    this.#role = "follower";
    this.#version++;
    ctx.log(`follower t${this.#currentTerm}`);
    this.#resetElectionTimer(ctx);
    this.#changed();
  }

  onMessage(
    ctx: Context<RaftMsg<OpOf<M>, ResultOf<M>>, RaftTimer>,
    msg: RaftMsg<OpOf<M>, ResultOf<M>>,
    from: NodeId,
  ): void {
    const version = this.#version;
    this.#step(ctx, msg, from);
    if (this.#version !== version) this.#changed();
  }

  /** etcd's `Step`: the rules for all servers, then the role's step function. */
  #step(ctx: Ctx<M>, msg: Msg<M>, from: NodeId): void {
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

  /** Tells the observer, once per handler, that something a checker reads changed. */
  #changed(): void {
    this.config.observer?.(this.#self, CHANGED, this);
  }

  onTimer(ctx: Context<RaftMsg<OpOf<M>, ResultOf<M>>, RaftTimer>, timer: RaftTimer): void {
    const version = this.#version;
    this.#fire(ctx, timer);
    if (this.#version !== version) this.#changed();
  }

  #fire(ctx: Ctx<M>, timer: RaftTimer): void {
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
      case "transfer-timeout":
        // etcd aborts a transfer after an election timeout: the target is
        // slow or gone, and the leader must take proposals again.
        if (this.#transferee !== null) ctx.log(`transfer to ${this.#transferee} aborted`);
        this.#transferee = null;
        return;
      default: {
        const never: never = timer;
        throw new Error(`unknown timer ${JSON.stringify(never)}`);
      }
    }
  }

  /**
   * Takes a snapshot of the state machine now (at lastApplied) and drops
   * the log through `compactTo` (at most lastApplied; default lastApplied),
   * as a service does when its state grows (6.824's `Snapshot`, etcd's
   * `Compact`). Entries after `compactTo` stay, for followers that still
   * need them. Returns false when there is nothing new to snapshot or
   * `compactTo` is out of range.
   */
  snapshotNow(
    ctx: Context<RaftMsg<OpOf<M>, ResultOf<M>>, RaftTimer>,
    compactTo: number = this.#lastApplied,
  ): boolean {
    if (this.#lastApplied <= (this.#snapshot?.lastIncludedIndex ?? 0)) return false;
    if (compactTo <= this.#log.snapshotIndex || compactTo > this.#lastApplied) return false;
    this.#takeSnapshot(ctx, compactTo);
    this.#changed();
    return true;
  }

  // ---- rules for all servers ---------------------------------------------------

  /**
   * The term rules every message goes through first. Returns whether the
   * message should go on to the role's step function.
   */
  #stepTerm(ctx: Ctx<M>, msg: Termed, from: NodeId): boolean {
    if (msg.term > this.#currentTerm) {
      const vote = msg.type === "PreVote" || msg.type === "RequestVote";
      const transfer = msg.type === "RequestVote" && msg.transfer;
      if (vote && !transfer && this.#inLease(ctx)) {
        // The leader lease (CheckQuorum, dissertation §4.2.3): we heard from a
        // live leader less than an election timeout ago, so whoever campaigns
        // is disrupting a working cluster. Ignore it and keep our term.
        ctx.log(`ignored ${msg.type} from ${from}: lease`);
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
  #handleVoteRequest(
    ctx: Ctx<M>,
    msg: Extract<PeerMsg, { type: "PreVote" | "RequestVote" }>,
    from: NodeId,
  ): void {
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
    ctx.sometimes("vote refused: the candidate's log is behind", canVote && !upToDate);
    ctx.sometimes(
      "a second candidate asked for a vote in one term",
      !pre && this.#votedFor !== null && this.#votedFor !== from,
    );
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

  #stepFollower(ctx: Ctx<M>, msg: Msg<M>, from: NodeId): void {
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
        // A leader hands us the lead (§3.10): campaign now, if we may vote.
        if (this.#isVoter) this.#campaign(ctx, "transfer");
        return;
      case "ClientRequest":
        // Figure 2 lets followers redirect clients to the leader.
        return ctx.send(from, { type: "NotLeader", seq: msg.seq, leaderHint: this.#leaderId });
      case "ConfChangeRequest":
        return this.#refuseChange(ctx, msg.id, from, "not the leader");
      case "TransferLeadership":
        // etcd forwards a transfer request to the leader.
        if (this.#leaderId !== null) ctx.send(this.#leaderId, msg);
        return;
      case "TakeSnapshot":
        this.snapshotNow(ctx, Math.min(msg.index, this.#lastApplied));
        return;
      case "PreVoteReply":
      case "RequestVoteReply":
      case "AppendEntriesReply":
      case "InstallSnapshotReply":
      case "ClientReply":
      case "NotLeader":
      case "ConfChangeReply":
        return; // late replies to a role we left, or messages meant for clients
      default: {
        const never: never = msg;
        throw new Error(`unexpected message ${JSON.stringify(never)}`);
      }
    }
  }

  /** AppendEntries at a follower (Figure 2, "Receiver implementation"). */
  #handleAppendEntries(
    ctx: Ctx<M>,
    msg: Extract<PeerMsg<OpOf<M>>, { type: "AppendEntries" }>,
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
    //    term matches prevLogTerm (§5.3)." 3., 4.: drop a conflicting
    //    suffix, append what is new (persisted before the reply).
    const truncations = this.#log.truncations;
    const lastNew = this.#log.maybeAppend(prevLogIndex, prevLogTerm, entries, this.#commitIndex);
    if (lastNew === undefined) {
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
    const truncated = this.#log.truncations !== truncations;
    ctx.sometimes("follower truncated a conflicting suffix", truncated);
    if (truncated) this.#noteTruncated(this.#log.truncatedFrom);
    if (entries.length > 0) {
      this.#version++;
      this.#noteAppended(entries[0].index, lastNew);
    }
    // 5. "If leaderCommit > commitIndex, set commitIndex =
    //    min(leaderCommit, index of last new entry)."
    const commit = Math.min(msg.leaderCommit, lastNew);
    if (commit > this.#commitIndex) this.#commitTo(ctx, commit);
    this.#replyAppend(ctx, from, msg.seq, lastNew);
  }

  #replyAppend(ctx: Ctx<M>, to: NodeId, seq: number, matchIndex: number): void {
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
    ctx: Ctx<M>,
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
    ctx.sometimes("snapshot installed", true);
    ctx.storage.set(SNAPSHOT, s);
    this.#snapshot = s;
    this.#log.restore(s.lastIncludedIndex, s.lastIncludedTerm);
    this.#sm.restore(s.state);
    this.#snapshotConfig = s.config;
    this.#configs = [];
    this.#refreshVoter();
    this.#commitIndex = this.#lastApplied = s.lastIncludedIndex;
    this.#version++;
    ctx.log(`installed snapshot ${s.lastIncludedIndex}`);
    this.config.observer?.(this.#self, {
      type: "snapshot-installed",
      index: s.lastIncludedIndex,
      term: s.lastIncludedTerm,
    }, this);
    reply(s.lastIncludedIndex);
  }

  /** Heard from the leader of the current term: remember it and stay a follower. */
  #followLeader(ctx: Ctx<M>, leader: NodeId): void {
    assert(this.#role === "follower", "only followers follow");
    this.#leaderId = leader;
    this.#leaderContactAt = ctx.now();
    this.#resetElectionTimer(ctx);
  }

  // ---- candidates (and pre-candidates) ------------------------------------------------

  #stepCandidate(ctx: Ctx<M>, msg: Msg<M>, from: NodeId): void {
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
          this.#pollPreVote(ctx, from, msg.granted);
        }
        return;
      case "RequestVoteReply":
        if (
          this.#voteTerm === this.#currentTerm && this.#votedFor === this.#self &&
          msg.term === this.#currentTerm
        ) this.#pollVote(ctx, from, msg.granted);
        return;
      case "TimeoutNow":
        return this.#campaign(ctx, "transfer");
      case "ClientRequest":
        return ctx.send(from, { type: "NotLeader", seq: msg.seq, leaderHint: null });
      case "ConfChangeRequest":
        return this.#refuseChange(ctx, msg.id, from, "not the leader");
      case "TakeSnapshot":
        this.snapshotNow(ctx, Math.min(msg.index, this.#lastApplied));
        return;
      case "TransferLeadership":
      case "AppendEntriesReply":
      case "InstallSnapshotReply":
      case "ClientReply":
      case "NotLeader":
      case "ConfChangeReply":
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
   * voters accept even inside the leader lease. Only voters campaign.
   */
  #campaign(ctx: Ctx<M>, kind: "pre" | "election" | "transfer"): void {
    assert(this.#role !== "leader", "a leader campaigned");
    // Learners, removed servers and servers yet to join never campaign.
    if (!this.#isVoter) return this.#becomeFollower(ctx, this.#currentTerm, this.#leaderId);
    this.#leaderId = null;
    const last = { lastLogIndex: this.#log.lastIndex, lastLogTerm: this.#log.lastTerm };
    let tally: Map<NodeId, boolean>;
    if (kind === "pre") {
      // Pre-votes bind nothing, and our log has not changed since (a
      // candidate appends nothing): grants from earlier rounds for the same
      // term still count, so replies that come late are not wasted.
      if (this.#preVoteTerm !== this.#currentTerm + 1) {
        this.#preVotes = new Map();
        this.#preVoteTerm = this.#currentTerm + 1;
      }
      tally = this.#preVotes;
      this.#role = "precandidate";
      ctx.log(`precandidate t${this.#currentTerm}`);
    } else {
      this.#role = "candidate";
      this.#currentTerm++;
      this.#votedFor = this.#self;
      this.#saveHardState(ctx);
      this.#votes = new Map();
      this.#voteTerm = this.#currentTerm;
      tally = this.#votes;
      ctx.log(`candidate t${this.#currentTerm}`);
    }
    tally.set(this.#self, true);
    this.#version++;
    this.#resetElectionTimer(ctx);
    if (voteResult(this.clusterConfig.voters, tally) === "won") return this.#wonVote(ctx);
    for (const peer of this.clusterConfig.voters) {
      if (peer === this.#self) continue;
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

  /** Counts a pre-vote; a majority either way decides. */
  #pollPreVote(ctx: Ctx<M>, from: NodeId, granted: boolean): void {
    this.#preVotes.set(from, granted);
    const result = voteResult(this.clusterConfig.voters, this.#preVotes);
    if (result === "won") this.#wonVote(ctx);
    else if (result === "lost") this.#becomeFollower(ctx, this.#currentTerm, null);
  }

  /**
   * Counts a vote for our candidacy in the current term; a majority either
   * way decides (§5.2). A grant that comes after our election timer gave up
   * on the round (we are asking for pre-votes again) still counts: it was
   * cast for this term, and we are still in it.
   */
  #pollVote(ctx: Ctx<M>, from: NodeId, granted: boolean): void {
    this.#votes.set(from, granted);
    const result = voteResult(this.clusterConfig.voters, this.#votes);
    if (result === "won") {
      this.#role = "candidate";
      this.#becomeLeader(ctx);
    } else if (result === "lost" && this.#role === "candidate") {
      this.#becomeFollower(ctx, this.#currentTerm, null);
    }
  }

  #wonVote(ctx: Ctx<M>): void {
    if (this.#role === "precandidate") return this.#campaign(ctx, "election");
    this.#becomeLeader(ctx);
  }

  // ---- leaders ---------------------------------------------------------------------------

  #stepLeader(ctx: Ctx<M>, msg: Msg<M>, from: NodeId): void {
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
      case "ConfChangeRequest":
        return this.#handleConfChange(ctx, msg.id, msg.change, from);
      case "TransferLeadership":
        return this.#handleTransfer(ctx, msg.to);
      case "TakeSnapshot":
        this.snapshotNow(ctx, Math.min(msg.index, this.#lastApplied));
        return;
      case "PreVoteReply":
      case "RequestVoteReply":
      case "TimeoutNow":
      case "ClientReply":
      case "NotLeader":
      case "ConfChangeReply":
        return;
      default: {
        const never: never = msg;
        throw new Error(`unexpected message ${JSON.stringify(never)}`);
      }
    }
  }

  #becomeLeader(ctx: Ctx<M>): void {
    assert(this.#role === "candidate", "only a candidate becomes leader");
    assert(this.#votedFor === this.#self, "a leader voted for itself");
    this.#role = "leader";
    this.#leaderId = this.#self;
    this.#version++;
    ctx.log(`leader t${this.#currentTerm}`);
    // Figure 8's ground: the new leader holds entries no one knows committed.
    ctx.sometimes(
      "leader elected with uncommitted entries",
      this.#log.lastIndex > this.#commitIndex,
    );
    this.config.observer?.(
      this.#self,
      { type: "role", role: "leader", term: this.#currentTerm },
      this,
    );
    this.#stopElectionTimer(ctx);
    // Figure 2, volatile state on leaders, "reinitialized after election":
    // nextIndex = leader last log index + 1, matchIndex = 0.
    this.#progress = new Map();
    this.#syncProgress(this.#log.lastIndex + 1);
    // A majority just answered (the votes): CheckQuorum's first judgement
    // comes a full window from now, as etcd's does an election timeout on.
    for (const pr of this.#progress.values()) pr.lastHeardAt = ctx.now();
    this.#proposed = new Map();
    this.#reads = new ReadOnly();
    this.#pendingChange = null;
    this.#transferee = null;
    if (this.config.noopOnElection) this.#appendToOwnLog({ type: "noop" });
    for (const peer of this.#progress.keys()) this.#sendAppend(ctx, peer, true);
    this.#maybeCommit(ctx); // a cluster of one commits alone
    ctx.setTimer("heartbeat", this.config.heartbeatMs);
    if (this.config.checkQuorum) ctx.setTimer("check-quorum", this.config.electionMinMs);
  }

  /** A client command at the leader: append it, replicate it, answer once applied. */
  #handleClientRequest(
    ctx: Ctx<M>,
    msg: Extract<Msg<M>, { type: "ClientRequest" }>,
    client: NodeId,
  ): void {
    if (this.#transferee !== null) {
      // etcd drops proposals during a transfer: the next leader takes them.
      return ctx.send(client, { type: "NotLeader", seq: msg.seq, leaderHint: this.#transferee });
    }
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
    if (msg.read === "read-index" && this.#sm.isReadOnly(msg.op)) {
      return this.#startRead(ctx, { client, seq: msg.seq, op: msg.op, index: 0, after: 0 });
    }
    const index = this.#appendToOwnLog({ type: "app", client, seq: msg.seq, op: msg.op });
    this.#proposed.set(client, { seq: msg.seq, index });
    for (const peer of this.#progress.keys()) this.#sendAppend(ctx, peer, false);
    this.#maybeCommit(ctx);
  }

  /**
   * Figure 2, leaders: "If command received from client: append entry to
   * local log". Leader Append-Only: the leader only ever appends.
   */
  #appendToOwnLog(command: Command<OpOf<M>>): number {
    const index = this.#log.lastIndex + 1;
    const entry: Entry<OpOf<M>> = { term: this.#currentTerm, index, command };
    this.#log.append([entry]);
    this.#version++;
    if (command.type === "conf") {
      // A configuration takes effect when appended (§4.1).
      this.#noteAppended(index, index);
      this.#syncProgress(index); // a new member is sent the change itself first
    }
    return index;
  }

  /**
   * Sends `peer` what it is missing: entries from nextIndex (§5.3), or the
   * snapshot when those entries are compacted away (§7). A heartbeat goes
   * even when there is nothing new: to a follower in `replicate` it is an
   * empty AppendEntries after `match` (where the logs are known to agree,
   * so it cannot race the entries in flight into a rejection); in `probe`
   * it repeats the probe, which may have been lost.
   */
  #sendAppend(ctx: Ctx<M>, peer: NodeId, heartbeat: boolean): void {
    const pr = this.#progress.get(peer);
    assert(pr !== undefined, () => `${peer} is not a member to replicate to`);
    if (pr.state === "snapshot") {
      // Unanswered for two heartbeats: it may have been lost. Send it again.
      if (heartbeat && ctx.now() - pr.progressAt > 2 * this.config.heartbeatMs) {
        this.#sendSnapshot(ctx, peer, pr);
      }
      return;
    }
    const log = this.#log;
    if (heartbeat && pr.state === "replicate") {
      const matchTerm = log.term(pr.match);
      const stalled = pr.next - 1 > pr.match &&
        ctx.now() - pr.progressAt > 2 * this.config.heartbeatMs;
      if (stalled) {
        // Entries in flight went unacknowledged for two heartbeats: they
        // were lost. Resend from match + 1, one message at a time.
        return this.#restartStream(ctx, peer, pr);
      } else if (matchTerm !== undefined) {
        ctx.send(peer, {
          type: "AppendEntries",
          term: this.#currentTerm,
          prevLogIndex: pr.match,
          prevLogTerm: matchTerm,
          entries: [],
          leaderCommit: this.#commitIndex,
          seq: ++this.#seq,
        });
        return;
      }
    }
    if (!heartbeat && pr.paused) return;
    const prevLogIndex = pr.next - 1;
    const prevLogTerm = log.term(prevLogIndex);
    if (prevLogTerm === undefined) return this.#sendSnapshot(ctx, peer, pr);
    if (prevLogIndex === log.lastIndex && !heartbeat) return;
    const c = this.config;
    const last = log.batchEnd(pr.next, c.maxEntriesPerAppend, c.maxBytesPerAppend);
    const entries = last > prevLogIndex ? log.slice(prevLogIndex + 1, last) : [];
    ctx.send(peer, {
      type: "AppendEntries",
      term: this.#currentTerm,
      prevLogIndex,
      prevLogTerm,
      entries,
      leaderCommit: this.#commitIndex,
      seq: ++this.#seq,
    });
    let bytes = 0;
    for (let i = prevLogIndex + 1; i <= last; i++) bytes += log.size(i);
    pr.sentEntries(last, bytes);
  }

  /**
   * Falls back to probing from `next` (already moved back): one message at
   * a time until the follower answers. Rejections of what was sent before
   * this point answer the old stream, and will be ignored.
   */
  #restartStream(ctx: Ctx<M>, peer: NodeId, pr: Progress): void {
    if (pr.state !== "probe") pr.becomeProbe();
    pr.resumedAt = this.#seq + 1;
    pr.progressAt = ctx.now();
    this.#sendAppend(ctx, peer, false);
  }

  #sendSnapshot(ctx: Ctx<M>, peer: NodeId, pr: Progress): void {
    const snapshot = this.#snapshot;
    assert(
      snapshot !== null && snapshot.lastIncludedIndex >= this.#log.snapshotIndex,
      "a compacted log without its snapshot",
    );
    pr.becomeSnapshot(snapshot.lastIncludedIndex);
    pr.progressAt = ctx.now();
    ctx.send(peer, {
      type: "InstallSnapshot",
      term: this.#currentTerm,
      snapshot,
      seq: ++this.#seq,
    });
  }

  /** AppendEntries results at the leader (Figure 2, rules for leaders). */
  #handleAppendEntriesReply(
    ctx: Ctx<M>,
    msg: Extract<PeerMsg, { type: "AppendEntriesReply" }>,
    from: NodeId,
  ): void {
    const pr = this.#progress.get(from);
    if (pr === undefined) return;
    pr.lastHeardAt = ctx.now();
    if (msg.seq > pr.ackedSeq) pr.ackedSeq = msg.seq;
    if (msg.success) {
      // "If successful: update nextIndex and matchIndex for follower (§5.3)."
      assert(msg.matchIndex <= this.#log.lastIndex, "a follower matched beyond our log");
      if (pr.maybeUpdate(msg.matchIndex)) {
        pr.progressAt = ctx.now();
        if (pr.state === "probe") pr.becomeReplicate();
        else if (pr.state === "snapshot" && pr.match >= pr.pendingSnapshot) {
          pr.becomeProbe();
          pr.becomeReplicate();
        } else pr.inflights.freeLE(pr.match);
        this.#maybeCommit(ctx);
        if (this.#role !== "leader") return; // the commit removed us (§4.2.2)
        if (from === this.#transferee) this.#maybeTimeoutNow(ctx, from, pr);
      } else if (pr.state === "probe" && msg.matchIndex === pr.match) {
        // The probe found the logs agree where we already knew: stream on.
        pr.becomeReplicate();
      }
      // Stream what follows, as far as the window allows.
      for (let k = 0; k < this.config.maxInflight && pr.next <= this.#log.lastIndex; k++) {
        if (pr.paused) break;
        this.#sendAppend(ctx, from, false);
      }
    } else if (pr.state !== "snapshot" && msg.seq >= pr.resumedAt) {
      // "If AppendEntries fails because of log inconsistency: decrement
      // nextIndex and retry (§5.3)." The hint names an entry the follower
      // holds; if we hold it too, the logs agree up to there (Log Matching),
      // so that much is matched: a follower that merely fell behind (a
      // message lost or overtaken) resumes from there, without a snapshot.
      const hintTerm = this.#log.term(msg.conflictIndex);
      if (hintTerm !== undefined && hintTerm === msg.conflictTerm) {
        if (pr.maybeUpdate(msg.conflictIndex)) {
          pr.progressAt = ctx.now();
          this.#maybeCommit(ctx);
          if (this.#role !== "leader") return;
        }
      }
      // Fast back-off: our own log tells where, at or below the follower's
      // hint, the terms could still agree.
      const probe = this.#log.findConflictByTerm(msg.conflictIndex, msg.conflictTerm).index;
      if (pr.maybeDecrTo(msg.prevLogIndex, probe)) this.#restartStream(ctx, from, pr);
    }
    this.#advanceReads(ctx);
  }

  #handleInstallSnapshotReply(
    ctx: Ctx<M>,
    msg: Extract<PeerMsg, { type: "InstallSnapshotReply" }>,
    from: NodeId,
  ): void {
    const pr = this.#progress.get(from);
    if (pr === undefined) return;
    pr.lastHeardAt = ctx.now();
    if (msg.seq > pr.ackedSeq) pr.ackedSeq = msg.seq;
    if (pr.maybeUpdate(msg.matchIndex)) this.#maybeCommit(ctx);
    if (this.#role !== "leader") return;
    if (pr.state === "snapshot") {
      if (pr.match >= pr.pendingSnapshot) {
        // Installed: the logs agree through the snapshot, stream from there.
        pr.becomeProbe();
        pr.becomeReplicate();
        pr.progressAt = ctx.now();
        for (let k = 0; k < this.config.maxInflight && pr.next <= this.#log.lastIndex; k++) {
          if (pr.paused) break;
          this.#sendAppend(ctx, from, false);
        }
      } else this.#restartStream(ctx, from, pr);
    }
    if (from === this.#transferee) this.#maybeTimeoutNow(ctx, from, pr);
    this.#advanceReads(ctx);
  }

  /**
   * Figure 2, leaders: "If there exists an N such that N > commitIndex, a
   * majority of matchIndex[i] >= N, and log[N].term == currentTerm: set
   * commitIndex = N (§5.3, §5.4)." Counting replicas commits only entries
   * of the current term; earlier entries are committed with them, by Log
   * Matching. Figure 8 shows why: an entry of an earlier term stored on a
   * majority can still be overwritten by a later leader. A leader that is
   * being removed does not count itself (§4.2.2).
   */
  #maybeCommit(ctx: Ctx<M>): void {
    const n = committedIndex(
      this.clusterConfig.voters,
      (id) => id === this.#self ? this.#log.lastIndex : this.#progress.get(id)?.match ?? 0,
    );
    if (n <= this.#commitIndex) return;
    if (this.#log.term(n) !== this.#currentTerm && !this.config.unsafeCommitPreviousTerms) return;
    this.#commitTo(ctx, n);
  }

  #onHeartbeat(ctx: Ctx<M>): void {
    // Figure 2, leaders: "send initial empty AppendEntries RPCs (heartbeat)
    // to each server; repeat during idle periods to prevent election
    // timeouts (§5.2)."
    for (const peer of this.#progress.keys()) this.#sendAppend(ctx, peer, true);
    ctx.setTimer("heartbeat", this.config.heartbeatMs);
  }

  /**
   * CheckQuorum (dissertation §6.2): a leader that has not heard from a
   * majority (itself included) within `checkQuorumMs` steps down, so a
   * leader cut off in a minority stops taking commands it can never commit,
   * and clients go looking for the real one. It runs every minimum election
   * timeout. The window is longer than that: replies that are merely slow
   * (delayed hundreds of milliseconds, while the heartbeats themselves
   * arrive and keep the followers' leases) must not depose a working leader.
   */
  #onCheckQuorum(ctx: Ctx<M>): void {
    const since = ctx.now() - this.config.checkQuorumMs;
    const active = committedIndex(this.clusterConfig.voters, (id) => {
      if (id === this.#self) return 1;
      const pr = this.#progress.get(id);
      return pr !== undefined && pr.lastHeardAt > since ? 1 : 0;
    });
    if (active < 1) {
      ctx.log(`lost quorum t${this.#currentTerm}`);
      return this.#becomeFollower(ctx, this.#currentTerm, null);
    }
    ctx.setTimer("check-quorum", this.config.electionMinMs);
  }

  // ---- membership changes (dissertation §4) --------------------------------------------

  /**
   * A membership change at the leader. One at a time: refused while the last
   * configuration entry is not committed, and until an entry of this term
   * is committed (the fix for the single-server change bug). A learner is
   * promoted only once it holds everything committed.
   */
  #handleConfChange(ctx: Ctx<M>, id: number, change: ConfChange, from: NodeId): void {
    const lastChange = this.#configs[this.#configs.length - 1]?.index ?? 0;
    let refusal: string | null = null;
    const next = applyConfChange(this.clusterConfig, change);
    if (this.#transferee !== null) refusal = "a leadership transfer is on";
    else if (lastChange > this.#commitIndex) refusal = "a membership change is pending";
    else if (this.#log.term(this.#commitIndex) !== this.#currentTerm) {
      refusal = "no entry of this term is committed yet";
    } else if (typeof next === "string") refusal = `invalid: ${next}`;
    else if (change.op === "promote") {
      const pr = this.#progress.get(change.node);
      if (pr === undefined || pr.match < this.#commitIndex) {
        refusal = `${change.node} has not caught up (match ${
          pr?.match ?? 0
        }, commit ${this.#commitIndex})`;
      }
    }
    if (refusal !== null || typeof next === "string") {
      return this.#refuseChange(ctx, id, from, refusal ?? "invalid");
    }
    const index = this.#appendToOwnLog({ type: "conf", change, config: next });
    ctx.log(`${change.op} ${change.node} at ${index}`);
    this.#pendingChange = { index, id, from };
    for (const peer of this.#progress.keys()) this.#sendAppend(ctx, peer, false);
    this.#maybeCommit(ctx);
  }

  #refuseChange(ctx: Ctx<M>, id: number, to: NodeId, reason: string): void {
    const leaderHint = this.#role === "leader" ? this.#self : this.#leaderId;
    ctx.send(to, { type: "ConfChangeReply", id, ok: false, reason, leaderHint });
  }

  /** A configuration entry at `index` was applied: answer who asked, and leave if removed. */
  #appliedConfChange(ctx: Ctx<M>, index: number): void {
    if (this.#role !== "leader") return;
    const pending = this.#pendingChange;
    if (pending !== null && pending.index === index) {
      ctx.send(pending.from, { type: "ConfChangeReply", id: pending.id, ok: true, index });
      this.#pendingChange = null;
    }
    // A leader removed from the cluster steps down once the change commits
    // (§4.2.2): until then it manages a cluster it is no longer part of.
    if (!this.#isVoter && index === this.#configs[this.#configs.length - 1]?.index) {
      ctx.log(`removed, stepping down t${this.#currentTerm}`);
      this.#becomeFollower(ctx, this.#currentTerm, null);
    }
  }

  /**
   * Makes the leader's progress map match the configuration: one per member
   * but itself. A member new to the map starts probing at `next`.
   */
  #syncProgress(next: number): void {
    const config = this.clusterConfig;
    const wanted = new Set(members(config));
    wanted.delete(this.#self);
    for (const id of [...this.#progress.keys()]) if (!wanted.has(id)) this.#progress.delete(id);
    for (const id of wanted) {
      if (!this.#progress.has(id)) {
        this.#progress.set(
          id,
          new Progress(next, {
            maxInflight: this.config.maxInflight,
            maxInflightBytes: this.config.maxInflightBytes,
          }),
        );
      }
    }
    if (this.#transferee !== null && !config.voters.includes(this.#transferee)) {
      this.#transferee = null;
    }
  }

  /**
   * Notes the configuration entries among `from..to`, which the log now
   * holds. Entries at or below the last one noted (or the snapshot) were
   * noted before: a repeated AppendEntries must not note them twice.
   */
  #noteAppended(from: number, to: number): void {
    const noted = this.#configs[this.#configs.length - 1]?.index ??
      this.#snapshot?.lastIncludedIndex ?? 0;
    for (let i = Math.max(from, this.#log.firstIndex, noted + 1); i <= to; i++) {
      const e = this.#log.entry(i)!;
      if (e.command.type !== "conf") continue;
      this.#configs.push({ index: i, config: e.command.config });
    }
    this.#refreshVoter();
  }

  /** A truncation from `from` took its configuration entries with it. */
  #noteTruncated(from: number): void {
    this.#version++;
    const configs = this.#configs;
    while (configs.length > 0 && configs[configs.length - 1].index >= from) configs.pop();
    this.#refreshVoter();
  }

  #refreshVoter(): void {
    this.#isVoter = this.clusterConfig.voters.includes(this.#self);
  }

  // ---- leadership transfer (dissertation §3.10) ------------------------------------------

  /**
   * Hands the lead to `to`: stop taking proposals, bring `to` up to date,
   * then tell it to campaign at once (TimeoutNow). Aborted after an
   * election timeout, as etcd does.
   */
  #handleTransfer(ctx: Ctx<M>, to: NodeId): void {
    if (to === this.#self || this.#transferee === to) return;
    if (!this.clusterConfig.voters.includes(to)) {
      ctx.log(`transfer to ${to} refused: not a voter`);
      return;
    }
    this.#transferee = to;
    ctx.log(`transfer to ${to}`);
    ctx.setTimer("transfer-timeout", this.config.electionMinMs);
    const pr = this.#progress.get(to)!;
    if (this.#maybeTimeoutNow(ctx, to, pr) || pr.state === "snapshot") return;
    // Catch the target up now, from what it is known to hold, rather than
    // wait for the stream to notice anything missing.
    pr.becomeProbe();
    this.#restartStream(ctx, to, pr);
  }

  #maybeTimeoutNow(ctx: Ctx<M>, to: NodeId, pr: Progress): boolean {
    if (pr.match !== this.#log.lastIndex) return false;
    ctx.send(to, { type: "TimeoutNow" });
    return true;
  }

  // ---- linearizable reads by ReadIndex (dissertation §6.4) -------------------------

  #startRead(ctx: Ctx<M>, read: PendingRead<OpOf<M>>): void {
    // 1. The leader needs an entry of its own term committed to know the
    //    latest commit index (the no-op does it).
    if (this.#log.term(this.#commitIndex) !== this.#currentTerm) {
      return this.#reads.awaitCommit(read);
    }
    this.#confirmLeadership(ctx, [read]);
  }

  /** 2., 3.: the reads get the commit index, and a round of heartbeats goes out. */
  #confirmLeadership(ctx: Ctx<M>, reads: PendingRead<OpOf<M>>[]): void {
    this.#reads.confirm(reads, this.#commitIndex, this.#seq);
    for (const peer of this.#progress.keys()) this.#sendAppend(ctx, peer, true);
    this.#advanceReads(ctx);
  }

  #advanceReads(ctx: Ctx<M>): void {
    if (this.#reads.size === 0) return;
    this.#reads.advance((after) =>
      committedIndex(
        this.clusterConfig.voters,
        (id) => id === this.#self ? Infinity : this.#progress.get(id)?.ackedSeq ?? 0,
      ) > after
    );
    this.#serveReads(ctx);
  }

  /** 4. Once lastApplied reaches the read index, read the state machine and answer. */
  #serveReads(ctx: Ctx<M>): void {
    for (const read of this.#reads.ready(this.#lastApplied)) {
      ctx.send(read.client, {
        type: "ClientReply",
        seq: read.seq,
        result: this.#sm.query(read.op),
      });
    }
  }

  // ---- commit, apply, compact (all servers) -----------------------------------------

  #commitTo(ctx: Ctx<M>, index: number): void {
    assert(index > this.#commitIndex, "commitIndex only grows");
    assert(index <= this.#log.lastIndex, "commitIndex beyond the log");
    this.#commitIndex = index;
    this.#version++;
    ctx.log(`commit ${index}`);
    this.#applyCommitted(ctx);
    if (this.#role === "leader" && this.#log.term(this.#commitIndex) === this.#currentTerm) {
      const waiting = this.#reads.takeAwaitingCommit();
      if (waiting.length > 0) this.#confirmLeadership(ctx, waiting);
    }
  }

  /**
   * Figure 2, all servers: "If commitIndex > lastApplied: increment
   * lastApplied, apply log[lastApplied] to state machine (§5.3)." The
   * leader answers the client of each command.
   */
  #applyCommitted(ctx: Ctx<M>): void {
    const observer = this.config.observer;
    while (this.#lastApplied < this.#commitIndex) {
      const entry = this.#log.entry(this.#lastApplied + 1);
      assert(entry !== undefined, () => `committed entry ${this.#lastApplied + 1} is missing`);
      this.#lastApplied++;
      const command = entry.command;
      const outcome = this.#sm.apply(command);
      observer?.(
        this.#self,
        { type: "applied", index: entry.index, term: entry.term, command },
        this,
      );
      if (command.type === "conf") this.#appliedConfChange(ctx, entry.index);
      else if (this.#role === "leader" && command.type === "app") {
        this.#answer(ctx, command.client, command.seq, outcome);
      }
    }
    if (this.#role === "leader") this.#serveReads(ctx);
    // Snapshotting runs as a separate step, as it would in the background.
    const every = this.config.snapshotEvery;
    if (every > 0 && this.#lastApplied - (this.#snapshot?.lastIncludedIndex ?? 0) >= every) {
      ctx.setTimer("compact", 0);
    }
  }

  #answer(ctx: Ctx<M>, client: NodeId, seq: number, outcome: ApplyOutcome<ResultOf<M>>): void {
    if (outcome.kind === "applied" || outcome.kind === "duplicate") {
      ctx.send(client, { type: "ClientReply", seq, result: outcome.result });
    }
  }

  /** Log compaction (§7) once `snapshotEvery` entries were applied since the last snapshot. */
  #compact(ctx: Ctx<M>): void {
    const every = this.config.snapshotEvery;
    const index = this.#lastApplied;
    if (every === 0 || index - (this.#snapshot?.lastIncludedIndex ?? 0) < every) return;
    this.#takeSnapshot(ctx);
  }

  /**
   * Snapshots the state machine at lastApplied and drops the entries it
   * covers from the log, through `compactTo` if given. Otherwise a leader
   * keeps what its live followers still need (up to `snapshotEvery` entries
   * behind the snapshot), so a follower that is merely a little behind gets
   * entries, not a snapshot.
   */
  #takeSnapshot(ctx: Ctx<M>, compactTo?: number): void {
    const index = this.#lastApplied; // the machine's state is at lastApplied
    const config = this.#configAt(index);
    const snapshot: Snapshot = {
      lastIncludedIndex: index,
      lastIncludedTerm: this.#log.term(index)!,
      config,
      state: this.#sm.snapshot(),
    };
    ctx.storage.set(SNAPSHOT, snapshot); // the snapshot is durable before the log forgets
    this.#snapshot = snapshot;
    this.#snapshotConfig = config;
    this.#configs = this.#configs.filter((c) => c.index > index);
    let keepFrom = index;
    if (compactTo !== undefined) keepFrom = compactTo;
    else if (this.#role === "leader") {
      for (const pr of this.#progress.values()) {
        const live = ctx.now() - pr.lastHeardAt < this.config.checkQuorumMs;
        if (live && pr.match < keepFrom) keepFrom = pr.match;
      }
      keepFrom = Math.max(keepFrom, index - this.config.trailingEntries);
    }
    if (keepFrom > this.#log.snapshotIndex) this.#log.compact(keepFrom);
    this.#version++;
    ctx.log(`snapshot ${index}`);
  }

  /** The configuration in force at `index` (not below the snapshot). */
  #configAt(index: number): ClusterConfig {
    let config = this.#snapshotConfig;
    for (const c of this.#configs) {
      if (c.index > index) break;
      config = c.config;
    }
    return config;
  }

  // ---- role changes and timers ----------------------------------------------------------

  #becomeFollower(ctx: Ctx<M>, term: number, leader: NodeId | null): void {
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
    this.#version++;
    if (changed) {
      ctx.log(`follower t${term}`);
      this.config.observer?.(this.#self, { type: "role", role: "follower", term }, this);
    }
    this.#resetElectionTimer(ctx);
  }

  /** Leaves the leader role: its timers stop and waiting reads and changes are turned away. */
  #stopLeading(ctx: Ctx<M>, newLeader: NodeId | null): void {
    ctx.cancelTimer("heartbeat");
    ctx.cancelTimer("check-quorum");
    ctx.cancelTimer("transfer-timeout");
    for (const read of this.#reads.drain()) {
      ctx.send(read.client, { type: "NotLeader", seq: read.seq, leaderHint: newLeader });
    }
    const pending = this.#pendingChange;
    if (pending !== null) {
      ctx.send(pending.from, {
        type: "ConfChangeReply",
        id: pending.id,
        ok: false,
        reason: "leadership lost before the change committed (it may still commit)",
        leaderHint: newLeader,
      });
    }
    this.#pendingChange = null;
    this.#transferee = null;
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
  #resetElectionTimer(ctx: Ctx<M>): void {
    const { electionMinMs: min, electionMaxMs: max } = this.config;
    this.#electionDeadline = ctx.now() + min + ctx.random() * (max - min);
    if (this.#electionTimerAt === null || this.#electionTimerAt > this.#electionDeadline) {
      this.#armElectionTimer(ctx);
    }
  }

  #armElectionTimer(ctx: Ctx<M>): void {
    this.#electionTimerAt = this.#electionDeadline;
    ctx.setTimer("election", this.#electionDeadline - ctx.now());
  }

  #stopElectionTimer(ctx: Ctx<M>): void {
    this.#electionTimerAt = null;
    ctx.cancelTimer("election");
  }

  /** Within the leader lease: CheckQuorum is on and a leader was heard from lately. */
  #inLease(ctx: Ctx<M>): boolean {
    if (!this.config.checkQuorum || this.#leaderId === null) return false;
    if (this.#role === "leader") return true;
    return ctx.now() - this.#leaderContactAt < this.config.electionMinMs;
  }

  #saveHardState(ctx: Ctx<M>): void {
    const hard: HardState = { term: this.#currentTerm, votedFor: this.#votedFor };
    ctx.storage.set(HARD_STATE, hard);
    this.#version++;
  }
}

/** The context a server of application `M` runs with. */
type Ctx<M extends AnyMachine> = Context<RaftMsg<OpOf<M>, ResultOf<M>>, RaftTimer>;
/** The messages of a server of application `M`. */
type Msg<M extends AnyMachine> = RaftMsg<OpOf<M>, ResultOf<M>>;

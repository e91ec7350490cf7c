/**
 * Raft's safety properties (Figure 3 of the paper), checked after every
 * event of a simulation, and a liveness monitor with stated bounds.
 *
 * | property | what is checked |
 * | --- | --- |
 * | Election Safety | at most one leader per term, ever |
 * | Leader Append-Only | a leader never removes or overwrites entries of its log |
 * | Log Matching | logs with an entry of the same index and term agree on it and on the entry before it (so, by induction, on everything before) |
 * | Leader Completeness | an entry committed in term T is in the log of every leader of a later term |
 * | State Machine Safety | no two servers apply different commands at one index; servers at the same applied index have the same state machine digest |
 *
 * The checks are incremental: each keeps per-server cursors and global
 * ledgers (what entry was seen at (index, term), what was committed and
 * applied at each index), so the cost per event is a few field reads per
 * server unless a log actually changed. A restart is noticed because the
 * simulator builds a new actor instance.
 *
 * @module
 */

import type { NodeId } from "../../actors/mod.ts";
import type { Invariant, InvariantResult, Simulation } from "../../sim/simulation.ts";
import type { RaftLog } from "./log.ts";
import type { RaftNode } from "./node.ts";
import { commandKey } from "./state_machine.ts";

/** The server's instance if it is up and started (a restarted one exists just before `onStart`). */
function running(sim: Simulation, id: NodeId): RaftNode | undefined {
  const n = sim.actor<RaftNode>(id);
  return n !== undefined && n.started ? n : undefined;
}

/** The names under which {@linkcode RaftSafety.install} registers the checks. */
export const SAFETY_CHECKS = [
  "election-safety",
  "leader-append-only",
  "log-matching",
  "leader-completeness",
  "state-machine-safety",
] as const;

/**
 * One of Raft's safety properties.
 *
 * @example
 * ```ts
 * import type { SafetyCheck } from "./invariants.ts";
 * const c: SafetyCheck = "log-matching";
 * ```
 */
export type SafetyCheck = typeof SAFETY_CHECKS[number];

/**
 * Checks Raft's five safety properties over the servers of a simulation.
 *
 * @example
 * ```ts
 * import { Simulation } from "../../sim/simulation.ts";
 * import { RaftNode } from "./node.ts";
 * import { RaftSafety } from "./invariants.ts";
 * const servers = ["n1", "n2", "n3"];
 * const sim = new Simulation({ seed: 3, trace: "off" });
 * for (const id of servers) sim.spawn(id, () => new RaftNode({ servers }));
 * const safety = new RaftSafety(servers);
 * safety.install(sim);
 * sim.run({ until: 1000 }).ok; // true
 * safety.leaders.size >= 1; // true
 * ```
 */
export class RaftSafety {
  readonly servers: readonly NodeId[];
  /** Term -> the one server that led it. */
  readonly leaders: Map<number, NodeId> = new Map();

  // Leader Append-Only: what each leader's log looked like at the last event.
  #leaderLogs = new Map<
    NodeId,
    { node: RaftNode; term: number; lastIndex: number; lastTerm: number; truncations: number }
  >();
  // Log Matching: "index/term" -> the command and the previous entry's term.
  #entries = new Map<string, { command: string; prevTerm: number | undefined; node: NodeId }>();
  #logCursors = new Map<NodeId, { log: RaftLog; truncations: number; checkedTo: number }>();
  // Leader Completeness: index -> term of the committed entry, and the term
  // in which it was committed (the first server to see it committed is the
  // leader that committed it, in its own term).
  #committed = new Map<number, { term: number; commitTerm: number; node: NodeId }>();
  #maxCommitted = 0;
  #commitCursors = new Map<NodeId, { node: RaftNode; commitIndex: number }>();
  #verifiedLeaders = new Map<NodeId, { node: RaftNode; term: number }>();
  // State Machine Safety: index -> the command applied there, and the digest after it.
  #applied = new Map<number, { command: string; node: NodeId }>();
  #digests = new Map<number, { digest: number; node: NodeId }>();
  #applyCursors = new Map<NodeId, { node: RaftNode; lastApplied: number }>();

  constructor(servers: readonly NodeId[]) {
    this.servers = [...servers];
  }

  /** Registers the five checks on `sim`, under the names in {@linkcode SAFETY_CHECKS}. */
  install(sim: Simulation): void {
    const checks: Record<SafetyCheck, Invariant> = {
      "election-safety": (s) => this.electionSafety(s),
      "leader-append-only": (s) => this.leaderAppendOnly(s),
      "log-matching": (s) => this.logMatching(s),
      "leader-completeness": (s) => this.leaderCompleteness(s),
      "state-machine-safety": (s) => this.stateMachineSafety(s),
    };
    for (const name of SAFETY_CHECKS) sim.invariant(name, checks[name]);
  }

  /** How many distinct entries were committed (by index) so far. */
  get committedEntries(): number {
    return this.#committed.size;
  }

  /** Election Safety (§5.2): at most one leader can be elected in a given term. */
  electionSafety(sim: Simulation): InvariantResult {
    for (const id of this.servers) {
      const n = running(sim, id);
      if (n === undefined || n.role !== "leader") continue;
      const known = this.leaders.get(n.currentTerm);
      if (known === undefined) this.leaders.set(n.currentTerm, id);
      else if (known !== id) {
        return { message: `two leaders in term ${n.currentTerm}: ${known} and ${id}`, node: id };
      }
    }
  }

  /** Leader Append-Only (§5.3): a leader never overwrites or deletes entries in its log. */
  leaderAppendOnly(sim: Simulation): InvariantResult {
    for (const id of this.servers) {
      const n = running(sim, id);
      if (n === undefined || n.role !== "leader") {
        this.#leaderLogs.delete(id);
        continue;
      }
      const log = n.log;
      const before = this.#leaderLogs.get(id);
      if (before !== undefined && before.node === n && before.term === n.currentTerm) {
        const kept = log.term(before.lastIndex);
        if (
          log.truncations !== before.truncations || log.lastIndex < before.lastIndex ||
          (kept !== undefined && kept !== before.lastTerm)
        ) {
          return {
            message: `leader ${id} of term ${n.currentTerm} removed or overwrote entries ` +
              `(its log ended at ${before.lastIndex}, now ${log.lastIndex})`,
            node: id,
          };
        }
      }
      this.#leaderLogs.set(id, {
        node: n,
        term: n.currentTerm,
        lastIndex: log.lastIndex,
        lastTerm: log.lastTerm,
        truncations: log.truncations,
      });
    }
  }

  /**
   * Log Matching (§5.3): if two logs contain an entry with the same index
   * and term, the logs are identical in all entries up through that index.
   * Checked inductively: every (index, term) always names the same command
   * and follows an entry of the same term.
   */
  logMatching(sim: Simulation): InvariantResult {
    for (const id of this.servers) {
      const n = running(sim, id);
      if (n === undefined) continue;
      const log = n.log;
      let c = this.#logCursors.get(id);
      if (c === undefined || c.log !== log) {
        c = { log, truncations: log.truncations, checkedTo: log.snapshotIndex };
        this.#logCursors.set(id, c);
      } else if (log.truncations !== c.truncations) {
        // One handler truncates at most once; more means we lost track, so recheck all.
        c.checkedTo = log.truncations === c.truncations + 1
          ? Math.min(c.checkedTo, log.truncatedFrom - 1)
          : log.snapshotIndex;
        c.truncations = log.truncations;
      }
      const from = Math.max(c.checkedTo, log.snapshotIndex) + 1;
      for (let i = from; i <= log.lastIndex; i++) {
        const e = log.entry(i)!;
        if (e.index !== i) {
          return { message: `${id} holds entry ${e.index} at index ${i}`, node: id };
        }
        const command = commandKey(e.command);
        const prevTerm = log.term(i - 1);
        const k = `${i}/${e.term}`;
        const seen = this.#entries.get(k);
        if (seen === undefined) {
          this.#entries.set(k, { command, prevTerm, node: id });
        } else if (seen.command !== command) {
          return {
            message:
              `${seen.node} and ${id} hold different commands at index ${i}, term ${e.term}:` +
              ` ${seen.command} / ${command}`,
            node: id,
          };
        } else if (
          prevTerm !== undefined && seen.prevTerm !== undefined && prevTerm !== seen.prevTerm
        ) {
          return {
            message: `${seen.node} and ${id} agree on entry (${i}, term ${e.term}) but not on ` +
              `the term of entry ${i - 1} (${seen.prevTerm} / ${prevTerm})`,
            node: id,
          };
        }
      }
      c.checkedTo = log.lastIndex;
    }
  }

  /**
   * Leader Completeness (§5.4): if a log entry is committed in a given term,
   * it is present in the logs of the leaders of all higher-numbered terms.
   * An entry counts as committed once some server's commitIndex covers it,
   * in that server's current term; every commit is also checked against the
   * ledger, so two servers never commit different entries at one index.
   * (The term an entry is committed in can be later than its own term: a
   * leader of a term in between need not hold it.)
   */
  leaderCompleteness(sim: Simulation): InvariantResult {
    const fresh: number[] = [];
    for (const id of this.servers) {
      const n = running(sim, id);
      if (n === undefined) continue;
      let c = this.#commitCursors.get(id);
      if (c === undefined || c.node !== n) {
        c = { node: n, commitIndex: n.commitIndex };
        this.#commitCursors.set(id, c);
        continue;
      }
      for (let i = c.commitIndex + 1; i <= n.commitIndex; i++) {
        const term = n.log.term(i);
        if (term === undefined) continue; // arrived inside a snapshot: State Machine Safety covers it
        const known = this.#committed.get(i);
        if (known === undefined) {
          this.#committed.set(i, { term, commitTerm: n.currentTerm, node: id });
          fresh.push(i);
        } else if (known.term !== term) {
          return {
            message: `index ${i} committed with term ${known.term} at ${known.node} ` +
              `but term ${term} at ${id}`,
            node: id,
          };
        }
      }
      c.commitIndex = n.commitIndex;
      if (n.commitIndex > this.#maxCommitted) this.#maxCommitted = n.commitIndex;
    }
    for (const id of this.servers) {
      const n = running(sim, id);
      if (n === undefined || n.role !== "leader") continue;
      const v = this.#verifiedLeaders.get(id);
      if (v === undefined || v.node !== n || v.term !== n.currentTerm) {
        // A new leader: it must hold every entry committed so far.
        const missing = this.#missingCommitted(n, n.log.snapshotIndex + 1, this.#maxCommitted);
        if (missing !== undefined) return this.#incomplete(id, n, missing);
        this.#verifiedLeaders.set(id, { node: n, term: n.currentTerm });
      } else {
        // A known leader: entries newly committed in earlier terms must be in its log.
        for (const i of fresh) {
          const { term, commitTerm } = this.#committed.get(i)!;
          if (commitTerm >= n.currentTerm || i <= n.log.snapshotIndex) continue;
          if (n.log.term(i) !== term) return this.#incomplete(id, n, i);
        }
      }
    }
  }

  #missingCommitted(n: RaftNode, from: number, to: number): number | undefined {
    for (let i = from; i <= to; i++) {
      const known = this.#committed.get(i);
      if (
        known !== undefined && known.commitTerm < n.currentTerm && n.log.term(i) !== known.term
      ) {
        return i;
      }
    }
    return undefined;
  }

  #incomplete(id: NodeId, n: RaftNode, index: number): InvariantResult {
    const known = this.#committed.get(index)!;
    const has = n.log.term(index);
    return {
      message: `leader ${id} of term ${n.currentTerm} lacks entry ${index} (term ${known.term}), ` +
        `committed in term ${known.commitTerm}; its log has ${
          has === undefined ? "nothing" : `term ${has}`
        } there`,
      node: id,
    };
  }

  /**
   * State Machine Safety (§5.4.3): if a server has applied a log entry at a
   * given index, no other server ever applies a different entry at that
   * index. Entries applied from a snapshot are covered by the digest check.
   */
  stateMachineSafety(sim: Simulation): InvariantResult {
    for (const id of this.servers) {
      const n = running(sim, id);
      if (n === undefined) continue;
      let c = this.#applyCursors.get(id);
      if (c === undefined || c.node !== n) {
        c = { node: n, lastApplied: n.lastApplied };
        this.#applyCursors.set(id, c);
        const bad = this.#checkDigest(id, n);
        if (bad !== undefined) return bad;
        continue;
      }
      if (n.lastApplied === c.lastApplied) continue;
      if (n.lastApplied < c.lastApplied) {
        return {
          message: `${id} un-applied entries (${c.lastApplied} -> ${n.lastApplied})`,
          node: id,
        };
      }
      for (let i = c.lastApplied + 1; i <= n.lastApplied; i++) {
        const e = n.log.entry(i);
        if (e === undefined) continue; // installed from a snapshot
        const command = commandKey(e.command);
        const known = this.#applied.get(i);
        if (known === undefined) this.#applied.set(i, { command, node: id });
        else if (known.command !== command) {
          return {
            message:
              `${known.node} applied ${known.command} at index ${i} but ${id} applied ${command}`,
            node: id,
          };
        }
      }
      c.lastApplied = n.lastApplied;
      const bad = this.#checkDigest(id, n);
      if (bad !== undefined) return bad;
    }
  }

  #checkDigest(id: NodeId, n: RaftNode): InvariantResult {
    const index = n.lastApplied;
    if (index === 0) return undefined;
    const digest = n.stateMachine.digest;
    const known = this.#digests.get(index);
    if (known === undefined) this.#digests.set(index, { digest, node: id });
    else if (known.digest !== digest) {
      return {
        message: `${known.node} and ${id} have applied different histories through index ${index}`,
        node: id,
      };
    }
    return undefined;
  }
}

/**
 * The liveness promise, in virtual time.
 *
 * @example
 * ```ts
 * import type { LivenessBounds } from "./invariants.ts";
 * const b: LivenessBounds = { leaderWithinMs: 3000, commitWithinMs: 1200 };
 * ```
 */
export interface LivenessBounds {
  /** Once a majority of servers is up and connected, a leader exists within this. */
  leaderWithinMs: number;
  /** While such a majority has a leader, every client operation returns `ok` within this of its call. */
  commitWithinMs: number;
}

/**
 * The bounds for a cluster, from its timing and its network's loss rate.
 *
 * Lost messages cost retries. A client try succeeds when its request and
 * the answer both get through, with probability q = (1 - loss)^2; we allow
 * k tries, the least with (1 - q)^k <= 1e-7 (k = 1 without loss, 10 at 10%
 * loss).
 *
 * A leader: after the majority settles, every follower's election timer
 * fires within `electionMaxMs` of its last contact; a pre-vote and a vote
 * round trip take at most 4 one-way delays; a split vote or a lost vote
 * costs another such round. We allow 10 + k rounds.
 *
 * A commit: a client may try each server before finding the leader (the
 * one it believed in up to three times, each try at most
 * `requestTimeoutMs`), then needs up to k tries at the leader, and two
 * round trips (client to leader, leader to followers); a leader cut off in
 * a minority may keep taking requests for up to two CheckQuorum periods.
 *
 * @example
 * ```ts
 * import { livenessBounds } from "./invariants.ts";
 * livenessBounds({ electionMaxMs: 300, servers: 5, requestTimeoutMs: 100, maxLatencyMs: 10, loss: 0 });
 * // { leaderWithinMs: 3740, commitWithinMs: 1480 }
 * ```
 */
export function livenessBounds(t: {
  electionMaxMs: number;
  servers: number;
  requestTimeoutMs: number;
  maxLatencyMs: number;
  loss: number;
}): LivenessBounds {
  const q = (1 - t.loss) ** 2;
  const tries = q >= 1
    ? 1
    : q <= 0
    ? Infinity
    : Math.max(1, Math.ceil(Math.log(1e-7) / Math.log(1 - q)));
  return {
    leaderWithinMs: (10 + tries) * (t.electionMaxMs + 4 * t.maxLatencyMs),
    commitWithinMs: (t.servers + 2 + tries) * t.requestTimeoutMs + 2 * t.electionMaxMs +
      8 * t.maxLatencyMs,
  };
}

/**
 * Checks the liveness promise online: while a majority of servers is up
 * (not crashed, not paused) and mutually connected, and nothing about that
 * majority changes (membership, restarts), a leader with the highest term
 * among them appears within `leaderWithinMs`; and while that leader stays,
 * every client operation invoked returns `ok` within `commitWithinMs`.
 *
 * @example
 * ```ts
 * import { Simulation } from "../../sim/simulation.ts";
 * import { RaftNode } from "./node.ts";
 * import { RaftLiveness } from "./invariants.ts";
 * const servers = ["n1", "n2", "n3"];
 * const sim = new Simulation({ seed: 4, trace: "off" });
 * for (const id of servers) sim.spawn(id, () => new RaftNode({ servers }));
 * const live = new RaftLiveness(servers, [], { leaderWithinMs: 3740, commitWithinMs: 1480 });
 * sim.invariant("liveness", (s) => live.check(s));
 * sim.run({ until: 2000 }).ok; // true
 * live.maxLeaderlessMs < 3740; // true
 * ```
 */
export class RaftLiveness {
  readonly servers: readonly NodeId[];
  readonly clients: ReadonlySet<NodeId>;
  readonly bounds: LivenessBounds;
  /** The longest a healthy majority went without a leader (ms). */
  maxLeaderlessMs = 0;
  /** The longest an operation took while a leader was steady (ms). */
  maxSteadyOpMs = 0;
  /** Operations judged against the commit bound. */
  opsJudged = 0;

  #quorum: number;
  #instances: unknown[];
  #signature = "";
  #leaderlessSince: number | null = null;
  #steadyKey = "";
  #steadySince: number | null = null;
  #cursor = 0;

  constructor(servers: readonly NodeId[], clients: readonly NodeId[], bounds: LivenessBounds) {
    this.servers = [...servers];
    this.clients = new Set(clients);
    this.bounds = bounds;
    this.#quorum = Math.floor(servers.length / 2) + 1;
    this.#instances = servers.map(() => undefined);
  }

  /** The invariant: call after every event. */
  check(sim: Simulation): InvariantResult {
    const now = sim.now;
    const majority = this.#healthyMajority(sim);
    if (majority === null) {
      this.#signature = "";
      this.#leaderlessSince = null;
      this.#steadySince = null;
      return;
    }
    const signature = majority.join(",");
    if (signature !== this.#signature) {
      this.#signature = signature;
      this.#leaderlessSince = null;
      this.#steadySince = null;
    }
    let maxTerm = 0;
    for (const id of majority) maxTerm = Math.max(maxTerm, running(sim, id)!.currentTerm);
    const leader = majority.find((id) => {
      const n = running(sim, id)!;
      return n.role === "leader" && n.currentTerm === maxTerm;
    });
    if (leader === undefined) {
      this.#steadySince = null;
      this.#leaderlessSince ??= now;
      const waited = now - this.#leaderlessSince;
      if (waited > this.maxLeaderlessMs) this.maxLeaderlessMs = waited;
      if (waited > this.bounds.leaderWithinMs) {
        return `no leader for ${waited.toFixed(0)} ms while ${signature} were up and connected ` +
          `(bound ${this.bounds.leaderWithinMs} ms)`;
      }
      return;
    }
    this.#leaderlessSince = null;
    const key = `${leader}/${maxTerm}`;
    if (this.#steadySince === null || key !== this.#steadyKey) {
      this.#steadySince = now;
      this.#steadyKey = key;
    }
    return this.#checkOps(sim, now, this.#steadySince, leader);
  }

  #checkOps(sim: Simulation, now: number, since: number, leader: NodeId): InvariantResult {
    const ops = sim.history.operations;
    while (this.#cursor < ops.length) {
      const op = ops[this.#cursor];
      if (op.call < since || !this.clients.has(op.client)) {
        this.#cursor++;
        continue;
      }
      const deadline = op.call + this.bounds.commitWithinMs;
      if (op.status === "ok" && op.ret <= deadline) {
        this.maxSteadyOpMs = Math.max(this.maxSteadyOpMs, op.ret - op.call);
        this.opsJudged++;
        this.#cursor++;
        continue;
      }
      if (now <= deadline) return; // it still has time
      return {
        message: `operation ${op.id} (${op.f} by ${op.client}, called at ${op.call}) did not ` +
          `commit within ${this.bounds.commitWithinMs} ms although ${leader} led a connected ` +
          `majority throughout`,
        node: op.client,
      };
    }
  }

  /** The largest group of up, mutually connected servers, if it is a majority; else null. */
  #healthyMajority(sim: Simulation): NodeId[] | null {
    const up: NodeId[] = [];
    let restarted = false;
    this.servers.forEach((id, i) => {
      const actor = sim.actor(id);
      if (actor !== this.#instances[i]) {
        this.#instances[i] = actor;
        restarted = true;
      }
      if (sim.status(id) === "up" && running(sim, id) !== undefined) up.push(id);
    });
    if (restarted) this.#signature = ""; // a fresh instance: the majority changed
    if (up.length < this.#quorum) return null;
    // Partitions cut the servers into groups; find the largest connected group.
    let best: NodeId[] = [];
    const seen = new Set<NodeId>();
    for (const start of up) {
      if (seen.has(start)) continue;
      const group = [start];
      seen.add(start);
      for (let k = 0; k < group.length; k++) {
        for (const other of up) {
          if (seen.has(other)) continue;
          if (!sim.isBlocked(group[k], other) && !sim.isBlocked(other, group[k])) {
            seen.add(other);
            group.push(other);
          }
        }
      }
      if (group.length > best.length) best = group;
    }
    return best.length >= this.#quorum ? best.sort() : null;
  }
}

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
 * The checks are incremental and look only at what changed. Every server
 * keeps a version number that moves whenever its role, term, log, commit or
 * apply state does; once per event the checker finds the servers whose
 * version moved (normally just the one that handled the event) and checks
 * only those, against global ledgers of what entry was seen at each (index,
 * term), what was committed and applied at each index. The ledgers forget
 * what lies below every server's log start: no server can show those
 * entries again, so memory stays flat however long the run. Membership
 * changes need nothing special: the properties hold across configurations,
 * for every server that ever ran. A restart is noticed because the
 * simulator builds a new actor instance.
 *
 * @module
 */

import type { NodeId, OpId } from "../../actors/mod.ts";
import type { Invariant, InvariantResult, Simulation } from "../../sim/simulation.ts";
import type { RaftLog } from "./log.ts";
import type { RaftEvent, Role } from "./node.ts";
import { type Command, commandKey } from "./state_machine.ts";

/**
 * What the checkers read of a server: a {@linkcode RaftNode} has it all.
 *
 * @example
 * ```ts
 * import type { CheckedServer } from "./invariants.ts";
 * import { RaftNode } from "./node.ts";
 * import assert from "node:assert/strict";
 * const n: CheckedServer = new RaftNode({ servers: ["n1"] });
 * assert.equal(n.started, false);
 * ```
 */
export interface CheckedServer {
  /** Whether `onStart` ran (a restarted instance exists a moment before). */
  readonly started: boolean;
  /** Moves whenever anything below does. */
  readonly version: number;
  /** Its role. */
  readonly role: Role;
  /** Figure 2's currentTerm. */
  readonly currentTerm: number;
  /** Figure 2's commitIndex. */
  readonly commitIndex: number;
  /** Figure 2's lastApplied. */
  readonly lastApplied: number;
  /** Its log. */
  readonly log: RaftLog<unknown>;
  /** Its state machine's history digest. */
  readonly stateMachine: { readonly digest: number };
}

/** The server's instance if it is up and started (a restarted one exists just before `onStart`). */
function running(sim: Simulation, id: NodeId): CheckedServer | undefined {
  const n = sim.actor<CheckedServer>(id);
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
 * import assert from "node:assert/strict";
 * const c: SafetyCheck = "log-matching";
 * assert.equal(c, "log-matching");
 * ```
 */
export type SafetyCheck = typeof SAFETY_CHECKS[number];

/** What one server looked like when last checked. */
interface Seen {
  id: NodeId;
  node: CheckedServer | undefined;
  version: number;
  /** Its log's start (snapshotIndex) at the last look: the ledgers keep what lies above. */
  logStart: number;
  // Leader Append-Only: its log while it led, at the last look.
  leaderTerm: number;
  leaderLastIndex: number;
  leaderLastTerm: number;
  leaderTruncations: number;
  // Log Matching: checked up to here, in this log.
  log: RaftLog<unknown> | null;
  logTruncations: number;
  checkedTo: number;
  // Leader Completeness and State Machine Safety cursors.
  commitIndex: number;
  lastApplied: number;
  verifiedLeaderTerm: number;
  /** The instance that reported a change since the last scan, if any. */
  reported: CheckedServer | undefined;
  /** Whether it is in `#leading`. */
  leading: boolean;
}

/** An entry as first seen at an index, by term. */
interface LedgerEntry {
  term: number;
  command: Command<unknown>;
  prevTerm: number | undefined;
  node: NodeId;
}

/** Two commands are the same when they are one object (the usual case) or say the same. */
function sameCommand(a: Command<unknown>, b: Command<unknown>): boolean {
  return a === b || commandKey(a) === commandKey(b);
}

/**
 * Checks Raft's five safety properties over the servers of a simulation.
 *
 * @example
 * ```ts
 * import { Simulation } from "../../sim/simulation.ts";
 * import { RaftNode } from "./node.ts";
 * import { RaftSafety } from "./invariants.ts";
 * import assert from "node:assert/strict";
 * const servers = ["n1", "n2", "n3"];
 * const sim = new Simulation({ seed: 3, trace: "off" });
 * for (const id of servers) sim.spawn(id, () => new RaftNode({ servers }));
 * const safety = new RaftSafety(servers);
 * safety.install(sim);
 * assert.equal(sim.run({ until: 1000 }).ok, true);
 * assert.ok(safety.leaders.size >= 1);
 * ```
 */
export class RaftSafety {
  /** The servers checked. */
  readonly servers: readonly NodeId[];
  /** Term -> the one server that led it. */
  readonly leaders: Map<number, NodeId> = new Map();

  #seen: Seen[];
  /** The servers whose version moved at the last scan. */
  #dirty: Seen[] = [];
  /** How many of `#dirty` are this event's (the array is reused, not cut). */
  #dirtyCount = 0;
  /** With an observer installed: the servers that reported a change since the last scan. */
  #notified: Seen[] | null = null;
  /** The servers that were leaders at the last look. */
  #leading = new Set<Seen>();
  // Log Matching: index -> the entries seen there, one per term.
  #entries = new Map<number, LedgerEntry[]>();
  // Leader Completeness: index -> term of the committed entry, and the term
  // in which it was committed (the first server to see it committed is the
  // leader that committed it, in its own term).
  #committed = new Map<number, { term: number; commitTerm: number; node: NodeId }>();
  #maxCommitted = 0;
  // State Machine Safety: index -> the command applied there, and the digest after it.
  #applied = new Map<number, { command: Command<unknown>; node: NodeId }>();
  #digests = new Map<number, { digest: number; node: NodeId }>();
  /** Ledger entries below this index are forgotten. */
  #prunedTo = 0;
  /** Indexes newly committed during the current event, for Leader Completeness. */
  #fresh: number[] = [];
  #freshCount = 0;

  /** Checks for `servers` (every server that ever runs, spares included). */
  constructor(servers: readonly NodeId[]) {
    this.servers = [...servers];
    this.#seen = this.servers.map((id) => ({
      id,
      node: undefined,
      version: -1,
      logStart: 0,
      leaderTerm: -1,
      leaderLastIndex: 0,
      leaderLastTerm: 0,
      leaderTruncations: 0,
      log: null,
      logTruncations: 0,
      checkedTo: 0,
      commitIndex: 0,
      lastApplied: 0,
      verifiedLeaderTerm: -1,
      reported: undefined,
      leading: false,
    }));
  }

  /**
   * Registers the five checks on `sim`, under the names in
   * {@linkcode SAFETY_CHECKS}. They run in that order after every event:
   * the first finds the servers that changed, the others reuse its scan.
   */
  install(sim: Simulation): void {
    const checks: Record<SafetyCheck, Invariant> = {
      "election-safety": (s) => this.#electionSafety(this.#scan(s), this.#dirtyCount),
      "leader-append-only": () => this.#leaderAppendOnly(this.#dirty, this.#dirtyCount),
      "log-matching": () => this.#logMatching(this.#dirty, this.#dirtyCount),
      "leader-completeness": () => this.#leaderCompleteness(this.#dirty, this.#dirtyCount),
      "state-machine-safety": () => this.#stateMachineSafety(this.#dirty, this.#dirtyCount),
    };
    for (const name of SAFETY_CHECKS) sim.invariant(name, checks[name]);
  }

  /** How many distinct entries were committed (by index) so far. */
  get committedEntries(): number {
    return this.#maxCommitted;
  }

  /**
   * What the checks remember, as plain data: the leader of each term, and by
   * index the terms seen there, the committed entry's terms and the command
   * applied there. Exhaustive checking (`sim check`) counts it as part of a
   * state: two runs whose servers agree but whose pasts differ (an entry one
   * of them saw committed) are judged differently from here on.
   *
   * @example
   * ```ts
   * import { RaftSafety } from "./invariants.ts";
   * import assert from "node:assert/strict";
   * const safety = new RaftSafety(["n1", "n2", "n3"]);
   * assert.deepEqual(safety.inspect(), { leaders: [], entries: [], committed: [], applied: [] });
   * ```
   */
  inspect(): {
    leaders: Array<[number, NodeId]>;
    entries: Array<[number, number[]]>;
    committed: Array<[number, number, number]>;
    applied: Array<[number, unknown]>;
  } {
    const byIndex = <T>(m: Map<number, T>) => [...m].sort((a, b) => a[0] - b[0]);
    return {
      leaders: byIndex(this.leaders),
      entries: byIndex(this.#entries).map(([i, list]) => [i, list.map((e) => e.term)]),
      committed: byIndex(this.#committed).map(([i, c]) => [i, c.term, c.commitTerm]),
      applied: byIndex(this.#applied).map(([i, a]) => [i, a.command]),
    };
  }

  /** How many indexes the ledgers hold now (they forget what every log has compacted away). */
  get ledgerSize(): number {
    return this.#entries.size + this.#committed.size + this.#applied.size + this.#digests.size;
  }

  /**
   * An observer to put in the servers' `RaftConfig.observer`: each server
   * then reports the handlers that changed it, and the checks look at those
   * servers only, instead of asking the simulation for every server after
   * every event.
   */
  observer(): (node: NodeId, event: RaftEvent, server: CheckedServer) => void {
    const notified = this.#notified ??= [];
    const byId = new Map(this.#seen.map((s) => [s.id, s]));
    return (node, event, server) => {
      if (event.type !== "changed") return;
      const seen = byId.get(node);
      if (seen !== undefined && seen.reported === undefined) {
        seen.reported = server;
        notified.push(seen);
      }
    };
  }

  /** Finds the servers whose version moved since the last look. */
  #scan(sim: Simulation): Seen[] {
    const dirty = this.#dirty;
    this.#dirtyCount = 0; // one array for every event: the checks of an event share it
    const notified = this.#notified;
    if (notified === null) {
      for (const seen of this.#seen) this.#look(running(sim, seen.id), seen);
    } else {
      for (const seen of notified) {
        const server = seen.reported!;
        seen.reported = undefined;
        this.#look(server, seen);
      }
      // A crash says nothing, and needs nothing: a crashed leader's last
      // state still had to be complete for its term, and a restart reports.
      notified.length = 0;
    }
    let floor = Infinity;
    for (const seen of this.#seen) if (seen.logStart < floor) floor = seen.logStart;
    this.#freshCount = 0;
    if (floor - this.#prunedTo >= 64) this.#prune(floor);
    return dirty;
  }

  /**
   * Looks at one server (`n`: its instance, undefined while down): if it is
   * a new instance or its version moved, it goes on `dirty`.
   */
  #look(n: CheckedServer | undefined, seen: Seen): void {
    if (n !== undefined && (n !== seen.node || n.version !== seen.version)) {
      if (n !== seen.node) {
        // A new instance (a restart): every cursor starts over.
        seen.node = n;
        seen.leaderTerm = -1;
        seen.log = null;
        seen.verifiedLeaderTerm = -1;
        seen.commitIndex = -1;
        seen.lastApplied = -1;
      }
      seen.version = n.version;
      seen.logStart = n.log.snapshotIndex;
      this.#dirty[this.#dirtyCount++] = seen;
      const leading = n.role === "leader";
      if (leading !== seen.leading) {
        seen.leading = leading;
        if (leading) this.#leading.add(seen);
        else this.#leading.delete(seen);
      }
    } else if (n === undefined && seen.node !== undefined) {
      seen.node = undefined; // crashed: its disk keeps its log start
      seen.leading = false;
      this.#leading.delete(seen);
    }
  }

  /** Forgets ledger entries below `floor`: every log starts above them, on disk too. */
  #prune(floor: number): void {
    for (let i = this.#prunedTo; i < floor; i++) {
      this.#entries.delete(i);
      this.#committed.delete(i);
      this.#applied.delete(i);
      this.#digests.delete(i);
    }
    this.#prunedTo = floor;
  }

  /** Election Safety (§5.2): at most one leader can be elected in a given term. */
  electionSafety(sim: Simulation): InvariantResult {
    return this.#electionSafety(this.#scan(sim), this.#dirtyCount);
  }

  #electionSafety(dirty: readonly Seen[], count: number): InvariantResult {
    for (let k = 0; k < count; k++) {
      const seen = dirty[k];
      const n = seen.node!;
      if (n.role !== "leader") continue;
      const known = this.leaders.get(n.currentTerm);
      if (known === undefined) this.leaders.set(n.currentTerm, seen.id);
      else if (known !== seen.id) {
        return {
          message: `two leaders in term ${n.currentTerm}: ${known} and ${seen.id}`,
          node: seen.id,
        };
      }
    }
  }

  /** Leader Append-Only (§5.3): a leader never overwrites or deletes entries in its log. */
  leaderAppendOnly(sim: Simulation): InvariantResult {
    return this.#leaderAppendOnly(this.#scan(sim), this.#dirtyCount);
  }

  #leaderAppendOnly(dirty: readonly Seen[], count: number): InvariantResult {
    for (let k = 0; k < count; k++) {
      const seen = dirty[k];
      const n = seen.node!;
      if (n.role !== "leader") {
        seen.leaderTerm = -1;
        continue;
      }
      const log = n.log;
      if (seen.leaderTerm === n.currentTerm) {
        const kept = log.term(seen.leaderLastIndex);
        if (
          log.truncations !== seen.leaderTruncations || log.lastIndex < seen.leaderLastIndex ||
          (kept !== undefined && kept !== seen.leaderLastTerm)
        ) {
          return {
            message: `leader ${seen.id} of term ${n.currentTerm} removed or overwrote entries ` +
              `(its log ended at ${seen.leaderLastIndex}, now ${log.lastIndex})`,
            node: seen.id,
          };
        }
      }
      seen.leaderTerm = n.currentTerm;
      seen.leaderLastIndex = log.lastIndex;
      seen.leaderLastTerm = log.lastTerm;
      seen.leaderTruncations = log.truncations;
    }
  }

  /**
   * Log Matching (§5.3): if two logs contain an entry with the same index
   * and term, the logs are identical in all entries up through that index.
   * Checked inductively: every (index, term) always names the same command
   * and follows an entry of the same term.
   */
  logMatching(sim: Simulation): InvariantResult {
    return this.#logMatching(this.#scan(sim), this.#dirtyCount);
  }

  #logMatching(dirty: readonly Seen[], count: number): InvariantResult {
    for (let k = 0; k < count; k++) {
      const seen = dirty[k];
      const log = seen.node!.log;
      if (seen.log !== log) {
        seen.log = log;
        seen.logTruncations = log.truncations;
        seen.checkedTo = log.snapshotIndex;
      } else if (log.truncations !== seen.logTruncations) {
        // One handler truncates at most once; more means we lost track, so recheck all.
        seen.checkedTo = log.truncations === seen.logTruncations + 1
          ? Math.min(seen.checkedTo, log.truncatedFrom - 1)
          : log.snapshotIndex;
        seen.logTruncations = log.truncations;
      }
      const from = Math.max(seen.checkedTo, log.snapshotIndex, this.#prunedTo) + 1;
      for (let i = from; i <= log.lastIndex; i++) {
        const e = log.entry(i)!;
        if (e.index !== i) {
          return { message: `${seen.id} holds entry ${e.index} at index ${i}`, node: seen.id };
        }
        const prevTerm = log.term(i - 1);
        let atIndex = this.#entries.get(i);
        const known = atIndex?.find((x) => x.term === e.term);
        if (known === undefined) {
          const entry = { term: e.term, command: e.command, prevTerm, node: seen.id };
          if (atIndex === undefined) this.#entries.set(i, atIndex = [entry]);
          else atIndex.push(entry);
        } else if (!sameCommand(known.command, e.command)) {
          return {
            message: `${known.node} and ${seen.id} hold different commands at index ${i}, ` +
              `term ${e.term}: ${commandKey(known.command)} / ${commandKey(e.command)}`,
            node: seen.id,
          };
        } else if (
          prevTerm !== undefined && known.prevTerm !== undefined && prevTerm !== known.prevTerm
        ) {
          return {
            message: `${known.node} and ${seen.id} agree on entry (${i}, term ${e.term}) but ` +
              `not on the term of entry ${i - 1} (${known.prevTerm} / ${prevTerm})`,
            node: seen.id,
          };
        }
      }
      seen.checkedTo = log.lastIndex;
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
    return this.#leaderCompleteness(this.#scan(sim), this.#dirtyCount);
  }

  #leaderCompleteness(dirty: readonly Seen[], count: number): InvariantResult {
    const fresh = this.#fresh;
    for (let k = 0; k < count; k++) {
      const seen = dirty[k];
      const n = seen.node!;
      if (seen.commitIndex < 0) {
        seen.commitIndex = n.commitIndex; // a new instance: what it committed before was checked
        continue;
      }
      for (let i = Math.max(seen.commitIndex, this.#prunedTo) + 1; i <= n.commitIndex; i++) {
        const term = n.log.term(i);
        if (term === undefined) continue; // arrived inside a snapshot: State Machine Safety covers it
        const known = this.#committed.get(i);
        if (known === undefined) {
          this.#committed.set(i, { term, commitTerm: n.currentTerm, node: seen.id });
          fresh[this.#freshCount++] = i;
        } else if (known.term !== term) {
          return {
            message: `index ${i} committed with term ${known.term} at ${known.node} ` +
              `but term ${term} at ${seen.id}`,
            node: seen.id,
          };
        }
      }
      seen.commitIndex = n.commitIndex;
      if (n.commitIndex > this.#maxCommitted) this.#maxCommitted = n.commitIndex;
    }
    for (const seen of this.#leading) {
      const n = seen.node!;
      if (seen.verifiedLeaderTerm !== n.currentTerm) {
        // A new leader: it must hold every entry committed so far.
        const from = Math.max(n.log.snapshotIndex, this.#prunedTo) + 1;
        const missing = this.#missingCommitted(n, from, this.#maxCommitted);
        if (missing !== undefined) return this.#incomplete(seen.id, n, missing);
        seen.verifiedLeaderTerm = n.currentTerm;
      } else {
        // A known leader: entries newly committed in earlier terms must be in its log.
        for (let f = 0; f < this.#freshCount; f++) {
          const i = fresh[f];
          const { term, commitTerm } = this.#committed.get(i)!;
          if (commitTerm >= n.currentTerm || i <= n.log.snapshotIndex) continue;
          if (n.log.term(i) !== term) return this.#incomplete(seen.id, n, i);
        }
      }
    }
  }

  #missingCommitted(n: CheckedServer, from: number, to: number): number | undefined {
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

  #incomplete(id: NodeId, n: CheckedServer, index: number): InvariantResult {
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
    return this.#stateMachineSafety(this.#scan(sim), this.#dirtyCount);
  }

  #stateMachineSafety(dirty: readonly Seen[], count: number): InvariantResult {
    for (let k = 0; k < count; k++) {
      const seen = dirty[k];
      const n = seen.node!;
      if (seen.lastApplied < 0) {
        seen.lastApplied = n.lastApplied;
        const bad = this.#checkDigest(seen.id, n);
        if (bad !== undefined) return bad;
        continue;
      }
      if (n.lastApplied === seen.lastApplied) continue;
      if (n.lastApplied < seen.lastApplied) {
        return {
          message: `${seen.id} un-applied entries (${seen.lastApplied} -> ${n.lastApplied})`,
          node: seen.id,
        };
      }
      for (let i = Math.max(seen.lastApplied, this.#prunedTo) + 1; i <= n.lastApplied; i++) {
        const e = n.log.entry(i);
        if (e === undefined) continue; // installed from a snapshot
        const known = this.#applied.get(i);
        if (known === undefined) this.#applied.set(i, { command: e.command, node: seen.id });
        else if (!sameCommand(known.command, e.command)) {
          return {
            message: `${known.node} applied ${commandKey(known.command)} at index ${i} but ` +
              `${seen.id} applied ${commandKey(e.command)}`,
            node: seen.id,
          };
        }
      }
      seen.lastApplied = n.lastApplied;
      const bad = this.#checkDigest(seen.id, n);
      if (bad !== undefined) return bad;
    }
  }

  #checkDigest(id: NodeId, n: CheckedServer): InvariantResult {
    const index = n.lastApplied;
    if (index === 0 || index < this.#prunedTo) return undefined;
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
 * import assert from "node:assert/strict";
 * const b: LivenessBounds = { leaderWithinMs: 3000, commitWithinMs: 1200 };
 * assert.equal(b.leaderWithinMs, 3000);
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
 * import assert from "node:assert/strict";
 * assert.deepEqual(
 *   livenessBounds({ electionMaxMs: 300, servers: 5, requestTimeoutMs: 100, maxLatencyMs: 10, loss: 0 }),
 *   { leaderWithinMs: 3740, commitWithinMs: 1480 },
 * );
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
 * import assert from "node:assert/strict";
 * const servers = ["n1", "n2", "n3"];
 * const sim = new Simulation({ seed: 4, trace: "off" });
 * for (const id of servers) sim.spawn(id, () => new RaftNode({ servers }));
 * const live = new RaftLiveness(servers, [], { leaderWithinMs: 3740, commitWithinMs: 1480 });
 * sim.invariant("liveness", (s) => live.check(s));
 * assert.equal(sim.run({ until: 2000 }).ok, true);
 * assert.ok(live.maxLeaderlessMs < 3740);
 * ```
 */
export class RaftLiveness {
  /** The servers watched. */
  readonly servers: readonly NodeId[];
  /** The clients whose operations are judged. */
  readonly clients: ReadonlySet<NodeId>;
  /** The promise. */
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

  /** A monitor of `servers` and `clients` against `bounds`. */
  constructor(servers: readonly NodeId[], clients: readonly NodeId[], bounds: LivenessBounds) {
    this.servers = [...servers];
    this.clients = new Set(clients);
    this.bounds = bounds;
    this.#quorum = Math.floor(servers.length / 2) + 1;
    this.#instances = servers.map(() => undefined);
  }

  /**
   * What the monitor remembers, as plain data (for `sim check`'s fingerprints):
   * since when there has been no leader, since when the leader has been
   * steady, and how far it has judged the history.
   *
   * @example
   * ```ts
   * import { RaftLiveness } from "./invariants.ts";
   * import assert from "node:assert/strict";
   * const bounds = { leaderWithinMs: 500, commitWithinMs: 900 };
   * const monitor = new RaftLiveness(["n1", "n2", "n3"], [], bounds);
   * assert.deepEqual(monitor.inspect(), [null, "", null, "", 0]);
   * ```
   */
  inspect(): [number | null, string, number | null, string, number] {
    return [
      this.#leaderlessSince,
      this.#signature,
      this.#steadySince,
      this.#steadyKey,
      this.#cursor,
    ];
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

  /** The first operation not judged yet: the monitor reads the history from here on. */
  get cursor(): OpId {
    return this.#cursor;
  }

  #checkOps(sim: Simulation, now: number, since: number, leader: NodeId): InvariantResult {
    // The history's columns, not its objects: this runs after every event.
    const h = sim.history;
    while (this.#cursor < h.length) {
      const id = this.#cursor;
      const call = h.call(id), client = h.client(id);
      if (call < since || !this.clients.has(client)) {
        this.#cursor++;
        continue;
      }
      const deadline = call + this.bounds.commitWithinMs;
      if (h.status(id) === "ok" && h.ret(id) <= deadline) {
        this.maxSteadyOpMs = Math.max(this.maxSteadyOpMs, h.ret(id) - call);
        this.opsJudged++;
        this.#cursor++;
        continue;
      }
      if (now <= deadline) return; // it still has time
      return {
        message: `operation ${id} (${h.f(id)} by ${client}, called at ${call}) did not ` +
          `commit within ${this.bounds.commitWithinMs} ms although ${leader} led a connected ` +
          `majority throughout`,
        node: client,
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

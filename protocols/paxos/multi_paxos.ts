/**
 * Multi-Paxos with a distinguished proposer: a log of slots, each chosen by
 * its own instance of Paxos, as a layer that a host {@linkcode mount}s to get
 * fault-tolerant total order broadcast. `broadcast(ctx, value)` puts a value
 * in the log; every node delivers every logged value once, in slot order,
 * and all nodes deliver the same sequence.
 *
 * Running single-decree Paxos per slot would cost two round trips per value
 * and let proposers duel. Instead one node becomes the leader (the
 * distinguished proposer) by running phase 1 **once, for every slot from
 * its first undecided one on**: a majority's promises report every proposal
 * they accepted in those slots, and the leader re-proposes, slot by slot,
 * the highest-ballot value reported (a no-op where none was). From then on
 * each value costs one phase 2 round trip: `Accept` to all, `Accepted` back
 * from a majority, `Decide` to all. The leader sends heartbeats; a node
 * that hears none for a randomised election timeout runs phase 1 with a
 * higher ballot. A `Nack` (an acceptor promised a higher ballot) makes a
 * leader step down.
 *
 * Durable, in the host's storage under the mount's name: the acceptor's
 * promise and accepted proposals, the decided slots, how far the host was
 * delivered to, the highest round this node used, and the outbox of its own
 * broadcasts not yet decided (so a value broadcast before a crash still
 * reaches the log). Values are identified by `<origin>#<k>`; a value the
 * leader proposed twice (a resend crossed a leader change) is delivered once.
 *
 * Failure model: safe under any loss, duplication, reordering, partition,
 * pause and crash-restart; live while a majority is up and connected long
 * enough to elect a leader.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { Actor, Context, NodeId } from "../../actors/mod.ts";
import { hostOf } from "../../actors/mod.ts";
import { type Ballot, compareBallots, formatBallot, majority } from "./ballot.ts";

/**
 * What a slot holds: a broadcast value, or a no-op a new leader put in a
 * slot that no majority may have chosen anything for.
 *
 * @example
 * ```ts
 * import type { LogEntry } from "./multi_paxos.ts";
 * import assert from "node:assert/strict";
 * const e: LogEntry<string> = { kind: "value", id: "n1#1", origin: "n1", value: "hello" };
 * assert.equal(e.kind, "value");
 * ```
 */
export type LogEntry<V> =
  | { kind: "value"; id: string; origin: NodeId; value: V }
  | { kind: "noop" };

/**
 * A proposal for one slot, as an acceptor reports it in a promise.
 *
 * @example
 * ```ts
 * import type { SlotProposal } from "./multi_paxos.ts";
 * import assert from "node:assert/strict";
 * const p: SlotProposal<string> = { slot: 4, ballot: { round: 2, node: "n3" }, entry: { kind: "noop" } };
 * assert.equal(p.slot, 4);
 * ```
 */
export interface SlotProposal<V> {
  /** The log position. */
  slot: number;
  /** The ballot the entry was accepted in. */
  ballot: Ballot;
  /** What was accepted. */
  entry: LogEntry<V>;
}

/**
 * The messages of Multi-Paxos.
 *
 * @example
 * ```ts
 * import type { MultiPaxosMsg } from "./multi_paxos.ts";
 * import assert from "node:assert/strict";
 * const m: MultiPaxosMsg<string> = { type: "Prepare", ballot: { round: 1, node: "n1" }, from: 1 };
 * assert.equal(m.from, 1);
 * ```
 */
export type MultiPaxosMsg<V> =
  /** 1a for every slot >= `from`. */
  | { type: "Prepare"; ballot: Ballot; from: number }
  /** 1b: the promise, with every proposal accepted in a slot >= the prepare's `from`. */
  | { type: "Promise"; ballot: Ballot; accepted: SlotProposal<V>[] }
  /** 2a. */
  | { type: "Accept"; ballot: Ballot; slot: number; entry: LogEntry<V> }
  /** 2b, to the leader. */
  | { type: "Accepted"; ballot: Ballot; slot: number }
  /** The sender has promised `promised`, above `ballot`. */
  | { type: "Nack"; ballot: Ballot; promised: Ballot }
  /** Slot `slot` is chosen. */
  | { type: "Decide"; slot: number; entry: LogEntry<V> }
  /** The leader is alive; slots 1..`decided` are decided at the leader. */
  | { type: "Heartbeat"; ballot: Ballot; decided: number }
  /** A node hands its broadcast to the leader. */
  | { type: "Forward"; entry: LogEntry<V> }
  /** "Send me the decided slots from `from` on." */
  | { type: "Learn"; from: number };

/**
 * The timers of Multi-Paxos.
 *
 * @example
 * ```ts
 * import type { MultiPaxosTimer } from "./multi_paxos.ts";
 * import assert from "node:assert/strict";
 * const t: MultiPaxosTimer = { type: "election" };
 * assert.equal(t.type, "election");
 * ```
 */
export type MultiPaxosTimer =
  /** Leader: send heartbeats and resend unanswered accepts. */
  | { type: "heartbeat" }
  /** Follower or candidate: no leader heard from; run phase 1. */
  | { type: "election" }
  /** Resend the outbox to the leader. */
  | { type: "resend" };

/**
 * A value as the layer hands it to its host.
 *
 * @example
 * ```ts
 * import type { PaxosDelivery } from "./multi_paxos.ts";
 * import assert from "node:assert/strict";
 * const d: PaxosDelivery<string> = { slot: 3, id: "n2#1", origin: "n2", value: "x" };
 * assert.equal(d.origin, "n2");
 * ```
 */
export interface PaxosDelivery<V> {
  /** The log position it was decided in. */
  slot: number;
  /** `<origin>#<k>`: the origin's k-th broadcast. */
  id: string;
  /** The node that broadcast it. */
  origin: NodeId;
  /** What was broadcast. */
  value: V;
}

/**
 * Settings of the layer.
 *
 * @example
 * ```ts
 * import type { MultiPaxosConfig } from "./multi_paxos.ts";
 * import assert from "node:assert/strict";
 * const c: MultiPaxosConfig<string> = { nodes: ["n1", "n2", "n3"], deliver: () => {} };
 * assert.equal(c.nodes.length, 3);
 * ```
 */
export interface MultiPaxosConfig<V> {
  /** Every node of the group, this one included. */
  nodes: readonly NodeId[];
  /** Called once per logged value, in slot order, with the host's context. */
  deliver: (host: Context<unknown, unknown>, delivery: PaxosDelivery<V>) => void;
  /** Leader heartbeat period, ms (default 20). */
  heartbeatMs?: number;
  /** Election timeout: `electionMs` plus up to `electionMs` more at random (default 80). */
  electionMs?: number;
  /** How often the outbox is resent to the leader, ms (default 60). */
  resendMs?: number;
  /**
   * Planted bug: a new leader fills every open slot with a no-op instead of
   * the highest-ballot value the promises report, overwriting values that
   * may have been chosen. The agreement check catches it.
   */
  unsafeIgnoreAccepted?: boolean;
}

/** Most proposals a leader keeps in flight; more wait in their origins' outboxes. */
const MAX_IN_FLIGHT = 1024;
/** Most decided slots sent in answer to one `Learn`. */
const LEARN_BATCH = 64;

/** This layer's view of its host's context. */
type Ctx<V> = Context<MultiPaxosMsg<V>, MultiPaxosTimer>;

/**
 * The Multi-Paxos layer (see the module documentation). Mount it in a host
 * with `mount("paxos", new MultiPaxos(config))`.
 *
 * @example
 * ```ts
 * import { MultiPaxos, type MultiPaxosMsg, type MultiPaxosTimer } from "./multi_paxos.ts";
 * import { TestContext } from "../../actors/test_context.ts";
 * import assert from "node:assert/strict";
 * // A one-node group: it elects itself, then logs and delivers a broadcast.
 * const got: string[] = [];
 * const paxos = new MultiPaxos<string>({ nodes: ["n1"], deliver: (_h, d) => void got.push(d.value) });
 * const ctx = new TestContext<MultiPaxosMsg<string>, MultiPaxosTimer>("n1");
 * paxos.onStart(ctx);
 * ctx.advance(200);
 * ctx.fireDue(paxos); // the election timer: phase 1
 * const deliverAll = () => {
 *   for (let i = 0; i < 10; i++) {
 *     const sent = ctx.takeSent();
 *     if (sent.length === 0) return;
 *     for (const s of sent) paxos.onMessage(ctx, s.msg, "n1");
 *   }
 * };
 * deliverAll();
 * assert.equal(paxos.role, "leader");
 * paxos.broadcast(ctx, "hello");
 * deliverAll();
 * assert.deepEqual(got, ["hello"]);
 * ```
 */
export class MultiPaxos<V> implements Actor<MultiPaxosMsg<V>, MultiPaxosTimer> {
  // Acceptor, durable.
  /** The highest ballot promised. */
  promised: Ballot | null = null;
  /** Accepted proposals by slot. */
  readonly accepted: Map<number, { ballot: Ballot; entry: LogEntry<V> }> = new Map();
  // Learner, durable.
  /** Decided entries by slot. */
  readonly decided: Map<number, LogEntry<V>> = new Map();
  /** Slots in the order this instance learned them (loaded ones first, ascending): for checkers. */
  readonly decisionOrder: number[] = [];
  /** Decisions this instance was told that contradict one it had: never, unless Paxos is broken. */
  readonly conflicts: Array<{ slot: number; kept: LogEntry<V>; offered: LogEntry<V> }> = [];
  /** Slots 1..`prefix` are all decided. */
  prefix = 0;
  /** Slots 1..`delivered` were handed to the host. */
  delivered = 0;
  // Proposer.
  /** `leader` runs phase 2; `candidate` waits for promises. */
  role: "follower" | "candidate" | "leader" = "follower";
  /** This node's ballot while candidate or leader. */
  ballot: Ballot | null = null;
  /** The leader this node last heard from. */
  leader: NodeId | null = null;

  #round = 0;
  #seq = 0;
  #outbox = new Map<string, LogEntry<V>>();
  #promises = new Map<NodeId, SlotProposal<V>[]>();
  #nextSlot = 1;
  #inFlight = new Map<number, { entry: LogEntry<V>; acks: Set<NodeId> }>();
  /** Ids in flight or decided: a leader proposes each id once. */
  #proposedIds = new Set<string>();
  #decidedIds = new Set<string>();
  #deliveredIds = new Set<string>();
  readonly #quorum: number;
  readonly #heartbeatMs: number;
  readonly #electionMs: number;
  readonly #resendMs: number;

  /** A layer for the group `config.nodes`. */
  constructor(readonly config: MultiPaxosConfig<V>) {
    if (config.nodes.length === 0) throw new RangeError("MultiPaxos: nodes must not be empty");
    this.#quorum = majority(config.nodes.length);
    this.#heartbeatMs = config.heartbeatMs ?? 20;
    this.#electionMs = config.electionMs ?? 80;
    this.#resendMs = config.resendMs ?? 60;
  }

  onStart(ctx: Context<MultiPaxosMsg<V>, MultiPaxosTimer>): void {
    const s = ctx.storage;
    this.promised = s.get<Ballot>("promised") ?? null;
    this.#round = s.get<number>("round") ?? 0;
    this.#seq = s.get<number>("seq") ?? 0;
    this.delivered = s.get<number>("delivered") ?? 0;
    for (const key of s.keys()) {
      const [kind, rest] = [key.slice(0, 4), key.slice(4)];
      if (kind === "acc/") this.accepted.set(Number(rest), s.get(key)!);
      else if (kind === "dec/") this.decided.set(Number(rest), s.get(key)!);
      else if (kind === "out/") this.#outbox.set(rest, s.get(key)!);
    }
    const slots = [...this.decided.keys()].sort((a, b) => a - b);
    for (const slot of slots) {
      this.decisionOrder.push(slot);
      const entry = this.decided.get(slot)!;
      if (entry.kind === "value") {
        this.#decidedIds.add(entry.id);
        if (slot <= this.delivered) this.#deliveredIds.add(entry.id);
      }
    }
    while (this.decided.has(this.prefix + 1)) this.prefix++;
    this.#nextSlot = Math.max(0, ...slots) + 1;
    this.#resetElection(ctx);
    if (this.#outbox.size > 0) ctx.setTimer({ type: "resend" }, this.#resendMs);
  }

  /**
   * Puts `value` in the log, eventually (it stays in the durable outbox until
   * decided). Returns its id, `<self>#<k>`.
   */
  broadcast(ctx: Context<MultiPaxosMsg<V>, MultiPaxosTimer>, value: V): string {
    const id = `${ctx.self}#${++this.#seq}`;
    const entry: LogEntry<V> = { kind: "value", id, origin: ctx.self, value };
    ctx.storage.set("seq", this.#seq);
    ctx.storage.set(`out/${id}`, entry);
    this.#outbox.set(id, entry);
    this.#submit(ctx, entry);
    ctx.setTimer({ type: "resend" }, this.#resendMs);
    return id;
  }

  onMessage(
    ctx: Context<MultiPaxosMsg<V>, MultiPaxosTimer>,
    msg: MultiPaxosMsg<V>,
    from: NodeId,
  ): void {
    switch (msg.type) {
      case "Prepare":
        return this.#onPrepare(ctx, msg.ballot, msg.from, from);
      case "Promise":
        return this.#onPromise(ctx, msg.ballot, msg.accepted, from);
      case "Accept":
        return this.#onAccept(ctx, msg.ballot, msg.slot, msg.entry, from);
      case "Accepted":
        return this.#onAccepted(ctx, msg.ballot, msg.slot, from);
      case "Nack":
        if (compareBallots(msg.ballot, this.ballot) === 0) this.#stepDown(ctx, msg.promised);
        return;
      case "Decide":
        return this.#decide(ctx, msg.slot, msg.entry);
      case "Heartbeat":
        return this.#onHeartbeat(ctx, msg.ballot, msg.decided, from);
      case "Forward":
        if (this.role === "leader") this.#propose(ctx, msg.entry);
        return;
      case "Learn":
        for (let s = msg.from; s <= this.prefix && s < msg.from + LEARN_BATCH; s++) {
          ctx.send(from, { type: "Decide", slot: s, entry: this.decided.get(s)! });
        }
        return;
      default: {
        const never: never = msg;
        throw new Error(`MultiPaxos: unknown message ${JSON.stringify(never)}`);
      }
    }
  }

  onTimer(ctx: Context<MultiPaxosMsg<V>, MultiPaxosTimer>, timer: MultiPaxosTimer): void {
    switch (timer.type) {
      case "election":
        return this.#campaign(ctx);
      case "heartbeat":
        if (this.role !== "leader") return;
        // Accepts may have been lost: send the ones still unanswered again.
        for (const [slot, { entry }] of this.#inFlight) {
          for (const n of this.config.nodes) {
            ctx.send(n, { type: "Accept", ballot: this.ballot!, slot, entry });
          }
        }
        return this.#heartbeat(ctx);
      case "resend":
        if (this.#outbox.size === 0) return;
        for (const entry of this.#outbox.values()) this.#submit(ctx, entry);
        ctx.setTimer(timer, this.#resendMs);
        return;
      default: {
        const never: never = timer;
        throw new Error(`MultiPaxos: unknown timer ${JSON.stringify(never)}`);
      }
    }
  }

  /** What the studio and fingerprints see. */
  inspect(): {
    role: string;
    ballot: string;
    leader: NodeId | null;
    promised: string;
    decided: number;
    delivered: number;
    outbox: number;
    inFlight: number;
  } {
    return {
      role: this.role,
      ballot: formatBallot(this.ballot),
      leader: this.leader,
      promised: formatBallot(this.promised),
      decided: this.prefix,
      delivered: this.delivered,
      outbox: this.#outbox.size,
      inFlight: this.#inFlight.size,
    };
  }

  // ---- the distinguished proposer ---------------------------------------------------

  /** Phase 1a for every slot this node has not seen decided, with a fresh ballot. */
  #campaign(ctx: Ctx<V>): void {
    this.#round = Math.max(this.#round, this.promised?.round ?? 0) + 1;
    ctx.storage.set("round", this.#round); // never reuse a ballot, even after a crash
    this.ballot = { round: this.#round, node: ctx.self };
    this.role = "candidate";
    this.leader = null;
    this.#promises.clear();
    this.#inFlight.clear();
    ctx.log(`candidate ${formatBallot(this.ballot)}`);
    for (const n of this.config.nodes) {
      ctx.send(n, { type: "Prepare", ballot: this.ballot, from: this.prefix + 1 });
    }
    this.#resetElection(ctx); // no majority in time: try again, higher
  }

  /** A majority promised: lead, re-proposing whatever may have been chosen. */
  #onPromise(ctx: Ctx<V>, ballot: Ballot, accepted: SlotProposal<V>[], from: NodeId): void {
    if (this.role !== "candidate" || compareBallots(ballot, this.ballot) !== 0) return;
    this.#promises.set(from, accepted);
    if (this.#promises.size < this.#quorum) return;
    const highest = new Map<number, SlotProposal<V>>();
    for (const proposals of this.#promises.values()) {
      for (const p of proposals) {
        if (compareBallots(p.ballot, highest.get(p.slot)?.ballot ?? null) > 0) {
          highest.set(p.slot, p);
        }
      }
    }
    this.role = "leader";
    this.leader = ctx.self;
    ctx.cancelTimer({ type: "election" });
    ctx.log(`leader ${formatBallot(this.ballot)}`);
    const last = Math.max(this.#nextSlot - 1, this.prefix, ...highest.keys());
    this.#nextSlot = last + 1;
    this.#proposedIds = new Set(this.#decidedIds);
    for (let slot = this.prefix + 1; slot <= last; slot++) {
      if (this.decided.has(slot)) continue;
      const reported = this.config.unsafeIgnoreAccepted ? undefined : highest.get(slot);
      this.#proposeAt(ctx, slot, reported?.entry ?? { kind: "noop" });
    }
    this.#heartbeat(ctx);
    for (const entry of this.#outbox.values()) this.#propose(ctx, entry);
  }

  /** The leader is alive, and this is how far it has decided. */
  #heartbeat(ctx: Ctx<V>): void {
    for (const n of this.#others(ctx)) {
      ctx.send(n, { type: "Heartbeat", ballot: this.ballot!, decided: this.prefix });
    }
    ctx.setTimer({ type: "heartbeat" }, this.#heartbeatMs);
  }

  /** Phase 2a for a new value, in the next free slot. */
  #propose(ctx: Ctx<V>, entry: LogEntry<V>): void {
    assert(this.role === "leader", "only the leader proposes");
    if (entry.kind === "value" && this.#proposedIds.has(entry.id)) return;
    if (this.#inFlight.size >= MAX_IN_FLIGHT) return; // its origin resends later
    this.#proposeAt(ctx, this.#nextSlot++, entry);
  }

  #proposeAt(ctx: Ctx<V>, slot: number, entry: LogEntry<V>): void {
    if (entry.kind === "value") this.#proposedIds.add(entry.id);
    this.#inFlight.set(slot, { entry, acks: new Set() });
    for (const n of this.config.nodes) {
      ctx.send(n, { type: "Accept", ballot: this.ballot!, slot, entry });
    }
  }

  /** Phase 2b answered by a majority: the slot is chosen. */
  #onAccepted(ctx: Ctx<V>, ballot: Ballot, slot: number, from: NodeId): void {
    if (this.role !== "leader" || compareBallots(ballot, this.ballot) !== 0) return;
    const proposal = this.#inFlight.get(slot);
    if (proposal === undefined) return;
    proposal.acks.add(from);
    if (proposal.acks.size < this.#quorum) return;
    this.#inFlight.delete(slot);
    for (const n of this.#others(ctx)) {
      ctx.send(n, { type: "Decide", slot, entry: proposal.entry });
    }
    this.#decide(ctx, slot, proposal.entry);
  }

  #stepDown(ctx: Ctx<V>, higher: Ballot): void {
    this.#round = Math.max(this.#round, higher.round);
    if (this.role === "follower") return;
    this.role = "follower";
    this.ballot = null;
    this.#inFlight.clear();
    ctx.log(`follower ${formatBallot(higher)}`);
    this.#resetElection(ctx);
  }

  /** Hands a value to the leader, or proposes it when this node leads. */
  #submit(ctx: Ctx<V>, entry: LogEntry<V>): void {
    if (this.role === "leader") this.#propose(ctx, entry);
    else if (this.leader !== null) ctx.send(this.leader, { type: "Forward", entry });
  }

  // ---- acceptor -------------------------------------------------------------------------

  /** Phase 1b for every slot >= `from`. */
  #onPrepare(ctx: Ctx<V>, ballot: Ballot, from: number, sender: NodeId): void {
    if (compareBallots(ballot, this.promised) < 0) {
      ctx.send(sender, { type: "Nack", ballot, promised: this.promised! });
      return;
    }
    this.#promise(ctx, ballot);
    const accepted: SlotProposal<V>[] = [];
    for (const [slot, p] of this.accepted) {
      if (slot >= from) accepted.push({ slot, ballot: p.ballot, entry: p.entry });
    }
    ctx.send(sender, { type: "Promise", ballot, accepted });
  }

  /** Phase 2b. */
  #onAccept(
    ctx: Ctx<V>,
    ballot: Ballot,
    slot: number,
    entry: LogEntry<V>,
    sender: NodeId,
  ): void {
    if (compareBallots(ballot, this.promised) < 0) {
      ctx.send(sender, { type: "Nack", ballot, promised: this.promised! });
      return;
    }
    this.#promise(ctx, ballot);
    this.#follow(ctx, ballot);
    this.accepted.set(slot, { ballot, entry });
    ctx.storage.set(`acc/${slot}`, { ballot, entry }); // durable before the answer leaves
    ctx.send(sender, { type: "Accepted", ballot, slot });
  }

  #promise(ctx: Ctx<V>, ballot: Ballot): void {
    if (compareBallots(ballot, this.promised) === 0) return;
    this.promised = ballot;
    ctx.storage.set("promised", ballot);
    // A higher ballot than this node's own: its attempt cannot win any more.
    if (this.ballot !== null && compareBallots(ballot, this.ballot) > 0) {
      this.#stepDown(ctx, ballot);
    } else if (this.role === "follower") this.#resetElection(ctx);
  }

  #onHeartbeat(ctx: Ctx<V>, ballot: Ballot, decided: number, from: NodeId): void {
    if (compareBallots(ballot, this.promised) < 0) {
      ctx.send(from, { type: "Nack", ballot, promised: this.promised! });
      return;
    }
    this.#follow(ctx, ballot);
    if (this.prefix < decided) ctx.send(from, { type: "Learn", from: this.prefix + 1 });
  }

  /** A live leader with a ballot not below the promise: follow it. */
  #follow(ctx: Ctx<V>, ballot: Ballot): void {
    if (ballot.node === ctx.self) return;
    if (this.ballot !== null && compareBallots(ballot, this.ballot) > 0) {
      this.#stepDown(ctx, ballot);
    }
    if (this.role !== "follower") return;
    if (this.leader !== ballot.node) {
      this.leader = ballot.node;
      // Hand the outbox to the new leader now rather than at the next resend.
      for (const entry of this.#outbox.values()) this.#submit(ctx, entry);
    }
    this.#resetElection(ctx);
  }

  #resetElection(ctx: Ctx<V>): void {
    ctx.setTimer({ type: "election" }, this.#electionMs * (1 + ctx.random()));
  }

  // ---- learner ----------------------------------------------------------------------

  #decide(ctx: Ctx<V>, slot: number, entry: LogEntry<V>): void {
    const known = this.decided.get(slot);
    if (known !== undefined) {
      // Told another value for a decided slot: Paxos is broken (a planted bug, say). Keep
      // the first and record the second, for the agreement check to report.
      if (!sameEntry(known, entry)) this.conflicts.push({ slot, kept: known, offered: entry });
      return;
    }
    this.decided.set(slot, entry);
    this.decisionOrder.push(slot);
    ctx.storage.set(`dec/${slot}`, entry);
    if (entry.kind === "value") {
      this.#decidedIds.add(entry.id);
      this.#proposedIds.add(entry.id);
      if (this.#outbox.delete(entry.id)) ctx.storage.delete(`out/${entry.id}`);
    }
    this.#nextSlot = Math.max(this.#nextSlot, slot + 1);
    while (this.decided.has(this.prefix + 1)) this.prefix++;
    this.#deliverReady(ctx);
  }

  /** Hands the host every decided value it has not had, in slot order. */
  #deliverReady(ctx: Ctx<V>): void {
    while (this.delivered < this.prefix) {
      const slot = ++this.delivered;
      ctx.storage.set("delivered", slot);
      const entry = this.decided.get(slot)!;
      if (entry.kind === "noop" || this.#deliveredIds.has(entry.id)) continue;
      this.#deliveredIds.add(entry.id);
      this.config.deliver(hostOf(ctx), {
        slot,
        id: entry.id,
        origin: entry.origin,
        value: entry.value,
      });
    }
  }

  #others(ctx: Ctx<V>): NodeId[] {
    return this.config.nodes.filter((n) => n !== ctx.self);
  }
}

/** Two log entries are the same decision. */
function sameEntry<V>(a: LogEntry<V>, b: LogEntry<V>): boolean {
  if (a.kind === "noop" || b.kind === "noop") return a.kind === b.kind;
  return a.id === b.id;
}

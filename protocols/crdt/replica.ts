/**
 * A replica of any state-based CRDT, as an actor: it applies the operations
 * its clients ask for, and spreads its state by anti-entropy gossip, so that
 * every replica converges once the network lets them talk.
 *
 * Anti-entropy (Demers et al. 1987): every `gossipMs` a replica picks
 * `fanout` random peers and pushes to each what that peer may lack; in
 * push-pull mode the peer answers with what the pusher may lack. Merge is a
 * join, so messages may be lost, duplicated, reordered or arrive after a
 * crash: the states still only move up, and converge.
 *
 * What to push is decided by delta-interval anti-entropy (Almeida, Shoker,
 * Baquero, "Delta State Replicated Data Types", JPDC 2018, Algorithm 2):
 *
 * ```text
 * on update or merge that changes X:  D[c] := delta; c := c + 1
 * every gossipMs, for a random peer j:
 *   if A[j] = c:                    nothing new for j
 *   else if A[j] known, D holds it: send delta( join of D[A[j] .. c) ), c
 *   else:                           send state( X ), c
 * on receiving delta or state d, n from j:  X := X join d (if d is new); send ack(n)
 * on ack(n) from j:                 A[j] := max(A[j], n); forget D below min of A
 * ```
 *
 * An acknowledged number `n` means "j has everything this replica had after
 * its first n changes", so the interval from there on is all j lacks, and j's
 * state stays a join of whole states: an RGA never sees a character before
 * its anchor. Deltas received from j are not sent back to j. The delta
 * buffer is flushed from the front when it grows past `maxBuffer` (peers that
 * fall behind it get the whole state), and it is volatile: after a restart
 * the replica starts a new epoch, forgets what peers acknowledged, and sends
 * each peer its whole state first. Acks carry the epoch, so an ack from
 * before the crash cannot be mistaken for one after it.
 *
 * Durability: the state, a clock that never goes backwards (for LWW
 * timestamps), and the client sessions (`client.ts`) are written to
 * `ctx.storage` before a client is answered or a peer acknowledged, so a
 * crash loses no acknowledged update.
 *
 * @module
 */

import type { Actor, Context, NodeId } from "../../actors/mod.ts";
import type { Json, StateCrdt } from "./crdt.ts";
import { type ClientMsg, type ClientRequest, ClientSessions } from "./client.ts";
import type { ReplicatedType } from "./replicated_types.ts";

/**
 * How replicas gossip: `push` sends, `push-pull` sends and asks for the
 * peer's news in the same exchange.
 *
 * @example
 * ```ts
 * import type { GossipMode } from "./replica.ts";
 * import assert from "node:assert/strict";
 * const mode: GossipMode = "push-pull";
 * assert.equal(mode, "push-pull");
 * ```
 */
export type GossipMode = "push" | "push-pull";

/**
 * The messages between replicas. `seq` is how many changes the sender had
 * made or merged in its current `epoch` when it sent; `pull` asks the
 * receiver to push back.
 *
 * @example
 * ```ts
 * import type { GossipMsg } from "./replica.ts";
 * import assert from "node:assert/strict";
 * const m: GossipMsg = { type: "ack", epoch: 2, seq: 17 };
 * assert.equal(m.type, "ack");
 * ```
 */
export type GossipMsg =
  /** The sender's whole state (JSON form). */
  | { type: "state"; epoch: number; seq: number; state: unknown; pull: boolean }
  /** What the receiver lacks of the sender's state: a join of deltas (JSON form). */
  | { type: "delta"; epoch: number; seq: number; delta: unknown; pull: boolean }
  /** Nothing new from the sender; push back what it lacks (push-pull only). */
  | { type: "pull" }
  /** The receiver has merged everything the sender had at (`epoch`, `seq`). */
  | { type: "ack"; epoch: number; seq: number };

/**
 * Every message a replica sends or receives.
 *
 * @example
 * ```ts
 * import type { ReplicaMsg } from "./replica.ts";
 * import type { CounterOp } from "./replicated_types.ts";
 * import assert from "node:assert/strict";
 * const m: ReplicaMsg<CounterOp> = { type: "request", id: 0, op: { type: "increment", amount: 1 } };
 * assert.equal(m.type, "request");
 * ```
 */
export type ReplicaMsg<Op> = ClientMsg<Op> | GossipMsg;

/** A replica's one timer: the next gossip round. */
export type ReplicaTimer = "gossip";

/**
 * A plain-data view of a replica, from {@linkcode Replica.inspect}.
 *
 * @example
 * ```ts
 * import type { ReplicaView } from "./replica.ts";
 * import assert from "node:assert/strict";
 * const v: ReplicaView = { value: 3, epoch: 1, seq: 4, buffered: 2, acked: { n2: 2 } };
 * assert.equal(v.acked.n2, 2);
 * ```
 */
export interface ReplicaView {
  /** The current value. */
  value: unknown;
  /** How many times this replica has started. */
  epoch: number;
  /** Changes made or merged in this epoch. */
  seq: number;
  /** Deltas kept for peers that lag behind. */
  buffered: number;
  /** Per peer, the highest change count of this epoch it acknowledged. */
  acked: Record<NodeId, number>;
}

/**
 * A replica's configuration.
 *
 * @example
 * ```ts
 * import type { ReplicaConfig } from "./replica.ts";
 * import { counterType, type CounterOp } from "./replicated_types.ts";
 * import type { PNCounter } from "./pn_counter.ts";
 * import assert from "node:assert/strict";
 * const c: ReplicaConfig<PNCounter, CounterOp> = { type: counterType, peers: ["n2", "n3"] };
 * assert.equal(c.peers.length, 2);
 * ```
 */
export interface ReplicaConfig<
  S extends StateCrdt<S, unknown>,
  Op extends { readonly type: string },
> {
  /** The replicated type. */
  type: ReplicatedType<S, Op>;
  /** The other replicas. */
  peers: readonly NodeId[];
  /** Local ms between gossip rounds (default 50). */
  gossipMs?: number;
  /** Peers contacted per round (default 1). */
  fanout?: number;
  /** `push` or `push-pull` (default `push-pull`). */
  mode?: GossipMode;
  /** Ship deltas when the peer's acknowledgements allow (default true); false ships whole states. */
  deltas?: boolean;
  /** Deltas kept at most before the oldest are flushed (default 64). */
  maxBuffer?: number;
}

/**
 * What a replica sent since it (re)started; volatile, for benchmarks and summaries.
 *
 * @example
 * ```ts
 * import type { GossipStats } from "./replica.ts";
 * import assert from "node:assert/strict";
 * const s: GossipStats = { states: 3, deltas: 12, pulls: 1, acks: 15 };
 * assert.equal(s.deltas, 12);
 * ```
 */
export interface GossipStats {
  states: number;
  deltas: number;
  pulls: number;
  acks: number;
}

type Buffered<S> = { readonly delta: S; readonly from: NodeId };

/** Storage keys. */
const STATE = "crdt/state";
const EPOCH = "crdt/epoch";
const CLOCK = "crdt/clock";

/** Smallest step of the update clock, ms (the simulator's time resolution). */
const TICK = 0.001;

/**
 * A state-based replica of the CRDT `config.type`.
 *
 * @example
 * ```ts
 * import { Simulation } from "../../sim/simulation.ts";
 * import { Client, scriptedWorkload } from "./client.ts";
 * import { Replica } from "./replica.ts";
 * import { counterType, type CounterOp } from "./replicated_types.ts";
 * import type { PNCounter } from "./pn_counter.ts";
 * import assert from "node:assert/strict";
 *
 * const sim = new Simulation({ seed: 1 });
 * for (const id of ["n1", "n2"]) {
 *   sim.spawn(id, () => new Replica({ type: counterType, peers: id === "n1" ? ["n2"] : ["n1"] }));
 * }
 * sim.spawn("c1", () =>
 *   new Client({
 *     replica: "n1",
 *     workload: scriptedWorkload([{ at: 5, op: { type: "increment", amount: 2 } }]),
 *   }));
 * sim.run({ until: 500 });
 * assert.equal(sim.actor<Replica<PNCounter, CounterOp>>("n2")!.state.value(), 2);
 * assert.equal(sim.actor<Replica<PNCounter, CounterOp>>("n2")!.inspect().value, 2);
 * ```
 */
export class Replica<S extends StateCrdt<S, unknown>, Op extends { readonly type: string }>
  implements Actor<ReplicaMsg<Op>, ReplicaTimer> {
  /** The current state (also in storage). */
  state: S;
  readonly stats: GossipStats = { states: 0, deltas: 0, pulls: 0, acks: 0 };
  readonly #type: ReplicatedType<S, Op>;
  readonly #peers: readonly NodeId[];
  readonly #gossipMs: number;
  readonly #fanout: number;
  readonly #pull: boolean;
  readonly #deltas: boolean;
  readonly #maxBuffer: number;
  readonly #sessions = new ClientSessions();
  #epoch = 0;
  /** Changes made or merged in this epoch: `c` of the algorithm. */
  #seq = 0;
  /** D: the deltas numbered `#bufferStart` .. `#seq - 1`. */
  #buffer: Buffered<S>[] = [];
  #bufferStart = 0;
  /** A: per peer, the highest `seq` of this epoch it acknowledged. */
  readonly #acked = new Map<NodeId, number>();
  #clock = -Infinity;
  /** The JSON form of `state`, computed once per change: states are sent far more than changed. */
  #json: unknown;

  constructor(readonly config: ReplicaConfig<S, Op>) {
    this.#type = config.type;
    this.#peers = config.peers;
    this.#gossipMs = config.gossipMs ?? 50;
    this.#fanout = config.fanout ?? 1;
    this.#pull = (config.mode ?? "push-pull") === "push-pull";
    this.#deltas = (config.deltas ?? true) && config.type.deltas !== false;
    this.#maxBuffer = config.maxBuffer ?? 64;
    if (!(Number.isFinite(this.#gossipMs) && this.#gossipMs > 0)) {
      throw new RangeError(`Replica gossipMs must be a number > 0, got ${config.gossipMs}`);
    }
    if (!(Number.isInteger(this.#fanout) && this.#fanout >= 1)) {
      throw new RangeError(`Replica fanout must be a whole number >= 1, got ${config.fanout}`);
    }
    if (config.mode !== undefined && config.mode !== "push" && config.mode !== "push-pull") {
      throw new RangeError(`Replica mode must be "push" or "push-pull", got ${config.mode}`);
    }
    if (!(Number.isInteger(this.#maxBuffer) && this.#maxBuffer >= 1)) {
      throw new RangeError(
        `Replica maxBuffer must be a whole number >= 1, got ${config.maxBuffer}`,
      );
    }
    this.state = this.#type.empty();
  }

  /** The current epoch: how many times this replica has started. */
  get epoch(): number {
    return this.#epoch;
  }

  onStart(ctx: Context<ReplicaMsg<Op>, ReplicaTimer>): void {
    const stored = ctx.storage.get<unknown>(STATE);
    this.state = stored === undefined ? this.#type.empty() : this.#type.fromJSON(stored);
    this.#json = undefined;
    this.#epoch = (ctx.storage.get<number>(EPOCH) ?? 0) + 1;
    ctx.storage.set(EPOCH, this.#epoch);
    this.#clock = ctx.storage.get<number>(CLOCK) ?? -Infinity;
    this.#sessions.load(ctx.storage);
    // A random phase, so that replicas started together do not gossip in lockstep.
    if (this.#peers.length > 0) ctx.setTimer("gossip", this.#gossipMs * ctx.random());
  }

  onMessage(ctx: Context<ReplicaMsg<Op>, ReplicaTimer>, msg: ReplicaMsg<Op>, from: NodeId): void {
    switch (msg.type) {
      case "request":
        return this.#request(ctx, msg, from);
      case "state":
        this.stats.acks++;
        this.#merge(ctx, this.#type.fromJSON(msg.state), from, true);
        ctx.send(from, { type: "ack", epoch: msg.epoch, seq: msg.seq });
        if (msg.pull) this.#pushTo(ctx, from, false);
        return;
      case "delta":
        this.stats.acks++;
        this.#merge(ctx, this.#type.fromJSON(msg.delta), from, false);
        ctx.send(from, { type: "ack", epoch: msg.epoch, seq: msg.seq });
        if (msg.pull) this.#pushTo(ctx, from, false);
        return;
      case "pull":
        return this.#pushTo(ctx, from, false);
      case "ack":
        if (msg.epoch === this.#epoch) this.#acknowledged(from, msg.seq);
        return;
      case "reply":
        throw new Error(`${ctx.self}: a replica sends replies, it does not take them`);
      default: {
        const never: never = msg;
        throw new Error(`${ctx.self}: unexpected message ${JSON.stringify(never)}`);
      }
    }
  }

  /** A gossip round: push to `fanout` random peers what each may lack. */
  onTimer(ctx: Context<ReplicaMsg<Op>, ReplicaTimer>, timer: ReplicaTimer): void {
    if (timer !== "gossip") {
      throw new Error(`${ctx.self}: unexpected timer ${timer satisfies never}`);
    }
    for (const peer of this.#pickPeers(ctx)) this.#pushTo(ctx, peer, this.#pull);
    ctx.setTimer("gossip", this.#gossipMs);
  }

  /** The value, the epoch, the change count, the delta buffer and what peers acknowledged. */
  inspect(): ReplicaView {
    return {
      value: this.state.value(),
      epoch: this.#epoch,
      seq: this.#seq,
      buffered: this.#buffer.length,
      acked: Object.fromEntries(this.#acked),
    };
  }

  #request(ctx: Context<ReplicaMsg<Op>, ReplicaTimer>, msg: ClientRequest<Op>, from: NodeId): void {
    this.#sessions.answer(ctx, from, msg, {
      read: () => this.state.value() as Json,
      write: (op) => {
        // A clock that never goes backwards, even across a restart with a skewed clock.
        const now = Math.max(ctx.now(), this.#clock + TICK);
        const update = this.#type.update(this.state, op, { replica: ctx.self, now });
        this.#clock = now;
        ctx.storage.set(CLOCK, now);
        if (!update.state.leq(this.state)) {
          this.#adopt(ctx, update.state);
          this.#record(update.delta ?? update.state, ctx.self);
        }
        return update.output;
      },
    });
  }

  /** Joins what `from` sent; for a whole state, notes when `from` now has all of ours. */
  #merge(
    ctx: Context<ReplicaMsg<Op>, ReplicaTimer>,
    incoming: S,
    from: NodeId,
    whole: boolean,
  ): void {
    if (!incoming.leq(this.state)) {
      ctx.sometimes("merged concurrent updates", !this.state.leq(incoming));
      this.#adopt(ctx, this.state.merge(incoming));
      this.#record(incoming, from);
    }
    if (whole && this.state.leq(incoming)) this.#acknowledged(from, this.#seq);
  }

  /** Takes `state` as the new state, durably. */
  #adopt(ctx: Context<ReplicaMsg<Op>, ReplicaTimer>, state: S): void {
    this.state = state;
    this.#json = state.toJSON();
    ctx.storage.set(STATE, this.#json);
  }

  #record(delta: S, from: NodeId): void {
    this.#buffer.push({ delta, from });
    this.#seq++;
    while (this.#buffer.length > this.#maxBuffer) this.#forgetOldest();
  }

  #forgetOldest(): void {
    this.#buffer.shift();
    this.#bufferStart++;
  }

  #acknowledged(peer: NodeId, seq: number): void {
    if (seq <= (this.#acked.get(peer) ?? -1)) return;
    this.#acked.set(peer, seq);
    // Deltas every peer that acknowledged anything already has are needed by
    // no one: a peer that never acknowledged gets the whole state anyway.
    let min = Infinity;
    for (const n of this.#acked.values()) if (n < min) min = n;
    while (this.#bufferStart < min && this.#buffer.length > 0) this.#forgetOldest();
  }

  /** Sends `peer` what it may lack; with `pull`, asks it to answer in kind. */
  #pushTo(ctx: Context<ReplicaMsg<Op>, ReplicaTimer>, peer: NodeId, pull: boolean): void {
    const acked = this.#acked.get(peer);
    if (acked !== undefined && acked >= this.#seq) return this.#askFor(ctx, peer, pull);
    if (this.#deltas && acked !== undefined && acked >= this.#bufferStart) {
      let delta: S | undefined;
      for (let i = acked - this.#bufferStart; i < this.#buffer.length; i++) {
        const entry = this.#buffer[i];
        // The peer sent that one itself.
        if (entry.from === peer) continue;
        delta = delta === undefined ? entry.delta : delta.merge(entry.delta);
      }
      if (delta === undefined) {
        this.#acknowledged(peer, this.#seq);
        return this.#askFor(ctx, peer, pull);
      }
      this.stats.deltas++;
      ctx.send(peer, {
        type: "delta",
        epoch: this.#epoch,
        seq: this.#seq,
        delta: delta.toJSON(),
        pull,
      });
      return;
    }
    this.stats.states++;
    ctx.send(peer, {
      type: "state",
      epoch: this.#epoch,
      seq: this.#seq,
      state: this.#json ??= this.state.toJSON(),
      pull,
    });
  }

  #askFor(ctx: Context<ReplicaMsg<Op>, ReplicaTimer>, peer: NodeId, pull: boolean): void {
    if (!pull) return;
    this.stats.pulls++;
    ctx.send(peer, { type: "pull" });
  }

  #pickPeers(ctx: Context<ReplicaMsg<Op>, ReplicaTimer>): NodeId[] {
    const peers = this.#peers;
    if (this.#fanout >= peers.length) return [...peers];
    const picked = new Set<NodeId>();
    while (picked.size < this.#fanout) picked.add(peers[Math.floor(ctx.random() * peers.length)]);
    return [...picked];
  }
}

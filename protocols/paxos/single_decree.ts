/**
 * Single-decree Paxos (Lamport, "Paxos Made Simple", 2001): a set of nodes
 * choose one value, and never two, whatever the network loses or reorders
 * and whichever nodes crash and come back. Every node plays all three roles:
 *
 * - **proposer**: phase 1a sends `Prepare(b)` with a fresh ballot `b`; with
 *   promises from a majority, phase 2a sends `Accept(b, v)`, where `v` is the
 *   value of the highest-ballot proposal any of those promises reported, or
 *   its own value if none did. That rule is the whole trick: a value that
 *   may already be chosen is proposed again, never overwritten.
 * - **acceptor**: phase 1b promises to ignore ballots below `b` and reports
 *   the proposal it last accepted; phase 2b accepts `(b, v)` unless it has
 *   promised a higher ballot. Both are written to durable storage before
 *   the answer goes out, so a restarted acceptor keeps its word.
 * - **learner**: a value is chosen once a majority of acceptors accepted it
 *   in one ballot; acceptors tell every learner what they accept, and a
 *   learner that missed it asks the others.
 *
 * Paxos is safe under any timing, but not live under every timing (FLP):
 * two proposers can pre-empt each other forever. A proposer that has not
 * seen a decision retries after a random back-off, which makes such duels
 * end quickly in practice; Multi-Paxos (`multi_paxos.ts`) avoids them by
 * letting one distinguished proposer run.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { Actor, Context, NodeId } from "../../actors/mod.ts";
import { type Ballot, compareBallots, formatBallot, majority } from "./ballot.ts";

/**
 * A proposal: a value under a ballot.
 *
 * @example
 * ```ts
 * import type { Proposal } from "./single_decree.ts";
 * import assert from "node:assert/strict";
 * const p: Proposal = { ballot: { round: 1, node: "n1" }, value: "v-n1" };
 * assert.equal(p.value, "v-n1");
 * ```
 */
export interface Proposal {
  /** The ballot it is proposed in. */
  readonly ballot: Ballot;
  /** The value proposed. */
  readonly value: string;
}

/**
 * The messages of single-decree Paxos, named by their phase in the paper.
 *
 * @example
 * ```ts
 * import type { PaxosMsg } from "./single_decree.ts";
 * import assert from "node:assert/strict";
 * const m: PaxosMsg = { type: "Prepare", ballot: { round: 1, node: "n1" } };
 * assert.equal(m.type, "Prepare");
 * ```
 */
export type PaxosMsg =
  /** 1a: "promise to ignore ballots below `ballot`". */
  | { type: "Prepare"; ballot: Ballot }
  /** 1b: the promise, with the proposal this acceptor last accepted (if any). */
  | { type: "Promise"; ballot: Ballot; accepted: Proposal | null }
  /** 2a: "accept `value` in `ballot`". */
  | { type: "Accept"; ballot: Ballot; value: string }
  /** 2b: sent to every learner. */
  | { type: "Accepted"; ballot: Ballot; value: string }
  /** An acceptor refuses `ballot`: it has promised `promised`, which is higher. */
  | { type: "Nack"; ballot: Ballot; promised: Ballot }
  /** A learner that has not learned asks the others. */
  | { type: "WhatDecided" }
  /** The answer of a learner that knows. */
  | { type: "Decided"; value: string };

/**
 * The timers of a Paxos node.
 *
 * @example
 * ```ts
 * import type { PaxosTimer } from "./single_decree.ts";
 * import assert from "node:assert/strict";
 * const t: PaxosTimer = { type: "retry" };
 * assert.equal(t.type, "retry");
 * ```
 */
export type PaxosTimer =
  /** Start (or start again, with a higher ballot) to propose. */
  | { type: "retry" }
  /** Ask the others whether a value was chosen. */
  | { type: "ask" };

/**
 * Settings of one node.
 *
 * @example
 * ```ts
 * import type { PaxosConfig } from "./single_decree.ts";
 * import assert from "node:assert/strict";
 * const c: PaxosConfig = { nodes: ["n1", "n2", "n3"], propose: { value: "v-n1", atMs: 10 } };
 * assert.equal(c.nodes.length, 3);
 * ```
 */
export interface PaxosConfig {
  /** Every node, this one included: the acceptors and the learners. */
  nodes: readonly NodeId[];
  /** The value this node proposes, and when (local ms); absent: it only accepts and learns. */
  propose?: { value: string; atMs: number };
  /** Back-off before a proposer tries a higher ballot: `retryMs` plus up to `retryMs` more at random (default 40). */
  retryMs?: number;
  /** How often a node that has not learned asks the others (default 100). */
  askMs?: number;
  /**
   * Planted bug: the proposer proposes its own value even when a promise
   * reports an accepted one. Two values can then be chosen; the scenario's
   * agreement check catches it.
   */
  unsafeIgnoreAccepted?: boolean;
}

/**
 * One Paxos node: proposer (when configured to propose), acceptor and learner.
 *
 * @example
 * ```ts
 * import { PaxosNode, type PaxosMsg, type PaxosTimer } from "./single_decree.ts";
 * import { TestContext } from "../../actors/test_context.ts";
 * import assert from "node:assert/strict";
 * // An acceptor promises, and remembers its promise durably.
 * const node = new PaxosNode({ nodes: ["n1", "n2", "n3"] });
 * const ctx = new TestContext<PaxosMsg, PaxosTimer>("n2");
 * node.onStart(ctx);
 * ctx.deliver(node, { type: "Prepare", ballot: { round: 1, node: "n1" } }, "n1");
 * assert.deepEqual(ctx.takeSent().filter((s) => s.to === "n1"), [
 *   { to: "n1", msg: { type: "Promise", ballot: { round: 1, node: "n1" }, accepted: null } },
 * ]);
 * assert.deepEqual(ctx.storage.get("promised"), { round: 1, node: "n1" });
 * ```
 */
export class PaxosNode implements Actor<PaxosMsg, PaxosTimer> {
  // Acceptor, durable.
  /** The highest ballot promised. */
  promised: Ballot | null = null;
  /** The proposal last accepted. */
  accepted: Proposal | null = null;
  // Learner, durable.
  /** The value learned as chosen. */
  decided: string | null = null;
  // Proposer: the highest round used is durable, the rest is not.
  /** The ballot of the current attempt. */
  ballot: Ballot | null = null;
  /** Where the current attempt stands. */
  phase: "idle" | "prepare" | "accept" = "idle";
  #round = 0;
  #promises = new Map<NodeId, Proposal | null>();
  /** Learner: acceptors that accepted each ballot, by the ballot's text. */
  #acceptedBy = new Map<string, { value: string; from: Set<NodeId> }>();
  readonly #retryMs: number;
  readonly #askMs: number;
  readonly #quorum: number;

  /** A node of the group `config.nodes`. */
  constructor(readonly config: PaxosConfig) {
    if (config.nodes.length === 0) throw new RangeError("PaxosNode: nodes must not be empty");
    this.#retryMs = config.retryMs ?? 40;
    this.#askMs = config.askMs ?? 100;
    this.#quorum = majority(config.nodes.length);
  }

  onStart(ctx: Context<PaxosMsg, PaxosTimer>): void {
    this.promised = ctx.storage.get<Ballot>("promised") ?? null;
    this.accepted = ctx.storage.get<Proposal>("accepted") ?? null;
    this.decided = ctx.storage.get<string>("decided") ?? null;
    this.#round = ctx.storage.get<number>("round") ?? 0;
    if (this.decided !== null) return;
    const propose = this.config.propose;
    if (propose !== undefined) {
      ctx.setTimer({ type: "retry" }, Math.max(0, propose.atMs - ctx.now()));
    }
    ctx.setTimer({ type: "ask" }, this.#askMs * (1 + ctx.random()));
  }

  onMessage(ctx: Context<PaxosMsg, PaxosTimer>, msg: PaxosMsg, from: NodeId): void {
    switch (msg.type) {
      case "Prepare":
        return this.#onPrepare(ctx, msg.ballot, from);
      case "Promise":
        return this.#onPromise(ctx, msg.ballot, msg.accepted, from);
      case "Accept":
        return this.#onAccept(ctx, { ballot: msg.ballot, value: msg.value }, from);
      case "Accepted":
        return this.#onAccepted(ctx, { ballot: msg.ballot, value: msg.value }, from);
      case "Nack":
        return this.#onNack(msg.ballot, msg.promised);
      case "WhatDecided":
        if (this.decided !== null) ctx.send(from, { type: "Decided", value: this.decided });
        return;
      case "Decided":
        return this.#learn(ctx, msg.value);
      default: {
        const never: never = msg;
        throw new Error(`PaxosNode: unknown message ${JSON.stringify(never)}`);
      }
    }
  }

  onTimer(ctx: Context<PaxosMsg, PaxosTimer>, timer: PaxosTimer): void {
    if (this.decided !== null) return;
    switch (timer.type) {
      case "retry":
        return this.#prepare(ctx);
      case "ask":
        for (const n of this.config.nodes) if (n !== ctx.self) ctx.send(n, { type: "WhatDecided" });
        ctx.setTimer(timer, this.#askMs);
        return;
      default: {
        const never: never = timer;
        throw new Error(`PaxosNode: unknown timer ${JSON.stringify(never)}`);
      }
    }
  }

  /** What the studio and fingerprints see. */
  inspect(): {
    promised: string;
    accepted: string | null;
    decided: string | null;
    phase: string;
    ballot: string;
  } {
    return {
      promised: formatBallot(this.promised),
      accepted: this.accepted && `${this.accepted.value}@${formatBallot(this.accepted.ballot)}`,
      decided: this.decided,
      phase: this.phase,
      ballot: formatBallot(this.ballot),
    };
  }

  // ---- proposer ------------------------------------------------------------------

  /** Phase 1a, with a ballot above any this node has used or seen. */
  #prepare(ctx: Context<PaxosMsg, PaxosTimer>): void {
    this.#round = Math.max(this.#round, this.promised?.round ?? 0) + 1;
    ctx.storage.set("round", this.#round); // never reuse a ballot, even after a crash
    this.ballot = { round: this.#round, node: ctx.self };
    this.phase = "prepare";
    this.#promises.clear();
    for (const n of this.config.nodes) ctx.send(n, { type: "Prepare", ballot: this.ballot });
    ctx.setTimer({ type: "retry" }, this.#retryMs * (1 + ctx.random()));
  }

  /** Phase 2a once a majority promised: propose the value that may already be chosen. */
  #onPromise(
    ctx: Context<PaxosMsg, PaxosTimer>,
    ballot: Ballot,
    accepted: Proposal | null,
    from: NodeId,
  ): void {
    if (this.phase !== "prepare" || compareBallots(ballot, this.ballot) !== 0) return;
    this.#promises.set(from, accepted);
    if (this.#promises.size < this.#quorum) return;
    let highest: Proposal | null = null;
    for (const p of this.#promises.values()) {
      if (p !== null && compareBallots(p.ballot, highest?.ballot ?? null) > 0) highest = p;
    }
    const own = this.config.propose!.value;
    const value = highest === null || this.config.unsafeIgnoreAccepted ? own : highest.value;
    this.phase = "accept";
    for (const n of this.config.nodes) {
      ctx.send(n, { type: "Accept", ballot: this.ballot!, value });
    }
  }

  /** A higher ballot was promised: this attempt cannot succeed; the retry timer tries higher. */
  #onNack(ballot: Ballot, promised: Ballot): void {
    if (compareBallots(ballot, this.ballot) !== 0) return;
    this.#round = Math.max(this.#round, promised.round);
    this.phase = "idle";
  }

  // ---- acceptor ------------------------------------------------------------------

  /** Phase 1b. */
  #onPrepare(ctx: Context<PaxosMsg, PaxosTimer>, ballot: Ballot, from: NodeId): void {
    if (compareBallots(ballot, this.promised) < 0) {
      ctx.send(from, { type: "Nack", ballot, promised: this.promised! });
      return;
    }
    this.promised = ballot;
    ctx.storage.set("promised", ballot); // durable before the promise leaves
    ctx.send(from, { type: "Promise", ballot, accepted: this.accepted });
  }

  /** Phase 2b. */
  #onAccept(ctx: Context<PaxosMsg, PaxosTimer>, proposal: Proposal, from: NodeId): void {
    if (compareBallots(proposal.ballot, this.promised) < 0) {
      ctx.send(from, { type: "Nack", ballot: proposal.ballot, promised: this.promised! });
      return;
    }
    this.promised = proposal.ballot;
    this.accepted = proposal;
    ctx.storage.set("promised", proposal.ballot);
    ctx.storage.set("accepted", proposal);
    for (const n of this.config.nodes) {
      ctx.send(n, { type: "Accepted", ballot: proposal.ballot, value: proposal.value });
    }
  }

  // ---- learner -------------------------------------------------------------------

  /** Chosen: a majority accepted one ballot's value. */
  #onAccepted(ctx: Context<PaxosMsg, PaxosTimer>, proposal: Proposal, from: NodeId): void {
    const key = formatBallot(proposal.ballot);
    let votes = this.#acceptedBy.get(key);
    if (votes === undefined) {
      votes = { value: proposal.value, from: new Set() };
      this.#acceptedBy.set(key, votes);
    }
    // One ballot carries one value: its proposer sends only one.
    assert(votes.value === proposal.value, `ballot ${key} carried two values`);
    votes.from.add(from);
    if (votes.from.size >= this.#quorum) this.#learn(ctx, proposal.value);
  }

  #learn(ctx: Context<PaxosMsg, PaxosTimer>, value: string): void {
    if (this.decided !== null) return; // agreement across nodes is the checker's to judge
    this.decided = value;
    ctx.storage.set("decided", value);
    this.phase = "idle";
    this.#acceptedBy.clear();
    ctx.cancelTimer({ type: "retry" });
    ctx.cancelTimer({ type: "ask" });
    ctx.log(`decided ${value}`);
  }
}

/**
 * The two-phase commit coordinator (transaction manager), with presumed
 * abort:
 *
 * 1. On a client's `Commit`, send `Prepare` to every participant and
 *    collect votes. Any no, or silence until the vote timeout, decides
 *    abort.
 * 2. All yes decides commit. The commit decision is written to durable
 *    storage **before** any participant hears it: it is the moment the
 *    transaction commits, and a coordinator that restarts reads it back and
 *    sends it again until every participant has acknowledged. (A real
 *    coordinator then forgets the record; this one keeps it, because its
 *    clients may ask about a transaction again at any time, and a
 *    forgotten commit would be re-run, and perhaps aborted.)
 *
 * A coordinator that restarts may be asked again to commit a transaction it
 * had started and forgotten (a client's retry). It then runs phase 1 again,
 * in a new epoch (its restarts are counted durably): a participant still in
 * doubt from an earlier epoch learns from that that the earlier attempt was
 * lost without a commit record, so aborted, and votes no.
 *
 * Presumed abort: aborts are never written down. A coordinator asked about
 * a transaction it has no record of answers abort, which is right because
 * it would have a record had it committed. That is also why the planted
 * bug `forgetDecision` (the commit decision kept only in memory) breaks
 * atomicity: after a crash the coordinator "presumes" abort for a
 * transaction some participants already committed.
 *
 * @module
 */

import type { Actor, Context, NodeId } from "../../actors/mod.ts";
import type { CommitMsg, Outcome, TxnId } from "./messages.ts";

/**
 * The coordinator's timers.
 *
 * @example
 * ```ts
 * import type { CoordinatorTimer } from "./coordinator.ts";
 * import assert from "node:assert/strict";
 * const t: CoordinatorTimer = { type: "votes", txn: "c1.1" };
 * assert.equal(t.type, "votes");
 * ```
 */
export type CoordinatorTimer =
  /** Stop waiting for votes: abort. */
  | { type: "votes"; txn: TxnId }
  /** Send the commit decision again to participants that have not acknowledged it. */
  | { type: "resend"; txn: TxnId };

/**
 * Settings of a coordinator.
 *
 * @example
 * ```ts
 * import type { CoordinatorConfig } from "./coordinator.ts";
 * import assert from "node:assert/strict";
 * const c: CoordinatorConfig = { voteTimeoutMs: 150 };
 * assert.equal(c.voteTimeoutMs, 150);
 * ```
 */
export interface CoordinatorConfig {
  /** How long to wait for every vote before aborting, ms (default 150). */
  voteTimeoutMs?: number;
  /** How often an unacknowledged commit is sent again, ms (default 60). */
  resendMs?: number;
  /**
   * Planted bug: the commit decision is kept only in memory, never written
   * to durable storage. A crash then loses it, and presumed abort answers
   * abort for a transaction that committed somewhere.
   */
  forgetDecision?: boolean;
}

/** A transaction the coordinator is working on (volatile). */
interface Pending {
  participants: NodeId[];
  /** Who asked, to tell the outcome to (null after a restart). */
  client: NodeId | null;
  votes: Set<NodeId>;
  outcome: Outcome | null;
  acks: Set<NodeId>;
}

/** The durable commit record: the decision, and whom to tell. */
interface CommitRecord {
  participants: NodeId[];
}

/**
 * The coordinator (see the module documentation).
 *
 * @example
 * ```ts
 * import { Coordinator, type CoordinatorTimer } from "./coordinator.ts";
 * import type { CommitMsg } from "./messages.ts";
 * import { TestContext } from "../../actors/test_context.ts";
 * import assert from "node:assert/strict";
 * const tm = new Coordinator();
 * const ctx = new TestContext<CommitMsg, CoordinatorTimer>("tm");
 * tm.onStart(ctx);
 * tm.onMessage(ctx, { type: "Commit", txn: "c1.1", participants: ["n1", "n2"] }, "c1");
 * ctx.takeSent(); // two Prepares
 * tm.onMessage(ctx, { type: "Vote", txn: "c1.1", yes: true, epoch: 1 }, "n1");
 * tm.onMessage(ctx, { type: "Vote", txn: "c1.1", yes: true, epoch: 1 }, "n2");
 * // Durable first, then sent.
 * assert.deepEqual(ctx.storage.get("commit/c1.1"), { participants: ["n1", "n2"] });
 * assert.deepEqual(ctx.takeSent().map((s) => s.to), ["n1", "n2", "c1"]);
 * ```
 */
export class Coordinator implements Actor<CommitMsg, CoordinatorTimer> {
  /** Counts this coordinator's starts (durable): stamps its Prepares. */
  epoch = 0;
  readonly #pending = new Map<TxnId, Pending>();
  readonly #voteTimeoutMs: number;
  readonly #resendMs: number;

  /** A coordinator with the given timing. */
  constructor(readonly config: CoordinatorConfig = {}) {
    this.#voteTimeoutMs = config.voteTimeoutMs ?? 150;
    this.#resendMs = config.resendMs ?? 60;
  }

  onStart(ctx: Context<CommitMsg, CoordinatorTimer>): void {
    this.epoch = (ctx.storage.get<number>("epoch") ?? 0) + 1;
    ctx.storage.set("epoch", this.epoch);
    // Recovery: every commit on record is sent again until acknowledged.
    for (const key of ctx.storage.keys()) {
      if (!key.startsWith("commit/")) continue;
      const txn = key.slice(7);
      const { participants } = ctx.storage.get<CommitRecord>(key)!;
      this.#pending.set(txn, {
        participants,
        client: null,
        votes: new Set(participants),
        outcome: "commit",
        acks: new Set(),
      });
      this.#sendDecision(ctx, txn);
    }
  }

  onMessage(ctx: Context<CommitMsg, CoordinatorTimer>, msg: CommitMsg, from: NodeId): void {
    switch (msg.type) {
      case "Commit":
        return this.#onCommit(ctx, msg.txn, msg.participants, from);
      case "Vote":
        if (msg.epoch !== this.epoch) return; // a vote for an attempt this coordinator forgot
        return this.#onVote(ctx, msg.txn, msg.yes, from);
      case "Ack":
        return this.#onAck(ctx, msg.txn, from);
      case "DecisionRequest":
        return this.#onDecisionRequest(ctx, msg.txn, from);
      case "Decision":
      case "Prepare":
      case "Outcome":
        return; // a participant's or client's message
      default: {
        const never: never = msg;
        throw new Error(`Coordinator: unknown message ${JSON.stringify(never)}`);
      }
    }
  }

  onTimer(ctx: Context<CommitMsg, CoordinatorTimer>, timer: CoordinatorTimer): void {
    const p = this.#pending.get(timer.txn);
    if (p === undefined) return;
    switch (timer.type) {
      case "votes":
        if (p.outcome === null) this.#decide(ctx, timer.txn, "abort");
        return;
      case "resend":
        if (p.outcome === "commit" && p.acks.size < p.participants.length) {
          this.#sendDecision(ctx, timer.txn);
        }
        return;
      default: {
        const never: never = timer;
        throw new Error(`Coordinator: unknown timer ${JSON.stringify(never)}`);
      }
    }
  }

  /** What the studio and fingerprints see. */
  inspect(): { collecting: TxnId[]; committing: TxnId[] } {
    const collecting: TxnId[] = [], committing: TxnId[] = [];
    for (const [txn, p] of this.#pending) {
      if (p.outcome === null) collecting.push(txn);
      else if (p.outcome === "commit" && p.acks.size < p.participants.length) committing.push(txn);
    }
    return { collecting, committing };
  }

  /** Phase 1: ask every participant. */
  #onCommit(
    ctx: Context<CommitMsg, CoordinatorTimer>,
    txn: TxnId,
    participants: NodeId[],
    client: NodeId,
  ): void {
    const known = this.#pending.get(txn);
    if (known !== undefined) {
      known.client = client;
      if (known.outcome !== null) {
        ctx.send(client, { type: "Outcome", txn, outcome: known.outcome });
      }
      return;
    }
    this.#pending.set(txn, {
      participants,
      client,
      votes: new Set(),
      outcome: null,
      acks: new Set(),
    });
    for (const n of participants) {
      ctx.send(n, { type: "Prepare", txn, participants, epoch: this.epoch });
    }
    ctx.setTimer({ type: "votes", txn }, this.#voteTimeoutMs);
  }

  #onVote(ctx: Context<CommitMsg, CoordinatorTimer>, txn: TxnId, yes: boolean, from: NodeId): void {
    const p = this.#pending.get(txn);
    if (p === undefined || !p.participants.includes(from)) return;
    if (p.outcome !== null) {
      // A late or repeated vote: the voter may have missed the decision.
      ctx.send(from, { type: "Decision", txn, outcome: p.outcome });
      return;
    }
    if (!yes) return this.#decide(ctx, txn, "abort");
    p.votes.add(from);
    if (p.votes.size === p.participants.length) this.#decide(ctx, txn, "commit");
  }

  /** Phase 2: the decision. A commit is durable before anyone hears of it. */
  #decide(ctx: Context<CommitMsg, CoordinatorTimer>, txn: TxnId, outcome: Outcome): void {
    const p = this.#pending.get(txn)!;
    p.outcome = outcome;
    ctx.cancelTimer({ type: "votes", txn });
    if (outcome === "commit" && !this.config.forgetDecision) {
      ctx.storage.set<CommitRecord>(`commit/${txn}`, { participants: p.participants });
    }
    ctx.log(`${outcome} ${txn}`);
    this.#sendDecision(ctx, txn);
    if (p.client !== null) ctx.send(p.client, { type: "Outcome", txn, outcome });
  }

  #sendDecision(ctx: Context<CommitMsg, CoordinatorTimer>, txn: TxnId): void {
    const p = this.#pending.get(txn)!;
    for (const n of p.participants) {
      if (!p.acks.has(n)) ctx.send(n, { type: "Decision", txn, outcome: p.outcome! });
    }
    // Presumed abort: an abort is sent once; a participant that missed it asks.
    if (p.outcome === "commit") ctx.setTimer({ type: "resend", txn }, this.#resendMs);
  }

  #onAck(ctx: Context<CommitMsg, CoordinatorTimer>, txn: TxnId, from: NodeId): void {
    const p = this.#pending.get(txn);
    if (p === undefined || p.outcome !== "commit") return;
    p.acks.add(from);
    if (p.acks.size === p.participants.length) ctx.cancelTimer({ type: "resend", txn });
  }

  #onDecisionRequest(ctx: Context<CommitMsg, CoordinatorTimer>, txn: TxnId, from: NodeId): void {
    const p = this.#pending.get(txn);
    if (p?.outcome != null) ctx.send(from, { type: "Decision", txn, outcome: p.outcome });
    else if (p === undefined) ctx.send(from, { type: "Decision", txn, outcome: "abort" }); // presumed
    // Still collecting votes: the answer comes with the decision.
  }
}

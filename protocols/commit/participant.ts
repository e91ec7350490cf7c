/**
 * A two-phase commit participant (lecture 7.1), after Gray's and Lampson's
 * protocol with presumed abort:
 *
 * 1. On `Prepare`, the participant asks its resource whether it can
 *    commit. Its vote is written to durable storage **before** it leaves:
 *    a participant that said yes has promised to commit if told to, even
 *    after a crash, and may no longer abort on its own.
 * 2. On `Decision`, it writes the outcome durably, applies it to its
 *    resource and acknowledges a commit (an abort needs no acknowledgement:
 *    the coordinator presumes abort for what it has no record of).
 *
 * Between voting yes and hearing the decision it is **in doubt**. It then
 * asks the coordinator, and, since the coordinator may be down, every other
 * participant too (the cooperative termination protocol): a participant
 * that knows the decision tells it; one that has not voted yet aborts on
 * the spot (it is still allowed to) and says abort. If every participant
 * voted yes and the coordinator is down, nobody can decide: two-phase
 * commit **blocks** until the coordinator recovers. That is the case
 * `ft_commit.ts` removes.
 *
 * @module
 */

import type { Actor, Context, NodeId } from "../../actors/mod.ts";
import {
  type CommitMsg,
  inDoubt,
  type Outcome,
  recordKey,
  type TxnId,
  type TxnRecord,
} from "./messages.ts";
import type { Resource } from "./resource.ts";

/**
 * A participant's timers: ask again about an in-doubt transaction.
 *
 * @example
 * ```ts
 * import type { ParticipantTimer } from "./participant.ts";
 * import assert from "node:assert/strict";
 * const t: ParticipantTimer = { type: "ask", txn: "c1.1" };
 * assert.equal(t.txn, "c1.1");
 * ```
 */
export type ParticipantTimer = { type: "ask"; txn: TxnId };

/**
 * Settings of a participant.
 *
 * @example
 * ```ts
 * import type { ParticipantConfig } from "./participant.ts";
 * import { CoinResource } from "./resource.ts";
 * import assert from "node:assert/strict";
 * const c: ParticipantConfig = { resource: new CoinResource(0.1), askMs: 100 };
 * assert.equal(c.askMs, 100);
 * ```
 */
export interface ParticipantConfig {
  /** What the participant commits. */
  resource: Resource;
  /** How long an in-doubt participant waits before asking (again), ms (default 100). */
  askMs?: number;
}

/**
 * A two-phase commit participant (see the module documentation).
 *
 * @example
 * ```ts
 * import { Participant } from "./participant.ts";
 * import { CoinResource } from "./resource.ts";
 * import type { CommitMsg } from "./messages.ts";
 * import { TestContext } from "../../actors/test_context.ts";
 * import assert from "node:assert/strict";
 * const p = new Participant({ resource: new CoinResource(0) });
 * const ctx = new TestContext<CommitMsg, never>("n1");
 * p.onStart(ctx);
 * ctx.deliver(p, { type: "Prepare", txn: "c1.1", participants: ["n1", "n2"], epoch: 1 }, "tm");
 * assert.deepEqual(ctx.takeSent(), [
 *   { to: "tm", msg: { type: "Vote", txn: "c1.1", yes: true, epoch: 1 } },
 * ]);
 * assert.equal(p.inDoubt().length, 1); // voted yes: in doubt until the decision comes
 * ctx.deliver(p, { type: "Decision", txn: "c1.1", outcome: "commit" }, "tm");
 * assert.equal(p.records.get("c1.1")?.outcome, "commit");
 * ```
 */
export class Participant implements Actor<CommitMsg, ParticipantTimer> {
  /** What this participant knows of each transaction (durable). */
  readonly records: Map<TxnId, TxnRecord> = new Map();
  readonly #askMs: number;

  /** A participant committing `config.resource`. */
  constructor(readonly config: ParticipantConfig) {
    this.#askMs = config.askMs ?? 100;
  }

  onStart(ctx: Context<CommitMsg, ParticipantTimer>): void {
    for (const key of ctx.storage.keys()) {
      if (!key.startsWith("txn/")) continue;
      const txn = key.slice(4);
      const record = ctx.storage.get<TxnRecord>(key)!;
      this.records.set(txn, record);
      if (inDoubt(record)) ctx.setTimer({ type: "ask", txn }, this.#askMs * ctx.random());
    }
  }

  onMessage(ctx: Context<CommitMsg, ParticipantTimer>, msg: CommitMsg, from: NodeId): void {
    switch (msg.type) {
      case "Prepare":
        return this.#onPrepare(ctx, msg.txn, msg.participants, msg.epoch, from);
      case "Decision":
        return this.#onDecision(ctx, msg.txn, msg.outcome, from);
      case "DecisionRequest":
        return this.#onDecisionRequest(ctx, msg.txn, from);
      case "Commit":
      case "Outcome":
      case "Vote":
      case "Ack":
        return; // a coordinator's or client's message: not for a participant
      default: {
        const never: never = msg;
        throw new Error(`Participant: unknown message ${JSON.stringify(never)}`);
      }
    }
  }

  onTimer(ctx: Context<CommitMsg, ParticipantTimer>, timer: ParticipantTimer): void {
    const record = this.records.get(timer.txn);
    if (record === undefined || !inDoubt(record)) return;
    // In doubt: ask everyone who might know. Blocked if nobody does.
    for (const n of [record.coordinator, ...record.participants]) {
      if (n !== ctx.self) ctx.send(n, { type: "DecisionRequest", txn: timer.txn });
    }
    ctx.sometimes("in doubt, asking again", true);
    ctx.setTimer(timer, this.#askMs);
  }

  /** Transactions this participant is in doubt about. */
  inDoubt(): TxnId[] {
    return [...this.records].filter(([, r]) => inDoubt(r)).map(([txn]) => txn);
  }

  /** What the studio and fingerprints see. */
  inspect(): { committed: number; aborted: number; inDoubt: TxnId[] } {
    let committed = 0, aborted = 0;
    for (const r of this.records.values()) {
      if (r.outcome === "commit") committed++;
      if (r.outcome === "abort") aborted++;
    }
    return { committed, aborted, inDoubt: this.inDoubt() };
  }

  /** Phase 1: vote, durably, then answer. */
  #onPrepare(
    ctx: Context<CommitMsg, ParticipantTimer>,
    txn: TxnId,
    participants: NodeId[],
    epoch: number,
    from: NodeId,
  ): void {
    const known = this.records.get(txn);
    if (known !== undefined && inDoubt(known) && epoch > known.epoch) {
      // The coordinator restarted and starts this transaction again: it has no commit
      // record of the earlier attempt, so that attempt was (presumed) aborted.
      this.#decided(ctx, txn, "abort", `abort ${txn} (the coordinator restarted)`);
    }
    const now = this.records.get(txn);
    if (now !== undefined) {
      // Asked again (a duplicate, or a coordinator that restarted): the answer it stands by.
      const yes = now.outcome === "commit" || (now.outcome === null && now.vote === "yes");
      ctx.send(from, { type: "Vote", txn, yes, epoch });
      return;
    }
    const yes = this.config.resource.prepare(ctx, txn);
    const record: TxnRecord = {
      participants,
      coordinator: from,
      epoch,
      vote: yes ? "yes" : "no",
      outcome: yes ? null : "abort", // voting no aborts here at once
    };
    this.#save(ctx, txn, record);
    if (!yes) this.config.resource.abort(ctx, txn);
    ctx.send(from, { type: "Vote", txn, yes, epoch });
    if (yes) ctx.setTimer({ type: "ask", txn }, this.#askMs);
  }

  /** Phase 2: the decision, from the coordinator or a peer. */
  #onDecision(
    ctx: Context<CommitMsg, ParticipantTimer>,
    txn: TxnId,
    outcome: Outcome,
    from: NodeId,
  ): void {
    const known = this.records.get(txn);
    if (known?.outcome != null) {
      if (known.outcome === "commit" && outcome === "commit") ctx.send(from, { type: "Ack", txn });
      // A contradicting decision is a broken coordinator's: keep ours and let the checks judge.
      if (known.outcome !== outcome) {
        ctx.log(`ignored ${outcome} of ${txn}: it is ${known.outcome}`);
      }
      return;
    }
    this.#decided(ctx, txn, outcome, `${outcome} ${txn}`);
    if (outcome === "commit") ctx.send(from, { type: "Ack", txn });
  }

  /** Records the outcome durably and applies it to the resource. */
  #decided(
    ctx: Context<CommitMsg, ParticipantTimer>,
    txn: TxnId,
    outcome: Outcome,
    note: string,
  ): void {
    const record = this.records.get(txn) ??
      { participants: [], coordinator: ctx.self, epoch: 0, vote: null, outcome: null };
    this.#save(ctx, txn, { ...record, outcome });
    if (outcome === "commit") this.config.resource.commit(ctx, txn);
    else this.config.resource.abort(ctx, txn);
    ctx.cancelTimer({ type: "ask", txn });
    ctx.log(note);
  }

  /** Another node asks what became of `txn`. */
  #onDecisionRequest(ctx: Context<CommitMsg, ParticipantTimer>, txn: TxnId, from: NodeId): void {
    const known = this.records.get(txn);
    if (known?.outcome != null) {
      ctx.send(from, { type: "Decision", txn, outcome: known.outcome });
    } else if (known === undefined || known.vote === null) {
      // Not voted yet, so still free to abort, and then nobody can commit.
      this.#decided(ctx, txn, "abort", `abort ${txn} (asked before voting)`);
      ctx.send(from, { type: "Decision", txn, outcome: "abort" });
    }
    // In doubt itself: it cannot help.
  }

  #save(ctx: Context<CommitMsg, ParticipantTimer>, txn: TxnId, record: TxnRecord): void {
    this.records.set(txn, record);
    ctx.storage.set(recordKey(txn), record);
  }
}

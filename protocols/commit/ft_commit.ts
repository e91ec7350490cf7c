/**
 * Fault-tolerant two-phase commit (lecture 7.1): the participants reach the
 * decision through consensus, so a crashed coordinator no longer blocks
 * them. The algorithm is the lecture's:
 *
 * ```text
 * on receiving (Prepare, T, R):
 *   ok := can T commit here?              (durable, as in 2PC)
 *   total order broadcast (Vote, T, R, self, ok)
 * on suspecting that r in R has crashed (no vote from r in time):
 *   total order broadcast (Vote, T, R, r, false)
 * on delivering (Vote, T, R, r, ok), the first vote of r for T only:
 *   ok:  add r to the yes votes; all of R voted yes: commit T
 *   not: abort T
 * ```
 *
 * Every participant delivers the same votes in the same order, so every
 * participant reaches the same decision, whoever voted on whose behalf:
 * the first vote delivered for `r` counts, whether `r` sent it or someone
 * who suspected `r`. Suspecting wrongly only aborts. The total order
 * broadcast is this project's Multi-Paxos (`protocols/paxos`), mounted in
 * each participant as a layer, so it keeps working while a minority of
 * participants and the coordinator are down.
 *
 * The coordinator ({@linkcode FtCoordinator}) only sends the `Prepare`s and
 * relays the outcome a participant reports to the client.
 *
 * @module
 */

import type { Actor, Context, LayerMsg, LayerTimer, NodeId } from "../../actors/mod.ts";
import { type Mount, mount } from "../../actors/mod.ts";
import { MultiPaxos, type MultiPaxosMsg, type MultiPaxosTimer } from "../paxos/multi_paxos.ts";
import { type CommitMsg, type Outcome, recordKey, type TxnId, type TxnRecord } from "./messages.ts";
import type { Resource } from "./resource.ts";

/**
 * A vote, as it travels through the total order broadcast.
 *
 * @example
 * ```ts
 * import type { FtVote } from "./ft_commit.ts";
 * import assert from "node:assert/strict";
 * const v: FtVote = { txn: "c1.1", participants: ["n1", "n2"], voter: "n2", yes: false, coordinator: "tm" };
 * assert.equal(v.yes, false);
 * ```
 */
export interface FtVote {
  /** The transaction. */
  txn: TxnId;
  /** Every participant of it. */
  participants: NodeId[];
  /** Whose vote this is (the sender's own, or a suspect's no). */
  voter: NodeId;
  /** Yes: prepared. */
  yes: boolean;
  /** Whom to tell the outcome. */
  coordinator: NodeId;
}

/**
 * The count of votes delivered for one transaction, the same on every
 * participant (durable, under `tally/<txn>`).
 *
 * @example
 * ```ts
 * import type { Tally } from "./ft_commit.ts";
 * import assert from "node:assert/strict";
 * const t: Tally = { participants: ["n1", "n2"], yes: ["n1"], outcome: null };
 * assert.equal(t.yes.length, 1);
 * ```
 */
export interface Tally {
  /** Every participant of the transaction. */
  participants: NodeId[];
  /** Who has voted yes, in delivery order. */
  yes: NodeId[];
  /** The decision, once the votes make one. */
  outcome: Outcome | null;
}

/**
 * A fault-tolerant participant's messages: 2PC's and its Paxos layer's.
 *
 * @example
 * ```ts
 * import type { FtMsg } from "./ft_commit.ts";
 * import assert from "node:assert/strict";
 * const m: FtMsg = { type: "Outcome", txn: "c1.1", outcome: "abort" };
 * assert.equal(m.type, "Outcome");
 * ```
 */
export type FtMsg = CommitMsg | LayerMsg<"paxos", MultiPaxosMsg<FtVote>>;

/**
 * A fault-tolerant participant's timers.
 *
 * @example
 * ```ts
 * import type { FtTimer } from "./ft_commit.ts";
 * import assert from "node:assert/strict";
 * const t: FtTimer = { type: "suspect", txn: "c1.1" };
 * assert.equal(t.type, "suspect");
 * ```
 */
export type FtTimer =
  /** Some participants of `txn` have not voted in time: vote no for them. */
  | { type: "suspect"; txn: TxnId }
  | LayerTimer<"paxos", MultiPaxosTimer>;

/**
 * Settings of a fault-tolerant participant.
 *
 * @example
 * ```ts
 * import type { FtParticipantConfig } from "./ft_commit.ts";
 * import { CoinResource } from "./resource.ts";
 * import assert from "node:assert/strict";
 * const c: FtParticipantConfig = { group: ["n1", "n2", "n3"], resource: new CoinResource(0) };
 * assert.equal(c.group.length, 3);
 * ```
 */
export interface FtParticipantConfig {
  /** The participants that run consensus together (every participant of every transaction). */
  group: readonly NodeId[];
  /** What this participant commits. */
  resource: Resource;
  /** How long to wait for the other participants' votes before suspecting them, ms (default 400). */
  suspectMs?: number;
}

type Ctx = Context<FtMsg, FtTimer>;

/**
 * A fault-tolerant two-phase commit participant (see the module documentation).
 *
 * @example
 * ```ts
 * import { FtParticipant } from "./ft_commit.ts";
 * import { CoinResource } from "./resource.ts";
 * import { Simulation } from "../../sim/simulation.ts";
 * import assert from "node:assert/strict";
 * const sim = new Simulation({ seed: 1 });
 * const group = ["n1", "n2", "n3"];
 * for (const id of group) {
 *   sim.spawn(id, () => new FtParticipant({ group, resource: new CoinResource(0) }));
 * }
 * sim.spawn("tm", () => ({ onMessage() {} })); // a coordinator that sends, then falls silent
 * for (const id of group) {
 *   sim.at(300, (s) => s.send("tm", id, { type: "Prepare", txn: "t1", participants: group, epoch: 0 }));
 * }
 * sim.at(301, (s) => s.crash("tm"));
 * sim.run({ until: 1500 });
 * for (const id of group) assert.equal(sim.actor<FtParticipant>(id)!.records.get("t1")?.outcome, "commit");
 * ```
 */
export class FtParticipant implements Actor<FtMsg, FtTimer> {
  /** What this participant knows of each of its transactions (durable). */
  readonly records: Map<TxnId, TxnRecord> = new Map();
  /** The votes delivered so far, per transaction (durable). */
  readonly tallies: Map<TxnId, Tally> = new Map();
  /** The total order broadcast, mounted as `paxos`. */
  readonly paxos: Mount<"paxos", MultiPaxos<FtVote>>;
  readonly #suspectMs: number;

  /** A participant of `config.group`. */
  constructor(readonly config: FtParticipantConfig) {
    this.#suspectMs = config.suspectMs ?? 400;
    this.paxos = mount(
      "paxos",
      new MultiPaxos<FtVote>({
        nodes: config.group,
        deliver: (host, d) => this.#onVote(host as Ctx, d.value),
      }),
    );
  }

  onStart(ctx: Context<FtMsg, FtTimer>): void {
    for (const key of ctx.storage.keys()) {
      if (key.startsWith("txn/")) this.records.set(key.slice(4), ctx.storage.get(key)!);
      if (key.startsWith("tally/")) this.tallies.set(key.slice(6), ctx.storage.get(key)!);
    }
    for (const [txn, record] of this.records) {
      if (record.outcome === null) ctx.setTimer({ type: "suspect", txn }, this.#suspectMs);
    }
    this.paxos.start(ctx);
  }

  onMessage(ctx: Context<FtMsg, FtTimer>, msg: FtMsg, from: NodeId): void {
    if (this.paxos.message(ctx, msg, from)) return;
    const m = msg as CommitMsg;
    switch (m.type) {
      case "Prepare":
        return this.#onPrepare(ctx, m.txn, m.participants, from);
      case "DecisionRequest": {
        const outcome = this.records.get(m.txn)?.outcome;
        if (outcome != null) ctx.send(from, { type: "Decision", txn: m.txn, outcome });
        return;
      }
      case "Commit":
      case "Outcome":
      case "Vote":
      case "Decision":
      case "Ack":
        return;
      default: {
        const never: never = m;
        throw new Error(`FtParticipant: unknown message ${JSON.stringify(never)}`);
      }
    }
  }

  onTimer(ctx: Context<FtMsg, FtTimer>, timer: FtTimer): void {
    if (this.paxos.timer(ctx, timer)) return;
    if ("type" in timer && timer.type === "suspect") this.#suspect(ctx, timer.txn);
  }

  /** Transactions this participant has not decided. */
  undecided(): TxnId[] {
    return [...this.records].filter(([, r]) => r.outcome === null).map(([txn]) => txn);
  }

  /** What the studio and fingerprints see. */
  inspect(): {
    committed: number;
    aborted: number;
    undecided: TxnId[];
    paxos: ReturnType<MultiPaxos<FtVote>["inspect"]>;
  } {
    let committed = 0, aborted = 0;
    for (const r of this.records.values()) {
      if (r.outcome === "commit") committed++;
      if (r.outcome === "abort") aborted++;
    }
    return { committed, aborted, undecided: this.undecided(), paxos: this.paxos.layer.inspect() };
  }

  /** Vote, durably, and broadcast the vote in total order. */
  #onPrepare(ctx: Ctx, txn: TxnId, participants: NodeId[], from: NodeId): void {
    const known = this.records.get(txn);
    if (known?.outcome != null) {
      ctx.send(from, { type: "Outcome", txn, outcome: known.outcome });
      return;
    }
    if (known?.vote != null) return; // the vote is in the log already, or in the outbox
    const yes = this.config.resource.prepare(ctx, txn);
    this.#save(ctx, txn, {
      participants,
      coordinator: from,
      epoch: 0,
      vote: yes ? "yes" : "no",
      outcome: known?.outcome ?? null,
    });
    this.#broadcast(ctx, { txn, participants, voter: ctx.self, yes, coordinator: from });
    ctx.setTimer({ type: "suspect", txn }, this.#suspectMs);
  }

  /** No vote from some participants in time: vote no on their behalf. */
  #suspect(ctx: Ctx, txn: TxnId): void {
    const record = this.records.get(txn);
    if (record === undefined || record.outcome !== null) return;
    const yes = this.tallies.get(txn)?.yes ?? [];
    for (const r of record.participants) {
      if (yes.includes(r) || (r === ctx.self && record.vote !== null)) continue;
      this.#broadcast(ctx, {
        txn,
        participants: record.participants,
        voter: r,
        yes: false,
        coordinator: record.coordinator,
      });
    }
    ctx.sometimes("suspected a participant", true);
  }

  /** A vote delivered by the total order broadcast: the same votes, in the same order, everywhere. */
  #onVote(ctx: Ctx, vote: FtVote): void {
    const { txn, participants, voter } = vote;
    const tally = this.tallies.get(txn) ?? { participants, yes: [], outcome: null };
    if (
      tally.outcome !== null || !tally.participants.includes(voter) || tally.yes.includes(voter)
    ) {
      return; // decided already, or not the first vote of this voter
    }
    if (!vote.yes) tally.outcome = "abort";
    else {
      tally.yes.push(voter);
      if (tally.yes.length === tally.participants.length) tally.outcome = "commit";
    }
    this.tallies.set(txn, tally);
    ctx.storage.set(`tally/${txn}`, tally);
    if (!tally.participants.includes(ctx.self)) return;
    const record = this.records.get(txn) ??
      { participants, coordinator: vote.coordinator, epoch: 0, vote: null, outcome: null };
    if (tally.outcome === null) {
      // A participant that never got the Prepare learns of the transaction here.
      if (!this.records.has(txn)) ctx.setTimer({ type: "suspect", txn }, this.#suspectMs);
      this.#save(ctx, txn, record);
      return;
    }
    this.#save(ctx, txn, { ...record, outcome: tally.outcome });
    if (tally.outcome === "commit") this.config.resource.commit(ctx, txn);
    else this.config.resource.abort(ctx, txn);
    ctx.cancelTimer({ type: "suspect", txn });
    ctx.log(`${tally.outcome} ${txn}`);
    ctx.send(record.coordinator, { type: "Outcome", txn, outcome: tally.outcome });
  }

  #broadcast(ctx: Ctx, vote: FtVote): void {
    this.paxos.layer.broadcast(this.paxos.context(ctx), vote);
  }

  #save(ctx: Ctx, txn: TxnId, record: TxnRecord): void {
    this.records.set(txn, record);
    ctx.storage.set(recordKey(txn), record);
  }
}

/**
 * The fault-tolerant coordinator's timers.
 *
 * @example
 * ```ts
 * import type { FtCoordinatorTimer } from "./ft_commit.ts";
 * import assert from "node:assert/strict";
 * const t: FtCoordinatorTimer = { type: "prepare", txn: "c1.1", tries: 1 };
 * assert.equal(t.tries, 1);
 * ```
 */
export type FtCoordinatorTimer = { type: "prepare"; txn: TxnId; tries: number };

/**
 * The coordinator of fault-tolerant 2PC: it sends `Prepare` to the
 * participants (again, while none has reported an outcome) and relays the
 * first outcome reported to the client. It decides nothing, keeps nothing
 * durable, and nobody waits for it.
 *
 * @example
 * ```ts
 * import { FtCoordinator, type FtCoordinatorTimer } from "./ft_commit.ts";
 * import type { CommitMsg } from "./messages.ts";
 * import { TestContext } from "../../actors/test_context.ts";
 * import assert from "node:assert/strict";
 * const tm = new FtCoordinator();
 * const ctx = new TestContext<CommitMsg, FtCoordinatorTimer>("tm");
 * tm.onMessage(ctx, { type: "Commit", txn: "c1.1", participants: ["n1", "n2"] }, "c1");
 * assert.deepEqual(ctx.takeSent().map((s) => s.to), ["n1", "n2"]);
 * tm.onMessage(ctx, { type: "Outcome", txn: "c1.1", outcome: "commit" }, "n2");
 * assert.deepEqual(ctx.takeSent(), [{ to: "c1", msg: { type: "Outcome", txn: "c1.1", outcome: "commit" } }]);
 * ```
 */
export class FtCoordinator implements Actor<CommitMsg, FtCoordinatorTimer> {
  readonly #pending = new Map<
    TxnId,
    { participants: NodeId[]; client: NodeId; outcome: Outcome | null }
  >();

  /** A coordinator that sends `Prepare` up to `tries` times, `resendMs` apart. */
  constructor(readonly config: { resendMs?: number; tries?: number } = {}) {}

  onMessage(ctx: Context<CommitMsg, FtCoordinatorTimer>, msg: CommitMsg, from: NodeId): void {
    if (msg.type === "Commit") {
      const known = this.#pending.get(msg.txn);
      if (known !== undefined) {
        known.client = from;
        if (known.outcome !== null) {
          ctx.send(from, { type: "Outcome", txn: msg.txn, outcome: known.outcome });
        }
        return;
      }
      this.#pending.set(msg.txn, { participants: msg.participants, client: from, outcome: null });
      this.onTimer(ctx, { type: "prepare", txn: msg.txn, tries: 0 });
    } else if (msg.type === "Outcome") {
      const p = this.#pending.get(msg.txn);
      if (p === undefined || p.outcome !== null) return;
      p.outcome = msg.outcome; // the pending resend sees it and stops
      ctx.send(p.client, { type: "Outcome", txn: msg.txn, outcome: msg.outcome });
    }
  }

  onTimer(ctx: Context<CommitMsg, FtCoordinatorTimer>, timer: FtCoordinatorTimer): void {
    const p = this.#pending.get(timer.txn);
    if (p === undefined || p.outcome !== null || timer.tries >= (this.config.tries ?? 5)) return;
    for (const n of p.participants) {
      ctx.send(n, { type: "Prepare", txn: timer.txn, participants: p.participants, epoch: 0 });
    }
    ctx.setTimer({ ...timer, tries: timer.tries + 1 }, this.config.resendMs ?? 100);
  }

  /** What the studio and fingerprints see. */
  inspect(): { waiting: TxnId[] } {
    return { waiting: [...this.#pending].filter(([, p]) => p.outcome === null).map(([t]) => t) };
  }
}

/**
 * A client that asks a coordinator to commit transactions, one at a time,
 * each over a random set of participants, and records every request in the
 * history: `commit` with input `{ txn, participants }` and output the
 * outcome (`ok`), or `info` when it gave up waiting (it may or may not
 * have committed).
 *
 * @module
 */

import type { Actor, Context, NodeId, OpId } from "../../actors/mod.ts";
import type { CommitMsg, TxnId } from "./messages.ts";

/**
 * A commit client's timers.
 *
 * @example
 * ```ts
 * import type { CommitClientTimer } from "./client.ts";
 * import assert from "node:assert/strict";
 * const t: CommitClientTimer = { type: "retry", txn: "c1.1", tries: 1 };
 * assert.equal(t.tries, 1);
 * ```
 */
export type CommitClientTimer =
  /** Start the next transaction. */
  | { type: "next" }
  /** No outcome yet: ask again, or give up after the last try. */
  | { type: "retry"; txn: TxnId; tries: number };

/**
 * Settings of a commit client.
 *
 * @example
 * ```ts
 * import type { CommitClientConfig } from "./client.ts";
 * import assert from "node:assert/strict";
 * const c: CommitClientConfig = { coordinator: "tm", participants: ["n1", "n2", "n3"], txns: 5 };
 * assert.equal(c.txns, 5);
 * ```
 */
export interface CommitClientConfig {
  /** The node that runs two-phase commit for this client. */
  coordinator: NodeId;
  /** Every participant a transaction may involve. */
  participants: readonly NodeId[];
  /** Transactions to run. */
  txns: number;
  /** Participants per transaction; 0 (default) draws 2..all at random. */
  span?: number;
  /** Mean pause before each transaction, ms (default 30). */
  thinkMs?: number;
  /** Wait for the outcome this long before asking again, ms (default 200). */
  timeoutMs?: number;
  /** Asks before giving up (default 3). */
  tries?: number;
}

/**
 * The commit client (see the module documentation).
 *
 * @example
 * ```ts
 * import { CommitClient, type CommitClientTimer } from "./client.ts";
 * import type { CommitMsg } from "./messages.ts";
 * import { TestContext } from "../../actors/test_context.ts";
 * import assert from "node:assert/strict";
 * const c = new CommitClient({ coordinator: "tm", participants: ["n1", "n2"], txns: 1 });
 * const ctx = new TestContext<CommitMsg, CommitClientTimer>("c1");
 * c.onStart(ctx);
 * ctx.advance(1000);
 * ctx.fireDue(c);
 * assert.deepEqual(ctx.takeSent(), [
 *   { to: "tm", msg: { type: "Commit", txn: "c1.1", participants: ["n1", "n2"] } },
 * ]);
 * ctx.deliver(c, { type: "Outcome", txn: "c1.1", outcome: "commit" }, "tm");
 * assert.equal(ctx.ops[0].output, "commit");
 * ```
 */
export class CommitClient implements Actor<CommitMsg, CommitClientTimer> {
  /** Transactions started so far. */
  started = 0;
  #current: { txn: TxnId; participants: NodeId[]; op: OpId; tries: number } | null = null;

  /** A client of `config.coordinator`. */
  constructor(readonly config: CommitClientConfig) {
    if (config.participants.length === 0) {
      throw new RangeError("CommitClient: participants must not be empty");
    }
  }

  onStart(ctx: Context<CommitMsg, CommitClientTimer>): void {
    this.#schedule(ctx);
  }

  onMessage(ctx: Context<CommitMsg, CommitClientTimer>, msg: CommitMsg): void {
    const current = this.#current;
    if (msg.type !== "Outcome" || current === null || msg.txn !== current.txn) return;
    ctx.complete(current.op, msg.outcome, "ok");
    ctx.cancelTimer({ type: "retry", txn: current.txn, tries: current.tries });
    this.#current = null;
    this.#schedule(ctx);
  }

  onTimer(ctx: Context<CommitMsg, CommitClientTimer>, timer: CommitClientTimer): void {
    switch (timer.type) {
      case "next":
        return this.#begin(ctx);
      case "retry": {
        const current = this.#current;
        if (current === null || current.txn !== timer.txn) return;
        if (timer.tries >= (this.config.tries ?? 3)) {
          ctx.complete(current.op, null, "info"); // it may or may not have committed
          this.#current = null;
          return this.#schedule(ctx);
        }
        return this.#ask(ctx, timer.tries + 1);
      }
      default: {
        const never: never = timer;
        throw new Error(`CommitClient: unknown timer ${JSON.stringify(never)}`);
      }
    }
  }

  /** What the studio and fingerprints see. */
  inspect(): { started: number; waitingFor: TxnId | null } {
    return { started: this.started, waitingFor: this.#current?.txn ?? null };
  }

  #schedule(ctx: Context<CommitMsg, CommitClientTimer>): void {
    if (this.started >= this.config.txns) return;
    const think = this.config.thinkMs ?? 30;
    ctx.setTimer({ type: "next" }, -Math.log(1 - ctx.random()) * think);
  }

  #begin(ctx: Context<CommitMsg, CommitClientTimer>): void {
    const all = this.config.participants;
    const span = this.config.span || 2 + Math.floor(ctx.random() * (all.length - 1));
    // A random subset of `span` participants, kept in the configured order.
    const picked = new Set<NodeId>();
    for (let guard = 0; picked.size < Math.min(span, all.length) && guard < 1000; guard++) {
      picked.add(all[Math.floor(ctx.random() * all.length)]);
    }
    const participants = all.filter((n) => picked.has(n));
    const txn = `${ctx.self}.${++this.started}`;
    const op = ctx.invoke("commit", { txn, participants });
    this.#current = { txn, participants, op, tries: 0 };
    this.#ask(ctx, 1);
  }

  #ask(ctx: Context<CommitMsg, CommitClientTimer>, tries: number): void {
    const current = this.#current!;
    const { txn, participants } = current;
    current.tries = tries;
    ctx.send(this.config.coordinator, { type: "Commit", txn, participants });
    ctx.setTimer({ type: "retry", txn, tries }, this.config.timeoutMs ?? 200);
  }
}

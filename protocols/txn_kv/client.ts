/**
 * A client of the transactional key-value store, generating Jepsen's
 * list-append (or rw-register) workload: each transaction is one to
 * `maxOps` micro-operations on a few hot keys, reads and writes half and
 * half, every written value unique. The client executes the transaction
 * one micro-operation at a time at the shard that owns the key, then asks
 * the coordinator to commit it over the shards it touched.
 *
 * Each transaction goes into the history as Jepsen records it: `f` is
 * `txn`, the input the micro-operations with reads `null`, and
 * - `ok` with the reads filled in, when the coordinator said commit;
 * - `fail` when it certainly did not commit (a lock conflict, a shard that
 *   lost it, or the coordinator said abort);
 * - `info` when the client gave up waiting for the outcome (it may have
 *   committed).
 *
 * @module
 */

import type { Actor, Context, NodeId, OpId } from "../../actors/mod.ts";
import type { TxnId } from "../commit/messages.ts";
import type { Key } from "./lock_table.ts";
import type { MicroOp, TxnKvMsg, Workload } from "./messages.ts";

/**
 * A transaction client's timers.
 *
 * @example
 * ```ts
 * import type { TxnClientTimer } from "./client.ts";
 * import assert from "node:assert/strict";
 * const t: TxnClientTimer = { type: "retry", txn: "c1.1", step: 2, tries: 1 };
 * assert.equal(t.step, 2);
 * ```
 */
export type TxnClientTimer =
  /** Start the next transaction. */
  | { type: "next" }
  /** No answer to step `step` (a micro-operation's index, or their count for the commit). */
  | { type: "retry"; txn: TxnId; step: number; tries: number };

/**
 * Settings of a transaction client.
 *
 * @example
 * ```ts
 * import type { TxnClientConfig } from "./client.ts";
 * import assert from "node:assert/strict";
 * const c: TxnClientConfig = {
 *   shards: ["n1", "n2"], coordinator: "tm", workload: "list-append", txns: 10, keys: 4,
 *   index: 0, clients: 3,
 * };
 * assert.equal(c.keys, 4);
 * ```
 */
export interface TxnClientConfig {
  /** The shards; key `k` lives on `shards[k mod shards.length]`. */
  shards: readonly NodeId[];
  /** The node that runs two-phase commit. */
  coordinator: NodeId;
  /** Lists appended to, or registers written. */
  workload: Workload;
  /** Transactions to run. */
  txns: number;
  /** Keys `0 .. keys-1`. */
  keys: number;
  /** Most micro-operations per transaction (default 4). */
  maxOps?: number;
  /** This client's number, 0-based: with `clients`, it keeps written values unique. */
  index: number;
  /** How many clients there are. */
  clients: number;
  /** Mean pause before each transaction, ms (default 20). */
  thinkMs?: number;
  /** Wait for an answer this long before asking again, ms (default 60). */
  timeoutMs?: number;
  /** Asks before giving up (default 4). */
  tries?: number;
}

/** The transaction in progress. */
interface Current {
  txn: TxnId;
  op: OpId;
  /** The micro-operations as planned (reads null). */
  planned: MicroOp[];
  /** The micro-operations executed, reads filled in. */
  done: MicroOp[];
  /** Micro-operations executed at each shard. */
  perShard: Map<NodeId, number>;
  tries: number;
}

/**
 * The transaction client (see the module documentation).
 *
 * @example
 * ```ts
 * import { TxnClient, type TxnClientTimer } from "./client.ts";
 * import type { TxnKvMsg } from "./messages.ts";
 * import { TestContext } from "../../actors/test_context.ts";
 * import assert from "node:assert/strict";
 * const client = new TxnClient({
 *   shards: ["n1"], coordinator: "tm", workload: "list-append", txns: 1, keys: 1, maxOps: 1,
 *   index: 0, clients: 1,
 * });
 * const ctx = new TestContext<TxnKvMsg, TxnClientTimer>("c1", { random: [0.1] });
 * client.onStart(ctx);
 * ctx.advance(1000);
 * ctx.fireDue(client);
 * assert.deepEqual(ctx.takeSent(), [
 *   { to: "n1", msg: { type: "Exec", txn: "c1.1", index: 0, prior: 0, op: ["r", 0, null] } },
 * ]);
 * ctx.deliver(client, { type: "ExecReply", txn: "c1.1", index: 0, ok: true, op: ["r", 0, [3]] }, "n1");
 * assert.deepEqual(ctx.takeSent(), [
 *   { to: "tm", msg: { type: "Commit", txn: "c1.1", participants: ["n1"] } },
 * ]);
 * ctx.deliver(client, { type: "Outcome", txn: "c1.1", outcome: "commit" }, "tm");
 * assert.deepEqual(ctx.ops[0], {
 *   op: 0, f: "txn", input: [["r", 0, null]], status: "ok", output: [["r", 0, [3]]],
 * });
 * ```
 */
export class TxnClient implements Actor<TxnKvMsg, TxnClientTimer> {
  /** Transactions started so far. */
  started = 0;
  #written = 0;
  #current: Current | null = null;

  /** A client with the given workload. */
  constructor(readonly config: TxnClientConfig) {
    if (config.shards.length === 0) throw new RangeError("TxnClient: shards must not be empty");
    if (!(config.keys >= 1)) {
      throw new RangeError(`TxnClient: keys must be >= 1, got ${config.keys}`);
    }
  }

  onStart(ctx: Context<TxnKvMsg, TxnClientTimer>): void {
    this.#schedule(ctx);
  }

  onMessage(ctx: Context<TxnKvMsg, TxnClientTimer>, msg: TxnKvMsg): void {
    const c = this.#current;
    if (c === null) return;
    if (msg.type === "ExecReply" && msg.txn === c.txn && msg.index === c.done.length) {
      this.#cancelRetry(ctx, c);
      if (!msg.ok) return this.#finish(ctx, "fail", c.planned.length); // a conflict: abort
      const shard = this.#shardOf(msg.op[1]);
      c.perShard.set(shard, (c.perShard.get(shard) ?? 0) + 1);
      c.done.push(msg.op);
      return this.#step(ctx, 1);
    }
    if (msg.type === "Outcome" && msg.txn === c.txn && c.done.length === c.planned.length) {
      this.#cancelRetry(ctx, c);
      ctx.complete(
        c.op,
        msg.outcome === "commit" ? c.done : null,
        msg.outcome === "commit" ? "ok" : "fail",
      );
      this.#current = null;
      this.#schedule(ctx);
    }
  }

  onTimer(ctx: Context<TxnKvMsg, TxnClientTimer>, timer: TxnClientTimer): void {
    switch (timer.type) {
      case "next":
        return this.#begin(ctx);
      case "retry": {
        const c = this.#current;
        if (c === null || c.txn !== timer.txn || timer.step !== c.done.length) return;
        if (timer.tries < (this.config.tries ?? 4)) return this.#step(ctx, timer.tries + 1);
        // Gave up: before the commit request it certainly did not commit; after, who knows.
        return this.#finish(ctx, timer.step < c.planned.length ? "fail" : "info", timer.step);
      }
      default: {
        const never: never = timer;
        throw new Error(`TxnClient: unknown timer ${JSON.stringify(never)}`);
      }
    }
  }

  /** What the studio and fingerprints see. */
  inspect(): { started: number; current: TxnId | null; step: number } {
    return {
      started: this.started,
      current: this.#current?.txn ?? null,
      step: this.#current?.done.length ?? 0,
    };
  }

  #schedule(ctx: Context<TxnKvMsg, TxnClientTimer>): void {
    if (this.started >= this.config.txns) return;
    ctx.setTimer({ type: "next" }, -Math.log(1 - ctx.random()) * (this.config.thinkMs ?? 20));
  }

  #begin(ctx: Context<TxnKvMsg, TxnClientTimer>): void {
    const count = 1 + Math.floor(ctx.random() * (this.config.maxOps ?? 4));
    const planned: MicroOp[] = [];
    for (let i = 0; i < count; i++) {
      const key = Math.floor(ctx.random() * this.config.keys);
      if (ctx.random() < 0.5) planned.push(["r", key, null]);
      else {
        // Unique across clients: this client's k-th value is k * clients + index.
        const value = ++this.#written * this.config.clients + this.config.index;
        planned.push([this.config.workload === "list-append" ? "append" : "w", key, value]);
      }
    }
    const txn = `${ctx.self}.${++this.started}`;
    const op = ctx.invoke("txn", planned);
    this.#current = { txn, op, planned, done: [], perShard: new Map(), tries: 0 };
    this.#step(ctx, 1);
  }

  /** Sends the next micro-operation, or the commit request once all are done. */
  #step(ctx: Context<TxnKvMsg, TxnClientTimer>, tries: number): void {
    const c = this.#current!;
    const step = c.done.length;
    if (step < c.planned.length) {
      const op = c.planned[step];
      const shard = this.#shardOf(op[1]);
      ctx.send(shard, {
        type: "Exec",
        txn: c.txn,
        index: step,
        prior: c.perShard.get(shard) ?? 0,
        op,
      });
    } else {
      ctx.send(this.config.coordinator, {
        type: "Commit",
        txn: c.txn,
        participants: this.config.shards.filter((s) => c.perShard.has(s)),
      });
    }
    c.tries = tries;
    ctx.setTimer({ type: "retry", txn: c.txn, step, tries }, this.config.timeoutMs ?? 60);
  }

  /** Ends the transaction without a commit outcome: `fail` (release its locks) or `info`. */
  #finish(ctx: Context<TxnKvMsg, TxnClientTimer>, status: "fail" | "info", step: number): void {
    const c = this.#current!;
    this.#cancelRetry(ctx, c);
    if (status === "fail") {
      const touched = new Set([...c.perShard.keys()]);
      if (step < c.planned.length) touched.add(this.#shardOf(c.planned[step][1]));
      for (const shard of touched) ctx.send(shard, { type: "Release", txn: c.txn });
    }
    ctx.complete(c.op, null, status);
    this.#current = null;
    this.#schedule(ctx);
  }

  #cancelRetry(ctx: Context<TxnKvMsg, TxnClientTimer>, c: Current): void {
    ctx.cancelTimer({ type: "retry", txn: c.txn, step: c.done.length, tries: c.tries });
  }

  #shardOf(key: Key): NodeId {
    const shards = this.config.shards;
    const k = typeof key === "number"
      ? key
      : [...key].reduce((h, ch) => h * 31 + ch.charCodeAt(0), 0);
    return shards[Math.abs(k) % shards.length];
  }
}

/**
 * A Spanner client: it runs read-write and read-only transactions one at a
 * time and records each in the history, with its timestamp, for the
 * checkers.
 *
 * - **read-write**: one to `maxKeys` keys of one shard, sent to that shard's
 *   leader; its value is the transaction's id, unique in the run.
 * - **read-only**: keys of any shards, read at the snapshot timestamp
 *   `s_read = TT.now().latest` of the client's own clock: no transaction that
 *   finished before it began can have a later commit timestamp (with commit
 *   wait), so the snapshot includes every one of them.
 *
 * A transaction that gets no answer within `timeoutMs` is recorded as
 * `info` (a read-write one may have committed) or `fail` (a read-only one
 * changed nothing), and the client moves on.
 *
 * @module
 */

import type { Actor, Context, NodeId, OpId } from "../../actors/mod.ts";
import { shardOf, type SpannerMsg, type TxnOutput } from "./messages.ts";
import { TrueTime } from "./true_time.ts";

/**
 * Settings of a {@linkcode SpannerClient}.
 *
 * @example
 * ```ts
 * import type { SpannerClientConfig } from "./client.ts";
 * import assert from "node:assert/strict";
 * const c: SpannerClientConfig = {
 *   shards: ["s1", "s2"], keys: 4, epsilonMs: 5, transactions: 20, readOnlyShare: 0.4,
 *   thinkMs: [0, 5], timeoutMs: 200,
 * };
 * assert.equal(c.keys, 4);
 * ```
 */
export interface SpannerClientConfig {
  /** The shard leaders; key `ki` lives on `shards[i mod shards.length]`. */
  shards: readonly NodeId[];
  /** Keys `k0 .. k(keys-1)`. */
  keys: number;
  /** TrueTime's bound on this client's clock error, ms. */
  epsilonMs: number;
  /** Transactions to run. */
  transactions: number;
  /** Probability a transaction is read-only. */
  readOnlyShare: number;
  /** Local ms between one transaction's end and the next one's start, drawn uniformly. */
  thinkMs: readonly [number, number];
  /** Local ms to wait for an answer. */
  timeoutMs: number;
  /** Most keys a transaction touches (default 2 for read-write, one more for read-only). */
  maxKeys?: number;
}

/**
 * The client's timers.
 *
 * @example
 * ```ts
 * import type { ClientTimer } from "./client.ts";
 * import assert from "node:assert/strict";
 * const t: ClientTimer = { type: "timeout", txn: "c1:3" };
 * assert.equal(t.type, "timeout");
 * ```
 */
export type ClientTimer = { type: "next" } | { type: "timeout"; txn: string };

/** The transaction in flight. */
interface Current {
  txn: string;
  op: OpId;
  readOnly: boolean;
  ts: number | null;
  keys: string[];
  /** Shards still to answer. */
  waiting: Set<NodeId>;
  values: Record<string, string | null>;
}

const COUNT = "count";

/**
 * A client of the shards (see the module documentation).
 *
 * @example
 * ```ts
 * import { SpannerClient } from "./client.ts";
 * import { Shard } from "./shard.ts";
 * import { Simulation } from "../../sim/simulation.ts";
 * import assert from "node:assert/strict";
 * const sim = new Simulation({ seed: 1 });
 * sim.spawn("s1", () => new Shard({ epsilonMs: 5 }));
 * sim.spawn("c1", () => new SpannerClient({
 *   shards: ["s1"], keys: 2, epsilonMs: 5, transactions: 3, readOnlyShare: 0.5,
 *   thinkMs: [1, 5], timeoutMs: 100,
 * }));
 * sim.run({ until: 500 });
 * assert.equal(sim.history.operations.filter((o) => o.status === "ok").length, 3);
 * ```
 */
export class SpannerClient implements Actor<SpannerMsg, ClientTimer> {
  /** TrueTime over this client's clock. */
  readonly tt: TrueTime;
  /** Transactions begun, across restarts (ids are `<client>:<n>`). */
  count = 0;
  #current: Current | null = null;

  /** A client as `config` says. */
  constructor(readonly config: SpannerClientConfig) {
    this.tt = new TrueTime(config.epsilonMs);
    if (config.shards.length === 0) throw new RangeError("SpannerClient needs at least one shard");
    if (!(Number.isInteger(config.keys) && config.keys >= 1)) {
      throw new RangeError(`SpannerClient keys must be a whole number >= 1, got ${config.keys}`);
    }
  }

  /** Picks up the transaction count and begins. */
  onStart(ctx: Context<SpannerMsg, ClientTimer>): void {
    this.count = ctx.storage.get<number>(COUNT) ?? 0;
    this.#current = null;
    this.#next(ctx);
  }

  /** Takes a shard's answer to the transaction in flight. */
  onMessage(ctx: Context<SpannerMsg, ClientTimer>, msg: SpannerMsg, from: NodeId): void {
    const cur = this.#current;
    switch (msg.type) {
      case "committed": {
        if (cur === null || cur.txn !== msg.txn || cur.readOnly) return;
        const txn: TxnOutput["txn"] = [];
        for (const k of cur.keys) txn.push(["r", k, msg.reads[k] ?? null], ["w", k, cur.txn]);
        return this.#finish(ctx, "ok", { ts: msg.ts, txn });
      }
      case "snapshot": {
        if (cur === null || cur.txn !== msg.txn || !cur.readOnly || !cur.waiting.has(from)) return;
        cur.waiting.delete(from);
        Object.assign(cur.values, msg.values);
        if (cur.waiting.size > 0) return;
        const txn: TxnOutput["txn"] = cur.keys.map((k) => ["r", k, cur.values[k] ?? null]);
        return this.#finish(ctx, "ok", { ts: cur.ts!, txn });
      }
      case "read-write":
      case "read-only":
        throw new Error(`${ctx.self}: a client takes answers, not requests`);
      default: {
        const never: never = msg;
        throw new Error(`${ctx.self}: unexpected message ${JSON.stringify(never)}`);
      }
    }
  }

  /** Begins the next transaction, or gives up on the one in flight. */
  onTimer(ctx: Context<SpannerMsg, ClientTimer>, timer: ClientTimer): void {
    switch (timer.type) {
      case "next":
        return this.#begin(ctx);
      case "timeout": {
        const cur = this.#current;
        if (cur === null || cur.txn !== timer.txn) return;
        // A read-write transaction may have committed; a read-only one changed nothing.
        return this.#finish(ctx, cur.readOnly ? "fail" : "info", undefined);
      }
      default: {
        const never: never = timer;
        throw new Error(`${ctx.self}: unexpected timer ${JSON.stringify(never)}`);
      }
    }
  }

  /** How many transactions, and the one in flight. */
  inspect(): unknown {
    return { count: this.count, current: this.#current?.txn ?? null };
  }

  #next(ctx: Context<SpannerMsg, ClientTimer>): void {
    if (this.count >= this.config.transactions) return;
    const [min, max] = this.config.thinkMs;
    ctx.setTimer({ type: "next" }, min + ctx.random() * (max - min));
  }

  #begin(ctx: Context<SpannerMsg, ClientTimer>): void {
    const { shards, keys, readOnlyShare } = this.config;
    const txn = `${ctx.self}:${++this.count}`;
    ctx.storage.set(COUNT, this.count);
    const readOnly = ctx.random() < readOnlyShare;
    const maxKeys = this.config.maxKeys ?? 2;
    let chosen: string[];
    if (readOnly) {
      chosen = pick(ctx, allKeys(keys), 1 + Math.floor(ctx.random() * (maxKeys + 1)));
    } else {
      const shard = shards[Math.floor(ctx.random() * shards.length)];
      const own = allKeys(keys).filter((k) => shardOf(k, shards) === shard);
      chosen = own.length === 0 ? [] : pick(ctx, own, 1 + Math.floor(ctx.random() * maxKeys));
    }
    if (chosen.length === 0) return this.#next(ctx); // a shard with no keys: try again
    const input = chosen.flatMap((k) =>
      readOnly ? [["r", k, null]] : [["r", k, null], ["w", k, txn]]
    );
    const op = ctx.invoke("txn", input);
    const cur: Current = {
      txn,
      op,
      readOnly,
      ts: null,
      keys: chosen,
      waiting: new Set(),
      values: {},
    };
    this.#current = cur;
    if (readOnly) {
      // The snapshot: the latest the true time can be now, by this client's clock.
      cur.ts = this.tt.now(ctx.now()).latest;
      const byShard = new Map<NodeId, string[]>();
      for (const k of chosen) {
        const s = shardOf(k, shards);
        byShard.set(s, [...(byShard.get(s) ?? []), k]);
      }
      for (const [shard, ks] of byShard) {
        cur.waiting.add(shard);
        ctx.send(shard, { type: "read-only", txn, keys: ks, ts: cur.ts });
      }
    } else {
      ctx.send(shardOf(chosen[0], shards), { type: "read-write", txn, keys: chosen, value: txn });
    }
    ctx.setTimer({ type: "timeout", txn }, this.config.timeoutMs);
  }

  #finish(
    ctx: Context<SpannerMsg, ClientTimer>,
    status: "ok" | "info" | "fail",
    output: TxnOutput | undefined,
  ): void {
    const cur = this.#current!;
    ctx.cancelTimer({ type: "timeout", txn: cur.txn });
    ctx.complete(cur.op, output, status);
    this.#current = null;
    this.#next(ctx);
  }
}

function allKeys(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `k${i}`);
}

/** `count` distinct elements of `from`, in a random order. */
function pick(
  ctx: Context<SpannerMsg, ClientTimer>,
  from: readonly string[],
  count: number,
): string[] {
  const pool = [...from];
  const out: string[] = [];
  while (out.length < count && pool.length > 0) {
    out.push(pool.splice(Math.floor(ctx.random() * pool.length), 1)[0]);
  }
  return out;
}

/**
 * Gossip Glomers challenge 6, totally available transactions: every node
 * runs each transaction alone, on its own copy of the registers, and
 * answers at once, so no partition can stop it. Each transaction gets a
 * Lamport timestamp; each register keeps the value of the latest write by
 * (timestamp, node). A transaction's final writes (never its intermediate
 * ones) go to every peer, and every `syncMs` each node sends its whole
 * store to its peers, which keep the later version of each register.
 *
 * That is read committed, and more: no transaction ever aborts (no G1a),
 * only final writes leave a node (no G1b), and a transaction's timestamp is
 * above the timestamp of every write it read, since a node's clock moves
 * past every timestamp it sees, so every read and write dependency points
 * forward in timestamp order and no cycle of them exists (no G1c).
 *
 * @module
 */

import type { Actor, Context, NodeId } from "../../actors/mod.ts";
import { reply } from "../../protocols/maelstrom/rpc.ts";
import type { MicroOp, TxnRequest } from "../../protocols/maelstrom/txn_rw_register.ts";

/** One register's value and the version that wrote it. */
type Version = [value: number, ts: number, node: NodeId];

/** Everything a transaction node sends or receives. */
export type TxnNodeMsg =
  | TxnRequest
  | { type: "replicate"; ts: number; writes: Array<[key: number, version: Version]> }
  | { type: string; in_reply_to?: number; [field: string]: unknown };

/** Whether version `a` is later than `b`: by timestamp, then by node id. */
function later(a: Version, b: Version | undefined): boolean {
  return b === undefined || a[1] > b[1] || (a[1] === b[1] && a[2] > b[2]);
}

/**
 * A totally available transaction node.
 *
 * @example
 * ```ts
 * import { TxnNode } from "./txn_rw_register.ts";
 * import { TestContext } from "../../actors/test_context.ts";
 * import assert from "node:assert/strict";
 * const ctx = new TestContext<import("./txn_rw_register.ts").TxnNodeMsg, "sync">("n1");
 * const node = new TxnNode(["n1", "n2"]);
 * node.onStart(ctx);
 * node.onMessage(ctx, { type: "txn", msg_id: 1, txn: [["r", 1, null], ["w", 1, 6], ["r", 1, null]] }, "c1");
 * assert.deepEqual(ctx.takeSent()[0].msg, {
 *   type: "txn_ok", txn: [["r", 1, null], ["w", 1, 6], ["r", 1, 6]], in_reply_to: 1,
 * });
 * ```
 */
export class TxnNode implements Actor<TxnNodeMsg, "sync"> {
  #store = new Map<number, Version>();
  #clock = 0;

  constructor(readonly nodes: readonly NodeId[], readonly syncMs = 300) {}

  onStart(ctx: Context<TxnNodeMsg, "sync">): void {
    this.#clock = ctx.storage.get<number>("clock") ?? 0;
    for (const [k, v] of ctx.storage.get<Array<[number, Version]>>("store") ?? []) {
      this.#store.set(k, v);
    }
    ctx.setTimer("sync", this.syncMs);
  }

  onMessage(ctx: Context<TxnNodeMsg, "sync">, msg: TxnNodeMsg, from: NodeId): void {
    if (msg.type === "txn") return this.#transact(ctx, msg as TxnRequest, from);
    if (msg.type === "replicate") {
      const m = msg as Extract<TxnNodeMsg, { type: "replicate" }>;
      this.#clock = Math.max(this.#clock, m.ts);
      for (const [k, v] of m.writes) if (later(v, this.#store.get(k))) this.#store.set(k, v);
      this.#save(ctx);
    }
  }

  onTimer(ctx: Context<TxnNodeMsg, "sync">): void {
    this.#replicate(ctx, [...this.#store]);
    ctx.setTimer("sync", this.syncMs);
  }

  inspect(): unknown {
    return { clock: this.#clock, store: Object.fromEntries(this.#store) };
  }

  #transact(ctx: Context<TxnNodeMsg, "sync">, msg: TxnRequest, from: NodeId): void {
    const ts = ++this.#clock;
    const writes = new Map<number, Version>();
    const done: MicroOp[] = msg.txn.map(([f, k, v]): MicroOp => {
      if (f === "r") return ["r", k, writes.get(k)?.[0] ?? this.#store.get(k)?.[0] ?? null];
      writes.set(k, [v, ts, ctx.self]); // a later write to k replaces it: only the last leaves
      return ["w", k, v];
    });
    for (const [k, v] of writes) this.#store.set(k, v);
    this.#save(ctx);
    reply(ctx, from, msg, { type: "txn_ok", txn: done });
    if (writes.size > 0) this.#replicate(ctx, [...writes]);
  }

  #replicate(ctx: Context<TxnNodeMsg, "sync">, writes: Array<[number, Version]>): void {
    for (const peer of this.nodes) {
      if (peer !== ctx.self) ctx.send(peer, { type: "replicate", ts: this.#clock, writes });
    }
  }

  #save(ctx: Context<TxnNodeMsg, "sync">): void {
    ctx.storage.set("clock", this.#clock);
    ctx.storage.set("store", [...this.#store]);
  }
}

/**
 * The factory processes and Maelstrom load:
 * `examples/maelstrom/txn_rw_register.ts#txnNode`.
 *
 * @example
 * ```ts
 * import { txnNode } from "./txn_rw_register.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(txnNode("n1", ["n1"]).inspect(), { clock: 0, store: {} });
 * ```
 */
export const txnNode = (_id: NodeId, nodes: readonly NodeId[]): TxnNode => new TxnNode(nodes);

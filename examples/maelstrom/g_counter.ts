/**
 * Gossip Glomers challenge 4, grow-only counter, as a state-based CRDT (the
 * project's `GCounter`): each node counts its own adds in its own entry,
 * and every `gossipMs` sends its whole counter to every peer, which merges
 * it (pointwise maximum). The counter is kept in storage, so a restarted
 * node forgets nothing it acknowledged. (The challenge's own hint is
 * Maelstrom's `seq-kv` service; a CRDT needs no service and survives
 * partitions.)
 *
 * @module
 */

import type { Actor, Context, NodeId } from "../../actors/mod.ts";
import { GCounter, type GCounterJSON } from "../../protocols/crdt/g_counter.ts";
import type { CounterRequest } from "../../protocols/maelstrom/g_counter.ts";
import { reply } from "../../protocols/maelstrom/rpc.ts";

/** Everything a counter node sends or receives. */
export type CounterNodeMsg = CounterRequest | { type: "state"; counter: GCounterJSON } | {
  type: "add_ok" | "read_ok";
  [field: string]: unknown;
};

/**
 * A grow-only counter node.
 *
 * @example
 * ```ts
 * import { CounterNode } from "./g_counter.ts";
 * import { TestContext } from "../../actors/test_context.ts";
 * import assert from "node:assert/strict";
 * const ctx = new TestContext<import("./g_counter.ts").CounterNodeMsg, "gossip">("n1");
 * const node = new CounterNode(["n1", "n2"]);
 * node.onStart(ctx);
 * node.onMessage(ctx, { type: "add", msg_id: 1, delta: 3 }, "c1");
 * node.onMessage(ctx, { type: "state", counter: { n2: 4 } }, "n2");
 * node.onMessage(ctx, { type: "read", msg_id: 2 }, "c1");
 * assert.deepEqual(ctx.takeSent().at(-1)!.msg, { type: "read_ok", value: 7, in_reply_to: 2 });
 * ```
 */
export class CounterNode implements Actor<CounterNodeMsg, "gossip"> {
  #counter = GCounter.empty();

  constructor(readonly nodes: readonly NodeId[], readonly gossipMs = 200) {}

  onStart(ctx: Context<CounterNodeMsg, "gossip">): void {
    const saved = ctx.storage.get<GCounterJSON>("counter");
    this.#counter = saved === undefined ? GCounter.empty() : GCounter.fromJSON(saved);
    ctx.setTimer("gossip", this.gossipMs);
  }

  onMessage(ctx: Context<CounterNodeMsg, "gossip">, msg: CounterNodeMsg, from: NodeId): void {
    switch (msg.type) {
      case "add":
        this.#set(ctx, this.#counter.increment(ctx.self, msg.delta));
        return reply(ctx, from, msg, { type: "add_ok" });
      case "read":
        return reply(ctx, from, msg, { type: "read_ok", value: this.#counter.value() });
      case "state":
        return this.#set(ctx, this.#counter.merge(GCounter.fromJSON(msg.counter)));
      default:
        return;
    }
  }

  onTimer(ctx: Context<CounterNodeMsg, "gossip">): void {
    const counter = this.#counter.toJSON();
    for (const peer of this.nodes) {
      if (peer !== ctx.self) ctx.send(peer, { type: "state", counter });
    }
    ctx.setTimer("gossip", this.gossipMs);
  }

  inspect(): unknown {
    return this.#counter.toJSON();
  }

  #set(ctx: Context<CounterNodeMsg, "gossip">, next: GCounter): void {
    if (next === this.#counter) return;
    this.#counter = next;
    ctx.storage.set("counter", next.toJSON());
  }
}

/**
 * The factory processes and Maelstrom load: `examples/maelstrom/g_counter.ts#counterNode`.
 *
 * @example
 * ```ts
 * import { counterNode } from "./g_counter.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(counterNode("n1", ["n1"]).inspect(), {});
 * ```
 */
export const counterNode = (_id: NodeId, nodes: readonly NodeId[]): CounterNode =>
  new CounterNode(nodes);

/**
 * A host actor for any broadcast layer: a small group chat. Each node posts a
 * few messages of its own at planned times, and answers some of the messages
 * it delivers from others; an answer is broadcast after its node delivered
 * the message it answers, so it causally depends on it. That is the workload
 * that tells FIFO, causal and total order apart.
 *
 * It also shows the host side of stacking (see `layer.ts`): mount the layer
 * with a `deliver` callback, start it from `onStart`, route its messages and
 * timers to it with one line each, and broadcast through it.
 *
 * @module
 */

import type { Actor, Context, LayerMsg, LayerTimer, NodeId } from "../../actors/mod.ts";
import { type BroadcastMsg, type BroadcastTimer, createBroadcast } from "./create.ts";
import {
  type Broadcast,
  type BroadcastProtocol,
  type BroadcastView,
  type Delivery,
  mountBroadcast,
  unexpected,
} from "./layer.ts";

/**
 * What a {@linkcode BroadcastNode} does.
 *
 * @example
 * ```ts
 * import type { BroadcastNodeConfig } from "./broadcast_node.ts";
 * import assert from "node:assert/strict";
 * const c: BroadcastNodeConfig = {
 *   protocol: "causal", nodes: ["n1", "n2", "n3"], plan: [10, 40], replyChance: 0.5, maxReplies: 2,
 * };
 * assert.equal(c.plan.length, 2);
 * ```
 */
export interface BroadcastNodeConfig {
  /** The broadcast protocol underneath. */
  protocol: BroadcastProtocol;
  /** Every node of the group, this one included. */
  nodes: readonly NodeId[];
  /** Local times (ms) at which it posts a message of its own. */
  plan: readonly number[];
  /** Probability of answering a message delivered from another node. */
  replyChance: number;
  /** Answers it sends at most. */
  maxReplies: number;
  /** Retransmission interval of reliable links, ms. */
  retryMs?: number;
}

/** A chat member's messages: its broadcast layer's, under the name `bc`. */
export type ChatMsg = LayerMsg<"bc", BroadcastMsg<string>>;

/** A chat member's timers: its own `post`, and its broadcast layer's. */
export type ChatTimer = "post" | LayerTimer<"bc", BroadcastTimer>;

/**
 * A plain-data view of a chat member, from {@linkcode BroadcastNode.inspect}.
 *
 * @example
 * ```ts
 * import type { ChatView } from "./broadcast_node.ts";
 * import assert from "node:assert/strict";
 * const v: ChatView = { posted: 1, replies: 0, delivered: 3, bc: { protocol: "fifo", sent: 1, delivered: 3 } };
 * assert.equal(v.bc.protocol, "fifo");
 * ```
 */
export interface ChatView {
  /** Posts of its own so far. */
  posted: number;
  /** Answers so far. */
  replies: number;
  /** Messages delivered since the last (re)start. */
  delivered: number;
  /** The broadcast layer's state. */
  bc: BroadcastView;
}

/**
 * A chat member on top of a broadcast layer. Posts are `"<node>:<k>"`,
 * answers `"re <id>"`.
 *
 * @example
 * ```ts
 * import { Simulation } from "../../sim/mod.ts";
 * import { BroadcastNode } from "./broadcast_node.ts";
 * import assert from "node:assert/strict";
 * const nodes = ["n1", "n2", "n3"];
 * const sim = new Simulation({ seed: 4 });
 * for (const id of nodes) {
 *   sim.spawn(id, () => new BroadcastNode({ protocol: "fifo", nodes, plan: [5], replyChance: 1, maxReplies: 1 }));
 * }
 * assert.equal(sim.run().ok, true);
 * assert.equal(sim.actor<BroadcastNode>("n1")!.delivered.length, 6);
 * ```
 */
export class BroadcastNode implements Actor<ChatMsg, ChatTimer> {
  /** The broadcast layer, mounted as `bc`. */
  readonly bc: Broadcast<string, "bc">;
  /** What this instance delivered since it (re)started, in order. */
  readonly delivered: Delivery<string>[] = [];
  #posted = 0;
  #replies = 0;

  /** Builds the layer of `config.protocol` (its options are checked there). */
  constructor(readonly config: BroadcastNodeConfig) {
    this.bc = mountBroadcast(
      "bc",
      createBroadcast<string>(config.protocol, {
        nodes: config.nodes,
        retryMs: config.retryMs,
        deliver: (ctx, d) => this.#onDeliver(ctx, d),
      }),
    );
  }

  /** Starts the layer, reads the chat's progress back, and plans the next post. */
  onStart(ctx: Context<ChatMsg, ChatTimer>): void {
    this.bc.start(ctx);
    this.#posted = ctx.storage.get<number>("posted") ?? 0;
    this.#replies = ctx.storage.get<number>("replies") ?? 0;
    this.#armPost(ctx);
  }

  /** Every message is the layer's. */
  onMessage(ctx: Context<ChatMsg, ChatTimer>, msg: ChatMsg, from: NodeId): void {
    if (!this.bc.message(ctx, msg, from)) unexpected(ctx.self, msg satisfies never);
  }

  /** The layer's timers go to it; `post` posts the next message of the plan. */
  onTimer(ctx: Context<ChatMsg, ChatTimer>, timer: ChatTimer): void {
    if (this.bc.timer(ctx, timer)) return;
    if (timer !== "post") unexpected(`${ctx.self} timer`, timer satisfies never);
    this.#posted++;
    ctx.storage.set("posted", this.#posted);
    this.bc.broadcast(ctx, `${ctx.self}:${this.#posted}`);
    this.#armPost(ctx);
  }

  /** What it posted, answered and delivered, and its layer's state. */
  inspect(): ChatView {
    return {
      posted: this.#posted,
      replies: this.#replies,
      delivered: this.delivered.length,
      bc: this.bc.inspect(),
    };
  }

  #armPost(ctx: Context<ChatMsg, ChatTimer>): void {
    const at = this.config.plan[this.#posted];
    if (at !== undefined) ctx.setTimer("post", Math.max(0, at - ctx.now()));
  }

  #onDeliver(ctx: Context<ChatMsg, ChatTimer>, d: Delivery<string>): void {
    this.delivered.push(d);
    if (d.origin === ctx.self || this.#replies >= this.config.maxReplies) return;
    if (ctx.random() >= this.config.replyChance) return;
    this.#replies++;
    ctx.storage.set("replies", this.#replies);
    this.bc.broadcast(ctx, `re ${d.id}`);
  }
}

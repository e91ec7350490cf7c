/**
 * A host actor for any broadcast layer: a small group chat. Each node posts a
 * few messages of its own at planned times, and answers some of the messages
 * it delivers from others; an answer is broadcast after its node delivered
 * the message it answers, so it causally depends on it. That is the workload
 * that tells FIFO, causal and total order apart.
 *
 * It also shows the host side of stacking (see `layer.ts`): build the layer
 * with a `deliver` callback, call its `onStart`, route messages it
 * `handles` and timers it owns to it, and broadcast through it.
 *
 * @module
 */

import type { Actor, Context, NodeId } from "../../actors/mod.ts";
import { type BroadcastWire, createBroadcast } from "./create.ts";
import type { Broadcast, BroadcastProtocol, Delivery } from "./layer.ts";

/**
 * What a {@linkcode BroadcastNode} does.
 *
 * @example
 * ```ts
 * import type { BroadcastNodeConfig } from "./broadcast_node.ts";
 * const c: BroadcastNodeConfig = {
 *   protocol: "causal", nodes: ["n1", "n2", "n3"], plan: [10, 40], replyChance: 0.5, maxReplies: 2,
 * };
 * ```
 */
export interface BroadcastNodeConfig {
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

/**
 * A chat member on top of a broadcast layer. Posts are `"<node>:<k>"`,
 * answers `"re <id>"`.
 *
 * @example
 * ```ts
 * import { Simulation } from "../../sim/mod.ts";
 * import { BroadcastNode } from "./broadcast_node.ts";
 * const nodes = ["n1", "n2", "n3"];
 * const sim = new Simulation({ seed: 4 });
 * for (const id of nodes) {
 *   sim.spawn(id, () => new BroadcastNode({ protocol: "fifo", nodes, plan: [5], replyChance: 1, maxReplies: 1 }));
 * }
 * sim.run().ok; // true
 * sim.actor<BroadcastNode>("n1")!.delivered.length; // 6
 * ```
 */
export class BroadcastNode implements Actor<BroadcastWire> {
  readonly layer: Broadcast<string>;
  /** What this instance delivered since it (re)started, in order. */
  readonly delivered: Delivery<string>[] = [];
  #posted = 0;
  #replies = 0;

  constructor(readonly config: BroadcastNodeConfig) {
    this.layer = createBroadcast<string>(config.protocol, {
      nodes: config.nodes,
      retryMs: config.retryMs,
      deliver: (ctx, d) => this.#onDeliver(ctx, d),
    });
  }

  onStart(ctx: Context<BroadcastWire>): void {
    this.layer.onStart(ctx);
    this.#posted = ctx.storage.get<number>("chat/posted") ?? 0;
    this.#replies = ctx.storage.get<number>("chat/replies") ?? 0;
    this.#armPost(ctx);
  }

  onMessage(ctx: Context<BroadcastWire>, msg: BroadcastWire, from: NodeId): void {
    if (this.layer.handles(msg)) return this.layer.onMessage(ctx, msg, from);
    throw new Error(`${ctx.self}: unexpected message ${JSON.stringify(msg)}`);
  }

  onTimer(ctx: Context<BroadcastWire>, name: string): void {
    if (this.layer.onTimer(ctx, name)) return;
    if (name !== "chat/post") return;
    this.#posted++;
    ctx.storage.set("chat/posted", this.#posted);
    this.layer.broadcast(ctx, `${ctx.self}:${this.#posted}`);
    this.#armPost(ctx);
  }

  #armPost(ctx: Context<BroadcastWire>): void {
    const at = this.config.plan[this.#posted];
    if (at !== undefined) ctx.setTimer("chat/post", Math.max(0, at - ctx.now()));
  }

  #onDeliver(ctx: Context<unknown>, d: Delivery<string>): void {
    this.delivered.push(d);
    if (d.origin === ctx.self || this.#replies >= this.config.maxReplies) return;
    if (ctx.random() >= this.config.replyChance) return;
    this.#replies++;
    ctx.storage.set("chat/replies", this.#replies);
    this.layer.broadcast(ctx, `re ${d.id}`);
  }
}

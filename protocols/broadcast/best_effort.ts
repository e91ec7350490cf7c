/**
 * Best-effort broadcast: deliver to yourself, send once to every other node,
 * and deliver what arrives (once, since the network may duplicate).
 *
 * ```text
 * broadcast m:              deliver m; send m to every other node
 * on m (first time only):   deliver m
 * ```
 *
 * Guarantee: no message is delivered twice or made up. If the network loses
 * nothing and no node crashes or is cut off, every node delivers every
 * message; otherwise some may not, and nothing repairs it. That is the point
 * of the next layer, {@linkcode ./reliable.ts}.
 *
 * @module
 */

import type { Context, NodeId } from "../../actors/mod.ts";
import { DurableMap } from "./durable_map.ts";
import { type BroadcastView, LayerBase, type LayerOptions, messageId } from "./layer.ts";

/**
 * The message of best-effort broadcast.
 *
 * @example
 * ```ts
 * import type { BestEffortMsg } from "./best_effort.ts";
 * import assert from "node:assert/strict";
 * const m: BestEffortMsg<string> = { type: "message", id: "n1#1", origin: "n1", payload: "hi" };
 * assert.equal(m.origin, "n1");
 * ```
 */
export interface BestEffortMsg<P> {
  /** The one kind of message there is. */
  type: "message";
  /** The message id ({@linkcode messageId}). */
  id: string;
  /** The node that broadcast it. */
  origin: NodeId;
  /** What it broadcast. */
  payload: P;
}

/**
 * Best-effort broadcast as a layer (see `layer.ts` for how a host mounts it).
 * It has no timers: nothing is ever sent twice.
 *
 * @example
 * ```ts
 * import { TestContext } from "../../actors/mod.ts";
 * import { BestEffortBroadcast, type BestEffortMsg } from "./best_effort.ts";
 * import assert from "node:assert/strict";
 *
 * const got: string[] = [];
 * const beb = new BestEffortBroadcast<string>({ nodes: ["n1", "n2"], deliver: (_h, d) => void got.push(d.id) });
 * const ctx = new TestContext<BestEffortMsg<string>, never>("n2");
 * ctx.start(beb);
 * const m: BestEffortMsg<string> = { type: "message", id: "n1#1", origin: "n1", payload: "hi" };
 * ctx.deliver(beb, m, "n1");
 * ctx.deliver(beb, m, "n1"); // a duplicate
 * assert.deepEqual(got, ["n1#1"]);
 * assert.deepEqual(beb.inspect(), { protocol: "best-effort", sent: 0, delivered: 1 });
 * ```
 */
export class BestEffortBroadcast<P> extends LayerBase<P, BestEffortMsg<P>, never> {
  /** Messages sent so far by this node (durable). */
  #sent = 0;
  /** Ids of the messages delivered (durable). */
  readonly #delivered = new DurableMap<true>("delivered");

  /** See {@linkcode LayerOptions}. */
  constructor(options: LayerOptions<P>) {
    super("best-effort", options);
  }

  /** Reads what was sent and delivered back from storage. */
  onStart(ctx: Context<BestEffortMsg<P>, never>): void {
    this.#sent = ctx.storage.get<number>("sent") ?? 0;
    this.#delivered.load(ctx.storage);
  }

  /** Delivers `payload` here, then sends it once to every other node. */
  broadcast(ctx: Context<BestEffortMsg<P>, never>, payload: P): string {
    const id = messageId(ctx.self, ++this.#sent);
    ctx.storage.set("sent", this.#sent);
    this.noteBroadcast(ctx, id, payload);
    this.#deliver(ctx, id, ctx.self, payload);
    for (const peer of this.nodes) {
      if (peer !== ctx.self) ctx.send(peer, { type: "message", id, origin: ctx.self, payload });
    }
    return id;
  }

  /** Delivers a message the first time it arrives. */
  onMessage(ctx: Context<BestEffortMsg<P>, never>, msg: BestEffortMsg<P>): void {
    this.#deliver(ctx, msg.id, msg.origin, msg.payload);
  }

  /** What this node sent and delivered. */
  inspect(): BroadcastView {
    return { protocol: this.protocol, sent: this.#sent, delivered: this.#delivered.size };
  }

  #deliver(ctx: Context<BestEffortMsg<P>, never>, id: string, origin: NodeId, payload: P): void {
    if (this.#delivered.has(id)) return;
    this.#delivered.set(ctx.storage, id, true);
    this.deliverToHost(ctx, id, origin, payload);
  }
}

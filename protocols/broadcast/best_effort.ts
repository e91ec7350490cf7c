/**
 * Best-effort broadcast: deliver to yourself, send once to every other node,
 * and deliver what arrives (once, since the network may duplicate).
 *
 * Guarantee: no message is delivered twice or made up. If the network loses
 * nothing and no node crashes or is cut off, every node delivers every
 * message; otherwise some may not, and nothing repairs it. That is the point
 * of the next layer, {@linkcode ./reliable.ts}.
 *
 * @module
 */

import type { Context, NodeId } from "../../actors/mod.ts";
import { LayerBase } from "./_layer_base.ts";
import { type LayerOptions, messageId } from "./layer.ts";
import { DurableMap } from "./durable_map.ts";

/**
 * The wire message of best-effort broadcast.
 *
 * @example
 * ```ts
 * import type { BestEffortWire } from "./best_effort.ts";
 * const m: BestEffortWire = { type: "beb", ch: "best-effort", id: "n1#1", origin: "n1", payload: "hi" };
 * ```
 */
export type BestEffortWire = {
  type: "beb";
  ch: string;
  id: string;
  origin: NodeId;
  payload: unknown;
};

/**
 * Best-effort broadcast as a layer (see `layer.ts` for how a host uses it).
 *
 * @example
 * ```ts
 * import { BestEffortBroadcast } from "./best_effort.ts";
 * const beb = new BestEffortBroadcast<string>({ nodes: ["n1", "n2"], deliver: () => {} });
 * beb.protocol; // "best-effort"
 * ```
 */
export class BestEffortBroadcast<P> extends LayerBase<P, "best-effort"> {
  /** Messages sent so far by this node (durable). */
  #sent = 0;
  /** Ids of the messages delivered (durable). */
  readonly #delivered: DurableMap<true>;

  constructor(options: LayerOptions<P>) {
    super("best-effort", options);
    this.#delivered = new DurableMap(`${this.channel}/beb/delivered`);
  }

  onStart(ctx: Context<unknown>): void {
    this.#sent = ctx.storage.get<number>(this.#sentKey) ?? 0;
    this.#delivered.load(ctx.storage);
  }

  broadcast(ctx: Context<unknown>, payload: P): string {
    const id = messageId(ctx.self, ++this.#sent);
    ctx.storage.set(this.#sentKey, this.#sent);
    this.noteBroadcast(ctx, id, payload);
    this.#deliver(ctx, id, ctx.self, payload);
    for (const peer of this.nodes) {
      if (peer === ctx.self) continue;
      const msg: BestEffortWire = { type: "beb", ch: this.channel, id, origin: ctx.self, payload };
      ctx.send(peer, msg);
    }
    return id;
  }

  handles(msg: unknown): msg is BestEffortWire {
    if (typeof msg !== "object" || msg === null) return false;
    const m = msg as { type?: unknown; ch?: unknown };
    return m.type === "beb" && m.ch === this.channel;
  }

  onMessage(ctx: Context<unknown>, msg: unknown): void {
    if (!this.handles(msg)) {
      throw new Error(`not a ${this.channel} message: ${JSON.stringify(msg)}`);
    }
    this.#deliver(ctx, msg.id, msg.origin, msg.payload as P);
  }

  onTimer(): boolean {
    return false;
  }

  get #sentKey(): string {
    return `${this.channel}/beb/sent`;
  }

  #deliver(ctx: Context<unknown>, id: string, origin: NodeId, payload: P): void {
    if (this.#delivered.has(id)) return;
    this.#delivered.set(ctx.storage, id, true);
    this.deliverToHost(ctx, id, origin, payload);
  }
}

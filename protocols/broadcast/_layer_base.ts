/**
 * What every broadcast layer of this folder does the same way, so that each
 * protocol's file holds only its own pseudocode: checking the options,
 * choosing the channel, writing the `broadcast` and `deliver` notes, handing
 * deliveries to the host, and (for a layer stacked on a link or on a weaker
 * layer) passing wire messages and timers down.
 *
 * Private to `protocols/broadcast/`: hosts see only {@linkcode Broadcast}.
 *
 * @module
 */

import type { Context, NodeId } from "../../actors/mod.ts";
import {
  type Broadcast,
  type BroadcastProtocol,
  checkLayerOptions,
  type Deliver,
  type LayerOptions,
  recordNote,
} from "./layer.ts";

/**
 * The common part of a broadcast layer. A subclass passes its protocol name
 * to the constructor, reads its durable state in `onStart`, and calls
 * {@linkcode LayerBase.noteBroadcast} when the host broadcasts and
 * {@linkcode LayerBase.deliverToHost} for each message it delivers.
 *
 * @example
 * ```ts
 * import type { Context, NodeId } from "../../actors/mod.ts";
 * import { LayerBase } from "./_layer_base.ts";
 * import { messageId } from "./layer.ts";
 *
 * // Delivers only to itself: the smallest layer there is.
 * class Loopback<P> extends LayerBase<P, "best-effort"> {
 *   #sent = 0;
 *   onStart(): void {}
 *   broadcast(ctx: Context<unknown>, payload: P): string {
 *     const id = messageId(ctx.self, ++this.#sent);
 *     this.noteBroadcast(ctx, id, payload);
 *     this.deliverToHost(ctx, id, ctx.self, payload);
 *     return id;
 *   }
 *   handles(): boolean {
 *     return false;
 *   }
 *   onMessage(_ctx: Context<unknown>, msg: unknown, _from: NodeId): void {
 *     throw new Error(`not a ${this.channel} message: ${JSON.stringify(msg)}`);
 *   }
 *   onTimer(): boolean {
 *     return false;
 *   }
 * }
 * new Loopback<string>("best-effort", { nodes: ["n1"], deliver: () => {} }).channel; // "best-effort"
 * ```
 */
export abstract class LayerBase<P, Proto extends BroadcastProtocol> implements Broadcast<P> {
  readonly protocol: Proto;
  readonly channel: string;
  /** Every node in the group, this one included. */
  protected readonly nodes: readonly NodeId[];
  readonly #deliver: Deliver<P>;
  readonly #log: boolean;

  constructor(protocol: Proto, options: LayerOptions<P>) {
    checkLayerOptions(protocol, options);
    this.protocol = protocol;
    this.channel = options.channel ?? protocol;
    this.nodes = options.nodes;
    this.#deliver = options.deliver;
    this.#log = options.log ?? true;
  }

  abstract onStart(ctx: Context<unknown>): void;
  abstract broadcast(ctx: Context<unknown>, payload: P): string;
  abstract handles(msg: unknown): boolean;
  abstract onMessage(ctx: Context<unknown>, msg: unknown, from: NodeId): void;
  abstract onTimer(ctx: Context<unknown>, name: string): boolean;

  /** Records that the host broadcast `payload` under `id`. */
  protected noteBroadcast(ctx: Context<unknown>, id: string, payload: P): void {
    recordNote(ctx, this.#log, "broadcast", {
      protocol: this.protocol,
      id,
      origin: ctx.self,
      payload,
    });
  }

  /** Records the delivery, then hands the message to the host. */
  protected deliverToHost(ctx: Context<unknown>, id: string, origin: NodeId, payload: P): void {
    recordNote(ctx, this.#log, "deliver", { protocol: this.protocol, id, origin, payload });
    this.#deliver(ctx, { id, origin, payload });
  }
}

/**
 * What a stacked layer passes its wire messages and timers down to: a
 * {@linkcode ReliableLink} or a weaker broadcast layer.
 *
 * @example
 * ```ts
 * import type { Lower } from "./_layer_base.ts";
 * import { ReliableLink } from "./reliable_link.ts";
 * const lower: Lower = new ReliableLink<string>({ channel: "chat", deliver: () => {} });
 * ```
 */
export interface Lower {
  handles(msg: unknown): boolean;
  onMessage(ctx: Context<unknown>, msg: unknown, from: NodeId): void;
  onTimer(ctx: Context<unknown>, name: string): boolean;
}

/**
 * A broadcast layer that sends through a lower one ({@linkcode StackedLayer.lower}):
 * its wire messages and timers are the lower one's.
 *
 * @example
 * ```ts
 * import type { Context } from "../../actors/mod.ts";
 * import { StackedLayer } from "./_layer_base.ts";
 * import { messageId } from "./layer.ts";
 * import { ReliableLink } from "./reliable_link.ts";
 *
 * // Sends each message once over reliable links; delivers it on arrival.
 * class Unordered<P> extends StackedLayer<P, "reliable"> {
 *   readonly link = new ReliableLink<{ id: string; payload: P }>({
 *     channel: this.channel,
 *     deliver: (ctx, from, m) => this.deliverToHost(ctx, m.id, from, m.payload),
 *   });
 *   #sent = 0;
 *   protected get lower() {
 *     return this.link;
 *   }
 *   onStart(ctx: Context<unknown>): void {
 *     this.link.onStart(ctx);
 *   }
 *   broadcast(ctx: Context<unknown>, payload: P): string {
 *     const id = messageId(ctx.self, ++this.#sent);
 *     this.noteBroadcast(ctx, id, payload);
 *     for (const peer of this.nodes) this.link.send(ctx, peer, { id, payload });
 *     return id;
 *   }
 * }
 * const layer = new Unordered<string>("reliable", { nodes: ["n1", "n2"], deliver: () => {} });
 * layer.handles({ type: "link-ack", ch: "reliable", seq: 0 }); // true
 * ```
 */
export abstract class StackedLayer<P, Proto extends BroadcastProtocol> extends LayerBase<P, Proto> {
  /** The link or layer this one sends through. */
  protected abstract get lower(): Lower;

  handles(msg: unknown): boolean {
    return this.lower.handles(msg);
  }

  onMessage(ctx: Context<unknown>, msg: unknown, from: NodeId): void {
    if (!this.lower.handles(msg)) {
      throw new Error(`not a ${this.channel} message: ${JSON.stringify(msg)}`);
    }
    this.lower.onMessage(ctx, msg, from);
  }

  onTimer(ctx: Context<unknown>, name: string): boolean {
    return this.lower.onTimer(ctx, name);
  }
}

/**
 * Reliable broadcast by eager relay (lecture 4.2 of Kleppmann's course): the
 * first time a node receives a message, it sends it on to every other node,
 * then delivers it. So if any node delivers a message, even one whose sender
 * crashed half-way through sending, every node that stays up delivers it.
 * Messages travel over {@linkcode ReliableLink}s, which retransmit until
 * acknowledged.
 *
 * Guarantee: every message is delivered exactly once at every node
 * (validity, agreement, integrity), in no particular order.
 *
 * Failure model: loss, duplication, reordering, temporary partitions, pauses,
 * and crashes followed by restarts (the relay state is durable). Nodes that
 * crash for good do not deliver, but the rest still agree. Delivery is
 * eventual: a node that is down or cut off catches up once it is back.
 *
 * @module
 */

import type { Context, NodeId } from "../../actors/mod.ts";
import { StackedLayer } from "./_layer_base.ts";
import { type LayerOptions, messageId } from "./layer.ts";
import { ReliableLink } from "./reliable_link.ts";
import { DurableMap } from "./durable_map.ts";

/**
 * What reliable broadcast sends over its links.
 *
 * @example
 * ```ts
 * import type { RelayEnvelope } from "./reliable.ts";
 * const e: RelayEnvelope<string> = { id: "n1#1", origin: "n1", payload: "hi" };
 * ```
 */
export interface RelayEnvelope<P> {
  id: string;
  origin: NodeId;
  payload: P;
}

/**
 * Options of {@linkcode ReliableBroadcast}: the common ones, and the retry
 * interval of its links.
 *
 * @example
 * ```ts
 * import type { ReliableOptions } from "./reliable.ts";
 * const o: ReliableOptions<string> = { nodes: ["n1", "n2"], deliver: () => {}, retryMs: 20 };
 * ```
 */
export interface ReliableOptions<P> extends LayerOptions<P> {
  /** Retransmission interval of the underlying links, ms (default 30). */
  retryMs?: number;
}

/**
 * Eager reliable broadcast as a layer (see `layer.ts` for how a host uses it).
 *
 * @example
 * ```ts
 * import { ReliableBroadcast } from "./reliable.ts";
 * const rb = new ReliableBroadcast<string>({ nodes: ["n1", "n2", "n3"], deliver: () => {} });
 * rb.handles({ type: "link", ch: "reliable", seq: 0, body: {} }); // true
 * ```
 */
export class ReliableBroadcast<P> extends StackedLayer<P, "reliable"> {
  readonly link: ReliableLink<RelayEnvelope<P>>;
  /** Messages sent so far by this node (durable). */
  #sent = 0;
  /** Ids of the messages delivered (durable). */
  readonly #delivered: DurableMap<true>;

  constructor(options: ReliableOptions<P>) {
    super("reliable", options);
    this.#delivered = new DurableMap(`${this.channel}/rb/delivered`);
    this.link = new ReliableLink<RelayEnvelope<P>>({
      channel: this.channel,
      retryMs: options.retryMs,
      deliver: (ctx, from, envelope) => this.#receive(ctx, envelope, from),
    });
  }

  onStart(ctx: Context<unknown>): void {
    this.#sent = ctx.storage.get<number>(this.#sentKey) ?? 0;
    this.#delivered.load(ctx.storage);
    this.link.onStart(ctx);
  }

  broadcast(ctx: Context<unknown>, payload: P): string {
    const id = messageId(ctx.self, ++this.#sent);
    ctx.storage.set(this.#sentKey, this.#sent);
    this.noteBroadcast(ctx, id, payload);
    this.#receive(ctx, { id, origin: ctx.self, payload }, ctx.self);
    return id;
  }

  protected get lower(): ReliableLink<RelayEnvelope<P>> {
    return this.link;
  }

  get #sentKey(): string {
    return `${this.channel}/rb/sent`;
  }

  /** On first receipt (from the network, or of our own broadcast): relay, then deliver. */
  #receive(ctx: Context<unknown>, envelope: RelayEnvelope<P>, from: NodeId): void {
    const { id, origin, payload } = envelope;
    if (this.#delivered.has(id)) return;
    this.#delivered.set(ctx.storage, id, true);
    for (const peer of this.nodes) {
      // The sender and the origin have it already.
      if (peer !== ctx.self && peer !== from && peer !== origin) {
        this.link.send(ctx, peer, envelope);
      }
    }
    this.deliverToHost(ctx, id, origin, payload);
  }
}

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
import {
  type Broadcast,
  checkLayerOptions,
  type LayerOptions,
  messageId,
  recordNote,
} from "./layer.ts";
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
export class ReliableBroadcast<P> implements Broadcast<P> {
  readonly protocol = "reliable" as const;
  readonly channel: string;
  readonly link: ReliableLink<RelayEnvelope<P>>;
  readonly #options: ReliableOptions<P>;
  readonly #log: boolean;
  /** Messages sent so far by this node (durable). */
  #sent = 0;
  /** Ids of the messages delivered (durable). */
  readonly #delivered: DurableMap<true>;

  constructor(options: ReliableOptions<P>) {
    checkLayerOptions(this.protocol, options);
    this.#options = options;
    this.channel = options.channel ?? this.protocol;
    this.#log = options.log ?? true;
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
    recordNote(ctx, this.#log, "broadcast", {
      protocol: this.protocol,
      id,
      origin: ctx.self,
      payload,
    });
    this.#receive(ctx, { id, origin: ctx.self, payload }, ctx.self);
    return id;
  }

  handles(msg: unknown): boolean {
    return this.link.handles(msg);
  }

  onMessage(ctx: Context<unknown>, msg: unknown, from: NodeId): void {
    if (!this.link.handles(msg)) {
      throw new Error(`not a ${this.channel} message: ${JSON.stringify(msg)}`);
    }
    this.link.onMessage(ctx, msg, from);
  }

  onTimer(ctx: Context<unknown>, name: string): boolean {
    return this.link.onTimer(ctx, name);
  }

  get #sentKey(): string {
    return `${this.channel}/rb/sent`;
  }

  /** On first receipt (from the network, or of our own broadcast): relay, then deliver. */
  #receive(ctx: Context<unknown>, envelope: RelayEnvelope<P>, from: NodeId): void {
    const { id, origin, payload } = envelope;
    if (this.#delivered.has(id)) return;
    this.#delivered.set(ctx.storage, id, true);
    for (const peer of this.#options.nodes) {
      // The sender and the origin have it already.
      if (peer !== ctx.self && peer !== from && peer !== origin) {
        this.link.send(ctx, peer, envelope);
      }
    }
    recordNote(ctx, this.#log, "deliver", { protocol: this.protocol, id, origin, payload });
    this.#options.deliver(ctx, { id, origin, payload });
  }
}

/**
 * Reliable broadcast by eager relay (lecture 4.2 of Kleppmann's course): the
 * first time a node receives a message, it sends it on to every other node,
 * then delivers it. So if any node delivers a message, even one whose sender
 * crashed half-way through sending, every node that stays up delivers it.
 *
 * ```text
 * broadcast m:                       receive (id, i, m) from myself
 * on receiving (id, origin, m) from j, the first time:
 *   send (id, origin, m) via reliable links to every node but me, j and origin
 *   deliver m
 * ```
 *
 * The layer mounts a {@linkcode ReliableLink} (as `link`), which retransmits
 * until acknowledged: its messages travel as `{ layer: "link", msg }`.
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

import type { Context, LayerMsg, LayerTimer, NodeId } from "../../actors/mod.ts";
import { DurableMap } from "./durable_map.ts";
import {
  type Broadcast,
  type BroadcastView,
  type Deliver,
  LayerBase,
  type LayerOptions,
  messageId,
  mountBroadcast,
  unexpected,
} from "./layer.ts";
import {
  type Link,
  type LinkMsg,
  type LinkTimer,
  mountLink,
  ReliableLink,
} from "./reliable_link.ts";

/**
 * What reliable broadcast sends over its links.
 *
 * @example
 * ```ts
 * import type { RelayEnvelope } from "./reliable.ts";
 * import assert from "node:assert/strict";
 * const e: RelayEnvelope<string> = { id: "n1#1", origin: "n1", payload: "hi" };
 * assert.equal(e.id, "n1#1");
 * ```
 */
export interface RelayEnvelope<P> {
  /** The message id ({@linkcode messageId}). */
  id: string;
  /** The node that broadcast it. */
  origin: NodeId;
  /** What it broadcast. */
  payload: P;
}

/**
 * Reliable broadcast's messages: its link's, under the name `link`.
 *
 * @example
 * ```ts
 * import type { ReliableMsg } from "./reliable.ts";
 * import assert from "node:assert/strict";
 * const m: ReliableMsg<string> = { layer: "link", msg: { type: "ack", seq: 0 } };
 * assert.equal(m.layer, "link");
 * ```
 */
export type ReliableMsg<P> = LayerMsg<"link", LinkMsg<RelayEnvelope<P>>>;

/** Reliable broadcast's timers: its link's. */
export type ReliableTimer = LayerTimer<"link", LinkTimer>;

/**
 * Eager reliable broadcast as a layer (see `layer.ts` for how a host mounts it).
 *
 * @example
 * ```ts
 * import { TestContext } from "../../actors/mod.ts";
 * import { ReliableBroadcast, type ReliableMsg, type ReliableTimer } from "./reliable.ts";
 * import assert from "node:assert/strict";
 *
 * const got: string[] = [];
 * const rb = new ReliableBroadcast<string>({ nodes: ["n1", "n2", "n3"], deliver: (_h, d) => void got.push(d.id) });
 * const n2 = new TestContext<ReliableMsg<string>, ReliableTimer>("n2");
 * n2.start(rb);
 * // n1's message reaches n2 over the link: n2 acknowledges, relays it to n3, delivers it.
 * const envelope = { id: "n1#1", origin: "n1", payload: "hi" };
 * n2.deliver(rb, { layer: "link", msg: { type: "data", seq: 0, body: envelope } }, "n1");
 * assert.deepEqual(n2.takeSent().map((s) => [s.to, s.msg.msg.type]), [["n1", "ack"], ["n3", "data"]]);
 * assert.deepEqual(got, ["n1#1"]);
 * ```
 */
export class ReliableBroadcast<P> extends LayerBase<P, ReliableMsg<P>, ReliableTimer> {
  /** The reliable links underneath. */
  readonly link: Link<RelayEnvelope<P>, "link">;
  /** Messages sent so far by this node (durable). */
  #sent = 0;
  /** Ids of the messages delivered (durable). */
  readonly #delivered = new DurableMap<true>("delivered");

  /** See {@linkcode LayerOptions}. */
  constructor(options: LayerOptions<P>) {
    super("reliable", options);
    this.link = mountLink(
      "link",
      new ReliableLink<RelayEnvelope<P>>({
        retryMs: options.retryMs,
        deliver: (ctx, from, envelope) => this.#receive(ctx, envelope, from),
      }),
    );
  }

  /** Reads what was sent and delivered back; the link resumes retransmitting. */
  onStart(ctx: Context<ReliableMsg<P>, ReliableTimer>): void {
    this.#sent = ctx.storage.get<number>("sent") ?? 0;
    this.#delivered.load(ctx.storage);
    this.link.start(ctx);
  }

  /** Receives `payload` from itself, which relays and delivers it. */
  broadcast(ctx: Context<ReliableMsg<P>, ReliableTimer>, payload: P): string {
    const id = messageId(ctx.self, ++this.#sent);
    ctx.storage.set("sent", this.#sent);
    this.noteBroadcast(ctx, id, payload);
    this.#receive(ctx, { id, origin: ctx.self, payload }, ctx.self);
    return id;
  }

  /** Everything arrives over the link. */
  onMessage(ctx: Context<ReliableMsg<P>, ReliableTimer>, msg: ReliableMsg<P>, from: NodeId): void {
    if (!this.link.message(ctx, msg, from)) unexpected("reliable broadcast", msg);
  }

  /** Every timer is the link's. */
  onTimer(ctx: Context<ReliableMsg<P>, ReliableTimer>, timer: ReliableTimer): void {
    this.link.timer(ctx, timer);
  }

  /** What this node sent and delivered, and its link. */
  inspect(): BroadcastView {
    return {
      protocol: this.protocol,
      sent: this.#sent,
      delivered: this.#delivered.size,
      link: this.link.inspect(),
    };
  }

  /** On first receipt (from the network, or of our own broadcast): relay, then deliver. */
  #receive(
    ctx: Context<ReliableMsg<P>, ReliableTimer>,
    envelope: RelayEnvelope<P>,
    from: NodeId,
  ): void {
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

/**
 * A reliable broadcast for a stronger layer to stack on (FIFO and causal
 * broadcast do): mounted as `rb`, with the group and retry interval of the
 * stronger layer's `options`, silent in the trace (the stronger layer writes
 * the notes), handing each delivery to `deliver`.
 *
 * @example
 * ```ts
 * import { mountReliable } from "./reliable.ts";
 * import assert from "node:assert/strict";
 * const rb = mountReliable<number>({ nodes: ["n1", "n2"] }, () => {});
 * assert.equal(rb.name, "rb");
 * assert.equal(rb.protocol, "reliable");
 * ```
 */
export function mountReliable<E>(
  options: Pick<LayerOptions<unknown>, "nodes" | "retryMs">,
  deliver: Deliver<E>,
): Broadcast<E, "rb"> {
  return mountBroadcast(
    "rb",
    new ReliableBroadcast<E>({
      nodes: options.nodes,
      retryMs: options.retryMs,
      log: false,
      deliver,
    }),
  );
}

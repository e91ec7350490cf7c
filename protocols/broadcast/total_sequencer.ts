/**
 * Total order broadcast via a sequencer (lecture 4.3 of Kleppmann's course):
 * every message goes first to one designated node, which numbers the
 * messages in the order it receives them and sends each, with its number, to
 * everyone; every node delivers in number order, holding back a message
 * until all lower numbers have been delivered.
 *
 * ```text
 * broadcast m:                      send (submit, m) to the sequencer
 * at the sequencer, on (submit, m): send (order, next, m) to every node; next := next + 1
 * on (order, k, m):                 hold back; deliver while the next number is here
 * ```
 *
 * The layer mounts a {@linkcode ReliableLink} with FIFO order (as `link`).
 *
 * Guarantee: every node delivers the same messages in the same order, and
 * messages from one sender in the order it sent them (FIFO-total order, since
 * submissions travel over FIFO reliable links).
 *
 * Failure model: loss, duplication, reordering, temporary partitions,
 * pauses, and crash-recovery of any node including the sequencer (all state
 * is durable). It is not fault-tolerant in the strong sense: while the
 * sequencer is down or cut off, nothing is delivered anywhere, and if it
 * crashed for good nothing would ever be again.
 *
 * @module
 */

import type { Context, LayerMsg, LayerTimer, NodeId } from "../../actors/mod.ts";
import { DurableMap } from "./durable_map.ts";
import {
  type BroadcastView,
  LayerBase,
  type LayerOptions,
  messageId,
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
 * What the sequencer protocol sends over its links.
 *
 * @example
 * ```ts
 * import type { SequencerEnvelope } from "./total_sequencer.ts";
 * import assert from "node:assert/strict";
 * const submit: SequencerEnvelope<string> = { kind: "submit", id: "n2#1", payload: "hi" };
 * const order: SequencerEnvelope<string> = { kind: "order", seq: 0, id: "n2#1", origin: "n2", payload: "hi" };
 * assert.equal(submit.id, order.id);
 * ```
 */
export type SequencerEnvelope<P> =
  /** A node asks the sequencer to order its message. */
  | { kind: "submit"; id: string; payload: P }
  /** The sequencer's `seq`-th message, for every node. */
  | { kind: "order"; seq: number; id: string; origin: NodeId; payload: P };

/** The sequencer protocol's messages: its FIFO link's, under the name `link`. */
export type SequencerMsg<P> = LayerMsg<"link", LinkMsg<SequencerEnvelope<P>>>;

/** The sequencer protocol's timers: its link's. */
export type SequencerTimer = LayerTimer<"link", LinkTimer>;

/**
 * Options of {@linkcode SequencerBroadcast}.
 *
 * @example
 * ```ts
 * import type { SequencerOptions } from "./total_sequencer.ts";
 * import assert from "node:assert/strict";
 * const o: SequencerOptions<string> = { nodes: ["n1", "n2"], deliver: () => {}, sequencer: "n2" };
 * assert.equal(o.sequencer, "n2");
 * ```
 */
export interface SequencerOptions<P> extends LayerOptions<P> {
  /** The node that orders (default: the first of `nodes`). */
  sequencer?: NodeId;
}

type Ordered<P> = Extract<SequencerEnvelope<P>, { kind: "order" }>;

/** Durable counters: messages sent; at the sequencer, the next number to give out; the next to deliver. */
interface Counters {
  sent: number;
  nextSeq: number;
  nextDeliver: number;
}

/**
 * Sequencer-based total order broadcast as a layer (see `layer.ts` for how a
 * host mounts it).
 *
 * @example
 * ```ts
 * import { TestContext } from "../../actors/mod.ts";
 * import { SequencerBroadcast, type SequencerMsg, type SequencerTimer } from "./total_sequencer.ts";
 * import assert from "node:assert/strict";
 *
 * const tob = new SequencerBroadcast<string>({ nodes: ["n1", "n2", "n3"], deliver: () => {} });
 * assert.equal(tob.sequencer, "n1");
 * // A node that is not the sequencer submits its message to it, over the link.
 * const n2 = new TestContext<SequencerMsg<string>, SequencerTimer>("n2");
 * n2.start(tob);
 * tob.broadcast(n2, "hi");
 * assert.deepEqual(n2.takeSent(), [{
 *   to: "n1",
 *   msg: { layer: "link", msg: { type: "data", seq: 0, body: { kind: "submit", id: "n2#1", payload: "hi" } } },
 * }]);
 * ```
 */
export class SequencerBroadcast<P> extends LayerBase<P, SequencerMsg<P>, SequencerTimer> {
  /** The node that orders. */
  readonly sequencer: NodeId;
  /** The FIFO reliable links underneath. */
  readonly link: Link<SequencerEnvelope<P>, "link">;
  #counters: Counters = { sent: 0, nextSeq: 0, nextDeliver: 0 };
  /** Ordered messages waiting for a lower number, by number (durable). */
  readonly #held = new DurableMap<Ordered<P>>("held");

  /** See {@linkcode SequencerOptions}; the sequencer must be one of `nodes`. */
  constructor(options: SequencerOptions<P>) {
    super("total-sequencer", options);
    this.sequencer = options.sequencer ?? options.nodes[0];
    if (!options.nodes.includes(this.sequencer)) {
      throw new TypeError(
        `total-sequencer broadcast: sequencer ${this.sequencer} is not one of nodes ${options.nodes}`,
      );
    }
    this.link = mountLink(
      "link",
      new ReliableLink<SequencerEnvelope<P>>({
        fifo: true,
        retryMs: options.retryMs,
        deliver: (ctx, from, envelope) => this.#receive(ctx, from, envelope),
      }),
    );
  }

  /** Reads the counters and held messages back; the link resumes retransmitting. */
  onStart(ctx: Context<SequencerMsg<P>, SequencerTimer>): void {
    this.#counters = ctx.storage.get<Counters>("counters") ??
      { sent: 0, nextSeq: 0, nextDeliver: 0 };
    this.#held.load(ctx.storage);
    this.link.start(ctx);
  }

  /** Submits `payload` to the sequencer (or, at the sequencer, orders it). */
  broadcast(ctx: Context<SequencerMsg<P>, SequencerTimer>, payload: P): string {
    const id = messageId(ctx.self, ++this.#counters.sent);
    this.#save(ctx);
    this.noteBroadcast(ctx, id, payload);
    if (ctx.self === this.sequencer) this.#order(ctx, id, ctx.self, payload);
    else this.link.send(ctx, this.sequencer, { kind: "submit", id, payload });
    return id;
  }

  /** Everything arrives over the link. */
  onMessage(
    ctx: Context<SequencerMsg<P>, SequencerTimer>,
    msg: SequencerMsg<P>,
    from: NodeId,
  ): void {
    if (!this.link.message(ctx, msg, from)) unexpected("total-sequencer broadcast", msg);
  }

  /** Every timer is the link's. */
  onTimer(ctx: Context<SequencerMsg<P>, SequencerTimer>, timer: SequencerTimer): void {
    this.link.timer(ctx, timer);
  }

  /** The counters, what is held back, and the link. */
  inspect(): BroadcastView {
    const { sent, nextSeq, nextDeliver } = this.#counters;
    return {
      protocol: this.protocol,
      sent,
      delivered: nextDeliver,
      held: [...this.#held.values()].map((m) => m.id),
      sequencer: this.sequencer,
      // At the sequencer: how many messages it has numbered.
      numbered: nextSeq,
      link: this.link.inspect(),
    };
  }

  #save(ctx: Context<SequencerMsg<P>, SequencerTimer>): void {
    ctx.storage.set("counters", this.#counters);
  }

  #receive(
    ctx: Context<SequencerMsg<P>, SequencerTimer>,
    from: NodeId,
    envelope: SequencerEnvelope<P>,
  ): void {
    switch (envelope.kind) {
      case "submit":
        if (ctx.self !== this.sequencer) {
          throw new Error(`${ctx.self} got a submit from ${from} but is not the sequencer`);
        }
        return this.#order(ctx, envelope.id, from, envelope.payload);
      case "order":
        return this.#hold(ctx, envelope);
      default:
        unexpected("total-sequencer broadcast", envelope satisfies never);
    }
  }

  /** At the sequencer: number the message and send it to everyone. */
  #order(
    ctx: Context<SequencerMsg<P>, SequencerTimer>,
    id: string,
    origin: NodeId,
    payload: P,
  ): void {
    const seq = this.#counters.nextSeq++;
    this.#save(ctx);
    const order: Ordered<P> = { kind: "order", seq, id, origin, payload };
    for (const peer of this.nodes) {
      if (peer !== ctx.self) this.link.send(ctx, peer, order);
    }
    this.#hold(ctx, order);
  }

  #hold(ctx: Context<SequencerMsg<P>, SequencerTimer>, ordered: Ordered<P>): void {
    this.#held.set(ctx.storage, String(ordered.seq), ordered);
    // One at a time, with the state saved before each delivery: the host may
    // broadcast from inside `deliver`, which comes back here.
    for (;;) {
      const key = String(this.#counters.nextDeliver);
      const m = this.#held.get(key);
      if (m === undefined) {
        ctx.sometimes("sequenced message held back", this.#held.size > 0);
        return;
      }
      this.#held.delete(ctx.storage, key);
      this.#counters.nextDeliver++;
      this.#save(ctx);
      this.deliverToHost(ctx, m.id, m.origin, m.payload);
    }
  }
}

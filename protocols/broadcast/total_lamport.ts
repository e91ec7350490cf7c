/**
 * Total order broadcast with Lamport clocks and acknowledgements from all
 * (Lamport 1978; lecture 4.3 of Kleppmann's course). Every message is
 * stamped with (Lamport time, sender) and sent to everyone over FIFO
 * reliable links; every receiver acknowledges it to everyone, with a later
 * timestamp. A node delivers the message with the smallest stamp in its
 * queue once it has heard, from every other node, something stamped at
 * least that late: FIFO links then guarantee that no message with a smaller
 * stamp can still arrive, so every node delivers in stamp order.
 *
 * ```text
 * broadcast m:   t := t + 1; queue m with (t, i); send (msg, t, m) to all others
 * on (msg, t', m) from j:  t := max(t, t') + 1; latest[j] := t'; queue m with (t', j)
 *                          t := t + 1; send (ack, t) to all others
 * on (ack, t') from j:     t := max(t, t') + 1; latest[j] := t'
 * after each:   while the smallest (t, j) in queue has latest[k] >= t for every other k:
 *                 deliver it and remove it from the queue
 * ```
 *
 * The layer mounts a {@linkcode ReliableLink} with FIFO order (as `link`).
 *
 * Guarantee: every node delivers the same messages in the same order
 * (FIFO-total order, since a sender's stamps only grow).
 *
 * Failure model: loss, duplication, reordering, temporary partitions,
 * pauses, and crash-recovery (clock, queue and `latest` are durable). Every
 * node has to hear from every other, so one node that is down or cut off
 * stops delivery everywhere until it is back; a node that crashed for good
 * would stop it forever.
 *
 * @module
 */

import type { Context, LayerMsg, LayerTimer, NodeId } from "../../actors/mod.ts";
import { compareLamport, LamportClock } from "../clocks/lamport_clock.ts";
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
 * What the Lamport total order protocol sends over its links.
 *
 * @example
 * ```ts
 * import type { LamportEnvelope } from "./total_lamport.ts";
 * import assert from "node:assert/strict";
 * const msg: LamportEnvelope<string> = { kind: "msg", time: 4, id: "n2#1", payload: "hi" };
 * const ack: LamportEnvelope<string> = { kind: "ack", time: 6 };
 * assert.ok(ack.time > msg.time);
 * ```
 */
export type LamportEnvelope<P> =
  /** A broadcast message stamped (time, sender). */
  | { kind: "msg"; time: number; id: string; payload: P }
  /** The sender has seen everything up to its clock `time`. */
  | { kind: "ack"; time: number };

/** The Lamport protocol's messages: its FIFO link's, under the name `link`. */
export type LamportMsg<P> = LayerMsg<"link", LinkMsg<LamportEnvelope<P>>>;

/** The Lamport protocol's timers: its link's. */
export type LamportTimer = LayerTimer<"link", LinkTimer>;

interface Queued<P> {
  time: number;
  origin: NodeId;
  id: string;
  payload: P;
}

/** Durable counters: the Lamport clock and the messages sent. */
interface Counters {
  clock: number;
  sent: number;
}

/**
 * Lamport-clock total order broadcast as a layer (see `layer.ts` for how a
 * host mounts it).
 *
 * @example
 * ```ts
 * import { TestContext } from "../../actors/mod.ts";
 * import { type LamportMsg, type LamportTimer, LamportTotalOrderBroadcast } from "./total_lamport.ts";
 * import assert from "node:assert/strict";
 *
 * const got: string[] = [];
 * const tob = new LamportTotalOrderBroadcast<string>({ nodes: ["n1", "n2"], deliver: (_h, d) => void got.push(d.id) });
 * const n1 = new TestContext<LamportMsg<string>, LamportTimer>("n1");
 * n1.start(tob);
 * tob.broadcast(n1, "hi");
 * // Not yet: n2 might still send something stamped earlier.
 * assert.deepEqual(got, []);
 * n1.deliver(tob, { layer: "link", msg: { type: "data", seq: 0, body: { kind: "ack", time: 3 } } }, "n2");
 * assert.deepEqual(got, ["n1#1"]);
 * ```
 */
export class LamportTotalOrderBroadcast<P> extends LayerBase<P, LamportMsg<P>, LamportTimer> {
  /** The FIFO reliable links underneath. */
  readonly link: Link<LamportEnvelope<P>, "link">;
  #counters: Counters = { clock: 0, sent: 0 };
  /** Messages not yet delivered, by id (durable). */
  readonly #queue = new DurableMap<Queued<P>>("queue");
  /** Per other node, the largest timestamp received from it (durable). */
  readonly #latest = new DurableMap<number>("latest");
  #delivered = 0;
  #delivering = false;

  /** See {@linkcode LayerOptions}. */
  constructor(options: LayerOptions<P>) {
    super("total-lamport", options);
    this.link = mountLink(
      "link",
      new ReliableLink<LamportEnvelope<P>>({
        fifo: true,
        retryMs: options.retryMs,
        deliver: (ctx, from, envelope) => this.#receive(ctx, from, envelope),
      }),
    );
  }

  /** The Lamport clock now. */
  get #clock(): LamportClock {
    return new LamportClock(this.#counters.clock);
  }

  /** Reads clock, queue and `latest` back; the link resumes; delivers what is ready. */
  onStart(ctx: Context<LamportMsg<P>, LamportTimer>): void {
    this.#counters = ctx.storage.get<Counters>("counters") ?? { clock: 0, sent: 0 };
    this.#delivered = ctx.storage.get<number>("delivered") ?? 0;
    this.#queue.load(ctx.storage);
    this.#latest.load(ctx.storage);
    this.link.start(ctx);
    this.#deliverReady(ctx);
  }

  /** Stamps `payload`, queues it here and sends it to every other node. */
  broadcast(ctx: Context<LamportMsg<P>, LamportTimer>, payload: P): string {
    const c = this.#counters;
    const time = c.clock = this.#clock.tick().time;
    const id = messageId(ctx.self, ++c.sent);
    this.#save(ctx);
    this.#queue.set(ctx.storage, id, { time, origin: ctx.self, id, payload });
    this.noteBroadcast(ctx, id, payload);
    this.#toOthers(ctx, { kind: "msg", time, id, payload });
    this.#deliverReady(ctx);
    return id;
  }

  /** Everything arrives over the link. */
  onMessage(ctx: Context<LamportMsg<P>, LamportTimer>, msg: LamportMsg<P>, from: NodeId): void {
    if (!this.link.message(ctx, msg, from)) unexpected("total-lamport broadcast", msg);
  }

  /** Every timer is the link's. */
  onTimer(ctx: Context<LamportMsg<P>, LamportTimer>, timer: LamportTimer): void {
    this.link.timer(ctx, timer);
  }

  /** The clock, the queue, what was heard from each node, and the link. */
  inspect(): BroadcastView {
    return {
      protocol: this.protocol,
      sent: this.#counters.sent,
      delivered: this.#delivered,
      held: [...this.#queue.keys()],
      clock: this.#counters.clock,
      latest: Object.fromEntries(this.#latest.entries()),
      link: this.link.inspect(),
    };
  }

  #save(ctx: Context<LamportMsg<P>, LamportTimer>): void {
    ctx.storage.set("counters", this.#counters);
  }

  #toOthers(ctx: Context<LamportMsg<P>, LamportTimer>, envelope: LamportEnvelope<P>): void {
    for (const peer of this.nodes) {
      if (peer !== ctx.self) this.link.send(ctx, peer, envelope);
    }
  }

  #receive(
    ctx: Context<LamportMsg<P>, LamportTimer>,
    from: NodeId,
    envelope: LamportEnvelope<P>,
  ): void {
    const c = this.#counters;
    c.clock = this.#clock.receive(envelope.time).time;
    this.#latest.set(ctx.storage, from, Math.max(this.#latest.get(from) ?? 0, envelope.time));
    switch (envelope.kind) {
      case "msg": {
        const { time, id, payload } = envelope;
        this.#queue.set(ctx.storage, id, { time, origin: from, id, payload });
        const ack = c.clock = this.#clock.tick().time;
        this.#save(ctx);
        this.#toOthers(ctx, { kind: "ack", time: ack });
        break;
      }
      case "ack":
        this.#save(ctx);
        break;
      default:
        unexpected("total-lamport broadcast", envelope satisfies never);
    }
    this.#deliverReady(ctx);
  }

  /** Delivers from the head of the queue while every other node has spoken past it. */
  #deliverReady(ctx: Context<LamportMsg<P>, LamportTimer>): void {
    // The host may broadcast from inside `deliver`, which calls this again:
    // the loop already running carries on once that returns.
    if (this.#delivering) return;
    this.#delivering = true;
    try {
      for (;;) {
        let head: Queued<P> | undefined;
        let ties = false;
        for (const m of this.#queue.values()) {
          if (head !== undefined && m.time === head.time) ties = true;
          if (head === undefined || stampOrder(m, head) < 0) head = m;
        }
        if (head === undefined) return;
        // Two messages with one timestamp: only the node ids order them.
        ctx.sometimes("equal Lamport timestamps queued", ties);
        const time = head.time;
        const heardFromAll = this.nodes.every((k) =>
          k === ctx.self || (this.#latest.get(k) ?? 0) >= time
        );
        if (!heardFromAll) return;
        this.#queue.delete(ctx.storage, head.id);
        ctx.storage.set("delivered", ++this.#delivered);
        this.deliverToHost(ctx, head.id, head.origin, head.payload);
      }
    } finally {
      this.#delivering = false;
    }
  }
}

function stampOrder<P>(a: Queued<P>, b: Queued<P>): number {
  return compareLamport({ time: a.time, node: a.origin }, { time: b.time, node: b.origin });
}

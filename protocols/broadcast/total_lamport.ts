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

import type { Context, NodeId } from "../../actors/mod.ts";
import { compareLamport, LamportClock } from "../clocks/lamport_clock.ts";
import { StackedLayer } from "./_layer_base.ts";
import { type LayerOptions, messageId } from "./layer.ts";
import { ReliableLink } from "./reliable_link.ts";
import { DurableMap } from "./durable_map.ts";

/**
 * What the Lamport total order protocol sends over its links.
 *
 * @example
 * ```ts
 * import type { LamportEnvelope } from "./total_lamport.ts";
 * const msg: LamportEnvelope<string> = { kind: "msg", time: 4, id: "n2#1", payload: "hi" };
 * const ack: LamportEnvelope<string> = { kind: "ack", time: 6 };
 * ```
 */
export type LamportEnvelope<P> =
  /** A broadcast message stamped (time, sender). */
  | { kind: "msg"; time: number; id: string; payload: P }
  /** The sender has seen everything up to its clock `time`. */
  | { kind: "ack"; time: number };

interface Queued {
  time: number;
  origin: NodeId;
  id: string;
  payload: unknown;
}

/** Durable counters: the Lamport clock and the messages sent. */
interface Counters {
  clock: number;
  sent: number;
}

/**
 * Lamport-clock total order broadcast as a layer (see `layer.ts` for how a
 * host uses it).
 *
 * @example
 * ```ts
 * import { LamportTotalOrderBroadcast } from "./total_lamport.ts";
 * const tob = new LamportTotalOrderBroadcast<string>({ nodes: ["n1", "n2"], deliver: () => {} });
 * tob.protocol; // "total-lamport"
 * ```
 */
export class LamportTotalOrderBroadcast<P> extends StackedLayer<P, "total-lamport"> {
  readonly link: ReliableLink<LamportEnvelope<P>>;
  #counters: Counters = { clock: 0, sent: 0 };
  /** Messages not yet delivered, by id (durable). */
  readonly #queue: DurableMap<Queued>;
  /** Per other node, the largest timestamp received from it (durable). */
  readonly #latest: DurableMap<number>;
  #delivering = false;

  constructor(options: LayerOptions<P> & { retryMs?: number }) {
    super("total-lamport", options);
    this.#queue = new DurableMap(`${this.channel}/lamport/queue`);
    this.#latest = new DurableMap(`${this.channel}/lamport/latest`);
    this.link = new ReliableLink<LamportEnvelope<P>>({
      channel: this.channel,
      fifo: true,
      retryMs: options.retryMs,
      deliver: (ctx, from, envelope) => this.#receive(ctx, from, envelope),
    });
  }

  /** The Lamport clock now. */
  get clock(): LamportClock {
    return new LamportClock(this.#counters.clock);
  }

  onStart(ctx: Context<unknown>): void {
    this.#counters = ctx.storage.get<Counters>(this.#key) ?? { clock: 0, sent: 0 };
    this.#queue.load(ctx.storage);
    this.#latest.load(ctx.storage);
    this.link.onStart(ctx);
    this.#deliverReady(ctx);
  }

  broadcast(ctx: Context<unknown>, payload: P): string {
    const c = this.#counters;
    const time = c.clock = this.clock.tick().time;
    const id = messageId(ctx.self, ++c.sent);
    this.#save(ctx);
    this.#queue.set(ctx.storage, id, { time, origin: ctx.self, id, payload });
    this.noteBroadcast(ctx, id, payload);
    this.#toOthers(ctx, { kind: "msg", time, id, payload });
    this.#deliverReady(ctx);
    return id;
  }

  protected get lower(): ReliableLink<LamportEnvelope<P>> {
    return this.link;
  }

  get #key(): string {
    return `${this.channel}/lamport/counters`;
  }

  #save(ctx: Context<unknown>): void {
    ctx.storage.set(this.#key, this.#counters);
  }

  #toOthers(ctx: Context<unknown>, envelope: LamportEnvelope<P>): void {
    for (const peer of this.nodes) {
      if (peer !== ctx.self) this.link.send(ctx, peer, envelope);
    }
  }

  #receive(ctx: Context<unknown>, from: NodeId, envelope: LamportEnvelope<P>): void {
    const c = this.#counters;
    c.clock = this.clock.receive(envelope.time).time;
    this.#latest.set(ctx.storage, from, Math.max(this.#latest.get(from) ?? 0, envelope.time));
    switch (envelope.kind) {
      case "msg": {
        const { time, id, payload } = envelope;
        this.#queue.set(ctx.storage, id, { time, origin: from, id, payload });
        const ack = c.clock = this.clock.tick().time;
        this.#save(ctx);
        this.#toOthers(ctx, { kind: "ack", time: ack });
        break;
      }
      case "ack":
        this.#save(ctx);
        break;
      default: {
        const never: never = envelope;
        throw new Error(`unexpected Lamport total order message ${JSON.stringify(never)}`);
      }
    }
    this.#deliverReady(ctx);
  }

  /** Delivers from the head of the queue while every other node has spoken past it. */
  #deliverReady(ctx: Context<unknown>): void {
    // The host may broadcast from inside `deliver`, which calls this again:
    // the loop already running carries on once that returns.
    if (this.#delivering) return;
    this.#delivering = true;
    try {
      for (;;) {
        let head: Queued | undefined;
        for (const m of this.#queue.values()) {
          if (head === undefined || stampOrder(m, head) < 0) head = m;
        }
        if (head === undefined) return;
        const time = head.time;
        const heardFromAll = this.nodes.every((k) =>
          k === ctx.self || (this.#latest.get(k) ?? 0) >= time
        );
        if (!heardFromAll) return;
        this.#queue.delete(ctx.storage, head.id);
        this.deliverToHost(ctx, head.id, head.origin, head.payload as P);
      }
    } finally {
      this.#delivering = false;
    }
  }
}

function stampOrder(a: Queued, b: Queued): number {
  return compareLamport({ time: a.time, node: a.origin }, { time: b.time, node: b.origin });
}

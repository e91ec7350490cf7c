/**
 * FIFO broadcast (lecture 4.3 of Kleppmann's course): messages from one
 * sender are delivered in the order that sender broadcast them. Stacked on
 * {@linkcode ReliableBroadcast}: each message carries its sender's sequence
 * number, and a receiver holds a message back until it has delivered all
 * earlier ones from the same sender.
 *
 * ```text
 * on initialisation:  sendSeq := 0; delivered := <0, ..., 0>; buffer := {}
 * broadcast m:        send (i, sendSeq, m) via reliable broadcast; sendSeq := sendSeq + 1
 * on receiving msg from reliable broadcast:
 *   buffer := buffer + {msg}
 *   while (sender, delivered[sender], m) in buffer:
 *     deliver m; delivered[sender] := delivered[sender] + 1
 * ```
 *
 * Guarantee: reliable broadcast's, plus FIFO order. Messages from different
 * senders may be delivered in any order, even against causality (a reply
 * before the message it answers). Failure model: reliable broadcast's.
 *
 * @module
 */

import type { Context, NodeId } from "../../actors/mod.ts";
import { StackedLayer } from "./_layer_base.ts";
import { type LayerOptions, messageId } from "./layer.ts";
import { ReliableBroadcast } from "./reliable.ts";
import { DurableMap } from "./durable_map.ts";

/**
 * What FIFO broadcast hands to reliable broadcast.
 *
 * @example
 * ```ts
 * import type { FifoEnvelope } from "./fifo.ts";
 * const e: FifoEnvelope<string> = { seq: 0, payload: "hi" };
 * ```
 */
export interface FifoEnvelope<P> {
  /** The sender's sequence number, from 0. */
  seq: number;
  payload: P;
}

/**
 * FIFO broadcast as a layer (see `layer.ts` for how a host uses it).
 *
 * @example
 * ```ts
 * import { FifoBroadcast } from "./fifo.ts";
 * const fifo = new FifoBroadcast<string>({ nodes: ["n1", "n2"], deliver: () => {} });
 * fifo.protocol; // "fifo"
 * ```
 */
export class FifoBroadcast<P> extends StackedLayer<P, "fifo"> {
  readonly inner: ReliableBroadcast<FifoEnvelope<P>>;
  // Durable: this node's next sequence number; per sender, how many of its
  // messages were delivered; messages held back, under "<sender>/<seq>".
  #sendSeq = 0;
  readonly #delivered: DurableMap<number>;
  readonly #buffer: DurableMap<unknown>;

  constructor(options: LayerOptions<P> & { retryMs?: number }) {
    super("fifo", options);
    this.#delivered = new DurableMap(`${this.channel}/fifo/delivered`);
    this.#buffer = new DurableMap(`${this.channel}/fifo/buffer`);
    this.inner = new ReliableBroadcast<FifoEnvelope<P>>({
      nodes: options.nodes,
      channel: this.channel,
      log: false,
      retryMs: options.retryMs,
      deliver: (ctx, d) => this.#receive(ctx, d.origin, d.payload),
    });
  }

  onStart(ctx: Context<unknown>): void {
    this.#sendSeq = ctx.storage.get<number>(this.#seqKey) ?? 0;
    this.#delivered.load(ctx.storage);
    this.#buffer.load(ctx.storage);
    this.inner.onStart(ctx);
  }

  broadcast(ctx: Context<unknown>, payload: P): string {
    const seq = this.#sendSeq++;
    const id = messageId(ctx.self, seq + 1);
    ctx.storage.set(this.#seqKey, this.#sendSeq);
    this.noteBroadcast(ctx, id, payload);
    // Reliable broadcast delivers our own message back to us at once.
    this.inner.broadcast(ctx, { seq, payload });
    return id;
  }

  protected get lower(): ReliableBroadcast<FifoEnvelope<P>> {
    return this.inner;
  }

  get #seqKey(): string {
    return `${this.channel}/fifo/send-seq`;
  }

  #receive(ctx: Context<unknown>, origin: NodeId, envelope: FifoEnvelope<P>): void {
    this.#buffer.set(ctx.storage, `${origin}/${envelope.seq}`, envelope.payload);
    // Only this sender's messages can have become deliverable. One at a
    // time, with the state saved before each delivery: the host may
    // broadcast from inside `deliver`, which comes back here.
    for (;;) {
      const seq = this.#delivered.get(origin) ?? 0;
      const key = `${origin}/${seq}`;
      if (!this.#buffer.has(key)) return;
      const payload = this.#buffer.get(key) as P;
      this.#buffer.delete(ctx.storage, key);
      this.#delivered.set(ctx.storage, origin, seq + 1);
      this.deliverToHost(ctx, messageId(origin, seq + 1), origin, payload);
    }
  }
}

/**
 * Causal broadcast with vector clocks (lecture 4.3 of Kleppmann's course):
 * if broadcasting m1 happened before broadcasting m2, every node delivers m1
 * before m2. Stacked on {@linkcode ReliableBroadcast}: each message carries
 * the vector of how many messages from each sender its sender had delivered
 * when broadcasting it (its dependencies), and a receiver holds it back until
 * it has delivered at least that many from every sender.
 *
 * ```text
 * on initialisation:  sendSeq := 0; delivered := <0, ..., 0>; buffer := {}
 * broadcast m at node i:
 *   deps := delivered; deps[i] := sendSeq
 *   send (i, deps, m) via reliable broadcast; sendSeq := sendSeq + 1
 * on receiving msg from reliable broadcast:
 *   buffer := buffer + {msg}
 *   while (sender, deps, m) in buffer with deps <= delivered:
 *     deliver m; delivered[sender] := delivered[sender] + 1
 * ```
 *
 * Guarantee: reliable broadcast's, plus causal order (which includes FIFO
 * order). Concurrent messages may still be delivered in different orders at
 * different nodes. Failure model: reliable broadcast's.
 *
 * @module
 */

import type { Context, NodeId } from "../../actors/mod.ts";
import { VectorClock, type VectorTimestamp } from "../clocks/vector_clock.ts";
import { StackedLayer } from "./_layer_base.ts";
import { type LayerOptions, messageId } from "./layer.ts";
import { ReliableBroadcast } from "./reliable.ts";
import { DurableMap } from "./durable_map.ts";

/**
 * What causal broadcast hands to reliable broadcast.
 *
 * @example
 * ```ts
 * import type { CausalEnvelope } from "./causal.ts";
 * const e: CausalEnvelope<string> = { deps: { n1: 2, n2: 0 }, payload: "re: hi" };
 * ```
 */
export interface CausalEnvelope<P> {
  /** Per sender, how many of its messages must be delivered first (own entry: own sequence number). */
  deps: VectorTimestamp;
  payload: P;
}

interface Held {
  origin: NodeId;
  deps: VectorTimestamp;
  payload: unknown;
}

/**
 * Causal broadcast as a layer (see `layer.ts` for how a host uses it).
 *
 * @example
 * ```ts
 * import { CausalBroadcast } from "./causal.ts";
 * const causal = new CausalBroadcast<string>({ nodes: ["n1", "n2"], deliver: () => {} });
 * causal.protocol; // "causal"
 * ```
 */
export class CausalBroadcast<P> extends StackedLayer<P, "causal"> {
  readonly inner: ReliableBroadcast<CausalEnvelope<P>>;
  // Durable: this node's next sequence number; the delivered vector (how
  // many messages from each sender were delivered); messages held back, by id.
  #sendSeq = 0;
  #delivered = new VectorClock();
  readonly #buffer: DurableMap<Held>;

  constructor(options: LayerOptions<P> & { retryMs?: number }) {
    super("causal", options);
    this.#buffer = new DurableMap(`${this.channel}/causal/buffer`);
    this.inner = new ReliableBroadcast<CausalEnvelope<P>>({
      nodes: options.nodes,
      channel: this.channel,
      log: false,
      retryMs: options.retryMs,
      deliver: (ctx, d) => this.#receive(ctx, d.origin, d.payload),
    });
  }

  /** How many messages from each sender this node has delivered. */
  get delivered(): VectorClock {
    return this.#delivered;
  }

  onStart(ctx: Context<unknown>): void {
    this.#sendSeq = ctx.storage.get<number>(this.#seqKey) ?? 0;
    this.#delivered = new VectorClock(ctx.storage.get<VectorTimestamp>(this.#deliveredKey) ?? {});
    this.#buffer.load(ctx.storage);
    this.inner.onStart(ctx);
  }

  broadcast(ctx: Context<unknown>, payload: P): string {
    const deps = { ...this.#delivered.toJSON(), [ctx.self]: this.#sendSeq };
    const id = messageId(ctx.self, this.#sendSeq + 1);
    ctx.storage.set(this.#seqKey, ++this.#sendSeq);
    this.noteBroadcast(ctx, id, payload);
    // Reliable broadcast delivers our own message back to us at once, and
    // its deps are already met.
    this.inner.broadcast(ctx, { deps, payload });
    return id;
  }

  protected get lower(): ReliableBroadcast<CausalEnvelope<P>> {
    return this.inner;
  }

  get #seqKey(): string {
    return `${this.channel}/causal/send-seq`;
  }

  get #deliveredKey(): string {
    return `${this.channel}/causal/delivered`;
  }

  #receive(ctx: Context<unknown>, origin: NodeId, envelope: CausalEnvelope<P>): void {
    // The sender's own entry in deps is its sequence number, from 0.
    const id = messageId(origin, new VectorClock(envelope.deps).get(origin) + 1);
    this.#buffer.set(ctx.storage, id, { origin, deps: envelope.deps, payload: envelope.payload });
    // One at a time, with the state saved before each delivery: the host may
    // broadcast from inside `deliver`, which comes back here.
    for (;;) {
      const ready = [...this.#buffer.entries()].find(([, m]) =>
        new VectorClock(m.deps).lessOrEqual(this.#delivered)
      );
      if (ready === undefined) return;
      const [readyId, m] = ready;
      this.#buffer.delete(ctx.storage, readyId);
      this.#delivered = this.#delivered.tick(m.origin);
      ctx.storage.set(this.#deliveredKey, this.#delivered.toJSON());
      this.deliverToHost(ctx, readyId, m.origin, m.payload as P);
    }
  }
}

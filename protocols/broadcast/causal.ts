/**
 * Causal broadcast with vector clocks (lecture 4.3 of Kleppmann's course):
 * if broadcasting m1 happened before broadcasting m2, every node delivers m1
 * before m2. Stacked on {@linkcode ReliableBroadcast}, which it mounts as
 * `rb`: each message carries the vector of how many messages from each
 * sender its sender had delivered when broadcasting it (its dependencies),
 * and a receiver holds it back until it has delivered at least that many
 * from every sender.
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

import type { Context, LayerMsg, LayerTimer, NodeId } from "../../actors/mod.ts";
import { VectorClock, type VectorTimestamp } from "../clocks/vector_clock.ts";
import { DurableMap } from "./durable_map.ts";
import {
  type Broadcast,
  type BroadcastView,
  type Delivery,
  LayerBase,
  type LayerOptions,
  messageId,
  unexpected,
} from "./layer.ts";
import { mountReliable, type ReliableMsg, type ReliableTimer } from "./reliable.ts";

/**
 * What causal broadcast hands to reliable broadcast.
 *
 * @example
 * ```ts
 * import type { CausalEnvelope } from "./causal.ts";
 * import assert from "node:assert/strict";
 * const e: CausalEnvelope<string> = { deps: { n1: 2, n2: 0 }, payload: "re: hi" };
 * assert.equal(e.deps.n1, 2);
 * ```
 */
export interface CausalEnvelope<P> {
  /** Per sender, how many of its messages must be delivered first (own entry: own sequence number). */
  deps: VectorTimestamp;
  /** What the host broadcast. */
  payload: P;
}

/** Causal broadcast's messages: its reliable broadcast's, under the name `rb`. */
export type CausalMsg<P> = LayerMsg<"rb", ReliableMsg<CausalEnvelope<P>>>;

/** Causal broadcast's timers: its reliable broadcast's. */
export type CausalTimer = LayerTimer<"rb", ReliableTimer>;

interface Held<P> {
  origin: NodeId;
  deps: VectorTimestamp;
  payload: P;
}

/**
 * Causal broadcast as a layer (see `layer.ts` for how a host mounts it).
 *
 * @example
 * ```ts
 * import { TestContext } from "../../actors/mod.ts";
 * import { CausalBroadcast, type CausalMsg, type CausalTimer } from "./causal.ts";
 * import assert from "node:assert/strict";
 *
 * const got: string[] = [];
 * const causal = new CausalBroadcast<string>({ nodes: ["n1", "n2", "n3"], deliver: (_h, d) => void got.push(d.payload) });
 * const n3 = new TestContext<CausalMsg<string>, CausalTimer>("n3");
 * n3.start(causal);
 * const data = (seq: number, id: string, origin: string, deps: Record<string, number>, payload: string) =>
 *   ({ layer: "rb", msg: { layer: "link", msg: { type: "data", seq, body: { id, origin, payload: { deps, payload } } } } }) as const;
 * // n2's answer arrives before n1's question it depends on: it waits.
 * n3.deliver(causal, data(0, "n2#1", "n2", { n1: 1, n2: 0 }, "yes!"), "n2");
 * assert.deepEqual(got, []);
 * assert.deepEqual(causal.inspect().held, ["n2#1"]);
 * n3.deliver(causal, data(0, "n1#1", "n1", { n1: 0 }, "lunch?"), "n1");
 * assert.deepEqual(got, ["lunch?", "yes!"]);
 * ```
 */
export class CausalBroadcast<P> extends LayerBase<P, CausalMsg<P>, CausalTimer> {
  /** The reliable broadcast underneath. */
  readonly rb: Broadcast<CausalEnvelope<P>, "rb">;
  // Durable: this node's next sequence number; the delivered vector (how
  // many messages from each sender were delivered); messages held back, by id.
  #sendSeq = 0;
  #delivered = new VectorClock();
  readonly #buffer = new DurableMap<Held<P>>("buffer");

  /** See {@linkcode LayerOptions}. */
  constructor(options: LayerOptions<P>) {
    super("causal", options);
    this.rb = mountReliable<CausalEnvelope<P>>(options, (ctx, d) => this.#receive(ctx, d));
  }

  /** Reads the sequence number, the delivered vector and the buffer back; starts `rb`. */
  onStart(ctx: Context<CausalMsg<P>, CausalTimer>): void {
    this.#sendSeq = ctx.storage.get<number>("send-seq") ?? 0;
    this.#delivered = new VectorClock(ctx.storage.get<VectorTimestamp>("delivered") ?? {});
    this.#buffer.load(ctx.storage);
    this.rb.start(ctx);
  }

  /** Sends `payload` with its dependencies via reliable broadcast. */
  broadcast(ctx: Context<CausalMsg<P>, CausalTimer>, payload: P): string {
    const deps = { ...this.#delivered.toJSON(), [ctx.self]: this.#sendSeq };
    const id = messageId(ctx.self, this.#sendSeq + 1);
    ctx.storage.set("send-seq", ++this.#sendSeq);
    this.noteBroadcast(ctx, id, payload);
    // Reliable broadcast delivers our own message back to us at once, and
    // its deps are already met.
    this.rb.broadcast(ctx, { deps, payload });
    return id;
  }

  /** Everything arrives through the reliable broadcast. */
  onMessage(ctx: Context<CausalMsg<P>, CausalTimer>, msg: CausalMsg<P>, from: NodeId): void {
    if (!this.rb.message(ctx, msg, from)) unexpected("causal broadcast", msg);
  }

  /** Every timer is the reliable broadcast's. */
  onTimer(ctx: Context<CausalMsg<P>, CausalTimer>, timer: CausalTimer): void {
    this.rb.timer(ctx, timer);
  }

  /** The delivered vector, what is held back, and the reliable broadcast underneath. */
  inspect(): BroadcastView {
    const vector = this.#delivered.toJSON();
    return {
      protocol: this.protocol,
      sent: this.#sendSeq,
      delivered: Object.values(vector).reduce((a, b) => a + b, 0),
      held: [...this.#buffer.keys()],
      vector,
      below: this.rb.inspect(),
    };
  }

  #receive(ctx: Context<CausalMsg<P>, CausalTimer>, d: Delivery<CausalEnvelope<P>>): void {
    const { origin, payload: { deps, payload } } = d;
    // The sender's own entry in deps is its sequence number, from 0.
    const id = messageId(origin, new VectorClock(deps).get(origin) + 1);
    this.#buffer.set(ctx.storage, id, { origin, deps, payload });
    // One at a time, with the state saved before each delivery: the host may
    // broadcast from inside `deliver`, which comes back here.
    for (;;) {
      const ready = [...this.#buffer.entries()].find(([, m]) =>
        new VectorClock(m.deps).lessOrEqual(this.#delivered)
      );
      if (ready === undefined) {
        ctx.sometimes("causal hold-back", this.#buffer.size > 0);
        return;
      }
      const [readyId, m] = ready;
      this.#buffer.delete(ctx.storage, readyId);
      this.#delivered = this.#delivered.tick(m.origin);
      ctx.storage.set("delivered", this.#delivered.toJSON());
      this.deliverToHost(ctx, readyId, m.origin, m.payload);
    }
  }
}

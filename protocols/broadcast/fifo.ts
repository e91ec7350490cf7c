/**
 * FIFO broadcast (lecture 4.3 of Kleppmann's course): messages from one
 * sender are delivered in the order that sender broadcast them. Stacked on
 * {@linkcode ReliableBroadcast}, which it mounts as `rb`: each message
 * carries its sender's sequence number, and a receiver holds a message back
 * until it has delivered all earlier ones from the same sender.
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

import type { Context, LayerMsg, LayerTimer, NodeId } from "../../actors/mod.ts";
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
 * What FIFO broadcast hands to reliable broadcast.
 *
 * @example
 * ```ts
 * import type { FifoEnvelope } from "./fifo.ts";
 * import assert from "node:assert/strict";
 * const e: FifoEnvelope<string> = { seq: 0, payload: "hi" };
 * assert.equal(e.seq, 0);
 * ```
 */
export interface FifoEnvelope<P> {
  /** The sender's sequence number, from 0. */
  seq: number;
  /** What the host broadcast. */
  payload: P;
}

/** FIFO broadcast's messages: its reliable broadcast's, under the name `rb`. */
export type FifoMsg<P> = LayerMsg<"rb", ReliableMsg<FifoEnvelope<P>>>;

/** FIFO broadcast's timers: its reliable broadcast's. */
export type FifoTimer = LayerTimer<"rb", ReliableTimer>;

/**
 * FIFO broadcast as a layer (see `layer.ts` for how a host mounts it).
 *
 * @example
 * ```ts
 * import { Simulation } from "../../sim/mod.ts";
 * import type { Actor, Context, LayerMsg, LayerTimer } from "../../actors/mod.ts";
 * import { FifoBroadcast, type FifoMsg, type FifoTimer } from "./fifo.ts";
 * import { mountBroadcast } from "./layer.ts";
 * import assert from "node:assert/strict";
 *
 * type Msg = LayerMsg<"bc", FifoMsg<number>>;
 * type Timer = LayerTimer<"bc", FifoTimer>;
 * const nodes = ["n1", "n2"];
 * class Counter implements Actor<Msg, Timer> {
 *   got: number[] = [];
 *   bc = mountBroadcast("bc", new FifoBroadcast<number>({ nodes, deliver: (_h, d) => void this.got.push(d.payload) }));
 *   onStart(ctx: Context<Msg, Timer>) {
 *     this.bc.start(ctx);
 *     if (ctx.self === "n1") for (let k = 1; k <= 5; k++) this.bc.broadcast(ctx, k);
 *   }
 *   onMessage(ctx: Context<Msg, Timer>, msg: Msg, from: string) {
 *     this.bc.message(ctx, msg, from);
 *   }
 *   onTimer(ctx: Context<Msg, Timer>, timer: Timer) {
 *     this.bc.timer(ctx, timer);
 *   }
 * }
 * const sim = new Simulation({ seed: 3, network: { loss: 0.3, latency: { kind: "uniform", min: 1, max: 20 } } });
 * for (const id of nodes) sim.spawn(id, () => new Counter());
 * sim.run({ until: 1000 });
 * assert.deepEqual(sim.actor<Counter>("n2")!.got, [1, 2, 3, 4, 5]);
 * ```
 */
export class FifoBroadcast<P> extends LayerBase<P, FifoMsg<P>, FifoTimer> {
  /** The reliable broadcast underneath. */
  readonly rb: Broadcast<FifoEnvelope<P>, "rb">;
  // Durable: this node's next sequence number; per sender, how many of its
  // messages were delivered; messages held back, under "<sender>/<seq>".
  #sendSeq = 0;
  readonly #delivered = new DurableMap<number>("delivered");
  readonly #buffer = new DurableMap<P>("buffer");

  /** See {@linkcode LayerOptions}. */
  constructor(options: LayerOptions<P>) {
    super("fifo", options);
    this.rb = mountReliable<FifoEnvelope<P>>(options, (ctx, d) => this.#receive(ctx, d));
  }

  /** Reads the sequence numbers and the buffer back; starts the reliable broadcast. */
  onStart(ctx: Context<FifoMsg<P>, FifoTimer>): void {
    this.#sendSeq = ctx.storage.get<number>("send-seq") ?? 0;
    this.#delivered.load(ctx.storage);
    this.#buffer.load(ctx.storage);
    this.rb.start(ctx);
  }

  /** Sends `payload` with this node's next sequence number via reliable broadcast. */
  broadcast(ctx: Context<FifoMsg<P>, FifoTimer>, payload: P): string {
    const seq = this.#sendSeq++;
    const id = messageId(ctx.self, seq + 1);
    ctx.storage.set("send-seq", this.#sendSeq);
    this.noteBroadcast(ctx, id, payload);
    // Reliable broadcast delivers our own message back to us at once.
    this.rb.broadcast(ctx, { seq, payload });
    return id;
  }

  /** Everything arrives through the reliable broadcast. */
  onMessage(ctx: Context<FifoMsg<P>, FifoTimer>, msg: FifoMsg<P>, from: NodeId): void {
    if (!this.rb.message(ctx, msg, from)) unexpected("fifo broadcast", msg);
  }

  /** Every timer is the reliable broadcast's. */
  onTimer(ctx: Context<FifoMsg<P>, FifoTimer>, timer: FifoTimer): void {
    this.rb.timer(ctx, timer);
  }

  /** Sequence numbers, what is held back, and the reliable broadcast underneath. */
  inspect(): BroadcastView {
    const delivered = Object.fromEntries(this.#delivered.entries());
    return {
      protocol: this.protocol,
      sent: this.#sendSeq,
      delivered: Object.values(delivered).reduce((a, b) => a + b, 0),
      held: [...this.#buffer.keys()].map(heldId),
      next: delivered,
      below: this.rb.inspect(),
    };
  }

  #receive(ctx: Context<FifoMsg<P>, FifoTimer>, d: Delivery<FifoEnvelope<P>>): void {
    const origin = d.origin;
    this.#buffer.set(ctx.storage, `${origin}/${d.payload.seq}`, d.payload.payload);
    // Only this sender's messages can have become deliverable. One at a
    // time, with the state saved before each delivery: the host may
    // broadcast from inside `deliver`, which comes back here.
    for (;;) {
      const seq = this.#delivered.get(origin) ?? 0;
      const key = `${origin}/${seq}`;
      if (!this.#buffer.has(key)) {
        ctx.sometimes("fifo hold-back", this.#buffer.size > 0);
        return;
      }
      const payload = this.#buffer.get(key) as P;
      this.#buffer.delete(ctx.storage, key);
      this.#delivered.set(ctx.storage, origin, seq + 1);
      this.deliverToHost(ctx, messageId(origin, seq + 1), origin, payload);
    }
  }
}

/** `<origin>/<seq>` (seq from 0) as a message id. */
function heldId(key: string): string {
  const slash = key.lastIndexOf("/");
  return messageId(key.slice(0, slash), Number(key.slice(slash + 1)) + 1);
}

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

import type { Context, NodeId } from "../../actors/mod.ts";
import { StackedLayer } from "./_layer_base.ts";
import { type LayerOptions, messageId } from "./layer.ts";
import { ReliableLink } from "./reliable_link.ts";
import { DurableMap } from "./durable_map.ts";

/**
 * What the sequencer protocol sends over its links.
 *
 * @example
 * ```ts
 * import type { SequencerEnvelope } from "./total_sequencer.ts";
 * const submit: SequencerEnvelope<string> = { kind: "submit", id: "n2#1", payload: "hi" };
 * const order: SequencerEnvelope<string> = { kind: "order", seq: 0, id: "n2#1", origin: "n2", payload: "hi" };
 * ```
 */
export type SequencerEnvelope<P> =
  /** A node asks the sequencer to order its message. */
  | { kind: "submit"; id: string; payload: P }
  /** The sequencer's `seq`-th message, for every node. */
  | { kind: "order"; seq: number; id: string; origin: NodeId; payload: P };

/**
 * Options of {@linkcode SequencerBroadcast}.
 *
 * @example
 * ```ts
 * import type { SequencerOptions } from "./total_sequencer.ts";
 * const o: SequencerOptions<string> = { nodes: ["n1", "n2"], deliver: () => {}, sequencer: "n2" };
 * ```
 */
export interface SequencerOptions<P> extends LayerOptions<P> {
  /** The node that orders (default: the first of `nodes`). */
  sequencer?: NodeId;
  /** Retransmission interval of the underlying links, ms (default 30). */
  retryMs?: number;
}

interface Ordered {
  seq: number;
  id: string;
  origin: NodeId;
  payload: unknown;
}

/** Durable counters: messages sent; at the sequencer, the next number to give out; the next to deliver. */
interface Counters {
  sent: number;
  nextSeq: number;
  nextDeliver: number;
}

/**
 * Sequencer-based total order broadcast as a layer (see `layer.ts` for how a
 * host uses it).
 *
 * @example
 * ```ts
 * import { SequencerBroadcast } from "./total_sequencer.ts";
 * const tob = new SequencerBroadcast<string>({ nodes: ["n1", "n2", "n3"], deliver: () => {} });
 * tob.sequencer; // "n1"
 * ```
 */
export class SequencerBroadcast<P> extends StackedLayer<P, "total-sequencer"> {
  readonly sequencer: NodeId;
  readonly link: ReliableLink<SequencerEnvelope<P>>;
  #counters: Counters = { sent: 0, nextSeq: 0, nextDeliver: 0 };
  /** Ordered messages waiting for a lower number, by number (durable). */
  readonly #held: DurableMap<Ordered>;

  constructor(options: SequencerOptions<P>) {
    super("total-sequencer", options);
    this.sequencer = options.sequencer ?? options.nodes[0];
    if (!options.nodes.includes(this.sequencer)) {
      throw new TypeError(
        `total-sequencer broadcast: sequencer ${this.sequencer} is not one of nodes ${options.nodes}`,
      );
    }
    this.#held = new DurableMap(`${this.channel}/seq/held`);
    this.link = new ReliableLink<SequencerEnvelope<P>>({
      channel: this.channel,
      fifo: true,
      retryMs: options.retryMs,
      deliver: (ctx, from, envelope) => this.#receive(ctx, from, envelope),
    });
  }

  onStart(ctx: Context<unknown>): void {
    this.#counters = ctx.storage.get<Counters>(this.#key) ??
      { sent: 0, nextSeq: 0, nextDeliver: 0 };
    this.#held.load(ctx.storage);
    this.link.onStart(ctx);
  }

  broadcast(ctx: Context<unknown>, payload: P): string {
    const id = messageId(ctx.self, ++this.#counters.sent);
    this.#save(ctx);
    this.noteBroadcast(ctx, id, payload);
    if (ctx.self === this.sequencer) this.#order(ctx, id, ctx.self, payload);
    else this.link.send(ctx, this.sequencer, { kind: "submit", id, payload });
    return id;
  }

  protected get lower(): ReliableLink<SequencerEnvelope<P>> {
    return this.link;
  }

  get #key(): string {
    return `${this.channel}/seq/counters`;
  }

  #save(ctx: Context<unknown>): void {
    ctx.storage.set(this.#key, this.#counters);
  }

  #receive(ctx: Context<unknown>, from: NodeId, envelope: SequencerEnvelope<P>): void {
    switch (envelope.kind) {
      case "submit":
        if (ctx.self !== this.sequencer) {
          throw new Error(`${ctx.self} got a submit from ${from} but is not the sequencer`);
        }
        return this.#order(ctx, envelope.id, from, envelope.payload);
      case "order":
        return this.#hold(ctx, envelope);
      default: {
        const never: never = envelope;
        throw new Error(`unexpected sequencer message ${JSON.stringify(never)}`);
      }
    }
  }

  /** At the sequencer: number the message and send it to everyone. */
  #order(ctx: Context<unknown>, id: string, origin: NodeId, payload: P): void {
    const seq = this.#counters.nextSeq++;
    this.#save(ctx);
    const order: Ordered & { kind: "order" } = { kind: "order", seq, id, origin, payload };
    for (const peer of this.nodes) {
      if (peer !== ctx.self) this.link.send(ctx, peer, order as SequencerEnvelope<P>);
    }
    this.#hold(ctx, order);
  }

  #hold(ctx: Context<unknown>, ordered: Ordered): void {
    const { seq, id, origin, payload } = ordered;
    this.#held.set(ctx.storage, String(seq), { seq, id, origin, payload });
    // One at a time, with the state saved before each delivery: the host may
    // broadcast from inside `deliver`, which comes back here.
    for (;;) {
      const key = String(this.#counters.nextDeliver);
      const m = this.#held.get(key);
      if (m === undefined) return;
      this.#held.delete(ctx.storage, key);
      this.#counters.nextDeliver++;
      this.#save(ctx);
      this.deliverToHost(ctx, m.id, m.origin, m.payload as P);
    }
  }
}

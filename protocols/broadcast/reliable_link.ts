/**
 * Reliable point-to-point links over a network that loses, duplicates and
 * reorders messages and partitions for a while ("fair-loss links" in
 * Cachin, Guerraoui and Rodrigues): the sender numbers each message per
 * destination and retransmits it until the receiver acknowledges it; the
 * receiver acknowledges every copy and hands each message up once. With
 * `fifo`, the receiver also holds back a message until every earlier one
 * from the same sender has been handed up (like TCP).
 *
 * Failure model: messages sent to a node that stays reachable and up often
 * enough are eventually delivered exactly once, whatever the loss,
 * duplication, reordering and temporary partitions. Both ends keep their
 * link state in durable storage, so a crash and restart of either end loses
 * nothing; a node that crashes and never comes back simply never receives.
 *
 * @module
 */

import type { Context, NodeId } from "../../actors/mod.ts";
import { DurableMap } from "./durable_map.ts";

/**
 * The link's wire messages.
 *
 * @example
 * ```ts
 * import type { LinkWire } from "./reliable_link.ts";
 * const data: LinkWire = { type: "link", ch: "rb", seq: 0, body: { hello: 1 } };
 * const ack: LinkWire = { type: "link-ack", ch: "rb", seq: 0 };
 * ```
 */
export type LinkWire =
  /** The `seq`-th message from the sender to this receiver on channel `ch`. */
  | { type: "link"; ch: string; seq: number; body: unknown }
  /** The receiver has message `seq` (durably); stop retransmitting it. */
  | { type: "link-ack"; ch: string; seq: number };

/**
 * Options of a {@linkcode ReliableLink}.
 *
 * @example
 * ```ts
 * import type { ReliableLinkOptions } from "./reliable_link.ts";
 * const o: ReliableLinkOptions<string> = { channel: "chat", fifo: true, deliver: () => {} };
 * ```
 */
export interface ReliableLinkOptions<B> {
  /** Tags the wire messages, timer and storage key, so several links can share a host. */
  channel: string;
  /** Hand messages up in send order per sender (default false). */
  fifo?: boolean;
  /** Local time between retransmissions of unacknowledged messages, ms (default 30). */
  retryMs?: number;
  /** Called once per message, with the sender. */
  deliver: (ctx: Context<unknown>, from: NodeId, body: B) => void;
}

/**
 * One node's end of the reliable links to every other node, on one channel.
 * Build it inside a host actor and route to it like a broadcast layer:
 * `onStart`, `handles` + `onMessage`, `onTimer`.
 *
 * @example
 * ```ts
 * import type { Context, NodeId } from "../../actors/mod.ts";
import { DurableMap } from "./durable_map.ts";
 * import { ReliableLink } from "./reliable_link.ts";
 * const got: string[] = [];
 * const link = new ReliableLink<string>({
 *   channel: "chat",
 *   deliver: (_ctx: Context<unknown>, from: NodeId, body: string) => void got.push(`${from}: ${body}`),
 * });
 * link.handles({ type: "link-ack", ch: "chat", seq: 0 }); // true
 * ```
 */
export class ReliableLink<B> {
  readonly channel: string;
  readonly fifo: boolean;
  readonly retryMs: number;
  #deliver: ReliableLinkOptions<B>["deliver"];
  // Durable, one entry per key. Sender side: next sequence number per
  // destination, and each unacknowledged message under "<to>/<seq>".
  // Receiver side: per sender, every message below `upto` has been handed
  // up; "<from>/<seq>" entries of `above` are messages at or beyond it:
  // handed up already (without fifo, value true) or held back (with fifo,
  // value the body).
  readonly #next: DurableMap<number>;
  readonly #unacked: DurableMap<unknown>;
  readonly #upto: DurableMap<number>;
  readonly #above: DurableMap<unknown>;
  #timerSet = false;

  constructor(options: ReliableLinkOptions<B>) {
    this.channel = options.channel;
    this.fifo = options.fifo ?? false;
    this.retryMs = options.retryMs ?? 30;
    if (!(Number.isFinite(this.retryMs) && this.retryMs > 0)) {
      throw new RangeError(`reliable link retryMs must be a number > 0, got ${this.retryMs}`);
    }
    this.#deliver = options.deliver;
    this.#next = new DurableMap(`${this.channel}/link/next`);
    this.#unacked = new DurableMap(`${this.channel}/link/unacked`);
    this.#upto = new DurableMap(`${this.channel}/link/upto`);
    this.#above = new DurableMap(`${this.channel}/link/above`);
  }

  get #timer(): string {
    return `${this.channel}/retry`;
  }

  /** Reads the link state back; retransmission resumes after a restart. */
  onStart(ctx: Context<unknown>): void {
    for (const map of [this.#next, this.#unacked, this.#upto, this.#above]) map.load(ctx.storage);
    this.#timerSet = false;
    this.#arm(ctx);
  }

  /** Sends `body` to `to` (another node), reliably. */
  send(ctx: Context<unknown>, to: NodeId, body: B): void {
    if (to === ctx.self) {
      throw new RangeError(`reliable link ${this.channel}: a node does not send to itself`);
    }
    const seq = this.#next.get(to) ?? 0;
    this.#next.set(ctx.storage, to, seq + 1);
    this.#unacked.set(ctx.storage, `${to}/${seq}`, body);
    ctx.send(to, { type: "link", ch: this.channel, seq, body } satisfies LinkWire);
    this.#arm(ctx);
  }

  /** Whether `msg` is a wire message of this link's channel. */
  handles(msg: unknown): msg is LinkWire {
    if (typeof msg !== "object" || msg === null) return false;
    const m = msg as { type?: unknown; ch?: unknown };
    return (m.type === "link" || m.type === "link-ack") && m.ch === this.channel;
  }

  /** Handles a wire message of this channel. */
  onMessage(ctx: Context<unknown>, msg: LinkWire, from: NodeId): void {
    switch (msg.type) {
      case "link":
        return this.#receive(ctx, msg.seq, msg.body as B, from);
      case "link-ack":
        return this.#unacked.delete(ctx.storage, `${from}/${msg.seq}`);
      default: {
        const never: never = msg;
        throw new Error(`unexpected link message ${JSON.stringify(never)}`);
      }
    }
  }

  /** Retransmits what is unacknowledged; returns whether `name` was this link's timer. */
  onTimer(ctx: Context<unknown>, name: string): boolean {
    if (name !== this.#timer) return false;
    this.#timerSet = false;
    for (const [key, body] of this.#unacked.entries()) {
      const slash = key.lastIndexOf("/");
      const to = key.slice(0, slash), seq = Number(key.slice(slash + 1));
      ctx.send(to, { type: "link", ch: this.channel, seq, body } satisfies LinkWire);
    }
    this.#arm(ctx);
    return true;
  }

  /** Messages sent and not yet acknowledged, over all destinations. */
  unacknowledged(): number {
    return this.#unacked.size;
  }

  #receive(ctx: Context<unknown>, seq: number, body: B, from: NodeId): void {
    // Every copy is acknowledged: the first ack may have been lost.
    ctx.send(from, { type: "link-ack", ch: this.channel, seq } satisfies LinkWire);
    let upto = this.#upto.get(from) ?? 0;
    if (seq < upto || this.#above.has(`${from}/${seq}`)) return;
    if (seq > upto) {
      // Early: without fifo hand it up now and remember it; with fifo hold it.
      this.#above.set(ctx.storage, `${from}/${seq}`, this.fifo ? body : true);
      if (!this.fifo) this.#deliver(ctx, from, body);
      return;
    }
    this.#upto.set(ctx.storage, from, ++upto);
    this.#deliver(ctx, from, body);
    for (;;) {
      const key = `${from}/${upto}`;
      if (!this.#above.has(key)) return;
      const held = this.#above.get(key);
      this.#above.delete(ctx.storage, key);
      this.#upto.set(ctx.storage, from, ++upto);
      if (this.fifo) this.#deliver(ctx, from, held as B);
    }
  }

  #arm(ctx: Context<unknown>): void {
    if (this.#timerSet || this.#unacked.size === 0) return;
    this.#timerSet = true;
    ctx.setTimer(this.#timer, this.retryMs);
  }
}

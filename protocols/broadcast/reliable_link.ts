/**
 * Reliable point-to-point links over a network that loses, duplicates and
 * reorders messages and partitions for a while ("fair-loss links" in
 * Cachin, Guerraoui and Rodrigues): the sender numbers each message per
 * destination and retransmits it until the receiver acknowledges it; the
 * receiver acknowledges every copy and hands each message up once. With
 * `fifo`, the receiver also holds back a message until every earlier one
 * from the same sender has been handed up (like TCP).
 *
 * ```text
 * send m to j:        seq := next[j]; next[j] := seq + 1; unacked[j, seq] := m; send (data, seq, m)
 * every retryMs:      for each (j, seq, m) in unacked: send (data, seq, m) to j
 * on (data, seq, m) from i:  send (ack, seq) to i; if seq is new from i: hand m up
 * on (ack, seq) from j:      delete unacked[j, seq]
 * ```
 *
 * Failure model: messages sent to a node that stays reachable and up often
 * enough are eventually delivered exactly once, whatever the loss,
 * duplication, reordering and temporary partitions. Both ends keep their
 * link state in durable storage, so a crash and restart of either end loses
 * nothing; a node that crashes and never comes back simply never receives.
 *
 * The link is an actor of its own, mounted by the layer above it (see
 * `actors/layer.ts`): `mountLink("link", new ReliableLink({ deliver }))`.
 *
 * @module
 */

import { type Actor, type Context, hostOf, Mount, type NodeId } from "../../actors/mod.ts";
import { DurableMap } from "./durable_map.ts";
import { unexpected } from "./layer.ts";

/**
 * The link's messages.
 *
 * @example
 * ```ts
 * import type { LinkMsg } from "./reliable_link.ts";
 * import assert from "node:assert/strict";
 * const data: LinkMsg<string> = { type: "data", seq: 0, body: "hello" };
 * const ack: LinkMsg<string> = { type: "ack", seq: 0 };
 * assert.equal(data.seq, ack.seq);
 * ```
 */
export type LinkMsg<B> =
  /** The `seq`-th message from the sender to this receiver. */
  | { type: "data"; seq: number; body: B }
  /** The receiver has message `seq` (durably); stop retransmitting it. */
  | { type: "ack"; seq: number };

/** The link's one timer: retransmit what is unacknowledged. */
export type LinkTimer = "retry";

/**
 * Options of a {@linkcode ReliableLink}.
 *
 * @example
 * ```ts
 * import type { ReliableLinkOptions } from "./reliable_link.ts";
 * import assert from "node:assert/strict";
 * const o: ReliableLinkOptions<string> = { fifo: true, deliver: () => {} };
 * assert.equal(o.fifo, true);
 * ```
 */
export interface ReliableLinkOptions<B> {
  /** Hand messages up in send order per sender (default false). */
  fifo?: boolean;
  /** Local time between retransmissions of unacknowledged messages, ms (default 30). */
  retryMs?: number;
  /** Called once per message, with the host's context and the sender. */
  deliver: (host: Context<unknown, unknown>, from: NodeId, body: B) => void;
}

/**
 * A plain-data view of a link end, from {@linkcode ReliableLink.inspect}.
 *
 * @example
 * ```ts
 * import type { LinkView } from "./reliable_link.ts";
 * import assert from "node:assert/strict";
 * const v: LinkView = { fifo: false, sent: { n2: 3 }, unacked: ["n2/2"], received: { n2: 1 }, early: [] };
 * assert.equal(v.unacked.length, 1);
 * ```
 */
export interface LinkView {
  /** Whether messages are handed up in send order per sender. */
  fifo: boolean;
  /** Per destination, how many messages were sent. */
  sent: Record<NodeId, number>;
  /** `<to>/<seq>` of each message not yet acknowledged. */
  unacked: string[];
  /** Per sender, how many of its messages were handed up in a row from the first. */
  received: Record<NodeId, number>;
  /** `<from>/<seq>` of each message that arrived ahead of an earlier one. */
  early: string[];
}

/**
 * One node's end of the reliable links to every other node.
 *
 * @example
 * ```ts
 * import { TestContext } from "../../actors/mod.ts";
 * import { type LinkMsg, type LinkTimer, ReliableLink } from "./reliable_link.ts";
 * import assert from "node:assert/strict";
 *
 * const got: string[] = [];
 * const link = new ReliableLink<string>({ deliver: (_host, from, body) => void got.push(`${from}: ${body}`) });
 * const a = new TestContext<LinkMsg<string>, LinkTimer>("a");
 * a.start(link);
 * link.send(a, "b", "hello");
 * assert.deepEqual(a.takeSent(), [{ to: "b", msg: { type: "data", seq: 0, body: "hello" } }]);
 * // No ack within retryMs: the message goes again.
 * a.advance(30);
 * a.fireDue(link);
 * assert.deepEqual(a.takeSent(), [{ to: "b", msg: { type: "data", seq: 0, body: "hello" } }]);
 * a.deliver(link, { type: "ack", seq: 0 }, "b");
 * assert.equal(link.unacknowledged(), 0);
 *
 * // The receiving end hands each message up once, and acknowledges every copy.
 * const b = new TestContext<LinkMsg<string>, LinkTimer>("b");
 * const receiver = new ReliableLink<string>({ deliver: (_host, from, body) => void got.push(`${from}: ${body}`) });
 * b.deliver(receiver, { type: "data", seq: 0, body: "hello" }, "a");
 * b.deliver(receiver, { type: "data", seq: 0, body: "hello" }, "a");
 * assert.deepEqual(got, ["a: hello"]);
 * assert.equal(b.takeSent().length, 2);
 * ```
 */
export class ReliableLink<B> implements Actor<LinkMsg<B>, LinkTimer> {
  /** Whether messages are handed up in send order per sender. */
  readonly fifo: boolean;
  /** Local time between retransmissions, ms. */
  readonly retryMs: number;
  readonly #deliver: ReliableLinkOptions<B>["deliver"];
  // Durable, one entry per key. Sender side: next sequence number per
  // destination, and each unacknowledged message under "<to>/<seq>".
  // Receiver side: per sender, every message below `upto` has been handed
  // up; "<from>/<seq>" entries of `above` are messages at or beyond it:
  // handed up already (without fifo, value true) or held back (with fifo,
  // value the body).
  readonly #next = new DurableMap<number>("next");
  readonly #unacked = new DurableMap<B>("unacked");
  readonly #upto = new DurableMap<number>("upto");
  readonly #above = new DurableMap<B | true>("above");
  #timerSet = false;

  /** Checks `options.retryMs` (a number > 0). */
  constructor(options: ReliableLinkOptions<B>) {
    this.fifo = options.fifo ?? false;
    this.retryMs = options.retryMs ?? 30;
    if (!(Number.isFinite(this.retryMs) && this.retryMs > 0)) {
      throw new RangeError(`reliable link retryMs must be a number > 0, got ${this.retryMs}`);
    }
    if (typeof options.deliver !== "function") {
      throw new TypeError("reliable link: deliver must be a function");
    }
    this.#deliver = options.deliver;
  }

  /** Reads the link state back; retransmission resumes after a restart. */
  onStart(ctx: Context<LinkMsg<B>, LinkTimer>): void {
    for (const map of [this.#next, this.#unacked, this.#upto, this.#above]) map.load(ctx.storage);
    this.#timerSet = false;
    this.#arm(ctx);
  }

  /** Sends `body` to `to` (another node), reliably. */
  send(ctx: Context<LinkMsg<B>, LinkTimer>, to: NodeId, body: B): void {
    if (to === ctx.self) {
      throw new RangeError(`reliable link at ${ctx.self}: a node does not send to itself`);
    }
    const seq = this.#next.get(to) ?? 0;
    this.#next.set(ctx.storage, to, seq + 1);
    this.#unacked.set(ctx.storage, `${to}/${seq}`, body);
    ctx.send(to, { type: "data", seq, body });
    this.#arm(ctx);
  }

  /** Handles a data message or an acknowledgement. */
  onMessage(ctx: Context<LinkMsg<B>, LinkTimer>, msg: LinkMsg<B>, from: NodeId): void {
    switch (msg.type) {
      case "data":
        return this.#receive(ctx, msg.seq, msg.body, from);
      case "ack":
        return this.#unacked.delete(ctx.storage, `${from}/${msg.seq}`);
      default:
        unexpected("reliable link", msg satisfies never);
    }
  }

  /** Retransmits what is unacknowledged. */
  onTimer(ctx: Context<LinkMsg<B>, LinkTimer>, timer: LinkTimer): void {
    if (timer !== "retry") unexpected("reliable link timer", timer satisfies never);
    this.#timerSet = false;
    for (const [key, body] of this.#unacked.entries()) {
      const slash = key.lastIndexOf("/");
      const to = key.slice(0, slash), seq = Number(key.slice(slash + 1));
      ctx.send(to, { type: "data", seq, body });
    }
    this.#arm(ctx);
  }

  /** Messages sent and not yet acknowledged, over all destinations. */
  unacknowledged(): number {
    return this.#unacked.size;
  }

  /** A plain-data view of this end's state. */
  inspect(): LinkView {
    return {
      fifo: this.fifo,
      sent: Object.fromEntries(this.#next.entries()),
      unacked: [...this.#unacked.keys()],
      received: Object.fromEntries(this.#upto.entries()),
      early: [...this.#above.keys()],
    };
  }

  #receive(ctx: Context<LinkMsg<B>, LinkTimer>, seq: number, body: B, from: NodeId): void {
    // Every copy is acknowledged: the first ack may have been lost.
    ctx.send(from, { type: "ack", seq });
    let upto = this.#upto.get(from) ?? 0;
    const again = seq < upto || this.#above.has(`${from}/${seq}`);
    ctx.sometimes("link dropped a copy it had", again);
    if (again) return;
    const host = hostOf(ctx);
    if (seq > upto) {
      // Early: without fifo hand it up now and remember it; with fifo hold it.
      this.#above.set(ctx.storage, `${from}/${seq}`, this.fifo ? body : true);
      if (!this.fifo) this.#deliver(host, from, body);
      return;
    }
    this.#upto.set(ctx.storage, from, ++upto);
    this.#deliver(host, from, body);
    for (;;) {
      const key = `${from}/${upto}`;
      if (!this.#above.has(key)) return;
      const held = this.#above.get(key)!;
      this.#above.delete(ctx.storage, key);
      this.#upto.set(ctx.storage, from, ++upto);
      if (this.fifo) this.#deliver(host, from, held as B);
    }
  }

  #arm(ctx: Context<LinkMsg<B>, LinkTimer>): void {
    if (this.#timerSet || this.#unacked.size === 0) return;
    this.#timerSet = true;
    ctx.setTimer("retry", this.retryMs);
  }
}

/**
 * A reliable link mounted in a host (a broadcast layer, usually) under the
 * name `N`: it routes like any mount and sends with the host's context.
 *
 * @example
 * ```ts
 * import { TestContext } from "../../actors/mod.ts";
 * import { mountLink, ReliableLink } from "./reliable_link.ts";
 * import assert from "node:assert/strict";
 * const link = mountLink("link", new ReliableLink<number>({ deliver: () => {} }));
 * const host = new TestContext<unknown, unknown>("n1");
 * link.send(host, "n2", 7);
 * assert.deepEqual(host.takeSent(), [
 *   { to: "n2", msg: { layer: "link", msg: { type: "data", seq: 0, body: 7 } } },
 * ]);
 * assert.deepEqual(host.timers(), [{ timer: { layer: "link", timer: "retry" }, at: 30 }]);
 * ```
 */
export class Link<B, N extends string = string> extends Mount<N, ReliableLink<B>> {
  /** Sends `body` to `to`, reliably, from the host whose context is `host`. */
  send(host: Context<unknown, unknown>, to: NodeId, body: B): void {
    this.layer.send(this.context(host), to, body);
  }

  /** The link's state (see {@linkcode LinkView}). */
  override inspect(): LinkView {
    return this.layer.inspect();
  }
}

/**
 * Mounts `link` under `name`.
 *
 * @example
 * ```ts
 * import { mountLink, ReliableLink } from "./reliable_link.ts";
 * import assert from "node:assert/strict";
 * assert.equal(mountLink("link", new ReliableLink({ deliver: () => {} })).name, "link");
 * ```
 */
export function mountLink<B, N extends string>(name: N, link: ReliableLink<B>): Link<B, N> {
  return new Link<B, N>(name, link);
}

/**
 * The contract every broadcast protocol here keeps, so that a host actor (or
 * a stronger protocol) stacks on any of them the same way.
 *
 * A broadcast protocol is an actor of its own, a {@linkcode BroadcastLayer}
 * with its own message and timer types, that a host mounts inside itself
 * with {@linkcode mountBroadcast} (the typed form of `mount` from
 * `actors/layer.ts`). The mount namespaces the layer's messages, timers and
 * storage keys under the name the host gives it, so two layers never mistake
 * each other's. The host
 *
 * 1. builds the layer with a `deliver` callback, which the layer calls once
 *    per delivered message, in the order its guarantee promises, with the
 *    host's context (so the host can answer at once);
 * 2. calls `bc.start(ctx)` from its own `onStart` (the layer reads its
 *    durable state back and re-arms its timers after a restart);
 * 3. calls `bc.broadcast(ctx, payload)` to broadcast;
 * 4. routes with one line each: `if (bc.message(ctx, msg, from)) return;`
 *    and `if (bc.timer(ctx, timer)) return;`.
 *
 * A stronger protocol stacks on a weaker one in exactly this way: FIFO and
 * causal broadcast mount a reliable broadcast (which mounts a reliable
 * link), hand it their own small envelope as the payload, and reorder what
 * it delivers. The host's message and timer types say what it carries:
 * `LayerMsg<"bc", CausalMsg<string>>`, or {@linkcode BroadcastMsg} for a
 * layer chosen at run time.
 *
 * Each top-level layer records what it does in the trace as log notes with a
 * stable shape ({@linkcode BroadcastNote}): a `broadcast` note when the host
 * broadcasts, and a `deliver` note right before each delivery to the host.
 * The checkers in `check.ts` read those notes. Layers used inside another
 * layer are built with `log: false`, so only the host's view is recorded.
 *
 * All state a layer needs to keep its promise after a crash (sequence
 * numbers, what it delivered, what it still has to retransmit) is kept in
 * durable storage, under the layer's own keys: a restarted node neither
 * delivers a message twice nor forgets what it owes others.
 *
 * @module
 */

import { type Actor, type Context, hostOf, Mount, type NodeId } from "../../actors/mod.ts";

/**
 * The broadcast protocols of this folder, weakest first.
 *
 * @example
 * ```ts
 * import { BROADCAST_PROTOCOLS } from "./layer.ts";
 * import assert from "node:assert/strict";
 * assert.equal(BROADCAST_PROTOCOLS[0], "best-effort");
 * ```
 */
export const BROADCAST_PROTOCOLS: readonly BroadcastProtocol[] = [
  "best-effort",
  "reliable",
  "fifo",
  "causal",
  "total-sequencer",
  "total-lamport",
];

/** One of {@linkcode BROADCAST_PROTOCOLS}. */
export type BroadcastProtocol =
  | "best-effort"
  | "reliable"
  | "fifo"
  | "causal"
  | "total-sequencer"
  | "total-lamport";

/**
 * A message as the layer hands it to the host.
 *
 * @example
 * ```ts
 * import type { Delivery } from "./layer.ts";
 * import assert from "node:assert/strict";
 * const d: Delivery<string> = { id: "n1#1", origin: "n1", payload: "hello" };
 * assert.equal(d.origin, "n1");
 * ```
 */
export interface Delivery<P> {
  /** Unique per broadcast: `<origin>#<k>` for the origin's k-th broadcast. */
  id: string;
  /** The node that broadcast it. */
  origin: NodeId;
  /** What the origin broadcast. */
  payload: P;
}

/**
 * The callback through which a layer delivers. It gets the host's context
 * (see `hostOf` in `actors/layer.ts`), so the host can react at once: send,
 * or broadcast an answer.
 *
 * @example
 * ```ts
 * import type { Deliver } from "./layer.ts";
 * import { TestContext } from "../../actors/mod.ts";
 * import assert from "node:assert/strict";
 * const seen: string[] = [];
 * const deliver: Deliver<string> = (host, d) => void seen.push(`${host.self} got ${d.payload}`);
 * deliver(new TestContext("n2"), { id: "n1#1", origin: "n1", payload: "hi" });
 * assert.deepEqual(seen, ["n2 got hi"]);
 * ```
 */
export type Deliver<P> = (host: Context<unknown, unknown>, delivery: Delivery<P>) => void;

/**
 * A plain-data view of a broadcast layer's state, for `inspect()`: the
 * protocol, what this node broadcast and delivered, and what it holds back
 * or owes, with the layer underneath (if any) under `below`.
 *
 * @example
 * ```ts
 * import type { BroadcastView } from "./layer.ts";
 * import assert from "node:assert/strict";
 * const v: BroadcastView = { protocol: "fifo", sent: 2, delivered: 5, held: ["n3#2"] };
 * assert.equal(v.held?.length, 1);
 * ```
 */
export interface BroadcastView {
  /** Which protocol this is. */
  protocol: BroadcastProtocol;
  /** Messages this node broadcast. */
  sent: number;
  /** Messages this node delivered. */
  delivered: number;
  /** Ids of messages received but held back for the order's sake. */
  held?: string[];
  /** Protocol-specific state (a vector, a clock, the next number to deliver). */
  [detail: string]: unknown;
}

/**
 * A broadcast protocol as a layer: an actor with messages `M` and timers `T`
 * that a host mounts (see the module documentation), plus the one operation
 * the host calls.
 *
 * @example
 * ```ts
 * import type { BroadcastLayer } from "./layer.ts";
 * import { ReliableBroadcast } from "./reliable.ts";
 * import assert from "node:assert/strict";
 * const rb: BroadcastLayer<string> = new ReliableBroadcast<string>({ nodes: ["n1"], deliver: () => {} });
 * assert.equal(rb.protocol, "reliable");
 * ```
 */
export interface BroadcastLayer<P, M = unknown, T = unknown> extends Actor<M, T> {
  /** Which protocol this is. */
  readonly protocol: BroadcastProtocol;
  /** Broadcasts `payload` to every node (this one included); returns the message id. */
  broadcast(ctx: Context<M, T>, payload: P): string;
  /** A plain-data view of the layer's state. */
  inspect(): BroadcastView;
}

/**
 * A broadcast layer mounted in a host under the name `N`: what a host holds.
 * It routes like any mount (`start`, `message`, `timer`, see
 * `actors/layer.ts`) and broadcasts with the host's own context.
 *
 * @example
 * ```ts
 * import { TestContext } from "../../actors/mod.ts";
 * import { mountBroadcast } from "./layer.ts";
 * import { BestEffortBroadcast } from "./best_effort.ts";
 * import assert from "node:assert/strict";
 *
 * const got: string[] = [];
 * const bc = mountBroadcast("bc", new BestEffortBroadcast<string>({
 *   nodes: ["n1", "n2"],
 *   deliver: (_host, d) => void got.push(d.payload),
 * }));
 * const ctx = new TestContext<unknown, unknown>("n1");
 * bc.start(ctx);
 * assert.equal(bc.broadcast(ctx, "hi"), "n1#1");
 * assert.deepEqual(got, ["hi"]);
 * assert.deepEqual(ctx.takeSent(), [
 *   { to: "n2", msg: { layer: "bc", msg: { type: "message", id: "n1#1", origin: "n1", payload: "hi" } } },
 * ]);
 * ```
 */
export class Broadcast<P, N extends string = string> extends Mount<N, BroadcastLayer<P>> {
  /** Which protocol runs underneath. */
  get protocol(): BroadcastProtocol {
    return this.layer.protocol;
  }

  /** Broadcasts `payload` from the host whose context is `host`; returns the message id. */
  broadcast(host: Context<unknown, unknown>, payload: P): string {
    return this.layer.broadcast(this.context(host), payload);
  }

  /** The layer's state (see {@linkcode BroadcastView}). */
  override inspect(): BroadcastView {
    return this.layer.inspect();
  }
}

/**
 * Mounts the broadcast `layer` under `name` (see the module documentation).
 *
 * @example
 * ```ts
 * import { mountBroadcast } from "./layer.ts";
 * import { CausalBroadcast } from "./causal.ts";
 * import assert from "node:assert/strict";
 * const bc = mountBroadcast("chat", new CausalBroadcast<string>({ nodes: ["n1", "n2"], deliver: () => {} }));
 * assert.equal(bc.name, "chat");
 * assert.equal(bc.protocol, "causal");
 * ```
 */
export function mountBroadcast<P, N extends string>(
  name: N,
  // deno-lint-ignore no-explicit-any
  layer: BroadcastLayer<P, any, any>,
): Broadcast<P, N> {
  return new Broadcast<P, N>(name, layer);
}

/**
 * Options every layer takes.
 *
 * @example
 * ```ts
 * import type { LayerOptions } from "./layer.ts";
 * import assert from "node:assert/strict";
 * const o: LayerOptions<string> = { nodes: ["n1", "n2", "n3"], deliver: () => {} };
 * assert.equal(o.nodes.length, 3);
 * ```
 */
export interface LayerOptions<P> {
  /** Every node in the group, this one included, in the same order everywhere. */
  nodes: readonly NodeId[];
  /** Called once per delivered message. */
  deliver: Deliver<P>;
  /** Write `broadcast` and `deliver` notes to the trace (default true). */
  log?: boolean;
  /** Retransmission interval of the reliable links underneath, ms (default 30). */
  retryMs?: number;
}

/** Name of the log note written when the host broadcasts. */
export const BROADCAST_NOTE = "broadcast";
/** Name of the log note written right before a delivery to the host. */
export const DELIVER_NOTE = "deliver";

/**
 * The data of a {@linkcode BROADCAST_NOTE} or {@linkcode DELIVER_NOTE} log note.
 *
 * @example
 * ```ts
 * import type { BroadcastNote } from "./layer.ts";
 * import assert from "node:assert/strict";
 * const n: BroadcastNote = { protocol: "causal", id: "n2#1", origin: "n2", payload: "hi" };
 * assert.equal(n.id, "n2#1");
 * ```
 */
export interface BroadcastNote {
  /** The protocol that wrote the note. */
  protocol: BroadcastProtocol;
  /** The message id ({@linkcode messageId}). */
  id: string;
  /** The node that broadcast the message. */
  origin: NodeId;
  /** What it broadcast. */
  payload: unknown;
}

/**
 * The id of an origin's k-th broadcast (k from 1).
 *
 * @example
 * ```ts
 * import { messageId } from "./layer.ts";
 * import assert from "node:assert/strict";
 * assert.equal(messageId("n2", 3), "n2#3");
 * ```
 */
export function messageId(origin: NodeId, k: number): string {
  return `${origin}#${k}`;
}

/**
 * Checks a layer's options; throws a {@linkcode TypeError} naming what is wrong.
 *
 * @example
 * ```ts
 * import { checkLayerOptions } from "./layer.ts";
 * import assert from "node:assert/strict";
 * checkLayerOptions("fifo", { nodes: ["n1", "n2"], deliver: () => {} });
 * assert.throws(() => checkLayerOptions("fifo", { nodes: [], deliver: () => {} }), /nodes must list/);
 * ```
 */
export function checkLayerOptions<P>(protocol: BroadcastProtocol, options: LayerOptions<P>): void {
  if (!Array.isArray(options.nodes) || options.nodes.length === 0) {
    throw new TypeError(`${protocol} broadcast: nodes must list the group's node ids`);
  }
  if (new Set(options.nodes).size !== options.nodes.length) {
    throw new TypeError(`${protocol} broadcast: nodes must not repeat, got ${options.nodes}`);
  }
  if (typeof options.deliver !== "function") {
    throw new TypeError(`${protocol} broadcast: deliver must be a function`);
  }
}

/**
 * The common part of a broadcast layer: its options, its notes, and the
 * hand-over to the host. A subclass calls {@linkcode LayerBase.noteBroadcast}
 * when the host broadcasts and {@linkcode LayerBase.deliverToHost} for each
 * message it delivers.
 *
 * @example
 * ```ts
 * import type { Context } from "../../actors/mod.ts";
 * import { TestContext } from "../../actors/mod.ts";
 * import { LayerBase, messageId } from "./layer.ts";
 * import assert from "node:assert/strict";
 *
 * // Delivers only to itself: the smallest layer there is.
 * class Loopback<P> extends LayerBase<P> {
 *   #sent = 0;
 *   broadcast(ctx: Context<never, never>, payload: P): string {
 *     const id = messageId(ctx.self, ++this.#sent);
 *     this.noteBroadcast(ctx, id, payload);
 *     this.deliverToHost(ctx, id, ctx.self, payload);
 *     return id;
 *   }
 *   onMessage(): void {}
 *   inspect() {
 *     return { protocol: this.protocol, sent: this.#sent, delivered: this.#sent };
 *   }
 * }
 * const got: string[] = [];
 * const loop = new Loopback<string>("best-effort", { nodes: ["n1"], deliver: (_h, d) => void got.push(d.id) });
 * const ctx = new TestContext<never, never>("n1");
 * loop.broadcast(ctx, "hi");
 * assert.deepEqual(got, ["n1#1"]);
 * assert.deepEqual(ctx.logs.map((l) => l.note), ["broadcast", "deliver"]);
 * ```
 */
export abstract class LayerBase<P, M = unknown, T = unknown> implements BroadcastLayer<P, M, T> {
  /** Which protocol this is. */
  readonly protocol: BroadcastProtocol;
  /** Every node in the group, this one included. */
  protected readonly nodes: readonly NodeId[];
  readonly #deliver: Deliver<P>;
  readonly #log: boolean;

  /** Checks `options` (see {@linkcode checkLayerOptions}). */
  constructor(protocol: BroadcastProtocol, options: LayerOptions<P>) {
    checkLayerOptions(protocol, options);
    this.protocol = protocol;
    this.nodes = options.nodes;
    this.#deliver = options.deliver;
    this.#log = options.log ?? true;
  }

  /** Broadcasts `payload` to every node (this one included); returns the message id. */
  abstract broadcast(ctx: Context<M, T>, payload: P): string;
  /** Handles one of the layer's messages. */
  abstract onMessage(ctx: Context<M, T>, msg: M, from: NodeId): void;
  /** A plain-data view of the layer's state. */
  abstract inspect(): BroadcastView;

  /** Records that the host broadcast `payload` under `id`. */
  protected noteBroadcast(ctx: Context<M, T>, id: string, payload: P): void {
    if (this.#log) {
      ctx.log(
        BROADCAST_NOTE,
        {
          protocol: this.protocol,
          id,
          origin: ctx.self,
          payload,
        } satisfies BroadcastNote,
      );
    }
  }

  /** Records the delivery, then hands the message to the host. */
  protected deliverToHost(ctx: Context<M, T>, id: string, origin: NodeId, payload: P): void {
    if (this.#log) {
      ctx.log(
        DELIVER_NOTE,
        { protocol: this.protocol, id, origin, payload } satisfies BroadcastNote,
      );
    }
    this.#deliver(hostOf(ctx), { id, origin, payload });
  }
}

/**
 * Throws for a message a layer was handed but has no use for: the host
 * routed it wrongly, which is a bug, not a network event.
 *
 * @example
 * ```ts
 * import { unexpected } from "./layer.ts";
 * import assert from "node:assert/strict";
 * assert.throws(() => unexpected("fifo", { type: "ping" }), /fifo: unexpected message/);
 * ```
 */
export function unexpected(layer: string, msg: unknown): never {
  throw new Error(`${layer}: unexpected message ${JSON.stringify(msg)}`);
}

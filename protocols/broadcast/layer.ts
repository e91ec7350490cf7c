/**
 * The contract every broadcast protocol here keeps, so that a host actor (or
 * another protocol) can stack on any of them the same way.
 *
 * A broadcast layer is not an actor of its own: it lives inside a host actor
 * and uses the host's context. The host
 *
 * 1. builds the layer with a `deliver` callback, which the layer calls once
 *    per delivered message, in the order its guarantee promises;
 * 2. calls `onStart(ctx)` from its own `onStart` (the layer reads its durable
 *    state back and re-arms its timers after a restart);
 * 3. calls `broadcast(ctx, payload)` to broadcast;
 * 4. routes incoming messages: `if (layer.handles(msg)) layer.onMessage(ctx, msg, from)`;
 * 5. routes timers: `if (layer.onTimer(ctx, name)) return;` (the layer's
 *    timer names start with its channel name, so they never clash).
 *
 * A stronger protocol stacks on a weaker one in exactly this way: FIFO and
 * causal broadcast own a reliable broadcast, hand it their own small
 * envelope as the payload, and reorder what it delivers. The host's message
 * type must include the layer's wire messages (`BroadcastWire`, in
 * `create.ts`).
 *
 * Each top-level layer records what it does in the trace as log notes with a
 * stable shape ({@linkcode BroadcastNote}): a `broadcast` note when the host
 * broadcasts, and a `deliver` note right before each delivery to the host.
 * The checkers in `check.ts` read those notes. Layers used inside another
 * layer are built with `log: false`, so only the host's view is recorded.
 *
 * All state a layer needs to keep its promise after a crash (sequence
 * numbers, what it delivered, what it still has to retransmit) is kept in
 * durable storage under keys starting with its channel name: the delivered
 * messages are part of the host's durable state, so a restarted node neither
 * delivers a message twice nor forgets what it owes others.
 *
 * @module
 */

import type { Context, NodeId } from "../../actors/mod.ts";

/**
 * The broadcast protocols of this folder, weakest first.
 *
 * @example
 * ```ts
 * import { BROADCAST_PROTOCOLS } from "./layer.ts";
 * BROADCAST_PROTOCOLS[0]; // "best-effort"
 * ```
 */
export const BROADCAST_PROTOCOLS = [
  "best-effort",
  "reliable",
  "fifo",
  "causal",
  "total-sequencer",
  "total-lamport",
] as const;

/** One of {@linkcode BROADCAST_PROTOCOLS}. */
export type BroadcastProtocol = typeof BROADCAST_PROTOCOLS[number];

/**
 * A message as the layer hands it to the host.
 *
 * @example
 * ```ts
 * import type { Delivery } from "./layer.ts";
 * const d: Delivery<string> = { id: "n1#1", origin: "n1", payload: "hello" };
 * ```
 */
export interface Delivery<P> {
  /** Unique per broadcast: `<origin>#<k>` for the origin's k-th broadcast. */
  id: string;
  /** The node that broadcast it. */
  origin: NodeId;
  payload: P;
}

/**
 * The callback through which a layer delivers. It gets the host's context,
 * so the host can react at once (send, or broadcast an answer).
 *
 * @example
 * ```ts
 * import type { Deliver } from "./layer.ts";
 * const log: string[] = [];
 * const deliver: Deliver<string> = (_ctx, d) => void log.push(`${d.origin}: ${d.payload}`);
 * ```
 */
export type Deliver<P> = (ctx: Context<unknown>, delivery: Delivery<P>) => void;

/**
 * What every broadcast layer offers its host (see the module documentation
 * for how a host wires it in).
 *
 * @example
 * ```ts
 * import type { Actor, Context, NodeId } from "../../actors/mod.ts";
 * import type { Broadcast } from "./layer.ts";
 *
 * class Host implements Actor<unknown> {
 *   constructor(readonly layer: Broadcast<string>) {}
 *   onStart(ctx: Context<unknown>) {
 *     this.layer.onStart(ctx);
 *   }
 *   onMessage(ctx: Context<unknown>, msg: unknown, from: NodeId) {
 *     if (this.layer.handles(msg)) this.layer.onMessage(ctx, msg, from);
 *   }
 *   onTimer(ctx: Context<unknown>, name: string) {
 *     if (this.layer.onTimer(ctx, name)) return;
 *   }
 * }
 * ```
 */
export interface Broadcast<P> {
  /** Which protocol this is. */
  readonly protocol: BroadcastProtocol;
  /** Reads durable state back and re-arms timers; call from the host's `onStart`. */
  onStart(ctx: Context<unknown>): void;
  /** Broadcasts `payload` to every node (this one included); returns the message id. */
  broadcast(ctx: Context<unknown>, payload: P): string;
  /** Whether `msg` is one of this layer's wire messages. */
  handles(msg: unknown): boolean;
  /** Handles one of this layer's wire messages (check {@linkcode Broadcast.handles} first). */
  onMessage(ctx: Context<unknown>, msg: unknown, from: NodeId): void;
  /** Handles the timer `name` if it is this layer's; returns whether it was. */
  onTimer(ctx: Context<unknown>, name: string): boolean;
}

/**
 * Options every layer takes.
 *
 * @example
 * ```ts
 * import type { LayerOptions } from "./layer.ts";
 * const o: LayerOptions<string> = { nodes: ["n1", "n2", "n3"], deliver: () => {} };
 * ```
 */
export interface LayerOptions<P> {
  /** Every node in the group, this one included, in the same order everywhere. */
  nodes: readonly NodeId[];
  /** Called once per delivered message. */
  deliver: Deliver<P>;
  /**
   * Prefix of this layer's wire messages, timers and storage keys (default:
   * the protocol name). Two layers in one host need different channels.
   */
  channel?: string;
  /** Write `broadcast` and `deliver` notes to the trace (default true). */
  log?: boolean;
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
 * const n: BroadcastNote = { protocol: "causal", id: "n2#1", origin: "n2", payload: "hi" };
 * ```
 */
export interface BroadcastNote {
  protocol: BroadcastProtocol;
  id: string;
  origin: NodeId;
  payload: unknown;
}

/**
 * Writes a broadcast or deliver note when `enabled`.
 *
 * @example
 * ```ts
 * import { recordNote } from "./layer.ts";
 * import type { Context } from "../../actors/mod.ts";
 * const noted = (ctx: Context<unknown>) =>
 *   recordNote(ctx, true, "deliver", { protocol: "fifo", id: "n1#1", origin: "n1", payload: 1 });
 * ```
 */
export function recordNote(
  ctx: Context<unknown>,
  enabled: boolean,
  note: typeof BROADCAST_NOTE | typeof DELIVER_NOTE,
  data: BroadcastNote,
): void {
  if (enabled) ctx.log(note, data);
}

/**
 * The id of an origin's k-th broadcast (k from 1).
 *
 * @example
 * ```ts
 * import { messageId } from "./layer.ts";
 * messageId("n2", 3); // "n2#3"
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
 * checkLayerOptions("fifo", { nodes: ["n1", "n2"], deliver: () => {} });
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

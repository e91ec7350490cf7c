/**
 * The actor layer: what a protocol participant is, with no simulation inside.
 *
 * @example
 * ```ts
 * import type { Actor, Context } from "./mod.ts";
 * type Msg = { type: "ping" } | { type: "pong" };
 * const echo: Actor<Msg> = {
 *   onMessage(ctx: Context<Msg>, msg: Msg, from: string) {
 *     if (msg.type === "ping") ctx.send(from, { type: "pong" });
 *   },
 * };
 * ```
 *
 * @module
 */

export type { Actor, ActorFactory, Context, OpId, OpStatus } from "./actor.ts";
export { checkNodeId, NODE_ID_PATTERN, type NodeId } from "./node_id.ts";
export { MemoryStorage, type Storage } from "./storage.ts";

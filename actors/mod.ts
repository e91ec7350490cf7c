/**
 * The actor layer: what a protocol participant is, with no simulation
 * inside. An {@linkcode Actor} handles messages and typed timers through its
 * {@linkcode Context}; {@linkcode mount} stacks protocol layers inside one
 * actor; {@linkcode TestContext} unit-tests a handler without a simulation.
 *
 * @example
 * ```ts
 * import { type Actor, type Context, TestContext } from "./mod.ts";
 * import assert from "node:assert/strict";
 * type Msg = { type: "ping" } | { type: "pong" };
 * const echo: Actor<Msg> = {
 *   onMessage(ctx: Context<Msg>, msg: Msg, from: string) {
 *     if (msg.type === "ping") ctx.send(from, { type: "pong" });
 *   },
 * };
 * const ctx = new TestContext<Msg>("b");
 * ctx.deliver(echo, { type: "ping" }, "a");
 * assert.deepEqual(ctx.takeSent(), [{ to: "a", msg: { type: "pong" } }]);
 * ```
 *
 * @module
 */

export type { Actor, ActorFactory, Context, MessageOf, OpId, OpStatus, TimerOf } from "./actor.ts";
export {
  ContractError,
  handlerReturned,
  safeTimerName,
  sentMessage,
  setTimerValue,
} from "./contract_checks.ts";
export { hostOf, type LayerMsg, type LayerTimer, Mount, mount, unwrapLayers } from "./layer.ts";
export { checkNodeId, NODE_ID_PATTERN, type NodeId } from "./node_id.ts";
export { frozenPlain, notPlainData, NotPlainDataError, plainCopy } from "./plain_data.ts";
export { MemoryStorage, type Storage } from "./storage.ts";
export {
  type PendingTimer,
  type RecordedOp,
  type Sent,
  TestContext,
  type TestContextOptions,
} from "./test_context.ts";
export { timerKey, timerName } from "./timer_key.ts";

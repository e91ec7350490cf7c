/**
 * Answering Maelstrom requests from an actor. A request body carries a
 * `msg_id`; its reply names it in `in_reply_to`. These helpers are all a
 * Gossip Glomers solution needs to speak the protocol, here and under
 * Maelstrom alike.
 *
 * @module
 */

import type { Context, NodeId } from "../../actors/mod.ts";
import { type Body, errorBody } from "../../runtime/maelstrom_protocol.ts";

/**
 * Sends `body` to `to` as the reply to `request`.
 *
 * @example
 * ```ts
 * import { reply } from "./rpc.ts";
 * import { TestContext } from "../../actors/test_context.ts";
 * import assert from "node:assert/strict";
 * const ctx = new TestContext("n1");
 * reply(ctx, "c1", { type: "echo", msg_id: 7, echo: "x" }, { type: "echo_ok", echo: "x" });
 * assert.deepEqual(ctx.takeSent(), [
 *   { to: "c1", msg: { type: "echo_ok", echo: "x", in_reply_to: 7 } },
 * ]);
 * ```
 */
export function reply<B extends Body>(
  // deno-lint-ignore no-explicit-any
  ctx: Context<any, any>,
  to: NodeId,
  request: Body,
  body: B,
): void {
  ctx.send(to, { ...body, in_reply_to: request.msg_id });
}

/**
 * Sends Maelstrom error `code` (see `ErrorCode`) to `to` as the reply to `request`.
 *
 * @example
 * ```ts
 * import { replyError } from "./rpc.ts";
 * import { ErrorCode } from "../../runtime/maelstrom_protocol.ts";
 * import { TestContext } from "../../actors/test_context.ts";
 * import assert from "node:assert/strict";
 * const ctx = new TestContext("n1");
 * replyError(ctx, "c1", { type: "read", msg_id: 3 }, ErrorCode.keyDoesNotExist, "no such key");
 * assert.deepEqual(ctx.takeSent()[0].msg, {
 *   type: "error", in_reply_to: 3, code: 20, text: "no such key",
 * });
 * ```
 */
export function replyError(
  // deno-lint-ignore no-explicit-any
  ctx: Context<any, any>,
  to: NodeId,
  request: Body,
  code: number,
  text: string,
): void {
  ctx.send(to, errorBody(request, code, text));
}

/**
 * Gossip Glomers challenge 1, echo: answer every `echo` with an `echo_ok`
 * carrying the same payload. Run it in the simulator with
 * `deno task sim run maelstrom-echo`, as processes with
 * `deno task cluster maelstrom-echo`, and under Maelstrom with
 * `maelstrom test -w echo --bin <wrapper> --node-count 1 --time-limit 10`
 * (the wrapper runs `deno task maelstrom examples/maelstrom/echo.ts#echoNode`).
 *
 * @module
 */

import type { Actor, Context, NodeId } from "../../actors/mod.ts";
import type { EchoRequest } from "../../protocols/maelstrom/echo.ts";
import { reply } from "../../protocols/maelstrom/rpc.ts";

/**
 * The echo server.
 *
 * @example
 * ```ts
 * import { EchoNode } from "./echo.ts";
 * import { TestContext } from "../../actors/test_context.ts";
 * import assert from "node:assert/strict";
 * const ctx = new TestContext("n1");
 * new EchoNode().onMessage(ctx, { type: "echo", msg_id: 1, echo: "hi" }, "c1");
 * assert.deepEqual(ctx.takeSent()[0].msg, { type: "echo_ok", echo: "hi", in_reply_to: 1 });
 * ```
 */
export class EchoNode implements Actor<EchoRequest> {
  onMessage(ctx: Context<EchoRequest>, msg: EchoRequest, from: NodeId): void {
    if (msg.type === "echo") reply(ctx, from, msg, { type: "echo_ok", echo: msg.echo });
  }
}

/**
 * The factory processes and Maelstrom load: `examples/maelstrom/echo.ts#echoNode`.
 *
 * @example
 * ```ts
 * import { echoNode } from "./echo.ts";
 * import assert from "node:assert/strict";
 * assert.equal(typeof echoNode().onMessage, "function");
 * ```
 */
export const echoNode = (): EchoNode => new EchoNode();

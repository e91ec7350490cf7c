/**
 * Actors that the runtime tests start as real processes
 * (`tests/_runtime_actors.ts#counterNode`).
 *
 * @module
 */

import type { Actor, Context, NodeId } from "../actors/mod.ts";

/** What a counter node understands and answers. */
export type CounterMsg =
  | { type: "add"; n: number; id: number }
  | { type: "added"; id: number; total: number }
  | { type: "get"; id: number }
  | { type: "total"; id: number; total: number; starts: number };

/**
 * A counter whose total lives in storage; it answers an `add` only once the
 * new total is durable, so every acknowledged add must survive a kill.
 *
 * @example
 * ```ts
 * import { counterNode } from "./_runtime_actors.ts";
 * import { TestContext } from "../actors/test_context.ts";
 * import assert from "node:assert/strict";
 * const ctx = new TestContext<import("./_runtime_actors.ts").CounterMsg>("n1");
 * const node = counterNode();
 * node.onStart!(ctx);
 * node.onMessage(ctx, { type: "add", n: 2, id: 1 }, "c1");
 * assert.deepEqual(ctx.takeSent()[0].msg, { type: "added", id: 1, total: 2 });
 * ```
 */
export function counterNode(): Actor<CounterMsg> {
  let total = 0;
  let starts = 0;
  return {
    onStart(ctx: Context<CounterMsg>) {
      total = ctx.storage.get<number>("total") ?? 0;
      starts = (ctx.storage.get<number>("starts") ?? 0) + 1;
      ctx.storage.set("starts", starts);
    },
    onMessage(ctx: Context<CounterMsg>, msg: CounterMsg, from: NodeId) {
      if (msg.type === "add") {
        total += msg.n;
        ctx.storage.set("total", total);
        ctx.send(from, { type: "added", id: msg.id, total });
      } else if (msg.type === "get") {
        ctx.send(from, { type: "total", id: msg.id, total, starts });
      }
    },
  };
}

/**
 * A node whose handler throws on `{ "type": "boom" }`: what a bug looks like
 * to the runtime.
 *
 * @example
 * ```ts
 * import { throwingNode } from "./_runtime_actors.ts";
 * import { TestContext } from "../actors/test_context.ts";
 * import assert from "node:assert/strict";
 * assert.throws(() => throwingNode().onMessage(new TestContext("n1"), { type: "boom" }, "c1"), /boom/);
 * ```
 */
export function throwingNode(): Actor<{ type: string }> {
  return {
    onMessage(_ctx, msg) {
      if (msg.type === "boom") throw new Error("boom: a bug in the handler");
    },
  };
}

/**
 * A "key-value store" in which every node keeps its own map: each node is
 * consistent alone, and the cluster is not linearizable. The cluster test
 * runs it to see the checker fail on real processes.
 *
 * @example
 * ```ts
 * import { separateKvNode } from "./_runtime_actors.ts";
 * import { TestContext } from "../actors/test_context.ts";
 * import assert from "node:assert/strict";
 * const ctx = new TestContext<{ type: string; [k: string]: unknown }>("n1");
 * const node = separateKvNode();
 * node.onMessage(ctx, { type: "write", msg_id: 1, key: 0, value: 3 }, "c1");
 * node.onMessage(ctx, { type: "read", msg_id: 2, key: 0 }, "c1");
 * assert.deepEqual(ctx.takeSent()[1].msg, { type: "read_ok", value: 3, in_reply_to: 2 });
 * ```
 */
export function separateKvNode(): Actor<{ type: string; [k: string]: unknown }> {
  const map = new Map<unknown, unknown>();
  return {
    onMessage(ctx, msg, from) {
      const in_reply_to = msg.msg_id;
      switch (msg.type) {
        case "read":
          return ctx.send(
            from,
            map.has(msg.key)
              ? { type: "read_ok", value: map.get(msg.key), in_reply_to }
              : { type: "error", code: 20, in_reply_to },
          );
        case "write":
          map.set(msg.key, msg.value);
          return ctx.send(from, { type: "write_ok", in_reply_to });
        case "cas":
          if (map.get(msg.key) !== msg.from) {
            return ctx.send(from, { type: "error", code: 22, in_reply_to });
          }
          map.set(msg.key, msg.to);
          return ctx.send(from, { type: "cas_ok", in_reply_to });
      }
    },
  };
}

/**
 * Gossip Glomers challenge 2, unique ids: every node answers `generate` on
 * its own, with no coordination, so partitions cannot stop it. An id is the
 * node's id and a counter; the counter reaches storage before the id leaves
 * (the runtime commits storage before releasing a handler's sends), so a
 * node that crashes and restarts never hands out an id twice.
 *
 * @module
 */

import type { Actor, Context, NodeId } from "../../actors/mod.ts";
import { reply } from "../../protocols/maelstrom/rpc.ts";
import type { GenerateRequest } from "../../protocols/maelstrom/unique_ids.ts";

/**
 * The id generator.
 *
 * @example
 * ```ts
 * import { UniqueIdsNode } from "./unique_ids.ts";
 * import { TestContext } from "../../actors/test_context.ts";
 * import assert from "node:assert/strict";
 * const ctx = new TestContext("n2");
 * const node = new UniqueIdsNode();
 * node.onStart(ctx);
 * node.onMessage(ctx, { type: "generate", msg_id: 1 }, "c1");
 * assert.deepEqual(ctx.takeSent()[0].msg, { type: "generate_ok", id: "n2-1", in_reply_to: 1 });
 * const restarted = new UniqueIdsNode(); // same storage: it goes on from 1
 * restarted.onStart(ctx);
 * restarted.onMessage(ctx, { type: "generate", msg_id: 2 }, "c1");
 * assert.equal((ctx.takeSent()[0].msg as { id: string }).id, "n2-2");
 * ```
 */
export class UniqueIdsNode implements Actor<GenerateRequest> {
  #issued = 0;

  onStart(ctx: Context<GenerateRequest>): void {
    this.#issued = ctx.storage.get<number>("issued") ?? 0;
  }

  onMessage(ctx: Context<GenerateRequest>, msg: GenerateRequest, from: NodeId): void {
    if (msg.type !== "generate") return;
    this.#issued++;
    ctx.storage.set("issued", this.#issued);
    reply(ctx, from, msg, { type: "generate_ok", id: `${ctx.self}-${this.#issued}` });
  }

  inspect(): unknown {
    return { issued: this.#issued };
  }
}

/**
 * The factory processes and Maelstrom load: `examples/maelstrom/unique_ids.ts#uniqueIdsNode`.
 *
 * @example
 * ```ts
 * import { uniqueIdsNode } from "./unique_ids.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(uniqueIdsNode().inspect(), { issued: 0 });
 * ```
 */
export const uniqueIdsNode = (): UniqueIdsNode => new UniqueIdsNode();

/**
 * Gossip Glomers challenge 3, broadcast: every node must end up with every
 * message, despite partitions (3c) and, here, crashes too.
 *
 * A new message is pushed to every other node at once; then, every
 * `syncMs`, each node sends each peer what that peer has not acknowledged
 * yet (anti-entropy), so whatever a partition or a crash lost is repaired
 * once the network heals. Messages are kept in storage, one key each, so a
 * restarted node still has them. The topology Maelstrom suggests is
 * acknowledged and ignored: pushing to every node is what makes this
 * tolerant of partitions, at the price of more messages.
 *
 * @module
 */

import type { Actor, Context, NodeId } from "../../actors/mod.ts";
import type { BroadcastRequest } from "../../protocols/maelstrom/broadcast.ts";
import { reply } from "../../protocols/maelstrom/rpc.ts";
import { canonical } from "../../sim/check/models.ts";

/** What nodes say to each other, besides the workload's requests and replies. */
export type GossipMsg =
  | { type: "gossip"; messages: unknown[] }
  | { type: "gossip_ok"; messages: unknown[] };

/** Everything a broadcast node sends or receives. */
export type BroadcastNodeMsg = BroadcastRequest | GossipMsg | {
  type: "topology_ok" | "broadcast_ok" | "read_ok";
  [field: string]: unknown;
};

/** Most messages in one gossip message: a bound on its size. */
const BATCH = 512;
/** Storage keys of messages start with this. */
const PREFIX = "m/";

/**
 * A broadcast node.
 *
 * @example
 * ```ts
 * import { BroadcastNode } from "./broadcast.ts";
 * import { TestContext } from "../../actors/test_context.ts";
 * import assert from "node:assert/strict";
 * const ctx = new TestContext<import("./broadcast.ts").BroadcastNodeMsg, "sync">("n1");
 * const node = new BroadcastNode(["n1", "n2"]);
 * node.onStart(ctx);
 * node.onMessage(ctx, { type: "broadcast", msg_id: 1, message: 7 }, "c1");
 * assert.deepEqual(ctx.takeSent(), [
 *   { to: "c1", msg: { type: "broadcast_ok", in_reply_to: 1 } },
 *   { to: "n2", msg: { type: "gossip", messages: [7] } },
 * ]);
 * node.onMessage(ctx, { type: "read", msg_id: 2 }, "c1");
 * assert.deepEqual(ctx.takeSent()[0].msg, { type: "read_ok", messages: [7], in_reply_to: 2 });
 * ```
 */
export class BroadcastNode implements Actor<BroadcastNodeMsg, "sync"> {
  /** Every message, by its canonical text. */
  #messages = new Map<string, unknown>();
  /** Per peer, the messages it is known to have. */
  #known = new Map<NodeId, Set<string>>();
  #peers: NodeId[] = [];

  constructor(readonly nodes: readonly NodeId[], readonly syncMs = 200) {}

  onStart(ctx: Context<BroadcastNodeMsg, "sync">): void {
    this.#peers = this.nodes.filter((n) => n !== ctx.self);
    for (const peer of this.#peers) this.#known.set(peer, new Set());
    for (const key of ctx.storage.keys()) {
      if (key.startsWith(PREFIX)) {
        this.#messages.set(key.slice(PREFIX.length), ctx.storage.get(key));
      }
    }
    ctx.setTimer("sync", this.syncMs);
  }

  onMessage(ctx: Context<BroadcastNodeMsg, "sync">, msg: BroadcastNodeMsg, from: NodeId): void {
    switch (msg.type) {
      case "topology":
        return reply(ctx, from, msg, { type: "topology_ok" });
      case "broadcast": {
        const fresh = this.#add(ctx, [msg.message]);
        reply(ctx, from, msg, { type: "broadcast_ok" });
        for (const peer of this.#peers) {
          if (fresh.length > 0) ctx.send(peer, { type: "gossip", messages: fresh });
        }
        return;
      }
      case "read":
        return reply(ctx, from, msg, { type: "read_ok", messages: [...this.#messages.values()] });
      case "gossip":
        this.#add(ctx, msg.messages);
        this.#learn(from, msg.messages);
        return ctx.send(from, { type: "gossip_ok", messages: msg.messages });
      case "gossip_ok":
        return this.#learn(from, msg.messages);
      default:
        return; // replies meant for clients
    }
  }

  onTimer(ctx: Context<BroadcastNodeMsg, "sync">): void {
    // Anti-entropy: each peer gets what it has not acknowledged.
    for (const peer of this.#peers) {
      const known = this.#known.get(peer)!;
      const missing: unknown[] = [];
      for (const [key, value] of this.#messages) {
        if (known.has(key)) continue;
        missing.push(value);
        if (missing.length === BATCH) break;
      }
      if (missing.length > 0) ctx.send(peer, { type: "gossip", messages: missing });
    }
    ctx.setTimer("sync", this.syncMs);
  }

  inspect(): unknown {
    return { messages: this.#messages.size };
  }

  /** Adds messages, durably; returns those that were new. */
  #add(ctx: Context<BroadcastNodeMsg, "sync">, messages: readonly unknown[]): unknown[] {
    const fresh: unknown[] = [];
    for (const m of messages) {
      const key = canonical(m);
      if (this.#messages.has(key)) continue;
      this.#messages.set(key, m);
      ctx.storage.set(PREFIX + key, m);
      fresh.push(m);
    }
    return fresh;
  }

  #learn(peer: NodeId, messages: readonly unknown[]): void {
    const known = this.#known.get(peer);
    if (known !== undefined) { for (const m of messages) known.add(canonical(m)); }
  }
}

/**
 * The factory processes and Maelstrom load: `examples/maelstrom/broadcast.ts#broadcastNode`.
 *
 * @example
 * ```ts
 * import { broadcastNode } from "./broadcast.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(broadcastNode("n1", ["n1", "n2"]).inspect(), { messages: 0 });
 * ```
 */
export const broadcastNode = (_id: NodeId, nodes: readonly NodeId[]): BroadcastNode =>
  new BroadcastNode(nodes);

/**
 * Epidemic broadcast (gossip). A node that hears a new rumour becomes
 * infective: for a few rounds it pushes the rumour to `fanout` random peers.
 * Push alone can miss a node when messages are lost or a node is down, so
 * every node also runs slow anti-entropy: it sends a digest of what it knows
 * to one random peer, which answers with the rumours the digest lacks
 * (push-pull, as in Demers et al., "Epidemic algorithms for replicated
 * database maintenance", 1987).
 *
 * @module
 */

import type { Actor, Context, NodeId } from "../../actors/mod.ts";

/**
 * Messages of the gossip protocol.
 *
 * @example
 * ```ts
 * import type { GossipMsg } from "./gossip.ts";
 * import assert from "node:assert/strict";
 * const m: GossipMsg = { type: "rumours", ids: ["r1"] };
 * assert.deepEqual(m.ids, ["r1"]);
 * ```
 */
export type GossipMsg =
  /** Rumours pushed to a peer. */
  | { type: "rumours"; ids: string[] }
  /** Anti-entropy: what the sender knows; the receiver answers with what it lacks. */
  | { type: "digest"; ids: string[] };

/**
 * The timers of a gossiping node: the next push round, the next
 * anti-entropy exchange, and the moment to start rumour `id`.
 *
 * @example
 * ```ts
 * import type { GossipTimer } from "./gossip.ts";
 * import assert from "node:assert/strict";
 * const t: GossipTimer = { type: "originate", id: "r1" };
 * assert.equal(t.type, "originate");
 * ```
 */
export type GossipTimer =
  | { type: "round" }
  | { type: "anti-entropy" }
  | { type: "originate"; id: string };

/**
 * A plain-data view of a gossiping node, from {@linkcode GossipNode.inspect}.
 *
 * @example
 * ```ts
 * import type { GossipView } from "./gossip.ts";
 * import assert from "node:assert/strict";
 * const v: GossipView = { known: ["r1", "r2"], hot: { r2: 1 } };
 * assert.equal(v.known.length, 2);
 * ```
 */
export interface GossipView {
  /** Rumours heard, sorted. */
  known: string[];
  /** Rumour id -> push rounds left. */
  hot: Record<string, number>;
}

/**
 * Gossip tuning.
 *
 * @example
 * ```ts
 * import type { GossipConfig } from "./gossip.ts";
 * import assert from "node:assert/strict";
 * const c: GossipConfig = { peers: ["n2", "n3"], fanout: 2, hotRounds: 3, roundMs: 20, antiEntropyMs: 100, originate: [] };
 * assert.equal(c.fanout, 2);
 * ```
 */
export interface GossipConfig {
  /** The other nodes. */
  peers: NodeId[];
  /** Peers pushed to per round. */
  fanout: number;
  /** Rounds a rumour stays hot (pushed) after a node first hears it. */
  hotRounds: number;
  /** Time between push rounds, ms. */
  roundMs: number;
  /** Time between anti-entropy exchanges, ms. */
  antiEntropyMs: number;
  /** Rumours this node starts, with the local time at which it starts each. */
  originate: Array<{ id: string; atMs: number }>;
}

/**
 * One gossiping node. What it knows is durable; which rumours are hot is not.
 *
 * @example
 * ```ts
 * import { TestContext } from "../../actors/mod.ts";
 * import { GossipNode, type GossipMsg, type GossipTimer } from "./gossip.ts";
 * import assert from "node:assert/strict";
 *
 * const n = new GossipNode({
 *   peers: ["n2"], fanout: 1, hotRounds: 2, roundMs: 10, antiEntropyMs: 50,
 *   originate: [{ id: "r1", atMs: 20 }],
 * });
 * const ctx = new TestContext<GossipMsg, GossipTimer>("n1");
 * ctx.start(n);
 * ctx.advance(20);
 * ctx.fire(n, { type: "originate", id: "r1" });
 * assert.deepEqual(ctx.takeSent(), [{ to: "n2", msg: { type: "rumours", ids: ["r1"] } }]);
 * assert.deepEqual(n.inspect(), { known: ["r1"], hot: { r1: 1 } });
 * ```
 */
export class GossipNode implements Actor<GossipMsg, GossipTimer> {
  /** Rumour ids this node has heard (durable). */
  known: Set<string> = new Set<string>();
  /** Rumour id -> push rounds left. */
  hot: Map<string, number> = new Map<string, number>();

  /** A node with the tuning `config`. */
  constructor(readonly config: GossipConfig) {}

  /** Reads what it knows back, plans its own rumours, and starts anti-entropy. */
  onStart(ctx: Context<GossipMsg, GossipTimer>): void {
    this.known = new Set(ctx.storage.get<string[]>("known") ?? []);
    for (const { id, atMs } of this.config.originate) {
      if (!this.known.has(id)) {
        ctx.setTimer({ type: "originate", id }, Math.max(0, atMs - ctx.now()));
      }
    }
    ctx.setTimer({ type: "anti-entropy" }, this.config.antiEntropyMs * (0.5 + ctx.random()));
  }

  /** Learns pushed rumours; answers a digest with what the sender lacks. */
  onMessage(ctx: Context<GossipMsg, GossipTimer>, msg: GossipMsg, from: NodeId): void {
    switch (msg.type) {
      case "rumours":
        this.#learn(ctx, msg.ids);
        return;
      case "digest": {
        const theirs = new Set(msg.ids);
        const missing = [...this.known].filter((id) => !theirs.has(id));
        // Anti-entropy at work: a peer lacked what push gossip should have brought.
        ctx.sometimes("anti-entropy repaired a peer", missing.length > 0);
        if (missing.length > 0) ctx.send(from, { type: "rumours", ids: missing });
        // What they know and we do not, we learn by pushing our digest back.
        if (msg.ids.some((id) => !this.known.has(id)) && missing.length === 0) {
          ctx.send(from, { type: "digest", ids: [...this.known] });
        }
        return;
      }
      default: {
        const never: never = msg;
        throw new Error(`unexpected message ${JSON.stringify(never)}`);
      }
    }
  }

  /** A push round, an anti-entropy exchange, or the start of a rumour. */
  onTimer(ctx: Context<GossipMsg, GossipTimer>, timer: GossipTimer): void {
    switch (timer.type) {
      case "round":
        return this.#pushRound(ctx);
      case "anti-entropy":
        if (this.config.peers.length > 0) {
          ctx.send(this.#randomPeer(ctx), { type: "digest", ids: [...this.known] });
        }
        ctx.setTimer({ type: "anti-entropy" }, this.config.antiEntropyMs);
        return;
      case "originate":
        ctx.log(`originate ${timer.id}`);
        return this.#learn(ctx, [timer.id]);
      default: {
        const never: never = timer;
        throw new Error(`unexpected timer ${JSON.stringify(never)}`);
      }
    }
  }

  /** What it knows and what it still pushes. */
  inspect(): GossipView {
    return { known: [...this.known].sort(), hot: Object.fromEntries(this.hot) };
  }

  #learn(ctx: Context<GossipMsg, GossipTimer>, ids: string[]): void {
    const fresh = ids.filter((id) => !this.known.has(id));
    if (fresh.length === 0) return;
    for (const id of fresh) {
      this.known.add(id);
      this.hot.set(id, this.config.hotRounds);
    }
    ctx.storage.set("known", [...this.known]);
    ctx.log(`learned ${fresh.join(",")}`);
    // Push at once, unless a round is already due: it will carry these too.
    if (!this.#roundScheduled) this.#pushRound(ctx);
  }

  #roundScheduled = false;

  #pushRound(ctx: Context<GossipMsg, GossipTimer>): void {
    this.#roundScheduled = false;
    const ids = [...this.hot.keys()];
    if (ids.length === 0) return;
    const targets = new Set<NodeId>();
    const want = Math.min(this.config.fanout, this.config.peers.length);
    while (targets.size < want) targets.add(this.#randomPeer(ctx));
    for (const peer of targets) ctx.send(peer, { type: "rumours", ids });
    for (const id of ids) {
      const left = this.hot.get(id)! - 1;
      if (left <= 0) this.hot.delete(id);
      else this.hot.set(id, left);
    }
    if (this.hot.size > 0) {
      this.#roundScheduled = true;
      ctx.setTimer({ type: "round" }, this.config.roundMs);
    }
  }

  #randomPeer(ctx: Context<GossipMsg, GossipTimer>): NodeId {
    const peers = this.config.peers;
    return peers[Math.floor(ctx.random() * peers.length)];
  }
}

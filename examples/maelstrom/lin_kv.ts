/**
 * Maelstrom's `lin-kv` workload on the project's Raft: every node runs a
 * `RaftNode` unchanged, and a thin front translates between Maelstrom's
 * requests and Raft's client protocol.
 *
 * A `read`, `write` or `cas` from a client becomes a Raft `ClientRequest`
 * from that client, its `msg_id` the session's sequence number (Maelstrom's
 * clients number their requests upwards, which is what Raft's exactly-once
 * sessions need). Maelstrom's clients do not follow redirects, so when the
 * node is not the leader the front forwards the request to the leader Raft
 * names (a `proxy` message), and the leader's answer comes back through the
 * node the client asked (`proxy_reply`). Keys and values travel through
 * Raft as JSON text; a read of a missing key is error 20, a `cas` that does
 * not match error 22, and no known leader error 11.
 *
 * @module
 */

import type { Actor, Context, NodeId } from "../../actors/mod.ts";
import type { KvRequest } from "../../protocols/maelstrom/lin_kv.ts";
import { type KvOp, type KvResult, type RaftMsg, RaftNode } from "../../protocols/raft/mod.ts";
import { ErrorCode } from "../../runtime/maelstrom_protocol.ts";

/** What the front adds to Raft's messages: requests forwarded to the leader and their answers. */
export type FrontMsg =
  | { type: "proxy"; client: NodeId; origin: NodeId; hops: number; request: KvRequest }
  | { type: "proxy_reply"; client: NodeId; body: Reply };

/** A Maelstrom reply body. */
type Reply = { type: string; in_reply_to?: number; [field: string]: unknown };

/** Everything a lin-kv node sends or receives. */
export type LinKvMsg = KvRequest | RaftMsg | FrontMsg | Reply;

/** Raft's context and timers, as its node declares them. */
type RaftContext = Parameters<RaftNode["onStart"]>[0];
type RaftTimer = Parameters<RaftNode["onTimer"]>[1];

/** A client request this node handed to Raft, until Raft answers it. */
interface Pending {
  request: KvRequest;
  /** The node the client asked, which sends the reply; this node when it was asked. */
  origin: NodeId;
  hops: number;
}

/** Most forwards before a request gives up with error 11 (leader hints can be stale). */
const MAX_HOPS = 3;
/** Most requests waiting for Raft at once; the oldest are forgotten (their clients time out). */
const MAX_PENDING = 10_000;

/**
 * A lin-kv node: Raft behind Maelstrom's protocol.
 *
 * @example
 * ```ts
 * import { LinKvNode } from "./lin_kv.ts";
 * import { Simulation } from "../../sim/simulation.ts";
 * import assert from "node:assert/strict";
 * const nodes = ["n1", "n2", "n3"];
 * const sim = new Simulation({ seed: 1, trace: "off" });
 * for (const id of nodes) sim.spawn(id, () => new LinKvNode(nodes));
 * const answers: unknown[] = [];
 * sim.spawn("c1", () => ({
 *   onStart(ctx) {
 *     ctx.setTimer("go", 1000); // by then a leader is elected
 *   },
 *   onTimer(ctx) {
 *     ctx.send("n2", { type: "write", msg_id: 1, key: 0, value: 4 });
 *   },
 *   onMessage(ctx, msg: { type: string }) {
 *     answers.push(msg);
 *     if (msg.type === "write_ok") ctx.send("n3", { type: "read", msg_id: 2, key: 0 });
 *   },
 * }));
 * sim.run({ until: 2000 });
 * assert.deepEqual(answers, [
 *   { type: "write_ok", in_reply_to: 1 },
 *   { type: "read_ok", value: 4, in_reply_to: 2 },
 * ]);
 * ```
 */
export class LinKvNode implements Actor<LinKvMsg, RaftTimer> {
  readonly raft: RaftNode;
  #self: NodeId = "";
  #servers: Set<NodeId>;
  /** Requests in Raft, by client and sequence number. */
  #pending = new Map<string, Pending>();
  /** Raft's view of the context it was made for (`#doorOf`). */
  #door: RaftContext | null = null;
  #doorOf: Context<LinKvMsg, RaftTimer> | null = null;

  constructor(readonly nodes: readonly NodeId[]) {
    this.raft = new RaftNode({ servers: nodes });
    this.#servers = new Set(nodes);
  }

  onStart(ctx: Context<LinKvMsg, RaftTimer>): void {
    this.#self = ctx.self;
    this.raft.onStart(this.#raftContext(ctx));
  }

  onMessage(ctx: Context<LinKvMsg, RaftTimer>, msg: LinKvMsg, from: NodeId): void {
    switch (msg.type) {
      case "read":
      case "write":
      case "cas":
        return this.#propose(ctx, msg as KvRequest, from, ctx.self, 0);
      case "proxy": {
        const m = msg as Extract<FrontMsg, { type: "proxy" }>;
        return this.#propose(ctx, m.request, m.client, m.origin, m.hops);
      }
      case "proxy_reply": {
        const m = msg as Extract<FrontMsg, { type: "proxy_reply" }>;
        return ctx.send(m.client, m.body);
      }
      default:
        // Raft's own messages; a reply body a confused peer sent is not Raft's and is dropped.
        if (this.#servers.has(from)) {
          this.raft.onMessage(this.#raftContext(ctx), msg as RaftMsg, from);
        }
    }
  }

  onTimer(ctx: Context<LinKvMsg, RaftTimer>, timer: RaftTimer): void {
    this.raft.onTimer(this.#raftContext(ctx), timer);
  }

  inspect(): unknown {
    return {
      role: this.raft.role,
      term: this.raft.currentTerm,
      commit: this.raft.commitIndex,
      pending: this.#pending.size,
    };
  }

  /** Hands a client's request to Raft, as a request from that client. */
  #propose(
    ctx: Context<LinKvMsg, RaftTimer>,
    request: KvRequest,
    client: NodeId,
    origin: NodeId,
    hops: number,
  ): void {
    const seq = request.msg_id;
    if (seq === undefined) return; // nothing to answer to
    const key = `${client}\0${seq}`;
    this.#pending.delete(key);
    this.#pending.set(key, { request, origin, hops });
    if (this.#pending.size > MAX_PENDING) this.#pending.delete(this.#pending.keys().next().value!);
    this.raft.onMessage(
      this.#raftContext(ctx),
      { type: "ClientRequest", seq, op: kvOp(request) },
      client,
    );
  }

  /** Raft answered a client: translate the answer into Maelstrom's reply. */
  #answer(ctx: Context<LinKvMsg, RaftTimer>, client: NodeId, msg: RaftMsg): void {
    if (msg.type !== "ClientReply" && msg.type !== "NotLeader") return;
    const key = `${client}\0${msg.seq}`;
    const pending = this.#pending.get(key);
    if (pending === undefined) return;
    this.#pending.delete(key);
    const { request, origin, hops } = pending;
    if (msg.type === "NotLeader") {
      const leader = msg.leaderHint;
      if (leader !== null && leader !== this.#self && hops < MAX_HOPS) {
        return ctx.send(leader, { type: "proxy", client, origin, hops: hops + 1, request });
      }
      return this.#reply(
        ctx,
        client,
        origin,
        errorReply(request, ErrorCode.temporarilyUnavailable, "no leader known"),
      );
    }
    this.#reply(ctx, client, origin, okReply(request, msg.result));
  }

  #reply(ctx: Context<LinKvMsg, RaftTimer>, client: NodeId, origin: NodeId, body: Reply): void {
    if (origin === this.#self) ctx.send(client, body);
    else ctx.send(origin, { type: "proxy_reply", client, body });
  }

  /**
   * The context Raft gets: this node's, except that what Raft says to a
   * client comes back here to be translated.
   */
  #raftContext(ctx: Context<LinKvMsg, RaftTimer>): RaftContext {
    if (this.#door !== null && this.#doorOf === ctx) return this.#door;
    this.#doorOf = ctx;
    this.#door = {
      get self() {
        return ctx.self;
      },
      get storage() {
        return ctx.storage;
      },
      now: () => ctx.now(),
      send: (to, msg) => this.#servers.has(to) ? ctx.send(to, msg) : this.#answer(ctx, to, msg),
      setTimer: (timer, ms) => ctx.setTimer(timer, ms),
      cancelTimer: (timer) => ctx.cancelTimer(timer),
      random: () => ctx.random(),
      log: (note, data) => ctx.log(note, data),
      invoke: (f, input) => ctx.invoke(f, input),
      complete: (op, output, status) => ctx.complete(op, output, status),
      sometimes: (name, condition) => ctx.sometimes(name, condition),
    };
    return this.#door;
  }
}

/** A Maelstrom request as Raft's key-value operation (keys and values as JSON text). */
function kvOp(request: KvRequest): KvOp {
  const key = JSON.stringify(request.key);
  switch (request.type) {
    case "read":
      return { f: "get", key };
    case "write":
      return { f: "put", key, value: JSON.stringify(request.value) };
    case "cas":
      return { f: "cas", key, from: JSON.stringify(request.from), to: JSON.stringify(request.to) };
  }
}

/** Raft's result as Maelstrom's reply. */
function okReply(request: KvRequest, result: KvResult): Reply {
  const in_reply_to = request.msg_id;
  switch (request.type) {
    case "read":
      return result === null
        ? errorReply(request, ErrorCode.keyDoesNotExist, "no such key")
        : { type: "read_ok", value: JSON.parse(result as string), in_reply_to };
    case "write":
      return { type: "write_ok", in_reply_to };
    case "cas":
      return result === true
        ? { type: "cas_ok", in_reply_to }
        : errorReply(request, ErrorCode.preconditionFailed, "the value is not `from`");
  }
}

function errorReply(request: KvRequest, code: number, text: string): Reply {
  return { type: "error", in_reply_to: request.msg_id, code, text };
}

/**
 * The factory processes and Maelstrom load: `examples/maelstrom/lin_kv.ts#linKvNode`.
 *
 * @example
 * ```ts
 * import { linKvNode } from "./lin_kv.ts";
 * import assert from "node:assert/strict";
 * assert.equal(linKvNode("n1", ["n1", "n2", "n3"]).raft.config.servers.length, 3);
 * ```
 */
export const linKvNode = (_id: NodeId, nodes: readonly NodeId[]): LinKvNode => new LinKvNode(nodes);

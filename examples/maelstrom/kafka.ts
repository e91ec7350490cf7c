/**
 * Gossip Glomers challenge 5, Kafka-style logs, with one owner per key: the
 * node a key hashes to keeps that key's log and committed offset, assigns
 * offsets in order, and answers for it. A node that gets a request splits it
 * by owner, serves its own keys, asks the owners of the others (a `part`
 * message), gathers their answers and replies. A poll whose owners do not
 * all answer in time is answered with what came (a poll may leave keys
 * out); other requests then get no answer, and the client records them as
 * unknown. While an owner is down or cut off, its keys are unavailable; no
 * message is ever lost, reordered or given two offsets.
 *
 * Each log entry is written to storage before anyone hears of its offset,
 * with the request it came from, so a duplicated `part` is recognised even
 * after the owner restarts.
 *
 * @module
 */

import type { Actor, Context, NodeId } from "../../actors/mod.ts";
import type { KafkaRequest } from "../../protocols/maelstrom/kafka.ts";
import { reply } from "../../protocols/maelstrom/rpc.ts";
import { hashString } from "../../sim/random.ts";

/** What an owner answers for its part of a request. */
type PartResult =
  | { type: "send"; offset: number }
  | { type: "poll"; msgs: Record<string, Array<[number, unknown]>> }
  | { type: "commit_offsets" }
  | { type: "list_committed_offsets"; offsets: Record<string, number> };

/** Everything a Kafka node sends or receives. */
export type KafkaNodeMsg =
  | KafkaRequest
  | { type: "part"; id: string; req: KafkaRequest }
  | { type: "part_ok"; id: string; result: PartResult }
  | { type: string; in_reply_to?: number; [field: string]: unknown };

/** The node's timers: a gathered request's deadline. */
export type KafkaTimer = { type: "gather"; id: string };

/** A request waiting for its owners' parts. */
interface Gathering {
  client: NodeId;
  request: KafkaRequest;
  waiting: Set<NodeId>;
  results: PartResult[];
}

/** One entry of a key's log on disk: the message and the part it came from. */
interface Stored {
  msg: unknown;
  from: string;
}

/** Most messages of one key in one poll reply. */
const POLL_LIMIT = 20;

/**
 * A Kafka-style log node.
 *
 * @example
 * ```ts
 * import { KafkaNode } from "./kafka.ts";
 * import { TestContext } from "../../actors/test_context.ts";
 * import assert from "node:assert/strict";
 * const ctx = new TestContext<import("./kafka.ts").KafkaNodeMsg, import("./kafka.ts").KafkaTimer>("n1");
 * const node = new KafkaNode(["n1"]);
 * node.onStart(ctx);
 * node.onMessage(ctx, { type: "send", msg_id: 1, key: "k", msg: 9 }, "c1");
 * node.onMessage(ctx, { type: "poll", msg_id: 2, offsets: { k: 0 } }, "c1");
 * assert.deepEqual(ctx.takeSent().map((s) => s.msg), [
 *   { type: "send_ok", offset: 0, in_reply_to: 1 },
 *   { type: "poll_ok", msgs: { k: [[0, 9]] }, in_reply_to: 2 },
 * ]);
 * ```
 */
export class KafkaNode implements Actor<KafkaNodeMsg, KafkaTimer> {
  /** Owned keys' logs, loaded lazily from storage. */
  #logs = new Map<string, unknown[]>();
  /** Part ids of the sends already appended, with their offsets, per key. */
  #appended = new Map<string, number>();
  #gathering = new Map<string, Gathering>();
  #seq = 0;

  constructor(readonly nodes: readonly NodeId[], readonly gatherMs = 500) {}

  onStart(ctx: Context<KafkaNodeMsg, KafkaTimer>): void {
    this.#seq = ctx.storage.get<number>("seq") ?? 0;
    for (const key of ctx.storage.keys()) {
      if (!key.startsWith("len/")) continue;
      const k = key.slice(4);
      const log: unknown[] = [];
      const len = ctx.storage.get<number>(key) ?? 0;
      for (let o = 0; o < len; o++) {
        const entry = ctx.storage.get<Stored>(`log/${k}/${o}`)!;
        log.push(entry.msg);
        this.#appended.set(entry.from, o);
      }
      this.#logs.set(k, log);
    }
  }

  onMessage(ctx: Context<KafkaNodeMsg, KafkaTimer>, msg: KafkaNodeMsg, from: NodeId): void {
    switch (msg.type) {
      case "send":
      case "poll":
      case "commit_offsets":
      case "list_committed_offsets":
        return this.#request(ctx, msg as KafkaRequest, from);
      case "part": {
        const m = msg as { id: string; req: KafkaRequest };
        return ctx.send(from, { type: "part_ok", id: m.id, result: this.#serve(ctx, m.req, m.id) });
      }
      case "part_ok": {
        const m = msg as { id: string; result: PartResult };
        const g = this.#gathering.get(m.id);
        if (g === undefined || !g.waiting.delete(from)) return; // late or duplicated
        g.results.push(m.result);
        if (g.waiting.size === 0) this.#finish(ctx, m.id, g);
        return;
      }
      default:
        return;
    }
  }

  onTimer(ctx: Context<KafkaNodeMsg, KafkaTimer>, timer: KafkaTimer): void {
    const g = this.#gathering.get(timer.id);
    if (g === undefined) return;
    // A poll may leave out keys whose owner did not answer; anything else
    // gets no reply, and the client records it as unknown.
    if (g.request.type === "poll") this.#finish(ctx, timer.id, g);
    else this.#gathering.delete(timer.id);
  }

  inspect(): unknown {
    return Object.fromEntries([...this.#logs].map(([k, log]) => [k, log.length]));
  }

  /** The node that owns `key`. */
  owner(key: string): NodeId {
    return this.nodes[hashString(key) % this.nodes.length];
  }

  /** Splits a client's request by owner, serves the local part, asks for the others. */
  #request(ctx: Context<KafkaNodeMsg, KafkaTimer>, request: KafkaRequest, client: NodeId): void {
    const parts = this.#split(request);
    const id = `${ctx.self}.${++this.#seq}`;
    ctx.storage.set("seq", this.#seq);
    const g: Gathering = { client, request, waiting: new Set(), results: [] };
    for (const [owner, part] of parts) {
      if (owner === ctx.self) g.results.push(this.#serve(ctx, part, id));
      else {
        g.waiting.add(owner);
        ctx.send(owner, { type: "part", id, req: part });
      }
    }
    if (g.waiting.size === 0) return this.#finish(ctx, id, g);
    this.#gathering.set(id, g);
    ctx.setTimer({ type: "gather", id }, this.gatherMs);
  }

  /** The request's parts, by the owner of their keys. */
  #split(request: KafkaRequest): Map<NodeId, KafkaRequest> {
    const parts = new Map<NodeId, KafkaRequest>();
    switch (request.type) {
      case "send":
        parts.set(this.owner(request.key), request);
        break;
      case "poll":
      case "commit_offsets":
        for (const [key, offset] of Object.entries(request.offsets)) {
          const owner = this.owner(key);
          const part = parts.get(owner) as typeof request | undefined ??
            { type: request.type, offsets: {} as Record<string, number> };
          part.offsets[key] = offset;
          parts.set(owner, part);
        }
        break;
      case "list_committed_offsets":
        for (const key of request.keys) {
          const owner = this.owner(key);
          const part = parts.get(owner) as typeof request | undefined ??
            { type: request.type, keys: [] as string[] };
          part.keys.push(key);
          parts.set(owner, part);
        }
        break;
    }
    return parts;
  }

  /** Does the part of a request that concerns this node's own keys. */
  #serve(ctx: Context<KafkaNodeMsg, KafkaTimer>, part: KafkaRequest, id: string): PartResult {
    switch (part.type) {
      case "send": {
        const done = this.#appended.get(id);
        if (done !== undefined) return { type: "send", offset: done }; // a duplicated part
        const log = this.#log(part.key);
        const offset = log.length;
        log.push(part.msg);
        ctx.storage.set(`log/${part.key}/${offset}`, { msg: part.msg, from: id } satisfies Stored);
        ctx.storage.set(`len/${part.key}`, log.length);
        this.#appended.set(id, offset);
        return { type: "send", offset };
      }
      case "poll": {
        const msgs: Record<string, Array<[number, unknown]>> = {};
        for (const [key, from] of Object.entries(part.offsets)) {
          const log = this.#log(key);
          const start = Math.max(0, from);
          if (start >= log.length) continue;
          msgs[key] = log.slice(start, start + POLL_LIMIT).map((m, i) => [start + i, m]);
        }
        return { type: "poll", msgs };
      }
      case "commit_offsets":
        for (const [key, offset] of Object.entries(part.offsets)) {
          const was = ctx.storage.get<number>(`committed/${key}`) ?? -1;
          if (offset > was) ctx.storage.set(`committed/${key}`, offset);
        }
        return { type: "commit_offsets" };
      case "list_committed_offsets": {
        const offsets: Record<string, number> = {};
        for (const key of part.keys) {
          const c = ctx.storage.get<number>(`committed/${key}`);
          if (c !== undefined) offsets[key] = c;
        }
        return { type: "list_committed_offsets", offsets };
      }
    }
  }

  #log(key: string): unknown[] {
    let log = this.#logs.get(key);
    if (log === undefined) this.#logs.set(key, log = []);
    return log;
  }

  /** Replies to the client with the gathered parts. */
  #finish(ctx: Context<KafkaNodeMsg, KafkaTimer>, id: string, g: Gathering): void {
    this.#gathering.delete(id);
    ctx.cancelTimer({ type: "gather", id });
    const { client, request } = g;
    switch (request.type) {
      case "send": {
        const r = g.results[0] as Extract<PartResult, { type: "send" }>;
        return reply(ctx, client, request, { type: "send_ok", offset: r.offset });
      }
      case "poll": {
        const msgs = Object.assign(
          {},
          ...g.results.map((r) => (r as Extract<PartResult, { type: "poll" }>).msgs),
        );
        return reply(ctx, client, request, { type: "poll_ok", msgs });
      }
      case "commit_offsets":
        return reply(ctx, client, request, { type: "commit_offsets_ok" });
      case "list_committed_offsets": {
        const offsets = Object.assign(
          {},
          ...g.results.map((r) =>
            (r as Extract<PartResult, { type: "list_committed_offsets" }>).offsets
          ),
        );
        return reply(ctx, client, request, { type: "list_committed_offsets_ok", offsets });
      }
    }
  }
}

/**
 * The factory processes and Maelstrom load: `examples/maelstrom/kafka.ts#kafkaNode`.
 *
 * @example
 * ```ts
 * import { kafkaNode } from "./kafka.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(kafkaNode("n1", ["n1", "n2"]).inspect(), {});
 * ```
 */
export const kafkaNode = (_id: NodeId, nodes: readonly NodeId[]): KafkaNode => new KafkaNode(nodes);

/**
 * A client of the replicated key-value store.
 *
 * It runs one operation at a time, as a Jepsen client does, and records each
 * in the history (`ctx.invoke` / `ctx.complete`) for the linearizability
 * checker. It does what a real Raft client must (dissertation §6): it looks
 * for the leader, follows `NotLeader` hints, retries on a timeout with the
 * same sequence number (the server's session makes the retry harmless), and
 * after `giveUpMs` gives up and records the operation as `info`: it may or
 * may not have taken effect.
 *
 * @module
 */

import type { Actor, Context, NodeId, OpId } from "../../actors/mod.ts";
import { ConfigError } from "../../sim/errors.ts";
import type { RaftMsg, ReadPath } from "./messages.ts";
import type { KvOp, KvResult } from "./state_machine.ts";

/**
 * What a client does.
 *
 * @example
 * ```ts
 * import type { RaftClientConfig } from "./client.ts";
 * import assert from "node:assert/strict";
 * const c: RaftClientConfig = { servers: ["n1", "n2", "n3"], ops: 20, reads: "read-index" };
 * assert.equal(c.ops, 20);
 * ```
 */
export interface RaftClientConfig {
  /** The servers; the client starts with a random one and follows hints. */
  servers: readonly NodeId[];
  /** How many operations to run. */
  ops: number;
  /** Keys to pick from (default x, y, z). */
  keys?: readonly string[];
  /** Relative weights of the operations (default get 3, put 2, append 1, cas 2). */
  mix?: Partial<Record<KvOp["f"], number>>;
  /** How `get`s are served: through the log, by ReadIndex, or either at random (default). */
  reads?: ReadPath | "mixed";
  /** Pause before each operation: uniform in [0, 2 * thinkMs) (default 20). */
  thinkMs?: number;
  /** Local time of the first operation, before its think time (default 0). */
  startMs?: number;
  /** Resend to another server when no answer came within this (default 100 ms). */
  requestTimeoutMs?: number;
  /** Record the operation as `info` and move on after this (default 1500 ms). */
  giveUpMs?: number;
}

/** The operation in flight. */
interface InFlight {
  op: OpId;
  seq: number;
  kvOp: KvOp;
  read: ReadPath;
  startedAt: number;
  /** Redirects followed since the last timeout, to stop hint ping-pong. */
  hops: number;
  /** Timeouts in a row at the server believed to lead. */
  leaderMisses: number;
}

const OPS: readonly KvOp["f"][] = ["get", "put", "append", "cas"];
const DEFAULT_MIX: Record<KvOp["f"], number> = { get: 3, put: 2, append: 1, cas: 2 };
/** Wait before retrying when a server knew no leader (an election is likely under way). */
const BACKOFF_MS = 20;
/** Timeouts in a row at the believed leader before trying another server. */
const LEADER_TRIES = 3;

/**
 * A Raft client actor.
 *
 * @example
 * ```ts
 * import { Simulation } from "../../sim/simulation.ts";
 * import { RaftNode } from "./node.ts";
 * import { RaftClient } from "./client.ts";
 * import assert from "node:assert/strict";
 * const servers = ["n1", "n2", "n3"];
 * const sim = new Simulation({ seed: 2, trace: "off" });
 * for (const id of servers) sim.spawn(id, () => new RaftNode({ servers }));
 * sim.spawn("c1", () => new RaftClient({ servers, ops: 5 }));
 * sim.run({ until: 3000 });
 * assert.equal(sim.history.completed().length, 5);
 * ```
 */
export class RaftClient implements Actor<RaftMsg> {
  /** The settings, defaults filled in. */
  readonly config: Readonly<Required<RaftClientConfig>>;
  #target: NodeId = "";
  /** The server that last answered, or that a server named as leader. */
  #leader: NodeId | null = null;
  #seq = 0;
  #done = 0;
  #current: InFlight | null = null;
  /** The value this client last knew a key to hold, for plausible compare-and-sets. */
  #lastSeen = new Map<string, string | null>();

  /** A client for `config`; throws a `ConfigError` on a bad setting. */
  constructor(config: RaftClientConfig) {
    const c: Required<RaftClientConfig> = {
      servers: [...config.servers],
      ops: config.ops,
      keys: [...(config.keys ?? ["x", "y", "z"])],
      mix: { ...DEFAULT_MIX, ...config.mix },
      reads: config.reads ?? "mixed",
      thinkMs: config.thinkMs ?? 20,
      startMs: config.startMs ?? 0,
      requestTimeoutMs: config.requestTimeoutMs ?? 100,
      giveUpMs: config.giveUpMs ?? 1500,
    };
    if (c.servers.length === 0) throw new ConfigError("client servers", "needs at least one");
    if (!(Number.isInteger(c.ops) && c.ops >= 0)) {
      throw new ConfigError("client ops", `must be a whole number >= 0, got ${c.ops}`);
    }
    if (c.keys.length === 0) throw new ConfigError("client keys", "needs at least one key");
    if (!OPS.some((f) => (c.mix[f] ?? 0) > 0)) {
      throw new ConfigError("client mix", "needs a weight > 0 for one of get, put, append, cas");
    }
    if (!(c.requestTimeoutMs > 0 && c.giveUpMs >= c.requestTimeoutMs)) {
      throw new ConfigError(
        "client timeouts",
        `need 0 < requestTimeoutMs <= giveUpMs, got ${c.requestTimeoutMs}, ${c.giveUpMs}`,
      );
    }
    this.config = c;
  }

  /** Operations finished (ok or given up). */
  get done(): number {
    return this.#done;
  }

  /** Its whole state, as plain data (what `sim check` fingerprints). */
  inspect(): Record<string, unknown> {
    return {
      target: this.#target,
      leader: this.#leader,
      seq: this.#seq,
      done: this.#done,
      current: this.#current,
      lastSeen: Object.fromEntries(this.#lastSeen),
    };
  }

  onStart(ctx: Context<RaftMsg>): void {
    // Sequence numbers must keep growing across a client restart, or the
    // servers' sessions would take new commands for old retries.
    this.#seq = ctx.storage.get<number>("seq") ?? 0;
    this.#done = ctx.storage.get<number>("done") ?? 0;
    this.#target = this.#randomServer(ctx);
    const wait = Math.max(0, this.config.startMs - ctx.now());
    ctx.setTimer("next", wait + this.#think(ctx));
  }

  onMessage(ctx: Context<RaftMsg>, msg: RaftMsg, from: NodeId): void {
    const cur = this.#current;
    switch (msg.type) {
      case "ClientReply":
        if (cur === null || msg.seq !== cur.seq) return; // a late or duplicated answer
        this.#leader = this.#target = from; // it is the leader, or was a moment ago
        return this.#finish(ctx, cur, msg.result);
      case "NotLeader":
        if (cur === null || msg.seq !== cur.seq) return;
        if (msg.leaderHint !== null && msg.leaderHint !== from && cur.hops < 3) {
          cur.hops++;
          this.#leader = this.#target = msg.leaderHint;
          cur.leaderMisses = 0;
          return this.#send(ctx, cur);
        }
        if (this.#leader === from) this.#leader = null;
        this.#target = this.#nextServer(from);
        ctx.cancelTimer("timeout");
        ctx.setTimer("backoff", BACKOFF_MS);
        return;
      default:
        return; // server-to-server messages never reach clients
    }
  }

  onTimer(ctx: Context<RaftMsg>, name: string): void {
    if (name === "next") return this.#startNext(ctx);
    const cur = this.#current;
    if (cur === null) return;
    if (ctx.now() - cur.startedAt >= this.config.giveUpMs) {
      // We cannot tell whether it happened: Jepsen's "info".
      ctx.complete(cur.op, undefined, "info");
      return this.#next(ctx);
    }
    if (name === "timeout") {
      // Messages get lost: give the leader we know a few tries before
      // looking elsewhere; any other server gets one.
      cur.hops = 0;
      if (this.#target === this.#leader && ++cur.leaderMisses < LEADER_TRIES) {
        return this.#send(ctx, cur);
      }
      if (this.#target === this.#leader) this.#leader = null;
      cur.leaderMisses = 0;
      this.#target = this.#nextServer(this.#target);
    }
    this.#send(ctx, cur);
  }

  #startNext(ctx: Context<RaftMsg>): void {
    if (this.#done >= this.config.ops) return;
    const kvOp = this.#pickOp(ctx);
    this.#seq++;
    ctx.storage.set("seq", this.#seq);
    const read: ReadPath = this.config.reads === "mixed"
      ? (ctx.random() < 0.5 ? "log" : "read-index")
      : this.config.reads;
    const { f, ...input } = kvOp;
    const op = ctx.invoke(f, input);
    this.#current = {
      op,
      seq: this.#seq,
      kvOp,
      read,
      startedAt: ctx.now(),
      hops: 0,
      leaderMisses: 0,
    };
    this.#send(ctx, this.#current);
  }

  #send(ctx: Context<RaftMsg>, cur: InFlight): void {
    ctx.cancelTimer("backoff");
    ctx.send(this.#target, {
      type: "ClientRequest",
      seq: cur.seq,
      op: cur.kvOp,
      ...(cur.kvOp.f === "get" ? { read: cur.read } : {}),
    });
    ctx.setTimer("timeout", this.config.requestTimeoutMs);
  }

  #finish(ctx: Context<RaftMsg>, cur: InFlight, result: KvResult): void {
    ctx.complete(cur.op, result, "ok");
    const op = cur.kvOp;
    switch (op.f) {
      case "get":
        this.#lastSeen.set(op.key, result as string | null);
        break;
      case "put":
        this.#lastSeen.set(op.key, op.value);
        break;
      case "cas":
        if (result === true) this.#lastSeen.set(op.key, op.to);
        else this.#lastSeen.delete(op.key);
        break;
      case "append":
        this.#lastSeen.delete(op.key);
        break;
      default: {
        const never: never = op;
        throw new Error(`unknown op ${JSON.stringify(never)}`);
      }
    }
    this.#next(ctx);
  }

  #next(ctx: Context<RaftMsg>): void {
    this.#current = null;
    this.#done++;
    ctx.storage.set("done", this.#done);
    ctx.cancelTimer("timeout");
    ctx.cancelTimer("backoff");
    ctx.setTimer("next", this.#think(ctx));
  }

  #pickOp(ctx: Context<RaftMsg>): KvOp {
    const keys = this.config.keys;
    const key = keys[Math.floor(ctx.random() * keys.length)];
    // Values name the client and the sequence number, so each write is unique.
    const value = `${ctx.self}.${this.#seq + 1}`;
    const mix = this.config.mix;
    const total = OPS.reduce((s, f) => s + (mix[f] ?? 0), 0);
    let pick = ctx.random() * total;
    const f = OPS.find((f) => (pick -= mix[f] ?? 0) < 0) ?? "get";
    switch (f) {
      case "get":
        return { f, key };
      case "put":
        return { f, key, value };
      case "append":
        return { f, key, value: `${value};` };
      case "cas":
        return { f, key, from: this.#lastSeen.get(key) ?? null, to: value };
      default: {
        const never: never = f;
        throw new Error(`unknown op ${never}`);
      }
    }
  }

  #think(ctx: Context<RaftMsg>): number {
    return ctx.random() * 2 * this.config.thinkMs;
  }

  #randomServer(ctx: Context<RaftMsg>): NodeId {
    const s = this.config.servers;
    return s[Math.floor(ctx.random() * s.length)];
  }

  #nextServer(after: NodeId): NodeId {
    const s = this.config.servers;
    return s[(s.indexOf(after) + 1) % s.length];
  }
}

/**
 * What the quorum client and the ABD client share, so that each of them is
 * only its protocol: running a workload one operation at a time (recorded in
 * the history for the linearizability checker), and *rounds*.
 *
 * A round is one request sent to every replica, waiting for answers from a
 * quorum of distinct replicas. Answers are counted per replica, so a
 * duplicated message counts once; an answer to an earlier request is
 * recognised by its `req` and ignored. When the quorum has not answered
 * within `timeoutMs`, the request goes again to the replicas that are still
 * silent, up to `retries` times; then the protocol gives up and says, in the
 * history, whether the operation certainly did not happen (`fail`) or might
 * have (`info`).
 *
 * @module
 */

import type { Actor, Context, NodeId, OpId, OpStatus } from "../../actors/mod.ts";
import { ConfigError } from "../../sim/errors.ts";
import type { QuorumMsg, Value, Versioned } from "./messages.ts";
import { historyInput, type KvOp, Workload, type WorkloadConfig } from "./workload.ts";

/**
 * Configuration both clients share.
 *
 * @example
 * ```ts
 * import type { RoundClientConfig } from "./round_client.ts";
 * import { QuorumClient } from "./client.ts";
 * import assert from "node:assert/strict";
 * const c: RoundClientConfig = {
 *   replicas: ["n1", "n2", "n3"], r: 2, w: 2, timeoutMs: 40, retries: 2, workload: { ops: 5 },
 * };
 * assert.equal(new QuorumClient(c).workload.total, 5);
 * assert.throws(() => new QuorumClient({ ...c, replicas: [] }), /needs at least one replica/);
 * ```
 */
export interface RoundClientConfig {
  /** The N replicas. */
  replicas: readonly NodeId[];
  /** Read quorum: answers to wait for from a `Read` (1..N). */
  r: number;
  /** Write quorum: acknowledgements to wait for from a `Write` (1..N). */
  w: number;
  /** Local ms to wait for a quorum before resending to the silent replicas (default 40). */
  timeoutMs?: number;
  /** How many times to resend before giving up (default 2). */
  retries?: number;
  /** The operations to run. */
  workload: WorkloadConfig;
}

/**
 * A request in flight to every replica. `step` says what the protocol is
 * doing (for example `query` or `store`), so it knows what comes next.
 *
 * @example
 * ```ts
 * import { TestContext } from "../../actors/mod.ts";
 * import type { QuorumMsg } from "./messages.ts";
 * import { AbdClient, type AbdStep } from "./abd.ts";
 * import type { Round } from "./round_client.ts";
 * import assert from "node:assert/strict";
 * class Probe extends AbdClient {
 *   peek(): Round<AbdStep> | null {
 *     return this.round;
 *   }
 * }
 * const ops = [{ f: "read", key: "x", atMs: 0 }] as const;
 * const client = new Probe({ replicas: ["n1", "n2", "n3"], r: 2, w: 2, workload: { ops } });
 * const ctx = new TestContext<QuorumMsg>("c1");
 * client.onStart(ctx);
 * ctx.fire(client, "next"); // the read starts: its query round goes to every replica
 * assert.equal(client.peek()?.step, "query");
 * assert.equal(client.peek()?.need, 2);
 * assert.deepEqual(ctx.takeSent().map((s) => s.to), ["n1", "n2", "n3"]);
 * ```
 */
export interface Round<Step> {
  /** What the round is for, in the protocol's words. */
  readonly step: Step;
  /** The request sent to every replica that has not answered. */
  readonly request: Extract<QuorumMsg, { type: "Read" | "Write" }>;
  /** Distinct answers that make a quorum. */
  readonly need: number;
  /**
   * Who answered, and what they hold: a `ReadReply`'s version, or for a
   * `WriteAck` the version written (the replica holds that or newer).
   */
  readonly answers: Map<NodeId, Versioned>;
  /** Resends so far. */
  tries: number;
}

/**
 * The operation a {@linkcode RoundClient} has under way.
 *
 * @example
 * ```ts
 * import { TestContext } from "../../actors/mod.ts";
 * import type { QuorumMsg } from "./messages.ts";
 * import { QuorumClient } from "./client.ts";
 * import type { CurrentOp } from "./round_client.ts";
 * import assert from "node:assert/strict";
 * class Probe extends QuorumClient {
 *   peek(): CurrentOp | null {
 *     return this.current;
 *   }
 * }
 * const ops = [{ f: "write", key: "x", value: 1, atMs: 0 }] as const;
 * const client = new Probe({ replicas: ["n1"], r: 1, w: 1, workload: { ops } });
 * const ctx = new TestContext<QuorumMsg>("c1");
 * client.onStart(ctx);
 * ctx.fire(client, "next");
 * assert.deepEqual(client.peek(), { id: 0, op: { f: "write", key: "x", value: 1 } });
 * ```
 */
export interface CurrentOp {
  /** Its id in the history. */
  readonly id: OpId;
  /** What it does. */
  readonly op: KvOp;
}

/**
 * The base of both quorum clients. A subclass starts each operation in
 * {@linkcode RoundClient.perform}, reacts to a complete quorum in
 * {@linkcode RoundClient.onQuorum} and to an exhausted round in
 * {@linkcode RoundClient.onGiveUp}, and ends the operation with
 * {@linkcode RoundClient.finish}.
 *
 * @example
 * ```ts
 * import { type Context, TestContext } from "../../actors/mod.ts";
 * import type { QuorumMsg } from "./messages.ts";
 * import { type Round, RoundClient } from "./round_client.ts";
 * import assert from "node:assert/strict";
 * import type { KvOp } from "./workload.ts";
 * // Reads from one replica's answer, writes nothing: the smallest client.
 * class Sloppy extends RoundClient<"read"> {
 *   protected perform(ctx: Context<QuorumMsg>, op: KvOp) {
 *     this.startRound(ctx, "read", { type: "Read", key: op.key, req: 0 }, 1);
 *   }
 *   protected onQuorum(ctx: Context<QuorumMsg>, round: Round<"read">) {
 *     this.finish(ctx, [...round.answers.values()][0].value, "ok");
 *   }
 *   protected onGiveUp(ctx: Context<QuorumMsg>) {
 *     this.finish(ctx, null, "fail");
 *   }
 * }
 * const sloppy = new Sloppy({ replicas: ["n1"], r: 1, w: 1, workload: { ops: 1, writeRatio: 0 } });
 * const ctx = new TestContext<QuorumMsg>("c1");
 * sloppy.onStart(ctx);
 * ctx.advance(100);
 * ctx.fireDue(sloppy); // the read starts
 * const [{ msg: read }] = ctx.takeSent();
 * assert.equal(read.type, "Read");
 * const reply = { type: "ReadReply", key: "x", value: "a", ts: [1, "c0"], req: read.req } as const;
 * ctx.deliver(sloppy, reply, "n1");
 * assert.deepEqual(ctx.ops, [
 *   { op: 0, f: "read", input: { key: "x" }, status: "ok", output: "a" },
 * ]);
 * ```
 */
export abstract class RoundClient<Step> implements Actor<QuorumMsg> {
  /** The configuration with its defaults filled in. */
  readonly config: Readonly<Required<Omit<RoundClientConfig, "workload">>>;
  /** The operations to run. */
  readonly workload: Workload;
  /** The operation under way, or null between operations. */
  protected current: CurrentOp | null = null;
  /** The round under way, or null. */
  protected round: Round<Step> | null = null;
  #nextOp = 0;
  #req = 0;

  /**
   * Checks `config`: throws a {@linkcode ConfigError} naming an empty or
   * repeated replica list, a quorum outside 1..N, a bad timeout or retry
   * count, or a bad workload.
   *
   * @param config replicas, quorums, retries and workload
   */
  constructor(config: RoundClientConfig) {
    const n = config.replicas.length;
    if (n === 0) throw new ConfigError("replicas", "needs at least one replica");
    if (new Set(config.replicas).size !== n) {
      throw new ConfigError("replicas", `must be distinct, got ${config.replicas.join(", ")}`);
    }
    for (const q of ["r", "w"] as const) {
      const v = config[q];
      if (!(Number.isInteger(v) && v >= 1 && v <= n)) {
        throw new ConfigError(
          q.toUpperCase(),
          `must be a whole number from 1 to N = ${n}, got ${v}`,
        );
      }
    }
    const timeoutMs = config.timeoutMs ?? 40;
    if (!(Number.isFinite(timeoutMs) && timeoutMs > 0)) {
      throw new ConfigError("timeoutMs", `must be a number of ms > 0, got ${timeoutMs}`);
    }
    const retries = config.retries ?? 2;
    if (!(Number.isInteger(retries) && retries >= 0)) {
      throw new ConfigError("retries", `must be a whole number >= 0, got ${retries}`);
    }
    this.config = { replicas: [...config.replicas], r: config.r, w: config.w, timeoutMs, retries };
    this.workload = new Workload(config.workload);
  }

  /** Operations started so far, over every life of this node. */
  get started(): number {
    return this.#nextOp;
  }

  onStart(ctx: Context<QuorumMsg>): void {
    // Request ids and the workload position survive a crash: a new life must
    // neither mistake answers meant for the old one nor redo its operations.
    this.#nextOp = ctx.storage.get<number>("nextOp") ?? 0;
    this.#req = ctx.storage.get<number>("req") ?? 0;
    this.restore(ctx);
    this.#scheduleNext(ctx);
  }

  onMessage(ctx: Context<QuorumMsg>, msg: QuorumMsg, from: NodeId): void {
    switch (msg.type) {
      case "ReadReply":
        this.onReadReply(ctx, msg, from);
        this.#answer(ctx, msg.req, from, { value: msg.value, ts: msg.ts });
        return;
      case "WriteAck": {
        const written = this.round?.request;
        if (written?.type === "Write") {
          this.#answer(ctx, msg.req, from, { value: written.value, ts: written.ts });
        }
        return;
      }
      case "Read":
      case "Write":
        return; // requests are for replicas
      default: {
        const never: never = msg;
        throw new Error(`unexpected message ${JSON.stringify(never)}`);
      }
    }
  }

  onTimer(ctx: Context<QuorumMsg>, name: string): void {
    switch (name) {
      case "next":
        return this.#startNext(ctx);
      case "retry": {
        const round = this.round;
        if (round === null) return;
        if (round.tries >= this.config.retries) return this.onGiveUp(ctx, round);
        round.tries++;
        this.#send(ctx, round);
        return;
      }
    }
  }

  /**
   * The client's state as plain data: where its workload is, the operation
   * and round under way (what `sim check` fingerprints), and its kind's own
   * (see {@linkcode RoundClient.inspectMore}).
   */
  inspect(): Record<string, unknown> {
    const round = this.round;
    return {
      nextOp: this.#nextOp,
      req: this.#req,
      current: this.current,
      round: round === null ? null : {
        step: round.step,
        request: round.request,
        need: round.need,
        answers: Object.fromEntries(round.answers),
        tries: round.tries,
      },
      ...this.inspectMore(),
    };
  }

  /** A kind of client's own state, for {@linkcode RoundClient.inspect} (default: none). */
  protected inspectMore(): Record<string, unknown> {
    return {};
  }

  /** Starts `op`: the protocol's first round. */
  protected abstract perform(ctx: Context<QuorumMsg>, op: KvOp): void;

  /** The round got its quorum of answers. */
  protected abstract onQuorum(ctx: Context<QuorumMsg>, round: Round<Step>): void;

  /** The round did not get its quorum after every retry. */
  protected abstract onGiveUp(ctx: Context<QuorumMsg>, round: Round<Step>): void;

  /** Sees every `ReadReply`, including late ones for finished rounds (default: nothing). */
  protected onReadReply(
    _ctx: Context<QuorumMsg>,
    _msg: Extract<QuorumMsg, { type: "ReadReply" }>,
    _from: NodeId,
  ): void {}

  /** Reads the subclass's own durable state at start and restart (default: nothing). */
  protected restore(_ctx: Context<QuorumMsg>): void {}

  /** A fresh request id, never reused across restarts. */
  protected newReq(ctx: Context<QuorumMsg>): number {
    this.#req++;
    ctx.storage.set("req", this.#req);
    return this.#req;
  }

  /**
   * Sends `request` (its `req` replaced by a fresh one) to every replica not
   * in `already`, and waits for `need` answers counting those in `already`.
   */
  protected startRound(
    ctx: Context<QuorumMsg>,
    step: Step,
    request: Round<Step>["request"],
    need: number,
    already: ReadonlyMap<NodeId, Versioned> = new Map(),
  ): void {
    const round: Round<Step> = {
      step,
      request: { ...request, req: this.newReq(ctx) },
      need,
      answers: new Map(already),
      tries: 0,
    };
    this.round = round;
    this.#send(ctx, round);
  }

  /** Records the end of the current operation and schedules the next one. */
  protected finish(ctx: Context<QuorumMsg>, output: Value | undefined, status: OpStatus): void {
    if (this.current === null) return;
    ctx.complete(this.current.id, output, status);
    this.current = null;
    this.round = null;
    ctx.cancelTimer("retry");
    this.#scheduleNext(ctx);
  }

  #send(ctx: Context<QuorumMsg>, round: Round<Step>): void {
    for (const replica of this.config.replicas) {
      if (!round.answers.has(replica)) ctx.send(replica, round.request);
    }
    ctx.setTimer("retry", this.config.timeoutMs);
  }

  #answer(ctx: Context<QuorumMsg>, req: number, from: NodeId, version: Versioned): void {
    const round = this.round;
    if (round === null || round.request.req !== req || round.answers.has(from)) return;
    round.answers.set(from, version);
    if (round.answers.size !== round.need) return;
    // A read concurrent with a write: its quorum holds two versions.
    ctx.sometimes(
      "a read quorum saw two versions",
      round.request.type === "Read" &&
        new Set([...round.answers.values()].map((v) => JSON.stringify(v.ts))).size > 1,
    );
    this.onQuorum(ctx, round);
  }

  #scheduleNext(ctx: Context<QuorumMsg>): void {
    if (this.#nextOp < this.workload.total) {
      ctx.setTimer("next", this.workload.delay(ctx, this.#nextOp));
    }
  }

  #startNext(ctx: Context<QuorumMsg>): void {
    if (this.current !== null || this.#nextOp >= this.workload.total) return;
    const op = this.workload.op(ctx, this.#nextOp);
    this.#nextOp++;
    ctx.storage.set("nextOp", this.#nextOp);
    this.current = { id: ctx.invoke(op.f, historyInput(op)), op };
    this.perform(ctx, op);
  }
}

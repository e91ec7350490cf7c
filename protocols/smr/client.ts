/**
 * A client of the replicated register: it issues its operations one at a
 * time, records each in the history (for the linearizability checker), and
 * retries a request that gets no answer through the next replica, with the
 * same request number, until one answers. The replicas' sessions make a
 * request that was ordered twice take effect once.
 *
 * @module
 */

import type { Actor, Context, NodeId, OpId } from "../../actors/mod.ts";
import type { ClientMsg } from "./machine.ts";
import { historyEntry, type RegisterOp, type RegisterOutput } from "./register.ts";

/** A client's messages: requests out, replies in. */
export type SmrClientMsg = ClientMsg<RegisterOp, RegisterOutput>;

/** A client's timers: think before the next operation; retry the pending one. */
export type SmrClientTimer = "next" | "retry";

/**
 * A client's configuration.
 *
 * @example
 * ```ts
 * import type { SmrClientConfig } from "./client.ts";
 * import assert from "node:assert/strict";
 * const c: SmrClientConfig = { replicas: ["n1", "n2"], first: 1, ops: 5, thinkMs: 10, timeoutMs: 50 };
 * assert.equal(c.ops, 5);
 * ```
 */
export interface SmrClientConfig {
  /** The replicas, in the order the client tries them. */
  replicas: readonly NodeId[];
  /** Index into `replicas` of the one it asks first. */
  first: number;
  /** How many operations it issues. */
  ops: number;
  /** Mean pause before each operation, ms (uniform over [0, 2 x mean]). */
  thinkMs: number;
  /** Retry through the next replica after this long without an answer, ms. */
  timeoutMs: number;
}

/**
 * A plain-data view of a client, from {@linkcode SmrClient.inspect}.
 *
 * @example
 * ```ts
 * import type { SmrClientView } from "./client.ts";
 * import assert from "node:assert/strict";
 * const v: SmrClientView = { issued: 3, pending: 3, asking: "n2", last: 7 };
 * assert.equal(v.asking, "n2");
 * ```
 */
export interface SmrClientView {
  /** Operations issued so far (durable across a restart). */
  issued: number;
  /** The request number waiting for an answer, or null. */
  pending: number | null;
  /** The replica it asks now. */
  asking: NodeId;
  /** The last value it read or wrote (what its next cas compares with). */
  last: number | null;
}

/**
 * A register client with a random workload drawn from its own stream:
 * reads, writes of values no one else writes (`1000 x client + k`), and
 * compare-and-sets from the last value it saw.
 *
 * @example
 * ```ts
 * import { TestContext } from "../../actors/mod.ts";
 * import { SmrClient, type SmrClientMsg, type SmrClientTimer } from "./client.ts";
 * import assert from "node:assert/strict";
 *
 * const client = new SmrClient({ replicas: ["n1", "n2"], first: 0, ops: 1, thinkMs: 0, timeoutMs: 50 });
 * const ctx = new TestContext<SmrClientMsg, SmrClientTimer>("c1", { random: [0.1] });
 * ctx.start(client);
 * ctx.fire(client, "next");
 * assert.deepEqual(ctx.takeSent(), [{ to: "n1", msg: { type: "request", id: 1, op: { type: "read" } } }]);
 * // No answer: the same request goes to the next replica.
 * ctx.advance(50);
 * ctx.fireDue(client);
 * assert.deepEqual(ctx.takeSent(), [{ to: "n2", msg: { type: "request", id: 1, op: { type: "read" } } }]);
 * ctx.deliver(client, { type: "reply", id: 1, output: null }, "n2");
 * assert.deepEqual(ctx.ops, [{ op: 0, f: "read", input: null, status: "ok", output: null }]);
 * assert.equal(client.done, true);
 * ```
 */
export class SmrClient implements Actor<SmrClientMsg, SmrClientTimer> {
  #issued = 0;
  #asking: number;
  #pending: { id: number; op: RegisterOp; opId: OpId } | undefined;
  #last: number | null = null;

  /** Checks the configuration (a replica to ask, whole operation count, times > 0). */
  constructor(readonly config: SmrClientConfig) {
    if (config.replicas.length === 0) throw new RangeError("SmrClient needs at least one replica");
    if (!(Number.isInteger(config.ops) && config.ops >= 0)) {
      throw new RangeError(`SmrClient ops must be a whole number >= 0, got ${config.ops}`);
    }
    if (!(config.timeoutMs > 0) || !(config.thinkMs >= 0)) {
      throw new RangeError(
        `SmrClient needs timeoutMs > 0 and thinkMs >= 0, got ${config.timeoutMs}, ${config.thinkMs}`,
      );
    }
    this.#asking = config.first % config.replicas.length;
  }

  /** True once every operation was issued and the last one answered. */
  get done(): boolean {
    return this.#issued >= this.config.ops && this.#pending === undefined;
  }

  /** Reads how many operations it issued (request numbers keep growing), and thinks. */
  onStart(ctx: Context<SmrClientMsg, SmrClientTimer>): void {
    // An operation pending at a crash stays pending in the history: it may
    // or may not have taken effect.
    this.#issued = ctx.storage.get<number>("issued") ?? 0;
    this.#think(ctx);
  }

  /** Completes the pending operation with the first reply to it. */
  onMessage(ctx: Context<SmrClientMsg, SmrClientTimer>, msg: SmrClientMsg): void {
    switch (msg.type) {
      case "reply": {
        const pending = this.#pending;
        // A late or second reply (the request was ordered twice) is ignored.
        if (pending === undefined || msg.id !== pending.id) return;
        ctx.cancelTimer("retry");
        ctx.complete(pending.opId, msg.output, "ok");
        this.#saw(pending.op, msg.output);
        this.#pending = undefined;
        return this.#think(ctx);
      }
      case "request":
        throw new Error(`${ctx.self}: a client does not serve requests`);
      default: {
        const never: never = msg;
        throw new Error(`${ctx.self}: unexpected message ${JSON.stringify(never)}`);
      }
    }
  }

  /** `next` issues the next operation; `retry` sends the pending one to the next replica. */
  onTimer(ctx: Context<SmrClientMsg, SmrClientTimer>, timer: SmrClientTimer): void {
    switch (timer) {
      case "next":
        return this.#issue(ctx);
      case "retry":
        if (this.#pending === undefined) return;
        this.#asking = (this.#asking + 1) % this.config.replicas.length;
        return this.#send(ctx);
      default: {
        const never: never = timer;
        throw new Error(`${ctx.self}: unexpected timer ${JSON.stringify(never)}`);
      }
    }
  }

  /** How far it is, what it waits for, and whom it asks. */
  inspect(): SmrClientView {
    return {
      issued: this.#issued,
      pending: this.#pending?.id ?? null,
      asking: this.config.replicas[this.#asking],
      last: this.#last,
    };
  }

  #think(ctx: Context<SmrClientMsg, SmrClientTimer>): void {
    if (this.#issued >= this.config.ops) return;
    ctx.setTimer("next", 2 * this.config.thinkMs * ctx.random());
  }

  #issue(ctx: Context<SmrClientMsg, SmrClientTimer>): void {
    if (this.#pending !== undefined || this.#issued >= this.config.ops) return;
    const id = ++this.#issued;
    ctx.storage.set("issued", id);
    const op = this.#pick(ctx, id);
    const { f, input } = historyEntry(op);
    this.#pending = { id, op, opId: ctx.invoke(f, input) };
    this.#send(ctx);
  }

  #send(ctx: Context<SmrClientMsg, SmrClientTimer>): void {
    const { id, op } = this.#pending!;
    ctx.send(this.config.replicas[this.#asking], { type: "request", id, op });
    ctx.setTimer("retry", this.config.timeoutMs);
  }

  /** Reads 40%, writes 30%, compare-and-sets from the last value seen 30%. */
  #pick(ctx: Context<SmrClientMsg, SmrClientTimer>, k: number): RegisterOp {
    const r = ctx.random();
    const fresh = 1000 * (Number(ctx.self.replace(/\D/g, "")) || 0) + k;
    if (r < 0.4) return { type: "read" };
    if (r < 0.7) return { type: "write", value: fresh };
    return { type: "cas", from: this.#last, to: fresh };
  }

  #saw(op: RegisterOp, output: RegisterOutput): void {
    if (op.type === "read") this.#last = output as number | null;
    if (op.type === "write") this.#last = op.value;
    if (op.type === "cas" && output === true) this.#last = op.to;
  }
}

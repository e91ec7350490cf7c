/**
 * A Maelstrom client as an actor: what Jepsen's client threads do in a
 * Maelstrom test, so that a Gossip Glomers solution can be tested in the
 * simulator (and against real processes) the way Maelstrom tests it.
 *
 * A client is bound to one server, as Maelstrom's are. It runs one
 * operation at a time: it records the invocation (`ctx.invoke`), sends the
 * request with a fresh `msg_id`, and waits for the body whose
 * `in_reply_to` names it. The {@linkcode ClientWorkload} turns the reply
 * into the operation's outcome; by default an `error` reply with a
 * definite code is `fail` (it did not happen) and any other error, or no
 * reply within the timeout, is `info` (it may have happened). A reply of
 * the wrong type is recorded as `info` with a `malformed` output, which
 * {@linkcode protocolViolations} reports.
 *
 * The run has three phases, in the client's local time: `setup` requests
 * (broadcast's `topology`), not recorded; the main phase until `untilMs`;
 * then, from `finalAtMs`, the workload's final operations (final reads),
 * after the scenario has healed the network.
 *
 * @module
 */

import type { Actor, Context, NodeId, OpId, OpStatus } from "../../actors/mod.ts";
import { type Body, isDefinite } from "../../runtime/maelstrom_protocol.ts";
import type { Operation } from "../../sim/history.ts";
import type { Violation } from "../../sim/simulation.ts";

/**
 * One operation a client performs: how it reads in the history, and the
 * request it sends (without `msg_id`, which the client adds).
 *
 * @example
 * ```ts
 * import type { ClientOp } from "./client.ts";
 * import assert from "node:assert/strict";
 * const op: ClientOp = { f: "read", input: { key: 1 }, request: { type: "read", key: 1 } };
 * assert.equal(op.request.type, "read");
 * ```
 */
export interface ClientOp {
  /** The operation's name in the history (`read`, `broadcast`, `txn`, ...). */
  f: string;
  /** Its argument in the history, as the checker reads it. */
  input: unknown;
  /** The request body to send. */
  request: Body;
}

/**
 * How an operation ended, as the history records it.
 *
 * @example
 * ```ts
 * import type { Outcome } from "./client.ts";
 * import assert from "node:assert/strict";
 * const o: Outcome = { status: "ok", output: 3 };
 * assert.equal(o.status, "ok");
 * ```
 */
export interface Outcome {
  /** `ok` it happened, `fail` it did not, `info` it may have. */
  status: OpStatus;
  /** The operation's result in the history. */
  output?: unknown;
}

/**
 * What one client does: its operations and how replies become outcomes.
 * A workload object belongs to one client and may keep state (Kafka's
 * offsets, say).
 *
 * @example
 * ```ts
 * import type { ClientWorkload } from "./client.ts";
 * import assert from "node:assert/strict";
 * let n = 0;
 * const echo: ClientWorkload = {
 *   next: () => ({ f: "echo", input: n, request: { type: "echo", echo: n++ } }),
 *   outcome: (_op, reply) => ({ status: "ok", output: reply.echo }),
 * };
 * assert.equal(echo.next(() => 0.5)?.f, "echo");
 * ```
 */
export interface ClientWorkload {
  /** Requests to send before the workload starts; their replies are awaited but not recorded. */
  setup?(): Body[];
  /** The next operation of the main phase, or null for none (the client then waits). */
  next(random: () => number): ClientOp | null;
  /** The next final operation, or null when the client is done. */
  final?(random: () => number): ClientOp | null;
  /** The outcome of a reply of the expected type (`<request type>_ok`) or an `error`. */
  outcome(op: ClientOp, reply: Body): Outcome;
}

/**
 * The default outcome of an `error` reply: `fail` for a definite error,
 * `info` otherwise; the output records the code and text.
 *
 * @example
 * ```ts
 * import { errorOutcome } from "./client.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(errorOutcome({ type: "error", code: 11, text: "no leader" }), {
 *   status: "fail", output: { error: 11, text: "no leader" },
 * });
 * assert.equal(errorOutcome({ type: "error", code: 0 }).status, "info");
 * ```
 */
export function errorOutcome(reply: Body): Outcome {
  const code = typeof reply.code === "number" ? reply.code : -1;
  const output = reply.text === undefined ? { error: code } : { error: code, text: reply.text };
  return { status: isDefinite(code) ? "fail" : "info", output };
}

/**
 * Settings of a {@linkcode MaelstromClient}.
 *
 * @example
 * ```ts
 * import type { MaelstromClientConfig } from "./client.ts";
 * import assert from "node:assert/strict";
 * const c: MaelstromClientConfig = {
 *   server: "n1",
 *   workload: () => ({ next: () => null, outcome: () => ({ status: "ok" }) }),
 *   untilMs: 5000,
 *   finalAtMs: 7000,
 * };
 * assert.equal(c.server, "n1");
 * ```
 */
export interface MaelstromClientConfig {
  /** The server this client talks to. */
  server: NodeId;
  /** Builds the client's workload (again after a restart). */
  workload: () => ClientWorkload;
  /** Local time at which the main phase ends. */
  untilMs: number;
  /** Local time at which the final operations start (default: no final phase). */
  finalAtMs?: number;
  /** Local time of the first request (default 0: at once). */
  startMs?: number;
  /** No reply within this: the operation is `info` (default 1000 ms, as Maelstrom's lin-kv). */
  timeoutMs?: number;
  /** Pause between operations: uniform in [0, 2 * thinkMs) (default 20 ms). */
  thinkMs?: number;
}

/** The client's timers: the next step, and a request's timeout. */
export type ClientTimer = { type: "next" } | { type: "timeout"; msg_id: number };

/** The request in flight. */
interface InFlight {
  msgId: number;
  op: ClientOp;
  /** The history's id, or null for a setup request. */
  opId: OpId | null;
}

/**
 * Where a client is: sending setup requests, running the workload, waiting
 * for the final phase, making final operations, or done.
 */
export type ClientPhase = "setup" | "main" | "waiting" | "final" | "done";

/**
 * A Maelstrom client (see the module documentation).
 *
 * @example
 * ```ts
 * import { MaelstromClient } from "./client.ts";
 * import { Simulation } from "../../sim/simulation.ts";
 * import { EchoNode } from "../../examples/maelstrom/echo.ts";
 * import { echoWorkload } from "./echo.ts";
 * import assert from "node:assert/strict";
 * const sim = new Simulation({ seed: 1, trace: "off" });
 * sim.spawn("n1", () => new EchoNode());
 * sim.spawn("c1", () => new MaelstromClient({ server: "n1", workload: echoWorkload.client(0, ["n1"], 1), untilMs: 500 }));
 * sim.run({ until: 1000 });
 * assert.ok(sim.history.completed().length > 0);
 * ```
 */
export class MaelstromClient implements Actor<Body, ClientTimer> {
  /** The settings, defaults filled in. */
  readonly config: Readonly<Required<Omit<MaelstromClientConfig, "finalAtMs">>> & {
    finalAtMs?: number;
  };
  #workload!: ClientWorkload;
  #phase: ClientPhase = "setup";
  #setup: Body[] = [];
  #msgId = 0;
  #current: InFlight | null = null;

  /** A client; it starts with its actor's `onStart`. */
  constructor(config: MaelstromClientConfig) {
    this.config = {
      startMs: 0,
      timeoutMs: 1000,
      thinkMs: 20,
      ...config,
    };
  }

  /** Which phase the client is in. */
  get phase(): ClientPhase {
    return this.#phase;
  }

  onStart(ctx: Context<Body, ClientTimer>): void {
    this.#workload = this.config.workload();
    // Message ids keep growing across a restart: a late reply to an old
    // request must never match a new one.
    this.#msgId = ctx.storage.get<number>("msg_id") ?? 0;
    this.#setup = this.#workload.setup?.() ?? [];
    this.#phase = this.#setup.length > 0 ? "setup" : "main";
    ctx.setTimer({ type: "next" }, Math.max(0, this.config.startMs - ctx.now()));
  }

  onMessage(ctx: Context<Body, ClientTimer>, msg: Body): void {
    const cur = this.#current;
    if (cur === null || msg.in_reply_to !== cur.msgId) return; // late, duplicated, or not ours
    ctx.cancelTimer({ type: "timeout", msg_id: cur.msgId });
    this.#current = null;
    if (cur.opId !== null) ctx.complete(cur.opId, ...outcomeOf(this.#workload, cur.op, msg));
    this.#afterOp(ctx);
  }

  onTimer(ctx: Context<Body, ClientTimer>, timer: ClientTimer): void {
    switch (timer.type) {
      case "next":
        return this.#step(ctx);
      case "timeout": {
        const cur = this.#current;
        if (cur === null || cur.msgId !== timer.msg_id) return;
        this.#current = null;
        if (cur.opId !== null) ctx.complete(cur.opId, { error: 0, text: "timed out" }, "info");
        return this.#afterOp(ctx);
      }
      default: {
        const never: never = timer;
        throw new Error(`unknown timer ${JSON.stringify(never)}`);
      }
    }
  }

  inspect(): unknown {
    return { phase: this.#phase, msgId: this.#msgId, inFlight: this.#current?.op.f ?? null };
  }

  #step(ctx: Context<Body, ClientTimer>): void {
    if (this.#current !== null) return;
    const now = ctx.now();
    const random = () => ctx.random();
    let op: ClientOp | null = null;
    switch (this.#phase) {
      case "setup": {
        const request = this.#setup.shift();
        if (this.#setup.length === 0) this.#phase = "main";
        if (request !== undefined) {
          return this.#send(ctx, { f: "setup", input: null, request }, null);
        }
        return this.#afterOp(ctx);
      }
      case "main":
        if (now < this.config.untilMs) op = this.#workload.next(random);
        if (op === null) return this.#toFinal(ctx);
        break;
      case "waiting":
        if (now < (this.config.finalAtMs ?? Infinity)) return this.#toFinal(ctx);
        this.#phase = "final";
        op = this.#workload.final?.(random) ?? null;
        break;
      case "final":
        op = this.#workload.final?.(random) ?? null;
        break;
      case "done":
        return;
      default: {
        const never: never = this.#phase;
        throw new Error(`unknown phase ${never}`);
      }
    }
    if (op === null) {
      this.#phase = "done";
      return;
    }
    this.#send(ctx, op, ctx.invoke(op.f, op.input));
  }

  /** Wait for the final phase (or end here when there is none). */
  #toFinal(ctx: Context<Body, ClientTimer>): void {
    const at = this.config.finalAtMs;
    if (at === undefined || this.#workload.final === undefined) {
      this.#phase = "done";
      return;
    }
    this.#phase = "waiting";
    ctx.setTimer({ type: "next" }, Math.max(0, at - ctx.now()));
  }

  #send(ctx: Context<Body, ClientTimer>, op: ClientOp, opId: OpId | null): void {
    const msgId = ++this.#msgId;
    ctx.storage.set("msg_id", msgId);
    this.#current = { msgId, op, opId };
    ctx.send(this.config.server, { ...op.request, msg_id: msgId });
    ctx.setTimer({ type: "timeout", msg_id: msgId }, this.config.timeoutMs);
  }

  #afterOp(ctx: Context<Body, ClientTimer>): void {
    const think = this.#phase === "final" ? 0 : ctx.random() * 2 * this.config.thinkMs;
    ctx.setTimer({ type: "next" }, think);
  }
}

/** The outcome of a reply, as `complete`'s arguments. */
function outcomeOf(workload: ClientWorkload, op: ClientOp, reply: Body): [unknown, OpStatus] {
  const expected = `${op.request.type}_ok`;
  if (reply.type !== expected && reply.type !== "error") {
    return [{ malformed: `expected ${expected} or error, got ${reply.type}`, reply }, "info"];
  }
  const { status, output } = workload.outcome(op, reply);
  return [output, status];
}

/**
 * What every workload checks: no reply had the wrong type.
 *
 * @example
 * ```ts
 * import { protocolViolations } from "./client.ts";
 * import assert from "node:assert/strict";
 * const op = {
 *   id: 0, client: "c1", f: "echo", input: 1, call: 0, ret: 1, status: "info" as const,
 *   output: { malformed: "expected echo_ok or error, got echo", reply: { type: "echo" } },
 * };
 * assert.equal(protocolViolations([op])[0].check, "malformed-reply");
 * ```
 */
export function protocolViolations(history: readonly Operation[]): Violation[] {
  const out: Violation[] = [];
  for (const op of history) {
    const output = op.output as { malformed?: string } | undefined;
    if (typeof output === "object" && output !== null && typeof output.malformed === "string") {
      out.push({
        check: "malformed-reply",
        message: `op ${op.id} (${op.f} by ${op.client}): ${output.malformed}`,
        atMs: op.ret,
        node: op.client,
      });
    }
  }
  return out;
}

/**
 * Clients of a replicated object, and the part of a replica that answers them.
 *
 * A client is a user at one replica (its "home", as an editor talks to its
 * local copy): it sends one request at a time, records the operation in the
 * run's history with `ctx.invoke` and `ctx.complete`, and gives up after a
 * timeout. An operation that timed out is recorded as `info`: the request or
 * its reply may have been lost, so it may or may not have happened, and the
 * checkers in `convergence.ts` treat it that way. A client never retries an
 * update, because an increment sent twice would count twice.
 *
 * A replica keeps, per client, the last request it answered and its reply
 * ({@linkcode ClientSessions}), in durable storage: a duplicated request is
 * answered again without being applied again, even after a crash, and an
 * older request arriving late is ignored. That makes every update
 * at-most-once.
 *
 * @module
 */

import type { Actor, Context, NodeId, OpId, Storage } from "../../actors/mod.ts";
import type { Json } from "./crdt.ts";
import { isRefusal } from "./replicated_types.ts";

/**
 * A read of the replica's current value; every replicated type accepts it.
 *
 * @example
 * ```ts
 * import type { ReadOp } from "./client.ts";
 * import assert from "node:assert/strict";
 * const read: ReadOp = { type: "read" };
 * assert.equal(read.type, "read");
 * ```
 */
export type ReadOp = { readonly type: "read" };

/**
 * What a client sends: its `id`-th request (ids grow by one per request).
 *
 * @example
 * ```ts
 * import type { ClientRequest } from "./client.ts";
 * import assert from "node:assert/strict";
 * const req: ClientRequest<{ type: "increment"; amount: number }> = {
 *   type: "request",
 *   id: 3,
 *   op: { type: "increment", amount: 1 },
 * };
 * assert.equal(req.id, 3);
 * ```
 */
export type ClientRequest<Op> = { type: "request"; id: number; op: Op | ReadOp };

/**
 * What a replica answers: the operation's output, or why the type refused it
 * (re-adding to a 2P-Set, deleting past the end of a text, ...).
 *
 * @example
 * ```ts
 * import type { ClientReply } from "./client.ts";
 * import assert from "node:assert/strict";
 * const ok: ClientReply = { type: "reply", id: 3, ok: true, output: { value: 7 } };
 * const no: ClientReply = { type: "reply", id: 4, ok: false, error: "index 9 is out of range" };
 * assert.deepEqual([ok.ok, no.ok], [true, false]);
 * ```
 */
export type ClientReply =
  | { type: "reply"; id: number; ok: true; output: Json }
  | { type: "reply"; id: number; ok: false; error: string };

/**
 * The messages between a client and its replica.
 *
 * @example
 * ```ts
 * import type { ClientMsg } from "./client.ts";
 * import assert from "node:assert/strict";
 * const m: ClientMsg<never> = { type: "request", id: 0, op: { type: "read" } };
 * assert.equal(m.type, "request");
 * ```
 */
export type ClientMsg<Op> = ClientRequest<Op> | ClientReply;

/**
 * The next operation of a workload, and the local time at which to issue it.
 * If the previous operation is still waiting for its reply then, the client
 * issues this one as soon as that one ends.
 *
 * @example
 * ```ts
 * import type { ClientStep } from "./client.ts";
 * import assert from "node:assert/strict";
 * const step: ClientStep<{ type: "add"; element: string }> = { at: 120, op: { type: "add", element: "x" } };
 * assert.equal(step.at, 120);
 * ```
 */
export interface ClientStep<Op> {
  at: number;
  op: Op | ReadOp;
}

/**
 * What a workload sees when it picks the next operation.
 *
 * @example
 * ```ts
 * import type { WorkloadView } from "./client.ts";
 * import assert from "node:assert/strict";
 * const view: WorkloadView = { now: 0, random: () => 0.5, last: undefined };
 * assert.equal(view.random(), 0.5);
 * ```
 */
export interface WorkloadView {
  /** The client's local time. */
  now: number;
  /** The client's seeded random stream. */
  random(): number;
  /** The output of the last operation that returned `ok`, if any. */
  last: Json | undefined;
}

/**
 * Picks the `k`-th operation (from 0), or `undefined` when the client is done.
 *
 * @example
 * ```ts
 * import type { Workload } from "./client.ts";
 * import assert from "node:assert/strict";
 * const twice: Workload<{ type: "increment"; amount: number }> = (k, view) =>
 *   k < 2 ? { at: view.now + 10, op: { type: "increment", amount: 1 } } : undefined;
 * assert.equal(twice(0, { now: 5, random: () => 0, last: undefined })?.at, 15);
 * assert.equal(twice(2, { now: 5, random: () => 0, last: undefined }), undefined);
 * ```
 */
export type Workload<Op> = (k: number, view: WorkloadView) => ClientStep<Op> | undefined;

/**
 * A client's configuration.
 *
 * @example
 * ```ts
 * import { type ClientConfig, scriptedWorkload } from "./client.ts";
 * import assert from "node:assert/strict";
 * const c: ClientConfig<{ type: "add"; element: string }> = {
 *   replica: "n1",
 *   workload: scriptedWorkload([{ at: 10, op: { type: "add", element: "x" } }]),
 *   timeoutMs: 100,
 * };
 * assert.equal(c.workload(0, { now: 0, random: () => 0, last: undefined })?.at, 10);
 * ```
 */
export interface ClientConfig<Op> {
  /** The replica the client talks to. */
  replica: NodeId;
  /** What to do, and when. */
  workload: Workload<Op>;
  /** Local ms to wait for a reply before recording the operation as `info` (default 100). */
  timeoutMs?: number;
}

/** A client's timers: issue the next operation; give up waiting for a reply. */
export type ClientTimer = "issue" | "timeout";

/**
 * A user of a replicated object: issues its workload's operations one at a
 * time to its replica and records each in the history.
 *
 * @example
 * ```ts
 * import { TestContext } from "../../actors/mod.ts";
 * import { Client, type ClientMsg, type ClientTimer, scriptedWorkload } from "./client.ts";
 * import type { CounterOp } from "./replicated_types.ts";
 * import assert from "node:assert/strict";
 *
 * const alice = new Client<CounterOp>({
 *   replica: "n1",
 *   workload: scriptedWorkload([{ at: 5, op: { type: "increment", amount: 2 } }]),
 * });
 * const ctx = new TestContext<ClientMsg<CounterOp>, ClientTimer>("alice");
 * ctx.start(alice);
 * ctx.advance(5);
 * assert.deepEqual(ctx.fireDue(alice), ["issue"]);
 * assert.deepEqual(ctx.takeSent(), [{ to: "n1", msg: { type: "request", id: 0, op: { type: "increment", amount: 2 } } }]);
 * ctx.deliver(alice, { type: "reply", id: 0, ok: true, output: { value: 2 } }, "n1");
 * assert.equal(alice.done, true);
 * assert.deepEqual(alice.inspect(), { next: 1, pending: null, done: true, outputs: 1 });
 * ```
 */
export class Client<Op extends { readonly type: string }>
  implements Actor<ClientMsg<Op>, ClientTimer> {
  /** Outputs of the operations that returned `ok`, in order (since the last start). */
  readonly outputs: Json[] = [];
  #k = 0;
  #next: ClientStep<Op> | undefined;
  #pending: { id: number; op: OpId } | undefined;
  #last: Json | undefined;
  #done = false;
  readonly #timeoutMs: number;

  constructor(readonly config: ClientConfig<Op>) {
    this.#timeoutMs = config.timeoutMs ?? 100;
    if (!(Number.isFinite(this.#timeoutMs) && this.#timeoutMs > 0)) {
      throw new RangeError(`Client timeoutMs must be a number > 0, got ${config.timeoutMs}`);
    }
  }

  /** True once the workload has no more operations and the last one has ended. */
  get done(): boolean {
    return this.#done;
  }

  onStart(ctx: Context<ClientMsg<Op>, ClientTimer>): void {
    // Request ids must keep growing across a restart, or the replica would
    // take new requests for duplicates of old ones.
    this.#k = ctx.storage.get<number>("client/next") ?? 0;
    this.#plan(ctx);
  }

  onMessage(ctx: Context<ClientMsg<Op>, ClientTimer>, msg: ClientMsg<Op>): void {
    switch (msg.type) {
      case "reply": {
        const pending = this.#pending;
        // A late or duplicated reply to an operation already ended is ignored.
        if (pending === undefined || msg.id !== pending.id) return;
        ctx.cancelTimer("timeout");
        if (msg.ok) {
          ctx.complete(pending.op, msg.output, "ok");
          this.outputs.push(msg.output);
          this.#last = msg.output;
        } else {
          ctx.complete(pending.op, { error: msg.error }, "fail");
        }
        this.#finish(ctx);
        return;
      }
      case "request":
        throw new Error(`${ctx.self}: a client does not serve requests`);
      default: {
        const never: never = msg;
        throw new Error(`${ctx.self}: unexpected message ${JSON.stringify(never)}`);
      }
    }
  }

  /** `issue` sends the next request; `timeout` gives up on it (`info`: it may have happened). */
  onTimer(ctx: Context<ClientMsg<Op>, ClientTimer>, timer: ClientTimer): void {
    switch (timer) {
      case "issue":
        return this.#issue(ctx);
      case "timeout":
        if (this.#pending === undefined) return;
        ctx.complete(this.#pending.op, undefined, "info");
        return this.#finish(ctx);
      default: {
        const never: never = timer;
        throw new Error(`${ctx.self}: unexpected timer ${JSON.stringify(never)}`);
      }
    }
  }

  /** The next request id, the one pending (if any), and how many outputs it has. */
  inspect(): { next: number; pending: number | null; done: boolean; outputs: number } {
    return {
      next: this.#k,
      pending: this.#pending?.id ?? null,
      done: this.#done,
      outputs: this.outputs.length,
    };
  }

  #plan(ctx: Context<ClientMsg<Op>, ClientTimer>): void {
    this.#next = this.config.workload(this.#k, {
      now: ctx.now(),
      random: () => ctx.random(),
      last: this.#last,
    });
    if (this.#next === undefined) {
      this.#done = true;
      return;
    }
    ctx.setTimer("issue", Math.max(0, this.#next.at - ctx.now()));
  }

  #issue(ctx: Context<ClientMsg<Op>, ClientTimer>): void {
    const step = this.#next;
    if (step === undefined || this.#pending !== undefined) return;
    const id = this.#k;
    ctx.storage.set("client/next", id + 1);
    // The history names the operation `f` and records its arguments as input.
    const { type, ...input } = step.op;
    const op = ctx.invoke(type, input);
    this.#pending = { id, op };
    ctx.send(this.config.replica, { type: "request", id, op: step.op });
    ctx.setTimer("timeout", this.#timeoutMs);
  }

  #finish(ctx: Context<ClientMsg<Op>, ClientTimer>): void {
    this.#pending = undefined;
    this.#k++;
    this.#plan(ctx);
  }
}

/**
 * A workload that issues `steps` in order, each at its local time.
 *
 * @example
 * ```ts
 * import { scriptedWorkload } from "./client.ts";
 * import assert from "node:assert/strict";
 * const w = scriptedWorkload([{ at: 10, op: { type: "add", element: "milk" } }]);
 * assert.equal(w(0, { now: 0, random: () => 0, last: undefined })?.at, 10);
 * assert.equal(w(1, { now: 0, random: () => 0, last: undefined }), undefined);
 * ```
 */
export function scriptedWorkload<Op>(steps: readonly ClientStep<Op>[]): Workload<Op> {
  return (k) => steps[k];
}

/**
 * Options of {@linkcode randomWorkload}.
 *
 * @example
 * ```ts
 * import type { RandomWorkloadOptions } from "./client.ts";
 * import assert from "node:assert/strict";
 * const o: RandomWorkloadOptions<{ type: "read" }> = {
 *   count: 10, gapMs: [5, 40], stopAt: 600, pick: () => ({ type: "read" }),
 * };
 * assert.equal(o.count, 10);
 * ```
 */
export interface RandomWorkloadOptions<Op> {
  /** Operations to issue at most. */
  count: number;
  /** Local ms between the end of one operation and the next, drawn uniformly. */
  gapMs: readonly [min: number, max: number];
  /** Issue nothing at or after this local time (default: no limit). */
  stopAt?: number;
  /** Picks an operation; `last` is the output of the last `ok` operation. */
  pick(random: () => number, last: Json | undefined): Op | ReadOp;
}

/**
 * A workload of `count` operations picked at random, spaced by random gaps.
 *
 * @example
 * ```ts
 * import { randomWorkload } from "./client.ts";
 * import assert from "node:assert/strict";
 * const w = randomWorkload({
 *   count: 5,
 *   gapMs: [10, 20],
 *   pick: (random) => ({ type: random() < 0.5 ? "increment" : "decrement", amount: 1 }),
 * });
 * assert.equal(w(0, { now: 0, random: () => 0.5, last: undefined })?.at, 15);
 * assert.equal(w(5, { now: 0, random: () => 0.5, last: undefined }), undefined); // done
 * ```
 */
export function randomWorkload<Op>(options: RandomWorkloadOptions<Op>): Workload<Op> {
  const [min, max] = options.gapMs;
  if (!(Number.isFinite(min) && Number.isFinite(max) && min >= 0 && max >= min)) {
    throw new RangeError(`randomWorkload gapMs must be [min, max] with 0 <= min <= max`);
  }
  return (k, view) => {
    if (k >= options.count) return undefined;
    const at = view.now + min + view.random() * (max - min);
    if (options.stopAt !== undefined && at >= options.stopAt) return undefined;
    return { at, op: options.pick(view.random, view.last) };
  };
}

/**
 * A replica's memory of its clients: per client, the last request answered
 * and the reply, kept in durable storage under `session/<client>`.
 *
 * @example
 * ```ts
 * import { MemoryStorage } from "../../actors/mod.ts";
 * import { ClientSessions } from "./client.ts";
 * import assert from "node:assert/strict";
 * const disk = new MemoryStorage();
 * const sessions = new ClientSessions();
 * sessions.record(disk, "c1", { type: "reply", id: 4, ok: true, output: null });
 * // After a restart, request 4 again is a duplicate: it gets the cached reply.
 * assert.deepEqual(new ClientSessions().load(disk).check("c1", 4), { type: "reply", id: 4, ok: true, output: null });
 * assert.equal(new ClientSessions().load(disk).check("c1", 5), "new");
 * ```
 */
export class ClientSessions {
  #last = new Map<NodeId, ClientReply>();

  /** Reads the table back from storage (call from `onStart`). */
  load(storage: Storage): this {
    this.#last.clear();
    for (const key of storage.keys()) {
      if (key.startsWith(PREFIX)) this.#last.set(key.slice(PREFIX.length), storage.get(key)!);
    }
    return this;
  }

  /** How many clients have a session. */
  get size(): number {
    return this.#last.size;
  }

  /**
   * What to do with request `id` from `client`: `new` to apply it, `stale`
   * to ignore it (the client has moved on), or the reply to send again.
   */
  check(client: NodeId, id: number): "new" | "stale" | ClientReply {
    const last = this.#last.get(client);
    if (last === undefined || id > last.id) return "new";
    return id === last.id ? last : "stale";
  }

  /** Remembers `reply` as the answer to `client`'s latest request, durably. */
  record(storage: Storage, client: NodeId, reply: ClientReply): void {
    this.#last.set(client, reply);
    storage.set(`${PREFIX}${client}`, reply);
  }

  /**
   * Answers request `msg` from `client` so that a write takes effect once,
   * however often the client sends it: a read gets `read()` at once; a new
   * write is applied by `write(op)`, and its output (or the refusal it
   * throws, see `isRefusal`) is the reply, remembered; a repeated request
   * gets the remembered reply again; an outdated one gets nothing.
   *
   * @example
   * ```ts
   * import { type Context, TestContext } from "../../actors/mod.ts";
   * import { ClientSessions, type ClientRequest } from "./client.ts";
   * import assert from "node:assert/strict";
   * type Inc = { type: "increment" };
   * const sessions = new ClientSessions();
   * let count = 0;
   * const onRequest = (ctx: Context<unknown, unknown>, msg: ClientRequest<Inc>, from: string) =>
   *   sessions.answer(ctx, from, msg, { read: () => count, write: () => ++count });
   * const ctx = new TestContext("n1");
   * onRequest(ctx, { type: "request", id: 1, op: { type: "increment" } }, "c1");
   * onRequest(ctx, { type: "request", id: 1, op: { type: "increment" } }, "c1"); // a retry
   * assert.equal(count, 1);
   * assert.deepEqual(ctx.takeSent().map((s) => s.msg), [
   *   { type: "reply", id: 1, ok: true, output: 1 },
   *   { type: "reply", id: 1, ok: true, output: 1 },
   * ]);
   * ```
   */
  answer<Op extends { readonly type: string }>(
    ctx: Context<unknown, unknown>,
    client: NodeId,
    msg: ClientRequest<Op>,
    serve: { read: () => Json; write: (op: Op) => Json },
  ): void {
    const op = msg.op;
    if (op.type === "read") {
      // Reads change nothing, so a duplicate is simply answered again.
      ctx.send(client, { type: "reply", id: msg.id, ok: true, output: { value: serve.read() } });
      return;
    }
    const seen = this.check(client, msg.id);
    if (seen === "stale") return;
    if (seen !== "new") {
      ctx.send(client, seen);
      return;
    }
    let reply: ClientReply;
    try {
      reply = { type: "reply", id: msg.id, ok: true, output: serve.write(op as Op) };
    } catch (e) {
      if (!isRefusal(e)) throw e;
      reply = { type: "reply", id: msg.id, ok: false, error: e.message };
    }
    this.record(ctx.storage, client, reply);
    ctx.send(client, reply);
  }
}

const PREFIX = "session/";

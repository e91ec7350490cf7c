/**
 * A recording context for unit-testing one handler without a simulation, the
 * way etcd's raft tests step a node and read its messages and Stateright's
 * tests read an actor's `Out`: feed a message or a timer, then read what the
 * handler sent, stored, scheduled, logged and recorded.
 *
 * It holds a handler to the rules the simulator holds it to (see
 * `contract_checks.ts`), so a unit test passes only what a run would: a
 * message or timer that is not plain data, or an `async` handler, throws
 * the simulator's error; a message sent or delivered is a copy, as over a
 * wire; storage refuses what a disk would.
 *
 * @module
 */

import type { Actor, Context, OpId, OpStatus } from "./actor.ts";
import type { NodeId } from "./node_id.ts";
import { MemoryStorage } from "./storage.ts";
import { handlerReturned, sentMessage, setTimerValue } from "./contract_checks.ts";
import { timerKey } from "./timer_key.ts";

/**
 * A message a handler sent.
 *
 * @example
 * ```ts
 * import type { Sent } from "./test_context.ts";
 * import assert from "node:assert/strict";
 * const s: Sent<{ type: "ping" }> = { to: "n2", msg: { type: "ping" } };
 * assert.equal(s.to, "n2");
 * ```
 */
export interface Sent<M> {
  /** The node it was sent to. */
  to: NodeId;
  /** The message. */
  msg: M;
}

/**
 * A pending timer and the local time it fires at.
 *
 * @example
 * ```ts
 * import type { PendingTimer } from "./test_context.ts";
 * import assert from "node:assert/strict";
 * const t: PendingTimer<string> = { timer: "heartbeat", at: 50 };
 * assert.equal(t.at, 50);
 * ```
 */
export interface PendingTimer<T> {
  /** The timer, as the handler set it. */
  timer: T;
  /** The local time it fires at, in virtual milliseconds. */
  at: number;
}

/**
 * A client operation as the handler recorded it.
 *
 * @example
 * ```ts
 * import type { RecordedOp } from "./test_context.ts";
 * import assert from "node:assert/strict";
 * const op: RecordedOp = { op: 0, f: "read", input: "x", status: "ok", output: 1 };
 * assert.equal(op.status, "ok");
 * ```
 */
export interface RecordedOp {
  /** The id `invoke` returned. */
  op: OpId;
  /** The operation's name (`read`, `write`, ...). */
  f: string;
  /** What the client asked for. */
  input: unknown;
  /** Undefined while the operation has not completed. */
  status?: OpStatus;
  /** What the operation returned, once completed. */
  output?: unknown;
}

/**
 * Options of a {@linkcode TestContext}.
 *
 * @example
 * ```ts
 * import type { TestContextOptions } from "./test_context.ts";
 * import assert from "node:assert/strict";
 * const o: TestContextOptions = { now: 100, random: [0.5] };
 * assert.equal(o.now, 100);
 * ```
 */
export interface TestContextOptions {
  /** The local clock's reading (default 0); move it with {@linkcode TestContext.advance}. */
  now?: number;
  /** Storage to start with (a restarted node's, say). Default: empty. */
  storage?: MemoryStorage;
  /**
   * What `random()` returns, in turn; cycles when it runs out. Default: a
   * fixed seeded sequence, so tests stay deterministic.
   */
  random?: readonly number[];
}

/**
 * A {@linkcode Context} that records instead of acting.
 *
 * @example
 * ```ts
 * import { TestContext } from "./test_context.ts";
 * import type { Actor, Context } from "./actor.ts";
 * import assert from "node:assert/strict";
 *
 * type Msg = { type: "vote"; term: number } | { type: "granted"; term: number };
 * const voter: Actor<Msg, "election"> = {
 *   onMessage(ctx: Context<Msg, "election">, msg: Msg, from: string) {
 *     if (msg.type !== "vote") return;
 *     ctx.storage.set("votedFor", from);
 *     ctx.send(from, { type: "granted", term: msg.term });
 *     ctx.setTimer("election", 150);
 *   },
 * };
 * const ctx = new TestContext<Msg, "election">("n2", { now: 10 });
 * ctx.deliver(voter, { type: "vote", term: 3 }, "n1");
 * assert.deepEqual(ctx.takeSent(), [{ to: "n1", msg: { type: "granted", term: 3 } }]);
 * assert.equal(ctx.storage.get("votedFor"), "n1");
 * assert.deepEqual(ctx.timers(), [{ timer: "election", at: 160 }]);
 * // Time passes; the due timer fires into the actor.
 * ctx.advance(150);
 * assert.deepEqual(ctx.fireDue(voter), ["election"]);
 * ```
 */
export class TestContext<M, T = string> implements Context<M, T> {
  /** The id of the node under test. */
  readonly self: NodeId;
  /** Its durable storage: read what the handler stored, or pass it to a restarted node. */
  readonly storage: MemoryStorage;
  /** Messages sent, oldest first, until taken with {@linkcode TestContext.takeSent}. */
  readonly sent: Sent<M>[] = [];
  /** Log notes, oldest first. */
  readonly logs: Array<{ note: string; data?: unknown }> = [];
  /** Client operations recorded, by id order. */
  readonly ops: RecordedOp[] = [];
  /** `sometimes` conditions that held, with how many times each did. */
  readonly reached: Map<string, number> = new Map();
  #now: number;
  #timers = new Map<string, PendingTimer<T>>();
  #random: readonly number[] | undefined;
  #draws = 0;
  #state = 0x9e3779b9;

  /**
   * A context for the node `self`; throws a {@linkcode RangeError} when
   * `options.random` is empty or holds a number outside [0, 1).
   *
   * @param self the id of the node under test
   * @param options its clock, storage and random numbers
   */
  constructor(self: NodeId, options: TestContextOptions = {}) {
    this.self = self;
    this.#now = options.now ?? 0;
    this.storage = options.storage ?? new MemoryStorage();
    if (options.random !== undefined) {
      if (options.random.length === 0 || options.random.some((x) => !(x >= 0 && x < 1))) {
        throw new RangeError("TestContext random: give numbers in [0, 1), at least one");
      }
      this.#random = options.random;
    }
  }

  now(): number {
    return this.#now;
  }

  send(to: NodeId, msg: M): void {
    // Checked and copied as the simulator does, so a unit test passes only what a run would.
    this.sent.push({ to, msg: sentMessage(this.self, to, msg) });
  }

  setTimer(timer: T, afterMs: number): void {
    if (!(Number.isFinite(afterMs) && afterMs >= 0)) {
      throw new RangeError(`setTimer: afterMs must be a finite number >= 0, got ${afterMs}`);
    }
    timer = setTimerValue(this.self, timer);
    const key = timerKey(timer);
    this.#timers.delete(key); // a replaced timer goes to the back, as it would in a queue
    this.#timers.set(key, { timer, at: this.#now + afterMs });
  }

  cancelTimer(timer: T): void {
    this.#timers.delete(timerKey(timer));
  }

  random(): number {
    const fixed = this.#random;
    if (fixed !== undefined) return fixed[this.#draws++ % fixed.length];
    // A small xorshift: deterministic and good enough for a unit test's draws.
    let x = this.#state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.#state = x >>> 0;
    this.#draws++;
    return this.#state / 4294967296;
  }

  log(note: string, data?: unknown): void {
    this.logs.push(data === undefined ? { note } : { note, data });
  }

  invoke(f: string, input?: unknown): OpId {
    const op = this.ops.length;
    this.ops.push({ op, f, input });
    return op;
  }

  complete(op: OpId, output?: unknown, status: OpStatus = "ok"): void {
    const recorded = this.ops[op];
    if (recorded === undefined || recorded.status !== undefined) {
      throw new Error(`complete(${op}): no such operation is pending`);
    }
    recorded.status = status;
    recorded.output = output;
  }

  sometimes(name: string, condition: boolean): void {
    if (condition) this.reached.set(name, (this.reached.get(name) ?? 0) + 1);
  }

  /** Returns the messages sent since the last call, and forgets them. */
  takeSent(): Sent<M>[] {
    return this.sent.splice(0, this.sent.length);
  }

  /** The pending timers, earliest first (ties in the order they were set). */
  timers(): PendingTimer<T>[] {
    return [...this.#timers.values()].sort((a, b) => a.at - b.at);
  }

  /** Whether a timer equal to `timer` is pending. */
  hasTimer(timer: T): boolean {
    return this.#timers.has(timerKey(timer));
  }

  /** Moves the local clock forward by `ms`. */
  advance(ms: number): void {
    if (!(Number.isFinite(ms) && ms >= 0)) {
      throw new RangeError(`advance: ms must be a finite number >= 0, got ${ms}`);
    }
    this.#now += ms;
  }

  /**
   * A crash and a restart, as the simulator does them: the pending timers
   * are lost with the old instance, the storage and the clock stay, and a
   * new actor from `factory` starts (its `onStart` runs). Returns the new
   * actor, to deliver to from then on.
   *
   * @example
   * ```ts
   * import { TestContext } from "./test_context.ts";
   * import type { Actor, Context } from "./actor.ts";
   * import assert from "node:assert/strict";
   * class Counter implements Actor<"tick", "flush"> {
   *   count = 0;
   *   onStart(ctx: Context<"tick", "flush">) {
   *     this.count = ctx.storage.get<number>("count") ?? 0;
   *   }
   *   onMessage(ctx: Context<"tick", "flush">) {
   *     this.count++;
   *     ctx.storage.set("count", this.count);
   *     ctx.setTimer("flush", 10);
   *   }
   * }
   * const ctx = new TestContext<"tick", "flush">("n1");
   * const before = new Counter();
   * ctx.start(before);
   * ctx.deliver(before, "tick", "c1");
   * const after = ctx.restart(() => new Counter());
   * assert.equal(after.count, 1); // read back from storage
   * assert.deepEqual(ctx.timers(), []); // the timer died with the old instance
   * ```
   */
  restart<A extends Actor<M, T>>(factory: () => A): A {
    this.#timers.clear();
    const actor = factory();
    this.start(actor);
    return actor;
  }

  /** Calls `actor.onStart` with this context. */
  start(actor: Actor<M, T>): void {
    handlerReturned(this.self, "onStart", actor.onStart?.(this));
  }

  /** Calls `actor.onMessage` with this context. */
  deliver(actor: Actor<M, T>, msg: M, from: NodeId): void {
    handlerReturned(
      this.self,
      "onMessage",
      actor.onMessage(this, sentMessage(from, this.self, msg), from),
    );
  }

  /** Removes the pending `timer` and calls `actor.onTimer` with it. */
  fire(actor: Actor<M, T>, timer: T): void {
    const key = timerKey(timer);
    if (!this.#timers.has(key)) {
      throw new Error(`fire: no pending timer ${JSON.stringify(timer)}`);
    }
    this.#timers.delete(key);
    handlerReturned(this.self, "onTimer", actor.onTimer?.(this, timer));
  }

  /** Fires, earliest first, every timer due by now; returns the timers fired. */
  fireDue(actor: Actor<M, T>): T[] {
    const fired: T[] = [];
    // Bounded: a handler that re-arms with delay 0 would otherwise loop forever.
    for (let i = 0; i < 10_000; i++) {
      const next = this.timers()[0];
      if (next === undefined || next.at > this.#now) return fired;
      this.fire(actor, next.timer);
      fired.push(next.timer);
    }
    throw new Error(
      "fireDue: 10000 timers fired without time moving; a timer re-arms itself with 0 ms?",
    );
  }
}

/**
 * The actor contract: what a protocol participant is, and the only door it has
 * to the world.
 *
 * An actor is a pure reaction. A handler runs to completion on one message or
 * one timer, changes the actor's own fields, and asks its {@linkcode Context}
 * to send messages, set timers, write storage or record client operations.
 * No clock, randomness, timers or I/O of its own: that is what makes a run
 * replayable from its seed, and lets the same actor run in a simulation, in a
 * unit test ({@linkcode TestContext}), or on a real network.
 *
 * Two type parameters carry the protocol: `M`, the union of the messages the
 * actor sends and receives, and `T`, the union of its timers. A timer is plain
 * data, so it can carry what the handler needs (`{ type: "retry", seq: 4 }`)
 * instead of encoding it in a name; setting a timer equal to a pending one
 * replaces it (equal as data, see {@linkcode timerKey}).
 *
 * @module
 */

import type { NodeId } from "./node_id.ts";
import type { Storage } from "./storage.ts";

/** Identifies one client operation in the run's history. */
export type OpId = number;

/**
 * How an operation ended, with Jepsen's meanings: `ok` happened, `fail` did
 * not happen, `info` may or may not have happened (a timeout, say).
 */
export type OpStatus = "ok" | "fail" | "info";

/**
 * Everything an actor may do. The simulator, the test double
 * {@linkcode TestContext} and a real transport each implement it.
 *
 * @example
 * ```ts
 * import type { Actor, Context } from "./actor.ts";
 * import { TestContext } from "./test_context.ts";
 * import assert from "node:assert/strict";
 *
 * type Msg = { type: "ping"; n: number } | { type: "pong"; n: number };
 * type Timer = { type: "retry"; n: number };
 * class Pinger implements Actor<Msg, Timer> {
 *   onStart(ctx: Context<Msg, Timer>) {
 *     ctx.send("b", { type: "ping", n: 1 });
 *     ctx.setTimer({ type: "retry", n: 1 }, 50);
 *   }
 *   onMessage(ctx: Context<Msg, Timer>, msg: Msg) {
 *     if (msg.type === "pong") ctx.cancelTimer({ type: "retry", n: msg.n });
 *   }
 *   onTimer(ctx: Context<Msg, Timer>, timer: Timer) {
 *     ctx.send("b", { type: "ping", n: timer.n });
 *   }
 * }
 * const ctx = new TestContext<Msg, Timer>("a");
 * new Pinger().onStart(ctx);
 * assert.deepEqual(ctx.takeSent(), [{ to: "b", msg: { type: "ping", n: 1 } }]);
 * assert.deepEqual(ctx.timers(), [{ timer: { type: "retry", n: 1 }, at: 50 }]);
 * ```
 */
export interface Context<M, T = string> {
  /** This node's id. */
  readonly self: NodeId;
  /** This node's local clock in virtual milliseconds; it may be skewed and drift. */
  now(): number;
  /** Sends `msg` to `to` over the network (it may be delayed, lost or duplicated). */
  send(to: NodeId, msg: M): void;
  /**
   * Fires `onTimer(timer)` after `afterMs` of local time. Setting a timer
   * equal (as data) to a pending one replaces it.
   */
  setTimer(timer: T, afterMs: number): void;
  /** Cancels the pending timer equal to `timer`, if any. */
  cancelTimer(timer: T): void;
  /** A uniform number in [0, 1) from this node's own seeded stream. */
  random(): number;
  /** Durable storage: survives crash and restart; everything else does not. */
  readonly storage: Storage;
  /** Writes a note (and optional plain data) into the trace. */
  log(note: string, data?: unknown): void;
  /** Records that this node, as a client, invoked operation `f` with `input`. */
  invoke(f: string, input?: unknown): OpId;
  /** Records that operation `op` returned `output` with `status` (default `ok`). */
  complete(op: OpId, output?: unknown, status?: OpStatus): void;
  /**
   * Marks an interesting moment: explorers count how many runs reached each
   * named condition (a leader change with uncommitted entries, say), so a
   * user can see whether a search ever got there. Costs nothing when
   * `condition` is false.
   */
  sometimes(name: string, condition: boolean): void;
}

/**
 * A protocol participant. `M` is the union of the messages it sends and
 * receives, `T` the union of its timers.
 *
 * @example
 * ```ts
 * import type { Actor, Context } from "./actor.ts";
 * import { TestContext } from "./test_context.ts";
 * import assert from "node:assert/strict";
 *
 * type Msg = { type: "hello"; n: number };
 * class Counter implements Actor<Msg> {
 *   seen = 0;
 *   onStart(ctx: Context<Msg>) {
 *     this.seen = ctx.storage.get<number>("seen") ?? 0;
 *   }
 *   onMessage(ctx: Context<Msg>, msg: Msg) {
 *     this.seen += msg.n;
 *     ctx.storage.set("seen", this.seen);
 *   }
 *   inspect() {
 *     return { seen: this.seen };
 *   }
 * }
 * const ctx = new TestContext<Msg>("n1");
 * const counter = new Counter();
 * counter.onMessage(ctx, { type: "hello", n: 3 });
 * assert.equal(ctx.storage.get("seen"), 3);
 * assert.deepEqual(counter.inspect(), { seen: 3 });
 * ```
 */
export interface Actor<M, T = string> {
  /** Runs at first start and after every restart (read durable state from `ctx.storage` here). */
  onStart?(ctx: Context<M, T>): void;
  /** Handles one delivered message. Must not return a promise: handlers run to completion. */
  onMessage(ctx: Context<M, T>, msg: M, from: NodeId): void;
  /** Handles a timer set with `ctx.setTimer(timer, ...)`. */
  onTimer?(ctx: Context<M, T>, timer: T): void;
  /**
   * A plain-data view of the actor's state (role, term, log, ...), for the
   * studio's state panel and for state fingerprints in exhaustive checking.
   * Two actors whose `inspect()` values are equal must behave the same.
   */
  inspect?(): unknown;
}

/**
 * Builds a fresh actor instance. Called at spawn and at every restart, so a
 * restart honestly loses all volatile state and keeps only storage.
 *
 * @example
 * ```ts
 * import type { ActorFactory } from "./actor.ts";
 * import assert from "node:assert/strict";
 * const factory: ActorFactory<never> = () => ({ onMessage() {} });
 * assert.equal(typeof factory("n1").onMessage, "function");
 * ```
 */
export type ActorFactory<M, T = string> = (id: NodeId) => Actor<M, T>;

/** The message type of an actor. */
export type MessageOf<A> = A extends Actor<infer M, infer _T> ? M : never;
/** The timer type of an actor. */
export type TimerOf<A> = A extends Actor<infer _M, infer T> ? T : never;

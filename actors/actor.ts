/**
 * The actor contract: what a protocol participant is, and the only door it has
 * to the world.
 *
 * An actor is a pure reaction. A handler runs to completion on one message or
 * one timer, changes the actor's own fields, and asks its {@linkcode Context}
 * to send messages, set timers, write storage or record client operations.
 * No clock, randomness, timers or I/O of its own: that is what makes a run
 * replayable from its seed, and lets the same actor run in a simulation, in a
 * test, or later on a real network.
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
 * Everything an actor may do. The simulator (or, later, a real transport)
 * implements it.
 *
 * @example
 * ```ts
 * import type { Actor, Context } from "./actor.ts";
 * type Msg = { type: "ping" } | { type: "pong" };
 * class Echo implements Actor<Msg> {
 *   onMessage(ctx: Context<Msg>, msg: Msg, from: string) {
 *     if (msg.type === "ping") ctx.send(from, { type: "pong" });
 *   }
 * }
 * ```
 */
export interface Context<M> {
  /** This node's id. */
  readonly self: NodeId;
  /** This node's local clock in virtual milliseconds; it may be skewed and drift. */
  now(): number;
  /** Sends `msg` to `to` over the simulated network (it may be delayed, lost or duplicated). */
  send(to: NodeId, msg: M): void;
  /** Fires `onTimer(name)` after `afterMs` of local time. Setting a name again replaces it. */
  setTimer(name: string, afterMs: number): void;
  /** Cancels the timer `name`, if set. */
  cancelTimer(name: string): void;
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
}

/**
 * A protocol participant. `M` is the union of the messages it sends and receives.
 *
 * @example
 * ```ts
 * import type { Actor, Context } from "./actor.ts";
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
 * }
 * ```
 */
export interface Actor<M> {
  /** Runs at first start and after every restart (read durable state from `ctx.storage` here). */
  onStart?(ctx: Context<M>): void;
  /** Handles one delivered message. */
  onMessage(ctx: Context<M>, msg: M, from: NodeId): void;
  /** Handles a timer set with `ctx.setTimer(name, ...)`. */
  onTimer?(ctx: Context<M>, name: string): void;
}

/**
 * Builds a fresh actor instance. Called at spawn and at every restart, so a
 * restart honestly loses all volatile state and keeps only storage.
 *
 * @example
 * ```ts
 * import type { ActorFactory } from "./actor.ts";
 * const factory: ActorFactory<never> = () => ({ onMessage() {} });
 * ```
 */
export type ActorFactory<M> = (id: NodeId) => Actor<M>;

/**
 * State machine replication (lecture 5.3 of Kleppmann's course): if every
 * replica starts in the same state and applies the same deterministic
 * commands in the same order, every replica goes through the same states.
 * Total order broadcast gives exactly that order, so a replica is
 *
 * ```text
 * on request op from a client:   broadcast (client, id, op) by total order broadcast
 * on delivering (client, id, op): state, output := apply(state, op)
 *                                  if I took the request: reply output to the client
 * ```
 *
 * This file holds what the replica needs from the thing it replicates: a
 * {@linkcode StateMachine}, deterministic and over plain data, and the
 * {@linkcode Command} that travels through the order.
 *
 * @module
 */

import type { NodeId } from "../../actors/mod.ts";

/**
 * A deterministic state machine over plain data: `apply` must give the same
 * result for the same state and operation on every replica (no clock, no
 * randomness), and neither `S` nor `Out` may hold anything but plain data,
 * since states are stored and outputs sent.
 *
 * @example
 * ```ts
 * import type { StateMachine } from "./machine.ts";
 * import assert from "node:assert/strict";
 * const counter: StateMachine<number, { type: "add"; n: number } | { type: "get" }, number> = {
 *   name: "counter",
 *   init: () => 0,
 *   apply: (s, op) => op.type === "add" ? { state: s + op.n, output: s + op.n } : { state: s, output: s },
 *   isRead: (op) => op.type === "get",
 * };
 * assert.deepEqual(counter.apply(counter.init(), { type: "add", n: 2 }), { state: 2, output: 2 });
 * ```
 */
export interface StateMachine<S, Op, Out> {
  /** A name for summaries. */
  readonly name: string;
  /** The state every replica starts in. */
  init(): S;
  /** The next state and the client's answer. */
  apply(state: S, op: Op): { state: S; output: Out };
  /** Whether `op` leaves the state as it is (only the planted local-read bug looks). */
  isRead(op: Op): boolean;
}

/**
 * What travels through the total order: a client's operation with the
 * client's id and its request number, so that a request ordered twice (the
 * client retried through another replica) takes effect once.
 *
 * @example
 * ```ts
 * import type { Command } from "./machine.ts";
 * import assert from "node:assert/strict";
 * const c: Command<{ type: "read" }> = { client: "c1", id: 4, op: { type: "read" } };
 * assert.equal(c.id, 4);
 * ```
 */
export interface Command<Op> {
  /** The client that asked. */
  client: NodeId;
  /** The client's request number; it grows with every new request. */
  id: number;
  /** What it asked for. */
  op: Op;
}

/**
 * The messages between clients and replicas.
 *
 * @example
 * ```ts
 * import type { ClientMsg } from "./machine.ts";
 * import assert from "node:assert/strict";
 * const ask: ClientMsg<{ type: "read" }, number | null> = { type: "request", id: 1, op: { type: "read" } };
 * const answer: ClientMsg<{ type: "read" }, number | null> = { type: "reply", id: 1, output: 7 };
 * assert.equal(ask.id, answer.id);
 * ```
 */
export type ClientMsg<Op, Out> =
  /** Please apply `op`; `id` grows with every new request of this client. */
  | { type: "request"; id: number; op: Op }
  /** Request `id` was applied, with this result. */
  | { type: "reply"; id: number; output: Out };

/**
 * The last request a replica applied for a client, and its output: a
 * request with that id again is answered from here, an older one ignored.
 *
 * @example
 * ```ts
 * import type { Session } from "./machine.ts";
 * import assert from "node:assert/strict";
 * const s: Session<boolean> = { id: 3, output: true };
 * assert.equal(s.output, true);
 * ```
 */
export interface Session<Out> {
  /** The client's last applied request number. */
  id: number;
  /** What that request returned. */
  output: Out;
}

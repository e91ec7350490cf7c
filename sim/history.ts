/**
 * Client histories: what clients asked for and what they were told, with
 * virtual call and return times. Checkers (linearizability, convergence) read
 * these; the simulator writes them through `ctx.invoke` and `ctx.complete`.
 *
 * @module
 */

import type { NodeId, OpId, OpStatus } from "../actors/mod.ts";

/**
 * One client operation. `status` is `pending` while it has not returned; a
 * pending or `info` operation may or may not have taken effect, and a `fail`
 * one did not.
 *
 * @example
 * ```ts
 * import { History, type Operation } from "./history.ts";
 * import assert from "node:assert/strict";
 * const h = new History();
 * h.complete(h.invoke("c1", "write", 3, 10), undefined, "ok", 25);
 * const op: Operation = h.operations[0];
 * assert.deepEqual(op, {
 *   id: 0, client: "c1", f: "write", input: 3, output: undefined,
 *   call: 10, ret: 25, status: "ok",
 * });
 * ```
 */
export interface Operation {
  /** Unique within the history, in invocation order. */
  id: OpId;
  /** The node (client) that invoked it. */
  client: NodeId;
  /** The operation's name: `read`, `write`, `cas`, `put`, `add`, ... */
  f: string;
  /** The argument. */
  input: unknown;
  /** The result, when it returned. */
  output: unknown;
  /** Global virtual time of the invocation. */
  call: number;
  /** Global virtual time of the return, or `Infinity` while pending. */
  ret: number;
  /** How it ended, or `pending`. */
  status: OpStatus | "pending";
}

/**
 * An append-only record of client operations.
 *
 * @example
 * ```ts
 * import { History } from "./history.ts";
 * import assert from "node:assert/strict";
 * const h = new History();
 * const id = h.invoke("c1", "write", 1, 0);
 * h.complete(id, undefined, "ok", 5);
 * assert.equal(h.operations[0].status, "ok");
 * ```
 */
export class History {
  /** Operations in invocation order; `operations[id].id === id`. */
  readonly operations: Operation[] = [];

  /** Records an invocation at global time `at` and returns its id. */
  invoke(client: NodeId, f: string, input: unknown, at: number): OpId {
    const id = this.operations.length;
    this.operations.push({
      id,
      client,
      f,
      input,
      output: undefined,
      call: at,
      ret: Infinity,
      status: "pending",
    });
    return id;
  }

  /** Records the return of `id`. Throws if `id` is unknown or already returned. */
  complete(id: OpId, output: unknown, status: OpStatus, at: number): void {
    const op = this.operations[id];
    if (op === undefined) throw new RangeError(`complete: unknown operation id ${id}`);
    if (op.status !== "pending") {
      throw new RangeError(`complete: operation ${id} (${op.f} by ${op.client}) already returned`);
    }
    op.output = output;
    op.status = status;
    op.ret = at;
  }

  /** Operations that returned `ok`. */
  completed(): Operation[] {
    return this.operations.filter((op) => op.status === "ok");
  }
}

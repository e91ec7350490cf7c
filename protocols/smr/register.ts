/**
 * A compare-and-set register as a state machine: `read`, `write v`, and
 * `cas from to`, which sets the value to `to` only if it is `from` and says
 * whether it did. Replicated through a total order, it is linearizable
 * (lecture 7.2): every operation takes effect at its place in the order,
 * which lies between its request and its reply.
 *
 * A compare-and-set cannot be built from quorum reads and writes alone (a
 * register's consensus number is 1, compare-and-set's is infinite: Herlihy
 * 1991): two clients that both read 0 and both write back would both
 * "succeed". Through the order, exactly one of two concurrent `cas 0 1` and
 * `cas 0 2` wins.
 *
 * Operations and outputs match `casRegisterModel` of `sim/check/models.ts`,
 * so histories are checked against it.
 *
 * @module
 */

import type { StateMachine } from "./machine.ts";

/**
 * A register operation. `null` is "no value yet".
 *
 * @example
 * ```ts
 * import type { RegisterOp } from "./register.ts";
 * import assert from "node:assert/strict";
 * const op: RegisterOp = { type: "cas", from: null, to: 1 };
 * assert.equal(op.type, "cas");
 * ```
 */
export type RegisterOp =
  | { type: "read" }
  | { type: "write"; value: number }
  | { type: "cas"; from: number | null; to: number };

/**
 * What a register operation returns: the value for `read` (`null` before
 * the first write), `null` for `write`, whether it swapped for `cas`.
 */
export type RegisterOutput = number | boolean | null;

/** The register's state: its value, `null` before the first write. */
export type RegisterState = number | null;

/**
 * The compare-and-set register.
 *
 * @example
 * ```ts
 * import { casRegister } from "./register.ts";
 * import assert from "node:assert/strict";
 * const s0 = casRegister.init();
 * const first = casRegister.apply(s0, { type: "cas", from: null, to: 1 });
 * const second = casRegister.apply(first.state, { type: "cas", from: null, to: 2 });
 * assert.deepEqual([first.output, second.output, second.state], [true, false, 1]);
 * ```
 */
export const casRegister: StateMachine<RegisterState, RegisterOp, RegisterOutput> = {
  name: "compare-and-set register",
  init: () => null,
  apply(state, op) {
    switch (op.type) {
      case "read":
        return { state, output: state };
      case "write":
        return { state: op.value, output: null };
      case "cas":
        return state === op.from ? { state: op.to, output: true } : { state, output: false };
      default: {
        const never: never = op;
        throw new TypeError(`unknown register operation ${JSON.stringify(never)}`);
      }
    }
  },
  isRead: (op) => op.type === "read",
};

/**
 * How an operation is recorded in the history, for `casRegisterModel`: its
 * name `f` and its input (`write`'s value, `cas`'s `[from, to]`).
 *
 * @example
 * ```ts
 * import { historyEntry } from "./register.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(historyEntry({ type: "cas", from: 1, to: 2 }), { f: "cas", input: [1, 2] });
 * assert.deepEqual(historyEntry({ type: "read" }), { f: "read", input: null });
 * ```
 */
export function historyEntry(op: RegisterOp): { f: string; input: unknown } {
  switch (op.type) {
    case "read":
      return { f: "read", input: null };
    case "write":
      return { f: "write", input: op.value };
    case "cas":
      return { f: "cas", input: [op.from, op.to] };
    default: {
      const never: never = op;
      throw new TypeError(`unknown register operation ${JSON.stringify(never)}`);
    }
  }
}

/**
 * An operation in a few characters: `read`, `write 7`, `cas 7→9`.
 *
 * @example
 * ```ts
 * import { describeOp } from "./register.ts";
 * import assert from "node:assert/strict";
 * assert.equal(describeOp({ type: "cas", from: null, to: 9 }), "cas nil→9");
 * ```
 */
export function describeOp(op: RegisterOp): string {
  switch (op.type) {
    case "read":
      return "read";
    case "write":
      return `write ${op.value}`;
    case "cas":
      return `cas ${op.from ?? "nil"}→${op.to}`;
    default: {
      const never: never = op;
      throw new TypeError(`unknown register operation ${JSON.stringify(never)}`);
    }
  }
}

/**
 * The replicated objects that the replica actors serve: for each CRDT, the
 * operations a client may ask for, and what one of them does to a replica's
 * state. A {@linkcode ReplicatedType} is all a state-based replica
 * (`replica.ts`) needs to know about the type it replicates.
 *
 * An update returns the new state, its delta when the type has one (Almeida,
 * Shoker, Baquero, "Delta State Replicated Data Types", 2018: a small state
 * that, joined into the old one, gives the new one), and the output the
 * client is told. The outputs carry what the checkers in `convergence.ts`
 * need to judge the final value against the history: the dot an OR-Set add
 * created and the dots a remove observed, the timestamp an LWW write got, the
 * ids of the characters a text edit inserted or deleted.
 *
 * @module
 */

import type { NodeId } from "../../actors/mod.ts";
import { CrdtError, type Json, type StateCrdt } from "./crdt.ts";
import type { Dot } from "./dot_context.ts";
import { type Bias, LwwElementSet } from "./lww_element_set.ts";
import { OrSet, type OrSetOp } from "./or_set.ts";
import { PNCounter } from "./pn_counter.ts";
import { Rga, type RgaId } from "./rga.ts";
import type { Timestamp } from "./timestamp.ts";

/**
 * Where and when an update happens: the replica applying it, and a reading
 * of its clock that never goes backwards (for LWW timestamps).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lwwSetType, type UpdateContext } from "./replicated_types.ts";
 * const at: UpdateContext = { replica: "n1", now: 120.5 };
 * const type = lwwSetType<string>();
 * // An LWW write is stamped with the replica and its clock reading.
 * assert.deepEqual(type.update(type.empty(), { type: "add", element: "x" }, at).output, {
 *   ts: { time: 120.5, node: "n1" },
 * });
 * ```
 */
export interface UpdateContext {
  /** The replica applying the update. */
  readonly replica: NodeId;
  /** Its clock reading, ms (the node's clock, so maybe skewed; never goes backwards). */
  readonly now: number;
}

/**
 * What an update did.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PNCounter } from "./pn_counter.ts";
 * import { counterType, type Update } from "./replicated_types.ts";
 * const before = PNCounter.empty().increment("n2", 5);
 * const u: Update<PNCounter> = counterType.update(before, { type: "increment", amount: 2 }, {
 *   replica: "n1",
 *   now: 0,
 * });
 * assert.deepEqual(u.output, { value: 7 });
 * // The delta is the one entry that changed; joined into the old state it gives the new one.
 * assert.deepEqual(u.delta?.toJSON(), { p: { n1: 2 }, n: {} });
 * assert.ok(before.merge(u.delta!).equals(u.state));
 * ```
 */
export interface Update<S> {
  /** The state after the update. */
  readonly state: S;
  /** Its delta; absent when the type has none (the replica then ships whole states). */
  readonly delta?: S;
  /** What the client is told. */
  readonly output: Json;
}

/**
 * A state-based CRDT with client operations `Op`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { StateCrdt } from "./crdt.ts";
 * import { type CounterOp, counterType, type ReplicatedType } from "./replicated_types.ts";
 * // What a replica does with its clients' operations, for any type.
 * function serve<S extends StateCrdt<S, unknown>, Op>(type: ReplicatedType<S, Op>, ops: Op[]): S {
 *   const at = { replica: "n1", now: 0 };
 *   return ops.reduce((s, op) => type.update(s, op, at).state, type.empty());
 * }
 * const ops: CounterOp[] = [{ type: "increment", amount: 3 }, { type: "decrement", amount: 1 }];
 * assert.equal(serve(counterType, ops).value(), 2);
 * assert.equal(counterType.name, "counter");
 * ```
 */
export interface ReplicatedType<S extends StateCrdt<S, unknown>, Op> {
  /** A short name for messages and summaries. */
  readonly name: string;
  /** False when `update` never returns a delta: replicas then ship whole states only. */
  readonly deltas?: boolean;
  /** The bottom state every replica starts from. */
  empty(): S;
  /** Decodes a state from its JSON form (from storage or the network). */
  fromJSON(json: unknown): S;
  /**
   * Applies a client's operation. Throws a {@linkcode CrdtError}, `RangeError`
   * or `TypeError` for an operation the type refuses; the replica turns that
   * into a `fail` reply.
   */
  update(state: S, op: Op, at: UpdateContext): Update<S>;
}

/**
 * Counter operations: add or subtract a whole number >= 0.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type CounterOp, counterType } from "./replicated_types.ts";
 * const op: CounterOp = { type: "decrement", amount: 2 };
 * const u = counterType.update(counterType.empty(), op, { replica: "n1", now: 0 });
 * assert.equal(u.state.value(), -2);
 * ```
 */
export type CounterOp =
  | { readonly type: "increment"; readonly amount: number }
  | { readonly type: "decrement"; readonly amount: number };

/**
 * Set operations.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { orSetType, type SetOp } from "./replicated_types.ts";
 * const type = orSetType<string>();
 * const ops: SetOp<string>[] = [
 *   { type: "add", element: "milk" },
 *   { type: "add", element: "eggs" },
 *   { type: "remove", element: "milk" },
 * ];
 * const at = { replica: "n1", now: 0 };
 * assert.deepEqual(ops.reduce((s, op) => type.update(s, op, at).state, type.empty()).value(), [
 *   "eggs",
 * ]);
 * ```
 */
export type SetOp<T extends Json = Json> =
  | { readonly type: "add"; readonly element: T }
  | { readonly type: "remove"; readonly element: T };

/**
 * Text operations: type `text` so that it starts at visible position `index`
 * (0 to the length), or delete `count` characters from `index` on.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type TextOp, textType } from "./replicated_types.ts";
 * const ops: TextOp[] = [
 *   { type: "insert", index: 0, text: "Hello" },
 *   { type: "delete", index: 1, count: 2 },
 * ];
 * const at = { replica: "n1", now: 0 };
 * const doc = ops.reduce((s, op) => textType.update(s, op, at).state, textType.empty());
 * assert.equal(doc.text(), "Hlo");
 * ```
 */
export type TextOp =
  | { readonly type: "insert"; readonly index: number; readonly text: string }
  | { readonly type: "delete"; readonly index: number; readonly count: number };

/**
 * Output of an OR-Set add: the dot it created, and the element's dots it
 * observed, which the new dot supersedes (they leave the set, the element stays).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type OrSetAddOutput, orSetType } from "./replicated_types.ts";
 * const type = orSetType<string>();
 * const add = { type: "add", element: "milk" } as const;
 * const first = type.update(type.empty(), add, { replica: "n1", now: 0 });
 * // n2 adds milk again, having seen n1's add: its dot supersedes n1's.
 * const again = type.update(first.state, add, { replica: "n2", now: 0 });
 * const out = again.output as OrSetAddOutput;
 * assert.deepEqual(out, { dot: ["n2", 1], observed: [["n1", 1]] });
 * assert.deepEqual(again.state.dots("milk"), [["n2", 1]]);
 * ```
 */
export type OrSetAddOutput = { readonly dot: Dot; readonly observed: readonly Dot[] };

/**
 * Output of an OR-Set remove: the dots it observed (and so removed).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type OrSetRemoveOutput, orSetType } from "./replicated_types.ts";
 * const type = orSetType<string>();
 * const at = { replica: "n1", now: 0 };
 * const added = type.update(type.empty(), { type: "add", element: "milk" }, at);
 * const removed = type.update(added.state, { type: "remove", element: "milk" }, at);
 * const out = removed.output as OrSetRemoveOutput;
 * assert.deepEqual(out, { observed: [["n1", 1]] });
 * assert.equal(removed.state.has("milk"), false);
 * ```
 */
export type OrSetRemoveOutput = { readonly observed: readonly Dot[] };

/**
 * Output of an LWW-Element-Set add or remove: the timestamp it was given; for
 * a remove also the latest add of the element the replica had seen (`null`
 * for none), which tells a remove that knew of an add from one that did not.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type LwwOutput, lwwSetType } from "./replicated_types.ts";
 * const type = lwwSetType<string>();
 * const n1 = { replica: "n1", now: 150 }, n2 = { replica: "n2", now: 130.5 };
 * const added = type.update(type.empty(), { type: "add", element: "x" }, n2);
 * const removed = type.update(added.state, { type: "remove", element: "x" }, n1);
 * const add: LwwOutput = { ts: { time: 130.5, node: "n2" } };
 * const remove: LwwOutput = { ts: { time: 150, node: "n1" }, seen: add.ts };
 * assert.deepEqual(added.output, add);
 * assert.deepEqual(removed.output, remove); // this remove knew of the add
 * ```
 */
export type LwwOutput = { readonly ts: Timestamp; readonly seen?: Timestamp | null };

/**
 * Output of a text edit: the ids of the characters it inserted or deleted,
 * and the length of the text at the replica afterwards.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type TextOutput, textType } from "./replicated_types.ts";
 * const at = { replica: "n1", now: 0 };
 * const typed = textType.update(textType.empty(), { type: "insert", index: 0, text: "hi" }, at);
 * const out = typed.output as TextOutput;
 * assert.deepEqual(out, { ids: [[1, "n1"], [2, "n1"]], length: 2 });
 * ```
 */
export type TextOutput = { readonly ids: readonly RgaId[]; readonly length: number };

/**
 * The PN-Counter with `increment` and `decrement`; its delta is the one entry
 * that changed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { counterType } from "./replicated_types.ts";
 * const at = { replica: "n1", now: 0 };
 * const one = counterType.update(counterType.empty(), { type: "increment", amount: 1 }, at);
 * assert.deepEqual(counterType.update(one.state, { type: "decrement", amount: 3 }, at).output, {
 *   value: -2,
 * });
 * ```
 */
export const counterType: ReplicatedType<PNCounter, CounterOp> = {
  name: "counter",
  empty: () => PNCounter.empty(),
  fromJSON: (json) => PNCounter.fromJSON(json),
  update(state, op, { replica }) {
    let delta: PNCounter;
    switch (op.type) {
      case "increment":
        delta = state.incrementDelta(replica, op.amount);
        break;
      case "decrement":
        delta = state.decrementDelta(replica, op.amount);
        break;
      default:
        return unknownOp("counter", op);
    }
    const next = state.merge(delta);
    return { state: next, delta, output: { value: next.value() } };
  },
};

/**
 * The add-wins OR-Set; an add's delta is the element with its fresh dot, a
 * remove's the observed dots as context.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { orSetType } from "./replicated_types.ts";
 * const type = orSetType<string>();
 * const u = type.update(type.empty(), { type: "add", element: "milk" }, { replica: "n1", now: 0 });
 * assert.deepEqual(u.output, { dot: ["n1", 1], observed: [] });
 * assert.deepEqual(u.delta?.value(), ["milk"]);
 * ```
 */
export function orSetType<T extends Json = Json>(): ReplicatedType<OrSet<T>, SetOp<T>> {
  return {
    name: "or-set",
    empty: () => OrSet.empty<T>(),
    fromJSON: (json) => OrSet.fromJSON<T>(json),
    update(state, op, { replica }) {
      switch (op.type) {
        case "add": {
          // prepareAdd always prepares an add.
          const prepared = state.prepareAdd(replica, op.element) as AddOp<T>;
          const delta = OrSet.empty<T>().apply(prepared);
          const output: OrSetAddOutput = { dot: prepared.dot, observed: prepared.observed };
          return { state: state.merge(delta), delta, output };
        }
        case "remove": {
          const prepared = state.prepareRemove(op.element);
          const delta = OrSet.empty<T>().apply(prepared);
          const output: OrSetRemoveOutput = { observed: prepared.observed };
          return { state: state.merge(delta), delta, output };
        }
        default:
          return unknownOp("or-set", op);
      }
    },
  };
}

/**
 * The LWW-Element-Set with the given bias; each write is stamped with the
 * replica's clock (`ctx.now()`, skewed if the node's clock is), and its delta
 * is the one element with that timestamp.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lwwSetType } from "./replicated_types.ts";
 * const type = lwwSetType<string>("add");
 * const u = type.update(type.empty(), { type: "add", element: "x" }, { replica: "n2", now: 40 });
 * assert.deepEqual(u.output, { ts: { time: 40, node: "n2" } });
 * assert.ok(u.state.has("x"));
 * ```
 */
export function lwwSetType<T extends Json = Json>(
  bias: Bias = "add",
): ReplicatedType<LwwElementSet<T>, SetOp<T>> {
  return {
    name: `lww-set (${bias}-bias)`,
    empty: () => LwwElementSet.empty<T>(bias),
    fromJSON: (json) => LwwElementSet.fromJSON<T>(json),
    update(state, op, { replica, now }) {
      const ts: Timestamp = { time: now, node: replica };
      switch (op.type) {
        case "add": {
          const delta = LwwElementSet.empty<T>(bias).add(ts, op.element);
          const output: LwwOutput = { ts };
          return { state: state.merge(delta), delta, output };
        }
        case "remove": {
          const delta = LwwElementSet.empty<T>(bias).remove(ts, op.element);
          const output: LwwOutput = { ts, seen: state.timestamps(op.element).add ?? null };
          return { state: state.merge(delta), delta, output };
        }
        default:
          return unknownOp("lww-set", op);
      }
    },
  };
}

/**
 * Collaborative text as an RGA. The RGA here has no delta form (a delta's
 * characters would hang off anchors it does not hold), so the replica ships
 * whole states of it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { textType } from "./replicated_types.ts";
 * const at = { replica: "n1", now: 0 };
 * const u = textType.update(textType.empty(), { type: "insert", index: 0, text: "hi" }, at);
 * assert.equal(u.state.text(), "hi");
 * assert.equal(u.delta, undefined); // whole states only
 * const beyond = { type: "insert", index: 9, text: "!" } as const;
 * assert.throws(() => textType.update(u.state, beyond, at), RangeError);
 * ```
 */
export const textType: ReplicatedType<Rga, TextOp> = {
  name: "text",
  deltas: false,
  empty: () => Rga.empty(),
  fromJSON: (json) => Rga.fromJSON(json),
  update(state, op, { replica }) {
    switch (op.type) {
      case "insert": {
        if (typeof op.text !== "string" || op.text === "") {
          throw new RangeError(`text insert: text must be a non-empty string, got ${op.text}`);
        }
        if (!Number.isSafeInteger(op.index) || op.index < 0 || op.index > state.length) {
          throw new RangeError(
            `text insert: index ${op.index} is out of range 0..${state.length}`,
          );
        }
        // One op per character, each after the last, so the output names every id.
        let after = op.index === 0 ? null : state.idAt(op.index - 1);
        let next = state;
        const ids: RgaId[] = [];
        for (const char of op.text) {
          const prepared = next.prepareInsertAfter(replica, after, char);
          next = next.apply(prepared);
          ids.push(prepared.id);
          after = prepared.id;
        }
        return { state: next, output: { ids, length: next.length } };
      }
      case "delete": {
        const count = op.count;
        if (!Number.isSafeInteger(count) || count < 1) {
          throw new RangeError(`text delete: count must be a whole number >= 1, got ${count}`);
        }
        if (!Number.isSafeInteger(op.index) || op.index < 0 || op.index + count > state.length) {
          throw new RangeError(
            `text delete: cannot delete ${count} at index ${op.index} ` +
              `from a text of length ${state.length}`,
          );
        }
        const ids = Array.from({ length: count }, (_, i) => state.idAt(op.index + i));
        const next = state.delete(op.index, count);
        return { state: next, output: { ids, length: next.length } };
      }
      default:
        return unknownOp("text", op);
    }
  },
};

type AddOp<T extends Json> = Extract<OrSetOp<T>, { type: "add" }>;

function unknownOp(type: string, op: never): never {
  throw new TypeError(
    `${type}: unknown operation ${JSON.stringify((op as { type?: unknown })?.type)}`,
  );
}

/**
 * True for the errors that mean "the type refuses this operation"
 * ({@linkcode CrdtError}, `RangeError`, `TypeError`), as opposed to a bug.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isRefusal } from "./replicated_types.ts";
 * assert.ok(isRefusal(new RangeError("index 9 is out of range")));
 * assert.ok(!isRefusal(new Error("a bug")));
 * ```
 */
export function isRefusal(e: unknown): e is Error {
  return e instanceof CrdtError || e instanceof RangeError || e instanceof TypeError;
}

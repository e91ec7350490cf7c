/**
 * G-Counter: a grow-only counter (Shapiro et al. 2011, Specification 6).
 *
 * Each replica counts its own increments in its own entry, so concurrent
 * increments never overwrite each other; merge takes the pointwise maximum and
 * the value is the sum.
 *
 * @module
 */

import { checkNodeId, type NodeId } from "../../actors/mod.ts";
import { compareStrings, type StateCrdt } from "./crdt.ts";
import { asInteger, asNodeId, asRecord, checkAmount } from "./_internal.ts";

/**
 * The JSON form of a {@linkcode GCounter}: each replica's count, ids sorted,
 * zero entries left out.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { GCounter, type GCounterJSON } from "./g_counter.ts";
 * const wire: GCounterJSON = GCounter.empty().increment("b").increment("a", 3).toJSON();
 * assert.deepEqual(wire, { a: 3, b: 1 });
 * assert.equal(GCounter.fromJSON(wire).value(), 4);
 * ```
 */
export type GCounterJSON = Readonly<Record<NodeId, number>>;

/**
 * An operation-based increment: prepared at the source, applied once at every
 * replica (exactly-once delivery is the causal broadcast's job).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { GCounter, type GCounterOp } from "./g_counter.ts";
 * const op: GCounterOp = GCounter.empty().prepareIncrement("a", 2);
 * assert.deepEqual(op, { type: "increment", replica: "a", amount: 2 });
 * assert.equal(GCounter.empty().increment("b").apply(op).value(), 3);
 * ```
 */
export type GCounterOp = {
  readonly type: "increment";
  readonly replica: NodeId;
  readonly amount: number;
};

/**
 * A grow-only counter.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { GCounter } from "./g_counter.ts";
 *
 * const a = GCounter.empty().increment("a", 2);
 * const b = GCounter.empty().increment("b");
 * assert.equal(a.merge(b).value(), 3);
 * // Delta-state: ship the small delta instead of the whole counter.
 * const delta = a.incrementDelta("a");
 * assert.equal(b.merge(a).merge(delta).value(), 4);
 * ```
 */
export class GCounter implements StateCrdt<GCounter, number, GCounterJSON> {
  static readonly #EMPTY = new GCounter(new Map());
  readonly #counts: ReadonlyMap<NodeId, number>;

  private constructor(counts: ReadonlyMap<NodeId, number>) {
    this.#counts = counts;
  }

  /** The counter at zero, the bottom of the lattice. */
  static empty(): GCounter {
    return GCounter.#EMPTY;
  }

  /** Rebuilds a counter from its JSON form, or throws a `TypeError` naming `where` it failed. */
  static fromJSON(json: unknown, where = "GCounter"): GCounter {
    const counts = new Map<NodeId, number>();
    for (const [r, n] of Object.entries(asRecord(json, where))) {
      const count = asInteger(n, `${where}.${r}`, 0);
      if (count > 0) counts.set(asNodeId(r, where), count);
    }
    return new GCounter(counts);
  }

  /** The number of increments made at `replica`. */
  get(replica: NodeId): number {
    return this.#counts.get(replica) ?? 0;
  }

  /** The replicas with a non-zero entry, in sorted order. */
  replicas(): NodeId[] {
    return [...this.#counts.keys()].sort(compareStrings);
  }

  /**
   * The counter after `replica` adds `amount`. Throws a `RangeError` for a
   * negative (a G-Counter cannot decrement) or non-integer amount.
   */
  increment(replica: NodeId, amount = 1): GCounter {
    return this.merge(this.incrementDelta(replica, amount));
  }

  /**
   * The delta of `increment(replica, amount)`: a counter holding only the new
   * entry of `replica`, so that `this.merge(delta)` is the incremented counter
   * (Almeida et al., "Delta State Replicated Data Types", inc^δ).
   */
  incrementDelta(replica: NodeId, amount = 1): GCounter {
    checkNodeId(replica, "GCounter.increment: replica id");
    checkAmount("GCounter.increment", amount, "a G-Counter cannot decrement; use a PNCounter");
    const next = this.get(replica) + amount;
    if (!Number.isSafeInteger(next)) {
      throw new RangeError(`GCounter.increment: ${replica}'s count ${next} is not a safe integer`);
    }
    return amount === 0 ? GCounter.#EMPTY : new GCounter(new Map([[replica, next]]));
  }

  /** Prepares an operation-based increment at its source (checks as `increment` does). */
  prepareIncrement(replica: NodeId, amount = 1): GCounterOp {
    checkNodeId(replica, "GCounter.increment: replica id");
    checkAmount("GCounter.increment", amount, "a G-Counter cannot decrement; use a PNCounter");
    return { type: "increment", replica, amount };
  }

  /**
   * The effect of an operation-based increment downstream: add to the source's
   * entry. Increments commute, so causal broadcast need only deliver each once.
   */
  apply(op: GCounterOp): GCounter {
    checkNodeId(op.replica, "GCounter.apply: replica id");
    checkAmount("GCounter.apply", op.amount, "a G-Counter cannot decrement; use a PNCounter");
    if (op.amount === 0) return this;
    const counts = new Map(this.#counts);
    counts.set(op.replica, this.get(op.replica) + op.amount);
    return new GCounter(counts);
  }

  /** The pointwise maximum of the two counters. */
  merge(other: GCounter): GCounter {
    if (other.leq(this)) return this;
    if (this.leq(other)) return other;
    const counts = new Map(this.#counts);
    for (const [r, n] of other.#counts) if (n > (counts.get(r) ?? 0)) counts.set(r, n);
    return new GCounter(counts);
  }

  /** The sum of all entries. */
  value(): number {
    let sum = 0;
    for (const n of this.#counts.values()) sum += n;
    return sum;
  }

  /** Pointwise at most `other`. */
  leq(other: GCounter): boolean {
    for (const [r, n] of this.#counts) if (n > other.get(r)) return false;
    return true;
  }

  /** Same entries. */
  equals(other: GCounter): boolean {
    return this.#counts.size === other.#counts.size && this.leq(other) && other.leq(this);
  }

  /** The compact JSON form: `{ replica: count }` with sorted ids. */
  toJSON(): GCounterJSON {
    return Object.fromEntries([...this.#counts].sort(([x], [y]) => compareStrings(x, y)));
  }
}

/**
 * PN-Counter: a counter that goes up and down (Shapiro et al. 2011,
 * Specification 7).
 *
 * A decrement cannot lower a G-Counter entry (merge takes the maximum and would
 * undo it), so the PN-Counter keeps two G-Counters, one of increments (P) and
 * one of decrements (N), and its value is P minus N.
 *
 * @module
 */

import { checkNodeId, type NodeId } from "../../actors/mod.ts";
import type { StateCrdt } from "./crdt.ts";
import { GCounter, type GCounterJSON, type GCounterOp } from "./g_counter.ts";
import { asRecord, checkAmount } from "./_internal.ts";

/**
 * The JSON form of a {@linkcode PNCounter}: its increments and decrements.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PNCounter, type PNCounterJSON } from "./pn_counter.ts";
 * const wire: PNCounterJSON = PNCounter.empty().increment("a", 3).decrement("b").toJSON();
 * assert.deepEqual(wire, { p: { a: 3 }, n: { b: 1 } });
 * assert.equal(PNCounter.fromJSON(wire).value(), 2);
 * ```
 */
export type PNCounterJSON = { readonly p: GCounterJSON; readonly n: GCounterJSON };

/**
 * An operation-based update: prepared at the source, applied once everywhere.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PNCounter, type PNCounterOp } from "./pn_counter.ts";
 * const op: PNCounterOp = PNCounter.empty().prepareDecrement("a");
 * assert.deepEqual(op, { type: "decrement", replica: "a", amount: 1 });
 * assert.equal(PNCounter.empty().increment("b", 5).apply(op).value(), 4);
 * ```
 */
export type PNCounterOp = {
  readonly type: "increment" | "decrement";
  readonly replica: NodeId;
  readonly amount: number;
};

/**
 * A counter with increment and decrement.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PNCounter } from "./pn_counter.ts";
 *
 * const a = PNCounter.empty().increment("a", 5);
 * const b = PNCounter.empty().decrement("b", 2);
 * assert.equal(a.merge(b).value(), 3);
 * ```
 */
export class PNCounter implements StateCrdt<PNCounter, number, PNCounterJSON> {
  static readonly #EMPTY = new PNCounter(GCounter.empty(), GCounter.empty());
  readonly #p: GCounter;
  readonly #n: GCounter;

  private constructor(p: GCounter, n: GCounter) {
    this.#p = p;
    this.#n = n;
  }

  /** The counter at zero, the bottom of the lattice. */
  static empty(): PNCounter {
    return PNCounter.#EMPTY;
  }

  /** Rebuilds a counter from its JSON form, or throws a `TypeError`. */
  static fromJSON(json: unknown): PNCounter {
    const record = asRecord(json, "PNCounter");
    return PNCounter.#of(
      GCounter.fromJSON(record.p, "PNCounter.p"),
      GCounter.fromJSON(record.n, "PNCounter.n"),
    );
  }

  static #of(p: GCounter, n: GCounter): PNCounter {
    return p.equals(GCounter.empty()) && n.equals(GCounter.empty())
      ? PNCounter.#EMPTY
      : new PNCounter(p, n);
  }

  /** The increments, per replica. */
  get increments(): GCounter {
    return this.#p;
  }

  /** The decrements, per replica. */
  get decrements(): GCounter {
    return this.#n;
  }

  /** The counter after `replica` adds `amount` (a whole number >= 0, or a `RangeError`). */
  increment(replica: NodeId, amount = 1): PNCounter {
    return this.merge(this.incrementDelta(replica, amount));
  }

  /** The counter after `replica` subtracts `amount` (a whole number >= 0, or a `RangeError`). */
  decrement(replica: NodeId, amount = 1): PNCounter {
    return this.merge(this.decrementDelta(replica, amount));
  }

  /** The delta of `increment`: only `replica`'s new P entry. */
  incrementDelta(replica: NodeId, amount = 1): PNCounter {
    checkAmount("PNCounter.increment", amount, "use decrement to count down");
    return PNCounter.#of(this.#p.incrementDelta(replica, amount), GCounter.empty());
  }

  /** The delta of `decrement`: only `replica`'s new N entry. */
  decrementDelta(replica: NodeId, amount = 1): PNCounter {
    checkAmount("PNCounter.decrement", amount, "use increment to count up");
    return PNCounter.#of(GCounter.empty(), this.#n.incrementDelta(replica, amount));
  }

  /** Prepares an operation-based increment at its source. */
  prepareIncrement(replica: NodeId, amount = 1): PNCounterOp {
    checkNodeId(replica, "PNCounter.increment: replica id");
    checkAmount("PNCounter.increment", amount, "use decrement to count down");
    return { type: "increment", replica, amount };
  }

  /** Prepares an operation-based decrement at its source. */
  prepareDecrement(replica: NodeId, amount = 1): PNCounterOp {
    checkNodeId(replica, "PNCounter.decrement: replica id");
    checkAmount("PNCounter.decrement", amount, "use increment to count up");
    return { type: "decrement", replica, amount };
  }

  /** The effect of an operation downstream; updates commute, so any delivery order works. */
  apply(op: PNCounterOp): PNCounter {
    checkAmount(`PNCounter.apply(${op.type})`, op.amount, "the op's type gives the sign");
    const g: GCounterOp = { type: "increment", replica: op.replica, amount: op.amount };
    return op.type === "increment"
      ? PNCounter.#of(this.#p.apply(g), this.#n)
      : PNCounter.#of(this.#p, this.#n.apply(g));
  }

  /** Merges the increments and the decrements separately. */
  merge(other: PNCounter): PNCounter {
    if (other.leq(this)) return this;
    if (this.leq(other)) return other;
    return PNCounter.#of(this.#p.merge(other.#p), this.#n.merge(other.#n));
  }

  /** Increments minus decrements. */
  value(): number {
    return this.#p.value() - this.#n.value();
  }

  /** Both halves at most `other`'s. */
  leq(other: PNCounter): boolean {
    return this.#p.leq(other.#p) && this.#n.leq(other.#n);
  }

  /** Same increments and decrements per replica. */
  equals(other: PNCounter): boolean {
    return this.#p.equals(other.#p) && this.#n.equals(other.#n);
  }

  /** The compact JSON form `{ p, n }`. */
  toJSON(): PNCounterJSON {
    return { p: this.#p.toJSON(), n: this.#n.toJSON() };
  }
}

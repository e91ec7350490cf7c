/**
 * Vector clocks (Fidge 1988, Mattern 1989; lecture 4.1 of Kleppmann's course).
 *
 * ```text
 * on every local event and send at node i:  V[i] := V[i] + 1
 * send m:                                   attach V to m
 * on receiving (V', m) at node i:           V := max(V, V') pointwise; V[i] := V[i] + 1
 * ```
 *
 * Unlike Lamport clocks, vector clocks characterise causality exactly:
 * a → b if and only if V(a) < V(b), and a ∥ b if and only if neither
 * V(a) ≤ V(b) nor V(b) ≤ V(a).
 *
 * @module
 */

import type { NodeId } from "../../actors/mod.ts";
import type { CausalOrder } from "../../sim/causality.ts";

/**
 * A vector timestamp as plain data (what messages and traces carry): node id
 * to count, with absent nodes counting 0.
 *
 * @example
 * ```ts
 * import { VectorClock, type VectorTimestamp } from "./vector_clock.ts";
 * import assert from "node:assert/strict";
 * const v: VectorTimestamp = { n1: 2, n3: 1 };
 * assert.equal(new VectorClock(v).get("n2"), 0); // absent counts 0
 * assert.deepEqual(new VectorClock(v).tick("n1").toJSON(), { n1: 3, n3: 1 });
 * ```
 */
export type VectorTimestamp = Readonly<Record<NodeId, number>>;

/**
 * A vector clock as an immutable value. It is sparse: nodes never heard of
 * count 0, so it needs no list of members and works as nodes come and go.
 *
 * @example
 * ```ts
 * import { VectorClock } from "./vector_clock.ts";
 * import assert from "node:assert/strict";
 * const a = new VectorClock().tick("n1");
 * const b = new VectorClock().tick("n2").receive("n2", a);
 * assert.equal(a.format(), "{n1:1}");
 * assert.equal(b.format(), "{n1:1,n2:2}");
 * assert.equal(a.compare(b), "before");
 * assert.equal(new VectorClock().tick("n3").compare(a), "concurrent");
 * ```
 */
export class VectorClock {
  readonly #entries: Readonly<Record<NodeId, number>>;

  /**
   * A clock with the given counts (default: all 0); throws a
   * {@linkcode RangeError} for a count that is not a whole number >= 0.
   *
   * @param entries node id to count
   */
  constructor(entries: VectorTimestamp = {}) {
    const copy = emptyRecord();
    for (const [node, count] of Object.entries(entries)) {
      if (!Number.isSafeInteger(count) || count < 0) {
        throw new RangeError(
          `vector clock entry ${node} must be a whole number >= 0, got ${count}`,
        );
      }
      if (count > 0) copy[node] = count;
    }
    this.#entries = Object.freeze(copy);
  }

  /** The count for `node` (0 if absent). */
  get(node: NodeId): number {
    return at(this.#entries, node);
  }

  /** The nodes with a count above 0, in id order. */
  nodes(): NodeId[] {
    return Object.keys(this.#entries).sort();
  }

  /** The clock after an event at `node`: V[node] + 1. */
  tick(node: NodeId): VectorClock {
    const out = Object.assign(emptyRecord(), this.#entries);
    out[node] = this.get(node) + 1;
    return new VectorClock(out);
  }

  /** The pointwise maximum of the two clocks. */
  merge(other: VectorClock | VectorTimestamp): VectorClock {
    const theirs = other instanceof VectorClock ? other.#entries : other;
    const out = Object.assign(emptyRecord(), this.#entries);
    for (const [node, count] of Object.entries(theirs)) {
      if (count > at(out, node)) out[node] = count;
    }
    return new VectorClock(out);
  }

  /** The clock of a receive at `node` of a message stamped `stamp`: merge, then tick. */
  receive(node: NodeId, stamp: VectorClock | VectorTimestamp): VectorClock {
    return this.merge(stamp).tick(node);
  }

  /**
   * How this clock's event relates to `other`'s: `before` when this ≤ other
   * pointwise and they differ, `after` the other way round, `equal`, or
   * `concurrent` when neither is ≤ the other.
   */
  compare(other: VectorClock | VectorTimestamp): CausalOrder {
    const theirs = other instanceof VectorClock ? other.#entries : other;
    let less = false, greater = false;
    for (const [node, mine] of Object.entries(this.#entries)) {
      const t = at(theirs, node);
      if (mine < t) less = true;
      else if (mine > t) greater = true;
    }
    for (const [node, t] of Object.entries(theirs)) {
      if (t > 0 && !Object.hasOwn(this.#entries, node)) less = true;
    }
    if (less && greater) return "concurrent";
    if (less) return "before";
    if (greater) return "after";
    return "equal";
  }

  /** V(this) < V(other): this clock's event happens before other's. */
  before(other: VectorClock | VectorTimestamp): boolean {
    return this.compare(other) === "before";
  }

  /** Neither clock is ≤ the other. */
  concurrent(other: VectorClock | VectorTimestamp): boolean {
    return this.compare(other) === "concurrent";
  }

  /** Every entry ≤ `other`'s: the causal past of this event is within other's. */
  lessOrEqual(other: VectorClock | VectorTimestamp): boolean {
    const order = this.compare(other);
    return order === "before" || order === "equal";
  }

  /** The plain-data form messages and traces carry (a frozen plain object). */
  toJSON(): VectorTimestamp {
    // Spread defines own properties, so even an id like `__proto__` stays a key.
    return Object.freeze({ ...this.#entries });
  }

  /**
   * A short form: `[2,0,1]` when `nodes` fixes the positions, else
   * `{n1:2,n3:1}` in id order.
   */
  format(nodes?: readonly NodeId[]): string {
    if (nodes !== undefined) return `[${nodes.map((n) => this.get(n)).join(",")}]`;
    return `{${this.nodes().map((n) => `${n}:${this.get(n)}`).join(",")}}`;
  }

  /** The same as {@linkcode VectorClock.format} without positions: `{n1:2,n3:1}`. */
  toString(): string {
    return this.format();
  }
}

/** `rec[node]`, or 0; own properties only, so an id like `constructor` is safe. */
function at(rec: VectorTimestamp, node: NodeId): number {
  return Object.hasOwn(rec, node) ? rec[node] : 0;
}

/** A record without a prototype, so ids like `__proto__` are plain keys. */
function emptyRecord(): Record<NodeId, number> {
  return Object.create(null);
}

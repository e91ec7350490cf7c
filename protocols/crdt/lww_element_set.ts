/**
 * LWW-Element-Set: a set where, per element, the latest add or remove wins
 * (Shapiro et al. 2011, §3.3.4; Roh et al.'s timestamped sets).
 *
 * Each element keeps its latest add timestamp (in the paper's set A) and its
 * latest remove timestamp (in R); merge takes the later of each. An element is
 * in the set when its add is later than its remove. When the two times are
 * equal the clocks cannot order them, and the set's bias decides: add-bias
 * keeps the element, remove-bias drops it. (The node-id tiebreak of
 * {@linkcode compareTimestamps} only orders writes of the same kind.)
 *
 * The anomaly: a remove with a later timestamp wins over a concurrent add, so
 * the add is lost, under either bias. With clock skew, even an add that really
 * happened after the remove can lose. The OR-Set does not have this problem.
 *
 * @module
 */

import type { NodeId } from "../../actors/mod.ts";
import { canonicalJson, CrdtError, type Json, type StateCrdt } from "./crdt.ts";
import {
  asArray,
  asElement,
  asRecord,
  malformed,
  parseTimestamp,
  sortedValues,
} from "./_internal.ts";
import { checkTimestamp, compareTimestamps, type Timestamp } from "./timestamp.ts";

/**
 * Which operation wins when an add and a remove of one element carry the same time.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type Bias, LwwElementSet } from "./lww_element_set.ts";
 * const tie = { time: 5, node: "a" };
 * const both = (bias: Bias) => LwwElementSet.empty<string>(bias).add(tie, "x").remove(tie, "x");
 * assert.equal(both("add").has("x"), true);
 * assert.equal(both("remove").has("x"), false);
 * ```
 */
export type Bias = "add" | "remove";

/**
 * The JSON form of an {@linkcode LwwElementSet}: the bias, then the latest add
 * and remove of each element as `[element, time, node]`, sorted by element.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LwwElementSet, type LwwElementSetJSON } from "./lww_element_set.ts";
 * const wire: LwwElementSetJSON<string> = {
 *   bias: "add",
 *   adds: [["x", 3, "a"]],
 *   removes: [["x", 5, "b"]],
 * };
 * const s = LwwElementSet.fromJSON<string>(wire);
 * assert.equal(s.has("x"), false); // removed at 5, after its add at 3
 * assert.deepEqual(s.toJSON(), wire);
 * ```
 */
export type LwwElementSetJSON<T extends Json> = {
  readonly bias: Bias;
  readonly adds: readonly (readonly [element: T, time: number, node: NodeId])[];
  readonly removes: readonly (readonly [element: T, time: number, node: NodeId])[];
};

type Entry<T> = {
  readonly element: T;
  readonly add: Timestamp | undefined;
  readonly remove: Timestamp | undefined;
};

/**
 * A set with timestamped adds and removes, add-biased or remove-biased.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LwwElementSet } from "./lww_element_set.ts";
 *
 * const s = LwwElementSet.empty<string>("add").add({ time: 1, node: "a" }, "x");
 * const added = s.add({ time: 5, node: "a" }, "y");
 * const removed = s.remove({ time: 6, node: "b" }, "y"); // concurrent, but later
 * assert.deepEqual(added.merge(removed).value(), ["x"]); // the add of "y" is lost
 * ```
 */
export class LwwElementSet<T extends Json = Json>
  implements StateCrdt<LwwElementSet<T>, T[], LwwElementSetJSON<T>> {
  /** Which operation wins a tie in time; fixed when the set is created. */
  readonly bias: Bias;
  readonly #entries: ReadonlyMap<string, Entry<T>>;

  private constructor(bias: Bias, entries: ReadonlyMap<string, Entry<T>>) {
    this.bias = bias;
    this.#entries = entries;
  }

  /** The empty set with the given bias (add-bias unless told otherwise). */
  static empty<T extends Json = Json>(bias: Bias = "add"): LwwElementSet<T> {
    if (bias !== "add" && bias !== "remove") {
      throw new TypeError(`LwwElementSet: bias must be "add" or "remove", got ${bias}`);
    }
    return new LwwElementSet<T>(bias, new Map());
  }

  /** Rebuilds a set from its JSON form, or throws a `TypeError`. */
  static fromJSON<T extends Json = Json>(json: unknown): LwwElementSet<T> {
    const record = asRecord(json, "LwwElementSet");
    const bias = record.bias === "add" || record.bias === "remove"
      ? record.bias
      : malformed("LwwElementSet.bias", '"add" or "remove"', record.bias);
    const entries = new Map<string, Entry<T>>();
    for (const kind of ["add", "remove"] as const) {
      asArray(record[`${kind}s`], `LwwElementSet.${kind}s`).forEach((item, i) => {
        const where = `LwwElementSet.${kind}s[${i}]`;
        const triple = asArray(item, where);
        if (triple.length !== 3) malformed(where, "[element, time, node]", item);
        const [element, key] = asElement<T>(triple[0], `${where}[0]`);
        const ts = parseTimestamp(triple[1], triple[2], where);
        const old = entries.get(key) ?? { element, add: undefined, remove: undefined };
        if (later(ts, old[kind])) entries.set(key, { ...old, [kind]: ts });
      });
    }
    return new LwwElementSet(bias, entries);
  }

  /** The set after adding `element` at `timestamp`. */
  add(timestamp: Timestamp, element: T): LwwElementSet<T> {
    checkTimestamp(timestamp, "LwwElementSet.add");
    return this.#update(element, { ...timestamp }, "add");
  }

  /**
   * The set after removing `element` at `timestamp`. Removing an element not
   * (yet) added is allowed: the remove still beats adds with earlier times.
   */
  remove(timestamp: Timestamp, element: T): LwwElementSet<T> {
    checkTimestamp(timestamp, "LwwElementSet.remove");
    return this.#update(element, { ...timestamp }, "remove");
  }

  #update(element: T, ts: Timestamp, kind: "add" | "remove"): LwwElementSet<T> {
    const key = canonicalJson(element);
    const old = this.#entries.get(key) ?? { element, add: undefined, remove: undefined };
    if (!later(ts, old[kind])) return this;
    const entries = new Map(this.#entries).set(key, { ...old, [kind]: ts });
    return new LwwElementSet(this.bias, entries);
  }

  /** True when `element` is in the set. */
  has(element: T): boolean {
    const entry = this.#entries.get(canonicalJson(element));
    return entry !== undefined && present(entry, this.bias);
  }

  /** The latest add and remove timestamps of `element`, if any. */
  timestamps(element: T): { add?: Timestamp; remove?: Timestamp } {
    const entry = this.#entries.get(canonicalJson(element));
    return { add: entry?.add, remove: entry?.remove };
  }

  /**
   * Per element, the later add and the later remove. Throws a
   * {@linkcode CrdtError} when the biases differ: the replicas would disagree.
   */
  merge(other: LwwElementSet<T>): LwwElementSet<T> {
    checkSameBias(this, other);
    if (other.leq(this)) return this;
    if (this.leq(other)) return other;
    const entries = new Map(this.#entries);
    for (const [k, theirs] of other.#entries) {
      const ours = entries.get(k);
      if (ours === undefined) {
        entries.set(k, theirs);
      } else {
        entries.set(k, {
          element: ours.element,
          add: later(theirs.add, ours.add) ? theirs.add : ours.add,
          remove: later(theirs.remove, ours.remove) ? theirs.remove : ours.remove,
        });
      }
    }
    return new LwwElementSet(this.bias, entries);
  }

  /** The elements present, sorted by canonical JSON. */
  value(): T[] {
    return sortedValues(this.#entries).filter((e) => present(e, this.bias)).map((e) => e.element);
  }

  /** Every timestamp here is at most `other`'s. Throws a {@linkcode CrdtError} if biases differ. */
  leq(other: LwwElementSet<T>): boolean {
    checkSameBias(this, other);
    for (const [k, ours] of this.#entries) {
      const theirs = other.#entries.get(k);
      if (theirs === undefined) return false;
      if (later(ours.add, theirs.add) || later(ours.remove, theirs.remove)) return false;
    }
    return true;
  }

  /** Same bias and timestamps. */
  equals(other: LwwElementSet<T>): boolean {
    return this.bias === other.bias && this.#entries.size === other.#entries.size &&
      this.leq(other) && other.leq(this);
  }

  /** The compact JSON form `{ bias, adds, removes }`. */
  toJSON(): LwwElementSetJSON<T> {
    const entries = sortedValues(this.#entries);
    const list = (kind: "add" | "remove") =>
      entries.flatMap((e) => {
        const ts = e[kind];
        return ts === undefined ? [] : [[e.element, ts.time, ts.node] as const];
      });
    return { bias: this.bias, adds: list("add"), removes: list("remove") };
  }
}

/** True when `a` is set and later than `b` (or `b` is unset). */
function later(a: Timestamp | undefined, b: Timestamp | undefined): boolean {
  return a !== undefined && (b === undefined || compareTimestamps(a, b) > 0);
}

function present<T>(entry: Entry<T>, bias: Bias): boolean {
  if (entry.add === undefined) return false;
  if (entry.remove === undefined) return true;
  if (entry.add.time !== entry.remove.time) return entry.add.time > entry.remove.time;
  return bias === "add";
}

function checkSameBias<T extends Json>(ours: LwwElementSet<T>, theirs: LwwElementSet<T>): void {
  if (ours.bias !== theirs.bias) {
    throw new CrdtError(
      `LwwElementSet: cannot merge sets of different biases ` +
        `(this one ${ours.bias}-biased, the other ${theirs.bias}-biased)`,
    );
  }
}

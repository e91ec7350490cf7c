/**
 * 2P-Set: a two-phase set (Shapiro et al. 2011, Specification 12).
 *
 * Two G-Sets: A holds every element ever added, R (the tombstones) every
 * element ever removed, and the value is A minus R. An element's life has two
 * phases, in then out, so a removed element can never come back; that is the
 * price of making remove a union.
 *
 * @module
 */

import { canonicalJson, compareStrings, CrdtError, type Json, type StateCrdt } from "./crdt.ts";
import { asArray, asElement, asRecord, malformed, sortedValues } from "./_internal.ts";

/**
 * The JSON form of a {@linkcode TwoPhaseSet}: the added set A and the removed
 * set R, each sorted by canonical JSON. R is always a subset of A.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { TwoPhaseSet, type TwoPhaseSetJSON } from "./two_phase_set.ts";
 * const wire: TwoPhaseSetJSON<string> = { added: ["a", "b"], removed: ["b"] };
 * assert.deepEqual(TwoPhaseSet.empty<string>().add("b").add("a").remove("b").toJSON(), wire);
 * assert.deepEqual(TwoPhaseSet.fromJSON<string>(wire).value(), ["a"]);
 * ```
 */
export type TwoPhaseSetJSON<T extends Json> = {
  readonly added: readonly T[];
  readonly removed: readonly T[];
};

/**
 * A set where an element can be added, then removed, and then never re-added.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { TwoPhaseSet } from "./two_phase_set.ts";
 *
 * const s = TwoPhaseSet.empty<string>().add("a").add("b");
 * const t = s.remove("b");
 * assert.deepEqual(s.add("c").merge(t).value(), ["a", "c"]);
 * ```
 */
export class TwoPhaseSet<T extends Json = Json>
  implements StateCrdt<TwoPhaseSet<T>, T[], TwoPhaseSetJSON<T>> {
  readonly #added: ReadonlyMap<string, T>;
  readonly #removed: ReadonlyMap<string, T>;

  private constructor(added: ReadonlyMap<string, T>, removed: ReadonlyMap<string, T>) {
    this.#added = added;
    this.#removed = removed;
  }

  /** The empty set, the bottom of the lattice. */
  static empty<T extends Json = Json>(): TwoPhaseSet<T> {
    return new TwoPhaseSet(new Map(), new Map());
  }

  /** Rebuilds a set from its JSON form, or throws a `TypeError`. */
  static fromJSON<T extends Json = Json>(json: unknown): TwoPhaseSet<T> {
    const record = asRecord(json, "TwoPhaseSet");
    const read = (field: "added" | "removed") => {
      const map = new Map<string, T>();
      asArray(record[field], `TwoPhaseSet.${field}`).forEach((e, i) => {
        const [element, key] = asElement<T>(e, `TwoPhaseSet.${field}[${i}]`);
        map.set(key, element);
      });
      return map;
    };
    const added = read("added");
    const removed = read("removed");
    for (const [k, e] of removed) {
      if (!added.has(k)) malformed("TwoPhaseSet.removed", "only elements that were added", e);
    }
    return new TwoPhaseSet(added, removed);
  }

  /** The set with `element` added. Throws a {@linkcode CrdtError} if it was removed before. */
  add(element: T): TwoPhaseSet<T> {
    const key = canonicalJson(element);
    if (this.#removed.has(key)) {
      throw new CrdtError(
        `TwoPhaseSet.add: ${key} was removed, and a 2P-Set never re-adds a removed element`,
      );
    }
    if (this.#added.has(key)) return this;
    return new TwoPhaseSet(new Map(this.#added).set(key, element), this.#removed);
  }

  /**
   * The set with `element` removed. Throws a {@linkcode CrdtError} if it was
   * never added here, because a remove that overtook its add would tombstone
   * the element before it existed. Removing it again is a no-op.
   */
  remove(element: T): TwoPhaseSet<T> {
    const key = canonicalJson(element);
    if (!this.#added.has(key)) {
      throw new CrdtError(`TwoPhaseSet.remove: ${key} was never added to this replica`);
    }
    if (this.#removed.has(key)) return this;
    return new TwoPhaseSet(this.#added, new Map(this.#removed).set(key, element));
  }

  /** True when `element` was added and not removed. */
  has(element: T): boolean {
    const key = canonicalJson(element);
    return this.#added.has(key) && !this.#removed.has(key);
  }

  /** True when `element` was removed, so adding it would throw. */
  wasRemoved(element: T): boolean {
    return this.#removed.has(canonicalJson(element));
  }

  /** The union of the added sets and of the removed sets. */
  merge(other: TwoPhaseSet<T>): TwoPhaseSet<T> {
    if (other.leq(this)) return this;
    if (this.leq(other)) return other;
    return new TwoPhaseSet(
      union(this.#added, other.#added),
      union(this.#removed, other.#removed),
    );
  }

  /** A minus R, sorted by canonical JSON. */
  value(): T[] {
    return [...this.#added.keys()].filter((k) => !this.#removed.has(k)).sort(compareStrings)
      .map((k) => this.#added.get(k) as T);
  }

  /** Both sets are subsets of `other`'s. */
  leq(other: TwoPhaseSet<T>): boolean {
    return subset(this.#added, other.#added) && subset(this.#removed, other.#removed);
  }

  /** Same added and removed sets. */
  equals(other: TwoPhaseSet<T>): boolean {
    return this.#added.size === other.#added.size &&
      this.#removed.size === other.#removed.size && this.leq(other);
  }

  /** The compact JSON form `{ added, removed }`. */
  toJSON(): TwoPhaseSetJSON<T> {
    return { added: sortedValues(this.#added), removed: sortedValues(this.#removed) };
  }
}

function union<T>(a: ReadonlyMap<string, T>, b: ReadonlyMap<string, T>): ReadonlyMap<string, T> {
  if (subset(b, a)) return a;
  const out = new Map(a);
  for (const [k, e] of b) out.set(k, e);
  return out;
}

function subset<T>(a: ReadonlyMap<string, T>, b: ReadonlyMap<string, T>): boolean {
  if (a.size > b.size) return false;
  for (const k of a.keys()) if (!b.has(k)) return false;
  return true;
}

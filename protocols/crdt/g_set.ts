/**
 * G-Set: a grow-only set (Shapiro et al. 2011, Specification 11). Merge is
 * set union; there is no remove, which is what makes union a join.
 *
 * @module
 */

import { canonicalJson, type Json, type StateCrdt } from "./crdt.ts";
import { asArray, asElement, sortedValues } from "./_internal.ts";

/**
 * The JSON form of a {@linkcode GSet}: its elements, sorted by canonical JSON.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { GSet, type GSetJSON } from "./g_set.ts";
 * const wire: GSetJSON<string> = GSet.of(["pear", "apple"]).toJSON();
 * assert.deepEqual(wire, ["apple", "pear"]);
 * assert.ok(GSet.fromJSON<string>(wire).equals(GSet.of(["apple", "pear"])));
 * ```
 */
export type GSetJSON<T extends Json> = readonly T[];

/**
 * A grow-only set of JSON values, compared by canonical JSON (so `{a: 1}`
 * added twice, as two objects, is one element).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { GSet } from "./g_set.ts";
 *
 * const a = GSet.empty<string>().add("apple");
 * const b = GSet.empty<string>().add("pear").add("apple");
 * assert.deepEqual(a.merge(b).value(), ["apple", "pear"]);
 * ```
 */
export class GSet<T extends Json = Json> implements StateCrdt<GSet<T>, T[], GSetJSON<T>> {
  readonly #elements: ReadonlyMap<string, T>;

  private constructor(elements: ReadonlyMap<string, T>) {
    this.#elements = elements;
  }

  /** The empty set, the bottom of the lattice. */
  static empty<T extends Json = Json>(): GSet<T> {
    return new GSet(new Map());
  }

  /** The set of `elements`. */
  static of<T extends Json>(elements: Iterable<T>): GSet<T> {
    const map = new Map<string, T>();
    for (const e of elements) map.set(canonicalJson(e), e);
    return new GSet(map);
  }

  /**
   * Rebuilds a set from its JSON form, or throws a `TypeError`. The element
   * type is the caller's claim; only JSON-ness is checked.
   */
  static fromJSON<T extends Json = Json>(json: unknown): GSet<T> {
    const map = new Map<string, T>();
    asArray(json, "GSet").forEach((e, i) => {
      const [element, key] = asElement<T>(e, `GSet[${i}]`);
      map.set(key, element);
    });
    return new GSet(map);
  }

  /** The set with `element` added. */
  add(element: T): GSet<T> {
    const key = canonicalJson(element);
    if (this.#elements.has(key)) return this;
    return new GSet(new Map(this.#elements).set(key, element));
  }

  /** True when `element` is in the set. */
  has(element: T): boolean {
    return this.#elements.has(canonicalJson(element));
  }

  /** The number of elements. */
  get size(): number {
    return this.#elements.size;
  }

  /** Set union. */
  merge(other: GSet<T>): GSet<T> {
    if (other.leq(this)) return this;
    if (this.leq(other)) return other;
    const map = new Map(this.#elements);
    for (const [k, e] of other.#elements) map.set(k, e);
    return new GSet(map);
  }

  /** The elements, sorted by canonical JSON so every replica lists them alike. */
  value(): T[] {
    return sortedValues(this.#elements);
  }

  /** Subset. */
  leq(other: GSet<T>): boolean {
    if (this.#elements.size > other.#elements.size) return false;
    for (const k of this.#elements.keys()) if (!other.#elements.has(k)) return false;
    return true;
  }

  /** Same elements. */
  equals(other: GSet<T>): boolean {
    return this.#elements.size === other.#elements.size && this.leq(other);
  }

  /** The compact JSON form: the sorted elements. */
  toJSON(): GSetJSON<T> {
    return this.value();
  }
}

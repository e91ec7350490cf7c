/**
 * OR-Set: the observed-remove set, add-wins, without tombstones.
 *
 * The classic OR-Set (Shapiro et al. 2011, Specification 15) tags each add with
 * a unique tag and keeps removed tags forever. The optimized OR-Set (Bieniusa,
 * Zawirski, Preguiça, Shapiro, Baquero, Balegas, Duarte, "An optimized
 * conflict-free replicated set", 2012) replaces the tags by dots and the
 * tombstones by a causal context: a dot the other side has seen but no longer
 * holds was removed there. Merge (Almeida et al., "Delta State Replicated Data
 * Types", add-wins set) keeps a dot when both hold it, or when one holds it and
 * the other has not seen it. A remove deletes only the dots it observed, so a
 * concurrent add (a dot the remover had not seen) survives: add wins.
 *
 * The causal context is a {@linkcode DotContext} rather than a bare version
 * vector so that deltas may arrive out of order.
 *
 * @module
 */

import { checkNodeId, type NodeId } from "../../actors/mod.ts";
import { canonicalJson, type Json, type StateCrdt } from "./crdt.ts";
import { compareDots, type Dot, DotContext, type DotContextJSON, parseDot } from "./dot_context.ts";
import { asArray, asElement, asRecord, malformed, sortedValues } from "./_internal.ts";

/**
 * The JSON form of an {@linkcode OrSet}: the causal context, and each present
 * element with the dots of the adds that keep it, sorted by element.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { OrSet, type OrSetJSON } from "./or_set.ts";
 * const wire: OrSetJSON<string> = {
 *   context: { vv: { a: 2, b: 1 } },
 *   entries: [["milk", [["a", 2], ["b", 1]]]],
 * };
 * // a adds milk twice (its second add supersedes its first), b once, concurrently.
 * const a = OrSet.empty<string>().add("a", "milk").add("a", "milk");
 * const b = OrSet.empty<string>().add("b", "milk");
 * assert.deepEqual(a.merge(b).toJSON(), wire);
 * assert.deepEqual(OrSet.fromJSON<string>(wire).value(), ["milk"]);
 * ```
 */
export type OrSetJSON<T extends Json> = {
  readonly context: DotContextJSON;
  readonly entries: readonly (readonly [element: T, dots: readonly Dot[]])[];
};

/**
 * An operation-based update, prepared at the source and applied downstream.
 * An add carries its fresh dot and the dots of the element it observed (which
 * it supersedes); a remove carries the dots it observed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { OrSet, type OrSetOp } from "./or_set.ts";
 * const base = OrSet.empty<string>().add("a", "milk");
 * const op: OrSetOp<string> = base.prepareRemove("milk");
 * assert.deepEqual(op, { type: "remove", element: "milk", observed: [["a", 1]] });
 * assert.equal(base.apply(op).has("milk"), false);
 * ```
 */
export type OrSetOp<T extends Json> =
  | {
    readonly type: "add";
    readonly element: T;
    readonly dot: Dot;
    readonly observed: readonly Dot[];
  }
  | { readonly type: "remove"; readonly element: T; readonly observed: readonly Dot[] };

type Entry<T> = { readonly element: T; readonly dots: readonly Dot[] };

/**
 * An add-wins observed-remove set.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { OrSet } from "./or_set.ts";
 *
 * const base = OrSet.empty<string>().add("a", "milk");
 * const removed = base.remove("milk"); // at replica b
 * const readded = base.add("c", "milk"); // concurrently at replica c
 * assert.deepEqual(removed.merge(readded).value(), ["milk"]); // the concurrent add wins
 * ```
 */
export class OrSet<T extends Json = Json> implements StateCrdt<OrSet<T>, T[], OrSetJSON<T>> {
  readonly #entries: ReadonlyMap<string, Entry<T>>;
  readonly #context: DotContext;

  private constructor(entries: ReadonlyMap<string, Entry<T>>, context: DotContext) {
    this.#entries = entries;
    this.#context = context;
  }

  /** The empty set that has seen nothing, the bottom of the lattice. */
  static empty<T extends Json = Json>(): OrSet<T> {
    return new OrSet<T>(new Map(), DotContext.empty());
  }

  /**
   * Rebuilds a set from its JSON form, or throws a `TypeError` (also when an
   * entry holds a dot the context has not seen, which no replica can produce).
   */
  static fromJSON<T extends Json = Json>(json: unknown): OrSet<T> {
    const record = asRecord(json, "OrSet");
    const context = DotContext.fromJSON(record.context, "OrSet.context");
    const entries = new Map<string, Entry<T>>();
    asArray(record.entries, "OrSet.entries").forEach((item, i) => {
      const where = `OrSet.entries[${i}]`;
      const pair = asArray(item, where);
      if (pair.length !== 2) malformed(where, "[element, dots]", item);
      const [element, key] = asElement<T>(pair[0], `${where}[0]`);
      const dots = asArray(pair[1], `${where}[1]`).map((d, j) => {
        const dot = parseDot(d, `${where}[1][${j}]`);
        if (!context.has(dot)) malformed(`${where}[1][${j}]`, "a dot the context has seen", d);
        return dot;
      });
      const all = [...entries.get(key)?.dots ?? [], ...dots];
      if (all.length > 0) entries.set(key, { element, dots: normalizeDots(all) });
    });
    return new OrSet(entries, context);
  }

  /** The set after `replica` adds `element`. */
  add(replica: NodeId, element: T): OrSet<T> {
    return this.merge(this.addDelta(replica, element));
  }

  /**
   * The set after `replica` adds each of `elements`, one dot each: a bulk
   * `add` that copies the state once instead of once per element.
   */
  addAll(replica: NodeId, elements: Iterable<T>): OrSet<T> {
    checkNodeId(replica, "OrSet.addAll: replica id");
    const entries = new Map(this.#entries);
    let [, counter] = this.#context.nextDot(replica);
    const fresh: Dot[] = [];
    for (const element of elements) {
      const dot: Dot = [replica, counter++];
      fresh.push(dot);
      entries.set(canonicalJson(element), { element, dots: [dot] });
    }
    return new OrSet(entries, this.#context.add(fresh));
  }

  /**
   * The delta of `add(replica, element)`: the element with one fresh dot, and a
   * context of that dot plus the element's observed dots, which the new dot
   * supersedes (Almeida et al., add^δ).
   */
  addDelta(replica: NodeId, element: T): OrSet<T> {
    return this.#deltaOf(this.prepareAdd(replica, element));
  }

  /** The set after removing `element` (a no-op if it is absent). */
  remove(element: T): OrSet<T> {
    return this.merge(this.removeDelta(element));
  }

  /** The delta of `remove(element)`: no entries, and the removed dots as context. */
  removeDelta(element: T): OrSet<T> {
    return this.#deltaOf(this.prepareRemove(element));
  }

  /** Prepares an operation-based add at its source replica. */
  prepareAdd(replica: NodeId, element: T): OrSetOp<T> {
    checkNodeId(replica, "OrSet.add: replica id");
    return {
      type: "add",
      element,
      dot: this.#context.nextDot(replica),
      observed: this.dots(element),
    };
  }

  /** Prepares an operation-based remove of the dots this replica observed. */
  prepareRemove(element: T): OrSetOp<T> {
    return { type: "remove", element, observed: this.dots(element) };
  }

  /**
   * The effect of an operation downstream. An op carries exactly what its
   * delta does, so the effect is joining the delta: that is idempotent, and
   * commutes with every concurrent op even without causal delivery.
   */
  apply(op: OrSetOp<T>): OrSet<T> {
    return this.merge(this.#deltaOf(op));
  }

  // Ops may come off the network, so their dots are checked like decoded JSON.
  #deltaOf(op: OrSetOp<T>): OrSet<T> {
    const observed = asArray(op.observed, `OrSetOp(${op.type}).observed`)
      .map((d, i) => parseDot(d, `OrSetOp(${op.type}).observed[${i}]`));
    if (op.type === "add") {
      const dot = parseDot(op.dot, "OrSetOp(add).dot");
      const entries = new Map([[canonicalJson(op.element), { element: op.element, dots: [dot] }]]);
      return new OrSet(entries, DotContext.of(new Map(), [dot, ...observed]));
    }
    return new OrSet(new Map(), DotContext.of(new Map(), observed));
  }

  /** True when `element` is in the set. */
  has(element: T): boolean {
    return this.#entries.has(canonicalJson(element));
  }

  /** The number of elements. */
  get size(): number {
    return this.#entries.size;
  }

  /** The dots that keep `element` in the set (none when absent). */
  dots(element: T): readonly Dot[] {
    return this.#entries.get(canonicalJson(element))?.dots ?? [];
  }

  /** Every dot this state has seen, present or removed. */
  get context(): DotContext {
    return this.#context;
  }

  /**
   * Keeps a dot that both sides hold, or that one side holds and the other
   * has never seen; a dot seen but not held was removed. Contexts unite.
   */
  merge(other: OrSet<T>): OrSet<T> {
    if (other.leq(this)) return this;
    if (this.leq(other)) return other;
    const entries = new Map(this.#entries);
    for (const [k, ours] of this.#entries) {
      const theirs = other.#entries.get(k)?.dots ?? NO_DOTS;
      const dots = joinDots(ours.dots, this.#context, theirs, other.#context);
      if (dots === ours.dots) continue;
      if (dots.length === 0) entries.delete(k);
      else entries.set(k, { element: ours.element, dots });
    }
    for (const [k, theirs] of other.#entries) {
      if (this.#entries.has(k)) continue;
      const dots = joinDots(NO_DOTS, this.#context, theirs.dots, other.#context);
      if (dots === theirs.dots) entries.set(k, theirs);
      else if (dots.length > 0) entries.set(k, { element: theirs.element, dots });
    }
    return new OrSet(entries, this.#context.union(other.#context));
  }

  /** The elements, sorted by canonical JSON. */
  value(): T[] {
    return sortedValues(this.#entries).map((e) => e.element);
  }

  /**
   * The lattice order: `other` has seen every dot seen here, and still holds
   * a dot seen here only if it is held here too (else it undid a remove).
   */
  leq(other: OrSet<T>): boolean {
    if (!this.#context.leq(other.#context)) return false;
    for (const [k, theirs] of other.#entries) {
      const ours = this.#entries.get(k)?.dots ?? [];
      for (const d of theirs.dots) if (this.#context.has(d) && !hasDot(ours, d)) return false;
    }
    return true;
  }

  /** Same context and same dots per element. */
  equals(other: OrSet<T>): boolean {
    if (this.#entries.size !== other.#entries.size) return false;
    if (!this.#context.equals(other.#context)) return false;
    for (const [k, ours] of this.#entries) {
      const theirs = other.#entries.get(k);
      if (theirs === undefined || theirs.dots.length !== ours.dots.length) return false;
      if (!ours.dots.every((d) => hasDot(theirs.dots, d))) return false;
    }
    return true;
  }

  /** The compact JSON form `{ context, entries }`. */
  toJSON(): OrSetJSON<T> {
    return {
      context: this.#context.toJSON(),
      entries: sortedValues(this.#entries).map((e) => [e.element, e.dots] as const),
    };
  }
}

const NO_DOTS: readonly Dot[] = [];

/**
 * One element's dots after the join, (m ∩ m') ∪ (m \ c') ∪ (m' \ c) in
 * Almeida et al.'s notation. Returns `ours` or `theirs` itself when the result
 * equals it, so that a merge allocates only for elements that changed.
 */
function joinDots(
  ours: readonly Dot[],
  ourContext: DotContext,
  theirs: readonly Dot[],
  theirContext: DotContext,
): readonly Dot[] {
  let kept: Dot[] | undefined;
  ours.forEach((d, i) => {
    const keep = hasDot(theirs, d) || !theirContext.has(d);
    if (kept === undefined) {
      if (!keep) kept = ours.slice(0, i);
    } else if (keep) kept.push(d);
  });
  // A dot we have seen is either one of ours (kept above) or one we removed.
  let fresh: Dot[] | undefined;
  for (const d of theirs) if (!ourContext.has(d)) (fresh ??= []).push(d);
  const base = kept ?? ours;
  if (fresh === undefined) return base;
  if (base.length === 0 && fresh.length === theirs.length) return theirs;
  return normalizeDots([...base, ...fresh]);
}

function hasDot(dots: readonly Dot[], [r, n]: Dot): boolean {
  return dots.some(([r2, n2]) => r2 === r && n2 === n);
}

function normalizeDots(dots: readonly Dot[]): readonly Dot[] {
  const sorted = [...dots].sort(compareDots);
  return sorted.filter((d, i) => i === 0 || compareDots(sorted[i - 1], d) !== 0);
}

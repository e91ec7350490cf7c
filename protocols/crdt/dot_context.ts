/**
 * Dots and causal contexts, the bookkeeping that lets an OR-Set forget removed
 * elements without keeping tombstones.
 *
 * A dot `[replica, n]` names the n-th update made at `replica`. A causal context
 * is the set of dots a state has seen. After in-order delivery it is a version
 * vector (a contiguous prefix per replica); deltas may arrive out of order,
 * so a few dots beyond the prefix are kept in a "dot cloud" until the gap fills
 * (Almeida, Shoker, Baquero, "Delta State Replicated Data Types", JPDC 2018, §6).
 * A plain version vector would be wrong there: seeing dot 5 before dot 4 would
 * claim dot 4 was seen, and a later state still holding dot 4 would lose it.
 *
 * @module
 */

import type { NodeId } from "../../actors/mod.ts";
import { compareStrings } from "./crdt.ts";
import { asArray, asInteger, asNodeId, asRecord, malformed } from "./_internal.ts";
import {
  type VersionVector,
  type VersionVectorJSON,
  vvFromJSON,
  vvToJSON,
} from "./version_vector.ts";

/**
 * A dot: the `counter`-th update made at `replica`, counting from 1.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type Dot, DotContext } from "./dot_context.ts";
 * const third: Dot = ["a", 3];
 * // After seeing two updates of "a", its next one is its third.
 * assert.deepEqual(DotContext.of(new Map([["a", 2]])).nextDot("a"), third);
 * ```
 */
export type Dot = readonly [replica: NodeId, counter: number];

/**
 * The JSON form of a {@linkcode DotContext}: the version vector, and the dots
 * beyond it only when there are any.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DotContext, type DotContextJSON } from "./dot_context.ts";
 * const wire: DotContextJSON = { vv: { a: 2 }, cloud: [["b", 3]] };
 * const ctx = DotContext.fromJSON(wire);
 * assert.ok(ctx.has(["a", 1]) && ctx.has(["b", 3]));
 * assert.equal(ctx.has(["b", 2]), false); // b's dot 3 arrived before its dots 1 and 2
 * assert.deepEqual(ctx.toJSON(), wire);
 * ```
 */
export type DotContextJSON = {
  readonly vv: VersionVectorJSON;
  readonly cloud?: readonly Dot[];
};

/**
 * Orders dots by replica id, then counter.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compareDots } from "./dot_context.ts";
 * assert.equal(compareDots(["a", 2], ["b", 1]), -1);
 * ```
 */
export function compareDots(x: Dot, y: Dot): number {
  return compareStrings(x[0], y[0]) || x[1] - y[1];
}

/**
 * An immutable causal context: a version vector plus a dot cloud, always kept
 * compact (no cloud dot is adjacent to or inside the vector's prefix).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DotContext } from "./dot_context.ts";
 *
 * const ctx = DotContext.empty().add([["a", 1], ["a", 3]]);
 * assert.equal(ctx.has(["a", 2]), false);
 * assert.deepEqual(ctx.add([["a", 2]]).toJSON(), { vv: { a: 3 } });
 * ```
 */
export class DotContext {
  readonly #vv: VersionVector;
  readonly #cloud: ReadonlyMap<NodeId, ReadonlySet<number>>;

  private constructor(vv: VersionVector, cloud: ReadonlyMap<NodeId, ReadonlySet<number>>) {
    this.#vv = vv;
    this.#cloud = cloud;
  }

  /** The context of a state that has seen nothing. */
  static empty(): DotContext {
    return EMPTY;
  }

  /** Builds a compact context from a version vector and any extra dots. */
  static of(vv: VersionVector, dots: Iterable<Dot> = []): DotContext {
    const prefix = new Map<NodeId, number>();
    for (const [r, n] of vv) if (n > 0) prefix.set(r, n);
    const cloud = new Map<NodeId, Set<number>>();
    for (const [r, n] of dots) {
      if (n <= (prefix.get(r) ?? 0)) continue;
      let set = cloud.get(r);
      if (set === undefined) cloud.set(r, set = new Set());
      set.add(n);
    }
    // Compaction: a cloud dot that extends the prefix joins it.
    for (const [r, set] of cloud) {
      let top = prefix.get(r) ?? 0;
      while (set.delete(top + 1)) top++;
      if (top > 0) prefix.set(r, top);
      if (set.size === 0) cloud.delete(r);
    }
    return new DotContext(prefix, cloud);
  }

  /** Rebuilds a context from its JSON form, or throws a `TypeError`. */
  static fromJSON(json: unknown, where = "DotContext"): DotContext {
    const record = asRecord(json, where);
    const cloud = record.cloud === undefined ? [] : asArray(record.cloud, `${where}.cloud`);
    return DotContext.of(
      vvFromJSON(record.vv, `${where}.vv`),
      cloud.map((d, i) => parseDot(d, `${where}.cloud[${i}]`)),
    );
  }

  /** The contiguous prefix seen from each replica. */
  get versionVector(): VersionVector {
    return this.#vv;
  }

  /** True when this context has seen `dot`. */
  has(dot: Dot): boolean {
    const [r, n] = dot;
    return n <= (this.#vv.get(r) ?? 0) || (this.#cloud.get(r)?.has(n) ?? false);
  }

  /** The next fresh dot for `replica`: one past everything seen from it. */
  nextDot(replica: NodeId): Dot {
    let top = this.#vv.get(replica) ?? 0;
    for (const n of this.#cloud.get(replica) ?? []) if (n > top) top = n;
    return [replica, top + 1];
  }

  /** This context with `dots` added. */
  add(dots: Iterable<Dot>): DotContext {
    return DotContext.of(this.#vv, [...this.#allCloudDots(), ...dots]);
  }

  /** The union of two contexts. */
  union(other: DotContext): DotContext {
    if (other.leq(this)) return this;
    if (this.leq(other)) return other;
    const vv = new Map(this.#vv);
    for (const [r, n] of other.#vv) if (n > (vv.get(r) ?? 0)) vv.set(r, n);
    return DotContext.of(vv, [...this.#allCloudDots(), ...other.#allCloudDots()]);
  }

  /** Set inclusion: every dot seen here was seen by `other`. */
  leq(other: DotContext): boolean {
    // `other` is compact, so a prefix longer than its prefix holds a dot it lacks.
    for (const [r, n] of this.#vv) if (n > (other.#vv.get(r) ?? 0)) return false;
    for (const d of this.#allCloudDots()) if (!other.has(d)) return false;
    return true;
  }

  /** Same set of dots. */
  equals(other: DotContext): boolean {
    return this.leq(other) && other.leq(this);
  }

  /** The compact JSON form; `cloud` only appears when it is not empty. */
  toJSON(): DotContextJSON {
    const vv = vvToJSON(this.#vv);
    const cloud = [...this.#allCloudDots()].sort(compareDots);
    return cloud.length === 0 ? { vv } : { vv, cloud };
  }

  *#allCloudDots(): Iterable<Dot> {
    for (const [r, set] of this.#cloud) for (const n of set) yield [r, n];
  }
}

const EMPTY = DotContext.of(new Map());

/**
 * Parses a dot `[replica, counter]`, or throws a `TypeError`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseDot } from "./dot_context.ts";
 * assert.deepEqual(parseDot(["a", 1], "op.dot"), ["a", 1]);
 * ```
 */
export function parseDot(json: unknown, where: string): Dot {
  const pair = asArray(json, where);
  if (pair.length !== 2) malformed(where, "a dot [replica, counter]", json);
  return [asNodeId(pair[0], where), asInteger(pair[1], `${where}[1]`, 1)];
}

/**
 * Version vectors: per replica, how many of its updates a state has seen.
 * The MV-Register tags values with them and the OR-Set's causal context is
 * built on one. Zero entries are left out, so equal vectors have equal maps.
 *
 * @module
 */

import type { NodeId } from "../../actors/mod.ts";
import { compareStrings } from "./crdt.ts";
import { asInteger, asNodeId, asRecord } from "./_internal.ts";

/**
 * A version vector: replica id to the number of its updates seen. Missing
 * replicas count 0, and zero entries are never stored.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type VersionVector, vvIncrement } from "./version_vector.ts";
 * const seen: VersionVector = vvIncrement(vvIncrement(vvIncrement(new Map(), "a"), "a"), "b");
 * assert.deepEqual(seen, new Map([["a", 2], ["b", 1]]));
 * assert.equal(seen.get("c") ?? 0, 0); // a replica not in the map: none of its updates seen
 * ```
 */
export type VersionVector = ReadonlyMap<NodeId, number>;

/**
 * The JSON form of a version vector: an object with replica ids in sorted order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type VersionVectorJSON, vvFromJSON, vvToJSON } from "./version_vector.ts";
 * const wire: VersionVectorJSON = { a: 2, b: 1 };
 * assert.deepEqual(vvToJSON(vvFromJSON(wire)), wire);
 * assert.deepEqual(vvToJSON(vvFromJSON({ a: 0 })), {}); // zero entries are dropped
 * ```
 */
export type VersionVectorJSON = Readonly<Record<NodeId, number>>;

/**
 * How two version vectors relate: one happened before the other, they are
 * equal, or they are concurrent.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type VectorOrder, vvCompare } from "./version_vector.ts";
 * const a = new Map([["a", 1]]), ab = new Map([["a", 1], ["b", 1]]), b = new Map([["b", 1]]);
 * const orders: VectorOrder[] = [[a, ab], [ab, a], [a, b], [a, a]].map(([x, y]) => vvCompare(x, y));
 * assert.deepEqual(orders, ["before", "after", "concurrent", "equal"]);
 * ```
 */
export type VectorOrder = "before" | "equal" | "after" | "concurrent";

/**
 * The pointwise maximum: the vector of a state that has seen both.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { vvJoin } from "./version_vector.ts";
 * const joined = vvJoin(new Map([["a", 2]]), new Map([["a", 1], ["b", 1]]));
 * assert.deepEqual(Object.fromEntries(joined), { a: 2, b: 1 });
 * ```
 */
export function vvJoin(a: VersionVector, b: VersionVector): VersionVector {
  const out = new Map(a);
  for (const [r, n] of b) if (n > (out.get(r) ?? 0)) out.set(r, n);
  return out;
}

/**
 * True when `a` is pointwise at most `b`: everything `a` saw, `b` saw.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { vvLeq } from "./version_vector.ts";
 * assert.equal(vvLeq(new Map([["a", 1]]), new Map([["a", 2], ["b", 1]])), true);
 * ```
 */
export function vvLeq(a: VersionVector, b: VersionVector): boolean {
  for (const [r, n] of a) if (n > (b.get(r) ?? 0)) return false;
  return true;
}

/**
 * Compares two vectors in the happened-before order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { vvCompare } from "./version_vector.ts";
 * assert.equal(vvCompare(new Map([["a", 1]]), new Map([["b", 1]])), "concurrent");
 * ```
 */
export function vvCompare(a: VersionVector, b: VersionVector): VectorOrder {
  const le = vvLeq(a, b);
  const ge = vvLeq(b, a);
  return le && ge ? "equal" : le ? "before" : ge ? "after" : "concurrent";
}

/**
 * The vector after `replica` makes one more update.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { vvIncrement } from "./version_vector.ts";
 * assert.equal(vvIncrement(new Map(), "a").get("a"), 1);
 * ```
 */
export function vvIncrement(v: VersionVector, replica: NodeId): VersionVector {
  return new Map(v).set(replica, (v.get(replica) ?? 0) + 1);
}

/**
 * The JSON form, with replica ids sorted so equal vectors print the same.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { vvToJSON } from "./version_vector.ts";
 * assert.deepEqual(vvToJSON(new Map([["b", 1], ["a", 2]])), { a: 2, b: 1 });
 * ```
 */
export function vvToJSON(v: VersionVector): VersionVectorJSON {
  return Object.fromEntries([...v].sort(([x], [y]) => compareStrings(x, y)));
}

/**
 * Parses the JSON form, throwing a `TypeError` that names what is malformed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { vvFromJSON } from "./version_vector.ts";
 * assert.equal(vvFromJSON({ a: 2 }).get("a"), 2);
 * ```
 */
export function vvFromJSON(json: unknown, where = "VersionVector"): VersionVector {
  const out = new Map<NodeId, number>();
  for (const [r, n] of Object.entries(asRecord(json, where))) {
    const count = asInteger(n, `${where}.${r}`, 0);
    if (count > 0) out.set(asNodeId(r, where), count);
  }
  return out;
}

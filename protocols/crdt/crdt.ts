/**
 * What every state-based CRDT in this folder shares, so that replication code
 * (anti-entropy gossip, delta shipping, convergence checks) can be written once.
 *
 * A state-based CRDT (Shapiro, Preguiça, Baquero, Zawirski, "Conflict-free
 * Replicated Data Types", SSS 2011) is a join semilattice: `merge` is the join
 * (commutative, associative, idempotent), `leq` is the lattice order, and every
 * update moves a state up that order. Gossiping states in any order, any number
 * of times, then converges.
 *
 * Values here are immutable: an operation returns a new value and leaves the old
 * one untouched, so an actor can hand a state to the network without copying it
 * and a test can keep every intermediate state.
 *
 * @module
 */

/**
 * A JSON value. Set elements and register values must be JSON values, because
 * replicas compare them by their canonical JSON text, not by object identity.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { Json } from "./crdt.ts";
 * import { GSet } from "./g_set.ts";
 * const cursor: Json = { line: 3, column: 14 };
 * // Compared as JSON: another object with the same fields is the same element.
 * assert.ok(GSet.of([cursor]).has({ column: 14, line: 3 }));
 * ```
 */
export type Json =
  | null
  | boolean
  | number
  | string
  | readonly Json[]
  | { readonly [key: string]: Json };

/**
 * The interface an anti-entropy replica can be generic over.
 *
 * `Self` is the implementing type, `V` what {@linkcode StateCrdt.value} returns
 * and `J` the JSON form that {@linkcode StateCrdt.toJSON} produces.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { StateCrdt } from "./crdt.ts";
 * import { GCounter } from "./g_counter.ts";
 *
 * function sync<S extends StateCrdt<S, unknown>>(a: S, b: S): S {
 *   return a.merge(b);
 * }
 * assert.equal(sync(GCounter.empty().increment("a"), GCounter.empty().increment("b")).value(), 2);
 * ```
 */
export interface StateCrdt<Self, V, J = unknown> {
  /** The join (least upper bound) of this state and `other`. */
  merge(other: Self): Self;
  /** What a user of the replica reads. */
  value(): V;
  /**
   * The lattice order: true when `this` is below or equal to `other`, so
   * `other` has seen every update in `this`.
   */
  leq(other: Self): boolean;
  /** Same state (not only the same value: two counters with value 2 may differ). */
  equals(other: Self): boolean;
  /** A compact, canonical JSON form: equal states give the same JSON text. */
  toJSON(): J;
}

/**
 * Decodes a state from its JSON form. The classes' static `fromJSON` methods
 * fit this shape, so `const codec: CrdtCodec<GCounter> = GCounter` type-checks.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { CrdtCodec } from "./crdt.ts";
 * import { GCounter } from "./g_counter.ts";
 *
 * const codec: CrdtCodec<GCounter> = GCounter;
 * const wire = JSON.stringify(GCounter.empty().increment("a", 2));
 * assert.equal(codec.fromJSON(JSON.parse(wire)).value(), 2);
 * ```
 */
export interface CrdtCodec<T> {
  /** Rebuilds a state from parsed JSON, throwing a `TypeError` that names what is malformed. */
  fromJSON(json: unknown): T;
}

/**
 * An operation that the type forbids, such as re-adding an element removed
 * from a 2P-Set, or merging LWW-Element-Sets of different biases. Replicas can
 * catch it to fail the client's request instead of crashing.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CrdtError } from "./crdt.ts";
 * import { TwoPhaseSet } from "./two_phase_set.ts";
 *
 * const removed = TwoPhaseSet.empty<string>().add("x").remove("x");
 * assert.throws(() => removed.add("x"), CrdtError);
 * ```
 */
export class CrdtError extends Error {
  /** Builds the error with a message that names the input. */
  constructor(message: string) {
    super(message);
    this.name = "CrdtError";
  }
}

/**
 * Joins any number of states of one type.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mergeAll } from "./crdt.ts";
 * import { GSet } from "./g_set.ts";
 *
 * const merged = mergeAll([GSet.of(["a"]), GSet.of(["b"]), GSet.of(["a", "c"])]);
 * assert.deepEqual(merged.value(), ["a", "b", "c"]);
 * ```
 */
export function mergeAll<S extends StateCrdt<S, unknown>>(states: readonly S[]): S {
  if (states.length === 0) throw new RangeError("mergeAll needs at least one state");
  return states.reduce((acc, s) => acc.merge(s));
}

/**
 * The canonical JSON text of a value: object keys sorted, no whitespace. Two
 * values are the same element exactly when their canonical texts are equal.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { canonicalJson } from "./crdt.ts";
 * assert.equal(canonicalJson({ b: 1, a: [true, null] }), '{"a":[true,null],"b":1}');
 * ```
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === "boolean" || typeof value === "string") {
    return JSON.stringify(value);
  }
  if (typeof value === "number") {
    // NaN and Infinity would silently become null on the wire.
    if (!Number.isFinite(value)) throw new TypeError(`${value} is not a JSON number`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (typeof value === "object") {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      throw new TypeError(`${proto?.constructor?.name ?? "object"} is not a plain JSON object`);
    }
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record).sort(compareStrings);
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k])}`).join(",")}}`;
  }
  throw new TypeError(`${typeof value} is not a JSON value`);
}

/**
 * Orders strings by UTF-16 code units, like `<`: unlike `localeCompare`, the
 * same on every machine, which canonical forms and tiebreaks need.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compareStrings } from "./crdt.ts";
 * assert.deepEqual(["b", "B", "a"].sort(compareStrings), ["B", "a", "b"]);
 * ```
 */
export function compareStrings(a: string, b: string): -1 | 0 | 1 {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * A structural hash for state fingerprints: a value's shape and contents
 * folded into two independent 32-bit lanes (murmur3's block mix with two
 * sets of constants), read out as one 53-bit number, so that a visited set
 * of a million states has a collision chance around 10^-4.
 *
 * It differs from the trace hash (`trace.ts`) on purpose. That one must
 * equal what the file format says and keeps the run loop fast; this one
 * must tell states apart: small integers are mixed whole (a double's low
 * word is zero for them, which would leave one lane blind), and an object is
 * an unordered set of fields (two equal states whose fields were added in a
 * different order are the same state), while arrays keep their order.
 *
 * With a renaming (symmetry reduction, see `symmetry.ts`) every string
 * that is a node id, as a value or as an object key, is hashed as the id it
 * is renamed to.
 *
 * @module
 */

import { mix32 } from "../choices.ts";

const SEED_A = 0x3c6ef372;
const SEED_B = 0x510e527f;
// Tags keep values of different types apart (1 and "1", [] and {}).
const T_UNDEFINED = 1,
  T_NULL = 2,
  T_FALSE = 3,
  T_TRUE = 4,
  T_INT = 5,
  T_NUMBER = 6,
  T_STRING = 7,
  T_ARRAY = 8,
  T_OBJECT = 9,
  T_BAG = 10,
  T_OTHER = 11;
/** Deeper than this is a cycle or a state no one can read: refused. */
const MAX_DEPTH = 200;

const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);

function laneA(h: number, k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  h ^= Math.imul(k, 0x1b873593);
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function laneB(h: number, k: number): number {
  k = Math.imul(k, 0x85ebca6b);
  k = (k << 16) | (k >>> 16);
  h ^= Math.imul(k, 0xc2b2ae35);
  h = (h << 17) | (h >>> 15);
  return (Math.imul(h, 9) + 0x7fb5e1c3) | 0;
}

/** The murmur3 finaliser, as the choice streams use it. */
const finish = mix32;

/**
 * Folds values into a 53-bit fingerprint. `value` hashes anything plain
 * (numbers, strings, booleans, null, undefined, arrays, objects; a `Map` or
 * `Set` as the unordered collection it is; `toJSON` honoured); `bag` hashes
 * an unordered collection built by the caller (a multiset of pending
 * messages, say); `result` reads the fingerprint.
 *
 * @example
 * ```ts
 * import { StateHash } from "./hash.ts";
 * import assert from "node:assert/strict";
 * const fp = (v: unknown) => new StateHash().value(v).result();
 * assert.equal(fp({ a: 1, b: [2, 3] }), fp({ b: [2, 3], a: 1 })); // fields: a set
 * assert.notEqual(fp([2, 3]), fp([3, 2])); // arrays: in order
 * assert.notEqual(fp(1), fp("1"));
 * assert.ok(Number.isSafeInteger(fp({ term: 3 })));
 * // Renamed: n1 and n2 swap, as values and as keys.
 * const swap = new Map([["n1", "n2"], ["n2", "n1"]]);
 * const renamed = new StateHash(swap).value({ n1: { votedFor: "n2" } }).result();
 * assert.equal(renamed, fp({ n2: { votedFor: "n1" } }));
 * ```
 */
export class StateHash {
  #a = SEED_A;
  #b = SEED_B;
  #depth = 0;

  /** `rename`: node ids to hash as other ids (symmetry reduction). */
  constructor(readonly rename: ReadonlyMap<string, string> | null = null) {}

  /** Folds one 32-bit word in. */
  word(k: number): this {
    this.#a = laneA(this.#a, k);
    this.#b = laneB(this.#b, k);
    return this;
  }

  /** Folds a number in (whole numbers mixed whole; -0 as 0, every NaN alike). */
  number(v: number): this {
    if ((v | 0) === v) return this.word(T_INT).word(v);
    F64[0] = Number.isNaN(v) ? NaN : v;
    return this.word(T_NUMBER).word(U32[0]).word(U32[1]);
  }

  /** Folds a string in (a node id as its renamed id). */
  string(v: string): this {
    const s = this.rename?.get(v) ?? v;
    this.word(T_STRING).word(s.length);
    let i = 0;
    for (; i + 1 < s.length; i += 2) this.word(s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16));
    if (i < s.length) this.word(s.charCodeAt(i));
    return this;
  }

  /** Folds any plain value in. Throws a `RangeError` on a cycle or absurd depth. */
  value(v: unknown): this {
    switch (typeof v) {
      case "number":
        return this.number(v);
      case "string":
        return this.string(v);
      case "boolean":
        return this.word(v ? T_TRUE : T_FALSE);
      case "undefined":
        return this.word(T_UNDEFINED);
      case "object":
        if (v === null) return this.word(T_NULL);
        if (++this.#depth > MAX_DEPTH) {
          throw new RangeError(
            `a state is nested deeper than ${MAX_DEPTH} levels (a cycle?); inspect() must return plain data`,
          );
        }
        try {
          if (Array.isArray(v)) {
            this.word(T_ARRAY).word(v.length);
            for (let i = 0; i < v.length; i++) this.value(v[i]);
            return this;
          }
          if (v instanceof Map) {
            return this.bag(v.size, (h) => {
              for (const [k, x] of v) h((s) => s.value(k).value(x));
            });
          }
          if (v instanceof Set) {
            return this.bag(v.size, (h) => {
              for (const x of v) h((s) => s.value(x));
            });
          }
          const toJSON = (v as { toJSON?: () => unknown }).toJSON;
          if (typeof toJSON === "function") return this.value(toJSON.call(v));
          return this.#object(v as Record<string, unknown>);
        } finally {
          this.#depth--;
        }
      default:
        // Functions, symbols, bigints: their kind, not their contents.
        return this.word(T_OTHER).string(typeof v);
    }
  }

  /**
   * Folds in an unordered collection of `count` items: `each` calls `item`
   * once per item with a function that hashes it. Equal multisets give equal
   * hashes whatever the order (a sum of each item's own hash).
   */
  bag(count: number, each: (item: (hash: (h: this) => void) => void) => void): this {
    const a = this.#a, b = this.#b;
    let sumA = 0, sumB = 0, n = 0;
    each((hash) => {
      this.#a = SEED_A ^ 0x9e3779b9;
      this.#b = SEED_B ^ 0x7f4a7c15;
      hash(this);
      sumA = (sumA + finish(this.#a)) | 0;
      sumB = (sumB + finish(this.#b)) | 0;
      n++;
    });
    this.#a = a;
    this.#b = b;
    if (n !== count) throw new Error(`internal: a bag of ${count} hashed ${n} items`);
    return this.word(T_BAG).word(n).word(sumA).word(sumB);
  }

  /** The fingerprint: a whole number below 2^53. */
  result(): number {
    return finish(this.#a) * 2097152 + (finish(this.#b) >>> 11);
  }

  #object(v: Record<string, unknown>): this {
    let n = 0;
    for (const key in v) {
      const x = v[key];
      if (x !== undefined && typeof x !== "function") n++;
    }
    this.word(T_OBJECT);
    return this.bag(n, (item) => {
      for (const key in v) {
        const x = v[key];
        if (x === undefined || typeof x === "function") continue;
        item((h) => h.string(key).value(x));
      }
    });
  }
}

/**
 * The states the checker has stored: a hash set of 53-bit fingerprints with
 * one 32-bit number beside each (the depth a state was first reached at,
 * for depth-first search), in two typed arrays with open addressing. It
 * costs 12 bytes a slot and stays at most half full, so 12 to 24 bytes a
 * stored state, and no object per state for the garbage collector to walk.
 *
 * @module
 */

/**
 * Fingerprints seen, each with a number.
 *
 * @example
 * ```ts
 * import { VisitedSet } from "./visited.ts";
 * import assert from "node:assert/strict";
 * const seen = new VisitedSet();
 * assert.equal(seen.add(123456789, 4), -1); // new
 * assert.equal(seen.add(123456789, 2), 4); // seen before, at 4
 * seen.set(123456789, 2);
 * assert.equal(seen.get(123456789), 2);
 * assert.equal(seen.get(42), -1);
 * assert.equal(seen.size, 1);
 * ```
 */
export class VisitedSet {
  #keys: Float64Array;
  #values: Uint32Array;
  #mask: number;
  #size = 0;

  /** Room for `expected` fingerprints before the first growth. */
  constructor(expected = 1 << 12) {
    let n = 16;
    while (n < expected * 2) n *= 2;
    this.#keys = new Float64Array(n);
    this.#values = new Uint32Array(n);
    this.#mask = n - 1;
  }

  /** How many fingerprints are stored. */
  get size(): number {
    return this.#size;
  }

  /** Bytes the set's arrays take. */
  get bytes(): number {
    return this.#keys.byteLength + this.#values.byteLength;
  }

  /** Stores `fingerprint` with `value` if it is new and returns -1; else returns its value. */
  add(fingerprint: number, value: number): number {
    const i = this.#find(fingerprint);
    if (this.#keys[i] !== 0) return this.#values[i];
    this.#keys[i] = fingerprint + 1;
    this.#values[i] = value;
    if (++this.#size * 2 > this.#keys.length) this.#grow();
    return -1;
  }

  /** The value stored with `fingerprint`, or -1. */
  get(fingerprint: number): number {
    const i = this.#find(fingerprint);
    return this.#keys[i] === 0 ? -1 : this.#values[i];
  }

  /** Changes the value of a stored fingerprint. */
  set(fingerprint: number, value: number): void {
    const i = this.#find(fingerprint);
    if (this.#keys[i] === 0) throw new Error(`internal: ${fingerprint} is not stored`);
    this.#values[i] = value;
  }

  /** The slot holding `fingerprint`, or the empty slot where it would go. */
  #find(fingerprint: number): number {
    // Keys are stored plus one, so that 0 marks an empty slot.
    const key = fingerprint + 1;
    const keys = this.#keys, mask = this.#mask;
    // The fingerprint's low bits are well mixed already (see hash.ts).
    let i = (fingerprint % 4294967296) & mask;
    while (keys[i] !== 0 && keys[i] !== key) i = (i + 1) & mask;
    return i;
  }

  #grow(): void {
    const keys = this.#keys, values = this.#values;
    const n = keys.length * 2;
    this.#keys = new Float64Array(n);
    this.#values = new Uint32Array(n);
    this.#mask = n - 1;
    for (let j = 0; j < keys.length; j++) {
      if (keys[j] === 0) continue;
      const i = this.#find(keys[j] - 1);
      this.#keys[i] = keys[j];
      this.#values[i] = values[j];
    }
  }
}

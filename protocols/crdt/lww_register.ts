/**
 * LWW-Register: a last-writer-wins register (Shapiro et al. 2011,
 * Specification 8).
 *
 * Each write carries a {@linkcode Timestamp}; merge keeps the write with the
 * larger one. Timestamps come from physical clocks, so with clock skew a write
 * that really happened later can lose: that is the register's known anomaly,
 * and the price of a single value without conflicts.
 *
 * @module
 */

import type { NodeId } from "../../actors/mod.ts";
import { canonicalJson, compareStrings, type Json, type StateCrdt } from "./crdt.ts";
import { asElement, asRecord, parseTimestamp } from "./_internal.ts";
import { checkTimestamp, compareTimestamps, type Timestamp } from "./timestamp.ts";

/**
 * The JSON form of an {@linkcode LwwRegister}: `null` before the first write,
 * else the winning value with its timestamp.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LwwRegister, type LwwRegisterJSON } from "./lww_register.ts";
 * const wire: LwwRegisterJSON<string> = { value: "blue", time: 7, node: "n2" };
 * const r = LwwRegister.empty<string>().set({ time: 7, node: "n2" }, "blue");
 * assert.deepEqual(r.toJSON(), wire);
 * assert.equal(LwwRegister.fromJSON<string>(wire).value(), "blue");
 * assert.equal(LwwRegister.empty().toJSON(), null);
 * ```
 */
export type LwwRegisterJSON<T extends Json> =
  | null
  | { readonly value: T; readonly time: number; readonly node: NodeId };

type Write<T> = { readonly value: T; readonly key: string; readonly timestamp: Timestamp };

/**
 * A register whose latest write (by timestamp) wins.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LwwRegister } from "./lww_register.ts";
 *
 * const a = LwwRegister.empty<string>().set({ time: 10, node: "a" }, "red");
 * const b = LwwRegister.empty<string>().set({ time: 12, node: "b" }, "blue");
 * assert.equal(a.merge(b).value(), "blue");
 * ```
 */
export class LwwRegister<T extends Json = Json>
  implements StateCrdt<LwwRegister<T>, T | undefined, LwwRegisterJSON<T>> {
  readonly #write: Write<T> | undefined;

  private constructor(write: Write<T> | undefined) {
    this.#write = write;
  }

  /** The register before any write, the bottom of the lattice. */
  static empty<T extends Json = Json>(): LwwRegister<T> {
    return new LwwRegister<T>(undefined);
  }

  /** Rebuilds a register from its JSON form, or throws a `TypeError`. */
  static fromJSON<T extends Json = Json>(json: unknown): LwwRegister<T> {
    if (json === null) return LwwRegister.empty();
    const record = asRecord(json, "LwwRegister");
    const [value, key] = asElement<T>(record.value, "LwwRegister.value");
    const timestamp = parseTimestamp(record.time, record.node, "LwwRegister");
    return new LwwRegister({ value, key, timestamp });
  }

  /**
   * The register after writing `value` at `timestamp`. A write older than the
   * current one loses, exactly as it would if it arrived by merge.
   */
  set(timestamp: Timestamp, value: T): LwwRegister<T> {
    checkTimestamp(timestamp, "LwwRegister.set");
    const write = { value, key: canonicalJson(value), timestamp: { ...timestamp } };
    return this.merge(new LwwRegister(write));
  }

  /** The winning write's timestamp, or `undefined` before the first write. */
  get timestamp(): Timestamp | undefined {
    return this.#write?.timestamp;
  }

  /** Keeps the later write. */
  merge(other: LwwRegister<T>): LwwRegister<T> {
    return this.leq(other) ? other : this;
  }

  /** The winning value, or `undefined` before the first write. */
  value(): T | undefined {
    return this.#write?.value;
  }

  /** This write is not later than `other`'s. */
  leq(other: LwwRegister<T>): boolean {
    if (this.#write === undefined) return true;
    if (other.#write === undefined) return false;
    return compareWrites(this.#write, other.#write) <= 0;
  }

  /** Same write. */
  equals(other: LwwRegister<T>): boolean {
    if (this.#write === undefined || other.#write === undefined) {
      return this.#write === other.#write;
    }
    return compareWrites(this.#write, other.#write) === 0;
  }

  /** The compact JSON form: `null`, or `{ value, time, node }`. */
  toJSON(): LwwRegisterJSON<T> {
    const w = this.#write;
    return w === undefined
      ? null
      : { value: w.value, time: w.timestamp.time, node: w.timestamp.node };
  }
}

// Two writes at the same timestamp can only come from one node at one clock
// reading; ordering them by value as well keeps merge commutative even then.
function compareWrites<T>(a: Write<T>, b: Write<T>): number {
  return compareTimestamps(a.timestamp, b.timestamp) || compareStrings(a.key, b.key);
}

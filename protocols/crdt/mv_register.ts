/**
 * MV-Register: the multi-value register (Shapiro et al. 2011, Specification 10;
 * the "conflicts" view of a field in Automerge, Dynamo's sibling values).
 *
 * Each write is tagged with a version vector that dominates every write the
 * writer has seen. Merge keeps the writes no other write dominates: a write that
 * saw another replaces it, and concurrent writes all survive, for the
 * application (or the user) to resolve by writing again.
 *
 * @module
 */

import { checkNodeId, type NodeId } from "../../actors/mod.ts";
import { canonicalJson, compareStrings, type Json, type StateCrdt } from "./crdt.ts";
import { asArray, asElement, malformed } from "./_internal.ts";
import {
  type VersionVector,
  type VersionVectorJSON,
  vvCompare,
  vvFromJSON,
  vvIncrement,
  vvJoin,
  vvToJSON,
} from "./version_vector.ts";

/**
 * The JSON form of an {@linkcode MvRegister}: the surviving writes as
 * `[value, versionVector]`, sorted.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MvRegister, type MvRegisterJSON } from "./mv_register.ts";
 * const wire: MvRegisterJSON<string> = [["blue", { a: 1 }], ["red", { b: 1 }]];
 * const red = MvRegister.empty<string>().set("b", "red");
 * const blue = MvRegister.empty<string>().set("a", "blue");
 * assert.deepEqual(red.merge(blue).toJSON(), wire);
 * assert.deepEqual(MvRegister.fromJSON<string>(wire).value(), ["blue", "red"]);
 * ```
 */
export type MvRegisterJSON<T extends Json> = readonly (readonly [
  value: T,
  version: VersionVectorJSON,
])[];

type Write<T> = {
  readonly value: T;
  readonly key: string;
  readonly version: VersionVector;
  readonly versionKey: string;
};

/**
 * A register that keeps every concurrent write.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MvRegister } from "./mv_register.ts";
 *
 * const a = MvRegister.empty<string>().set("a", "red");
 * const b = MvRegister.empty<string>().set("b", "blue");
 * const both = a.merge(b);
 * assert.deepEqual(both.value(), ["blue", "red"]); // concurrent writes both survive
 * // A write that saw them replaces them:
 * assert.deepEqual(both.set("a", "purple").value(), ["purple"]);
 * ```
 */
export class MvRegister<T extends Json = Json>
  implements StateCrdt<MvRegister<T>, T[], MvRegisterJSON<T>> {
  // An antichain (no write dominates another), sorted by value then version,
  // so equal states have equal lists.
  readonly #writes: readonly Write<T>[];

  private constructor(writes: readonly Write<T>[]) {
    this.#writes = writes;
  }

  /** The register before any write, the bottom of the lattice. */
  static empty<T extends Json = Json>(): MvRegister<T> {
    return new MvRegister<T>([]);
  }

  /** Rebuilds a register from its JSON form, or throws a `TypeError`. */
  static fromJSON<T extends Json = Json>(json: unknown): MvRegister<T> {
    const writes = asArray(json, "MvRegister").map((item, i) => {
      const where = `MvRegister[${i}]`;
      const pair = asArray(item, where);
      if (pair.length !== 2) malformed(where, "[value, versionVector]", item);
      const [value] = asElement<T>(pair[0], `${where}[0]`);
      return makeWrite(value, vvFromJSON(pair[1], `${where}[1]`));
    });
    return new MvRegister(maximal(writes));
  }

  /**
   * The register after `replica` writes `value`: its version vector joins
   * every write seen here and counts one more update at `replica`.
   */
  set(replica: NodeId, value: T): MvRegister<T> {
    checkNodeId(replica, "MvRegister.set: replica id");
    let seen: VersionVector = new Map();
    for (const w of this.#writes) seen = vvJoin(seen, w.version);
    return new MvRegister([makeWrite(value, vvIncrement(seen, replica))]);
  }

  /** The surviving writes with their version vectors. */
  writes(): [value: T, version: VersionVector][] {
    return this.#writes.map((w) => [w.value, w.version]);
  }

  /** The writes that no other write dominates. */
  merge(other: MvRegister<T>): MvRegister<T> {
    if (other.leq(this)) return this;
    if (this.leq(other)) return other;
    return new MvRegister(maximal([...this.#writes, ...other.#writes]));
  }

  /**
   * The concurrent values, sorted by canonical JSON, each once (two replicas
   * writing the same value concurrently is not a conflict to show).
   */
  value(): T[] {
    return this.#writes.filter((w, i) => i === 0 || this.#writes[i - 1].key !== w.key)
      .map((w) => w.value);
  }

  /**
   * `merge(this, other)` is `other`: every write here is in `other` or
   * dominated by one of its writes, and nothing here dominates a write of `other`.
   */
  leq(other: MvRegister<T>): boolean {
    for (const w of this.#writes) {
      if (
        !other.#writes.some((v) => sameWrite(w, v) || vvCompare(w.version, v.version) === "before")
      ) {
        return false;
      }
    }
    for (const v of other.#writes) {
      if (this.#writes.some((w) => vvCompare(v.version, w.version) === "before")) return false;
    }
    return true;
  }

  /** Same surviving writes. */
  equals(other: MvRegister<T>): boolean {
    return this.#writes.length === other.#writes.length &&
      this.#writes.every((w, i) => sameWrite(w, other.#writes[i]));
  }

  /** The compact JSON form: `[value, versionVector]` pairs. */
  toJSON(): MvRegisterJSON<T> {
    return this.#writes.map((w) => [w.value, vvToJSON(w.version)] as const);
  }
}

function makeWrite<T extends Json>(value: T, version: VersionVector): Write<T> {
  return {
    value,
    key: canonicalJson(value),
    version,
    versionKey: JSON.stringify(vvToJSON(version)),
  };
}

function sameWrite<T>(a: Write<T>, b: Write<T>): boolean {
  return a.key === b.key && a.versionKey === b.versionKey;
}

/** The writes not strictly dominated by another, without duplicates, in canonical order. */
function maximal<T>(writes: readonly Write<T>[]): Write<T>[] {
  const sorted = [...writes].sort((a, b) =>
    compareStrings(a.key, b.key) || compareStrings(a.versionKey, b.versionKey)
  );
  return sorted.filter((w, i) =>
    (i === 0 || !sameWrite(sorted[i - 1], w)) &&
    !sorted.some((v) => vvCompare(w.version, v.version) === "before")
  );
}

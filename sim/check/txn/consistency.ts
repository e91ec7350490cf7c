/**
 * Anomalies and the consistency models they rule out, after Adya's
 * "Weak Consistency" (2000) and Elle's `consistency-model` namespace.
 *
 * Anomalies found in one transaction or one read:
 *
 * | anomaly | meaning |
 * | --- | --- |
 * | `G1a` | aborted read: a committed transaction read a value a failed one wrote |
 * | `G1b` | intermediate read: it read a value another transaction later overwrote itself |
 * | `internal` | a transaction's read disagrees with its own earlier reads and writes |
 * | `future-read` | a transaction read a value it only writes later |
 * | `garbage-read` | a read of a value nobody wrote |
 * | `incompatible-order` | two reads of a list that cannot both be prefixes of one list |
 * | `duplicate-elements` | a list read with one element twice |
 * | `lost-update` | two transactions read one version of a register and both wrote it |
 *
 * Cycles in the dependency graph (`ww`: T2 overwrote T1's version; `wr`: T2
 * read T1's; `rw`: T1 read a version T2 overwrote):
 *
 * | anomaly | the cycle's edges |
 * | --- | --- |
 * | `G0` | write cycle: `ww` only |
 * | `G1c` | circular information flow: `ww` and `wr`, at least one `wr` |
 * | `G-single` | read skew: exactly one `rw` |
 * | `G2` | anti-dependency cycle, e.g. write skew: two or more `rw` (here `G2` is Adya's G2-item: there are no predicates) |
 *
 * Each cycle anomaly has a `-process` variant (the cycle also needs the order
 * of one client's transactions) and a `-realtime` variant (it needs "T1
 * returned before T2 was called"), which rule out only the session and
 * real-time models.
 *
 * @module
 */

/**
 * The name of an anomaly (see the module documentation).
 *
 * @example
 * ```ts
 * import type { AnomalyType } from "./consistency.ts";
 * import assert from "node:assert/strict";
 * const a: AnomalyType = "G-single-realtime";
 * assert.ok(a.startsWith("G-single"));
 * ```
 */
export type AnomalyType =
  | "G1a"
  | "G1b"
  | "internal"
  | "future-read"
  | "garbage-read"
  | "incompatible-order"
  | "duplicate-elements"
  | "lost-update"
  | CycleAnomalyType;

/**
 * A cycle anomaly's name: a base type, plain or with its `-process` or
 * `-realtime` variant.
 *
 * @example
 * ```ts
 * import type { CycleAnomalyType } from "./consistency.ts";
 * import assert from "node:assert/strict";
 * const a: CycleAnomalyType = "G0-process";
 * assert.equal(a, "G0-process");
 * ```
 */
export type CycleAnomalyType = `${CycleBase}${"" | "-process" | "-realtime"}`;

/**
 * The four shapes of dependency cycle, weakest first.
 *
 * @example
 * ```ts
 * import { CYCLE_BASES } from "./consistency.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual([...CYCLE_BASES], ["G0", "G1c", "G-single", "G2"]);
 * ```
 */
export const CYCLE_BASES = ["G0", "G1c", "G-single", "G2"] as const;

/**
 * One of {@linkcode CYCLE_BASES}.
 *
 * @example
 * ```ts
 * import type { CycleBase } from "./consistency.ts";
 * import assert from "node:assert/strict";
 * const b: CycleBase = "G1c";
 * assert.equal(b, "G1c");
 * ```
 */
export type CycleBase = typeof CYCLE_BASES[number];

/**
 * The consistency models the checker knows, weakest first. Each is implied
 * by the ones after it that {@linkcode STRONGER} lists.
 *
 * @example
 * ```ts
 * import { CONSISTENCY_MODELS } from "./consistency.ts";
 * import assert from "node:assert/strict";
 * assert.equal(CONSISTENCY_MODELS[0], "read-uncommitted");
 * assert.equal(CONSISTENCY_MODELS.at(-1), "strict-serializable");
 * ```
 */
export const CONSISTENCY_MODELS = [
  "read-uncommitted",
  "read-committed",
  "repeatable-read",
  "snapshot-isolation",
  "serializable",
  "strong-session-snapshot-isolation",
  "strong-session-serializable",
  "strong-snapshot-isolation",
  "strict-serializable",
] as const;

/**
 * One of {@linkcode CONSISTENCY_MODELS}.
 *
 * @example
 * ```ts
 * import type { ConsistencyModel } from "./consistency.ts";
 * import assert from "node:assert/strict";
 * const m: ConsistencyModel = "snapshot-isolation";
 * assert.equal(m, "snapshot-isolation");
 * ```
 */
export type ConsistencyModel = typeof CONSISTENCY_MODELS[number];

/**
 * The models directly stronger than each model (a history that satisfies a
 * stronger one satisfies the weaker), after jepsen.io/consistency.
 *
 * @example
 * ```ts
 * import { STRONGER } from "./consistency.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(STRONGER["snapshot-isolation"], [
 *   "serializable", "strong-session-snapshot-isolation",
 * ]);
 * ```
 */
export const STRONGER: Readonly<Record<ConsistencyModel, readonly ConsistencyModel[]>> = {
  "read-uncommitted": ["read-committed"],
  "read-committed": ["repeatable-read", "snapshot-isolation"],
  "repeatable-read": ["serializable"],
  "snapshot-isolation": ["serializable", "strong-session-snapshot-isolation"],
  "serializable": ["strong-session-serializable"],
  "strong-session-snapshot-isolation": [
    "strong-session-serializable",
    "strong-snapshot-isolation",
  ],
  "strong-session-serializable": ["strict-serializable"],
  "strong-snapshot-isolation": ["strict-serializable"],
  "strict-serializable": [],
};

/**
 * The weakest models each anomaly rules out (every stronger model is ruled
 * out too). Process and real-time cycles rule out only the session and
 * real-time models; `G2` (write skew) is allowed by snapshot isolation.
 */
const RULES_OUT: Readonly<Record<AnomalyType, readonly ConsistencyModel[]>> = {
  "G0": ["read-uncommitted"],
  "duplicate-elements": ["read-uncommitted"],
  "G1a": ["read-committed"],
  "G1b": ["read-committed"],
  "G1c": ["read-committed"],
  // A list no single order of appends explains, a read of a value never written, a read of
  // one's own later write: none can come from committed data in any order, as Elle says
  // (incompatible-order and future-read imply G1a and G1c there).
  "incompatible-order": ["read-committed"],
  "garbage-read": ["read-committed"],
  "future-read": ["read-committed"],
  "internal": ["snapshot-isolation", "serializable"],
  "G-single": ["repeatable-read", "snapshot-isolation"],
  // Under the real version order it is a G-single (T1 -ww-> T2 -rw-> T1), which the register's
  // partial order cannot always show: named apart, as Elle does, so snapshot isolation is ruled out.
  "lost-update": ["repeatable-read", "snapshot-isolation"],
  "G2": ["repeatable-read", "serializable"],
  "G0-process": ["strong-session-snapshot-isolation"],
  "G1c-process": ["strong-session-snapshot-isolation"],
  "G-single-process": ["strong-session-snapshot-isolation"],
  "G2-process": ["strong-session-serializable"],
  "G0-realtime": ["strong-snapshot-isolation"],
  "G1c-realtime": ["strong-snapshot-isolation"],
  "G-single-realtime": ["strong-snapshot-isolation"],
  "G2-realtime": ["strict-serializable"],
};

/**
 * Every model the given anomalies rule out, weakest first.
 *
 * @example
 * ```ts
 * import { ruledOut } from "./consistency.ts";
 * import assert from "node:assert/strict";
 * // Write skew: snapshot isolation allows it, serializability does not.
 * assert.deepEqual(ruledOut(["G2"]), [
 *   "repeatable-read", "serializable", "strong-session-serializable", "strict-serializable",
 * ]);
 * ```
 */
export function ruledOut(anomalies: Iterable<AnomalyType>): ConsistencyModel[] {
  const out = new Set<ConsistencyModel>();
  const visit = (m: ConsistencyModel) => {
    if (out.has(m)) return;
    out.add(m);
    for (const s of STRONGER[m]) visit(s);
  };
  for (const a of anomalies) {
    const weakest = RULES_OUT[a];
    if (weakest === undefined) throw new RangeError(`unknown anomaly ${JSON.stringify(a)}`);
    for (const m of weakest) visit(m);
  }
  return CONSISTENCY_MODELS.filter((m) => out.has(m));
}

/**
 * The weakest of the given models: those no other model in the set is
 * weaker than (Elle's "not"; the rest are "also not").
 *
 * @example
 * ```ts
 * import { ruledOut, weakest } from "./consistency.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(weakest(ruledOut(["G-single"])), ["repeatable-read", "snapshot-isolation"]);
 * ```
 */
export function weakest(models: readonly ConsistencyModel[]): ConsistencyModel[] {
  const set = new Set(models);
  const above = new Set<ConsistencyModel>();
  const visit = (m: ConsistencyModel) => {
    for (const s of STRONGER[m]) {
      if (!above.has(s)) {
        above.add(s);
        visit(s);
      }
    }
  };
  for (const m of set) visit(m);
  return CONSISTENCY_MODELS.filter((m) => set.has(m) && !above.has(m));
}

/**
 * Whether `anomaly` rules out `model`.
 *
 * @example
 * ```ts
 * import { forbids } from "./consistency.ts";
 * import assert from "node:assert/strict";
 * assert.equal(forbids("snapshot-isolation", "G2"), false);
 * assert.equal(forbids("serializable", "G2"), true);
 * assert.equal(forbids("serializable", "G2-realtime"), false);
 * ```
 */
export function forbids(model: ConsistencyModel, anomaly: AnomalyType): boolean {
  return ruledOut([anomaly]).includes(model);
}

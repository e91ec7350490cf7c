/**
 * Conflict-free replicated data types, as pure immutable values.
 *
 * State-based types (each a join semilattice with `merge`, `value`, `leq`,
 * `equals`, `toJSON` and a static `fromJSON`): {@linkcode GCounter},
 * {@linkcode PNCounter}, {@linkcode GSet}, {@linkcode TwoPhaseSet},
 * {@linkcode LwwRegister}, {@linkcode LwwElementSet}, {@linkcode OrSet},
 * {@linkcode MvRegister}, and the sequence type {@linkcode Rga} for text.
 * Counters and the OR-Set also produce deltas (`incrementDelta`, `addDelta`,
 * ...) and operation-based updates (`prepare...` at the source, `apply`
 * downstream). Operations that change a value return a new value.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { OrSet, type StateCrdt } from "./mod.ts";
 *
 * function converge<S extends StateCrdt<S, unknown>>(replicas: S[]): S {
 *   return replicas.reduce((a, b) => a.merge(b));
 * }
 * const alice = OrSet.empty<string>().add("alice", "milk");
 * const bob = OrSet.empty<string>().add("bob", "eggs");
 * assert.deepEqual(converge([alice, bob]).value(), ["eggs", "milk"]);
 * ```
 *
 * @module
 */

export type { NodeId } from "../../actors/mod.ts";
export {
  canonicalJson,
  compareStrings,
  type CrdtCodec,
  CrdtError,
  type Json,
  mergeAll,
  type StateCrdt,
} from "./crdt.ts";
export {
  type VectorOrder,
  type VersionVector,
  type VersionVectorJSON,
  vvCompare,
  vvFromJSON,
  vvIncrement,
  vvJoin,
  vvLeq,
  vvToJSON,
} from "./version_vector.ts";
export { compareDots, type Dot, DotContext, type DotContextJSON, parseDot } from "./dot_context.ts";
export { checkTimestamp, compareTimestamps, type Timestamp } from "./timestamp.ts";
export { GCounter, type GCounterJSON, type GCounterOp } from "./g_counter.ts";
export { PNCounter, type PNCounterJSON, type PNCounterOp } from "./pn_counter.ts";
export { GSet, type GSetJSON } from "./g_set.ts";
export { TwoPhaseSet, type TwoPhaseSetJSON } from "./two_phase_set.ts";
export { LwwRegister, type LwwRegisterJSON } from "./lww_register.ts";
export { type Bias, LwwElementSet, type LwwElementSetJSON } from "./lww_element_set.ts";
export { OrSet, type OrSetJSON, type OrSetOp } from "./or_set.ts";
export { MvRegister, type MvRegisterJSON } from "./mv_register.ts";
export {
  compareIds,
  Rga,
  type RgaDelete,
  type RgaId,
  type RgaInsert,
  type RgaJSON,
  type RgaOp,
} from "./rga.ts";

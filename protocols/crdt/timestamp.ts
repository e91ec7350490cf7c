/**
 * Timestamps for last-writer-wins types: a (possibly skewed) clock reading plus
 * the writer's node id, so that no two writers ever tie.
 *
 * @module
 */

import { checkNodeId, type NodeId } from "../../actors/mod.ts";
import { compareStrings } from "./crdt.ts";

/**
 * A write's timestamp: `time` from the writer's clock (in the simulator,
 * `ctx.now()`, which may be skewed), `node` the writer.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compareTimestamps, type Timestamp } from "./timestamp.ts";
 * const ts: Timestamp = { time: 1_000, node: "n1" };
 * assert.equal(compareTimestamps(ts, { time: 999, node: "n9" }), 1); // time first
 * ```
 */
export type Timestamp = { readonly time: number; readonly node: NodeId };

/**
 * Orders timestamps by time, then node id: a total order, so every replica
 * picks the same last writer.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compareTimestamps } from "./timestamp.ts";
 * assert.equal(compareTimestamps({ time: 5, node: "b" }, { time: 5, node: "a" }), 1);
 * ```
 */
export function compareTimestamps(a: Timestamp, b: Timestamp): -1 | 0 | 1 {
  return a.time < b.time ? -1 : a.time > b.time ? 1 : compareStrings(a.node, b.node);
}

/**
 * Returns `ts` if its time is finite and its node id well formed, and throws a
 * `TypeError` naming the bad field otherwise.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkTimestamp } from "./timestamp.ts";
 * const ts = { time: 1, node: "n1" };
 * assert.equal(checkTimestamp(ts, "LwwRegister.set"), ts);
 * assert.throws(
 *   () => checkTimestamp({ time: NaN, node: "n1" }, "LwwRegister.set"),
 *   /LwwRegister.set: timestamp time must be a finite number, got NaN/,
 * );
 * ```
 */
export function checkTimestamp(ts: Timestamp, what: string): Timestamp {
  if (typeof ts?.time !== "number" || !Number.isFinite(ts.time)) {
    throw new TypeError(`${what}: timestamp time must be a finite number, got ${ts?.time}`);
  }
  checkNodeId(ts.node, `${what}: timestamp node`);
  return ts;
}

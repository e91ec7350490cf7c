/**
 * Node identities.
 *
 * A node id is a short printable name such as `"n1"` or `"client-3"`. It is a
 * named type rather than a brand so that scenarios can write plain string
 * literals; {@linkcode checkNodeId} is where the simulator enforces the shape.
 *
 * @module
 */

/**
 * The name of one participant (actor) in a run.
 *
 * @example
 * ```ts
 * import { checkNodeId, type NodeId } from "./node_id.ts";
 * import assert from "node:assert/strict";
 * const leader: NodeId = "n1";
 * assert.equal(checkNodeId(leader), "n1");
 * ```
 */
export type NodeId = string;

/** Allowed shape of a node id: letters, digits, `-`, `_`, `.`, 1 to 32 characters. */
export const NODE_ID_PATTERN: RegExp = /^[A-Za-z0-9_.-]{1,32}$/;

/**
 * Returns the id if it is well formed, and throws a {@linkcode TypeError} that
 * names the bad id and the allowed shape otherwise.
 *
 * @example
 * ```ts
 * import { checkNodeId } from "./node_id.ts";
 * import assert from "node:assert/strict";
 * assert.equal(checkNodeId("n1"), "n1");
 * assert.throws(() => checkNodeId("n 1"), TypeError);
 * ```
 */
export function checkNodeId(id: unknown, what = "node id"): NodeId {
  if (typeof id !== "string" || !NODE_ID_PATTERN.test(id)) {
    throw new TypeError(
      `${what} ${JSON.stringify(id)} is not allowed: use 1-32 letters, digits, '-', '_' or '.'`,
    );
  }
  return id;
}

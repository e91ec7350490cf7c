/**
 * Every protocol's scenarios, as the command line knows them, in the order
 * of the course. Each protocol has its own entry point too
 * (`./protocols/raft`, `./protocols/crdt`, ...).
 *
 * @example
 * ```ts
 * import { scenarios } from "./mod.ts";
 * import assert from "node:assert/strict";
 * assert.equal(scenarios.get("raft").name, "raft");
 * ```
 *
 * @module
 */

export { scenarios } from "./registry.ts";

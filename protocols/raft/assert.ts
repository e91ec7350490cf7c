/**
 * Assertions inside the Raft code itself, in TigerBeetle's spirit: state the
 * invariant where it must hold, and crash loudly the moment it does not. In a
 * simulation a thrown assertion stops the run and reports the seed, so a
 * broken rule shows up at the event that broke it, not much later.
 *
 * @module
 */

/**
 * Thrown when a Raft node finds its own state impossible.
 *
 * @example
 * ```ts
 * import { RaftAssertionError } from "./assert.ts";
 * import assert from "node:assert/strict";
 * assert.equal(new RaftAssertionError("commitIndex went backwards").name, "RaftAssertionError");
 * ```
 */
export class RaftAssertionError extends Error {
  /** An assertion error with `message`. */
  constructor(message: string) {
    super(message);
    this.name = "RaftAssertionError";
  }
}

/**
 * Throws a {@linkcode RaftAssertionError} unless `condition` holds. Pass a
 * function for a message that is costly to build, so the check stays cheap.
 *
 * @example
 * ```ts
 * import { assert } from "./assert.ts";
 * const commitIndex = 3, lastIndex = 5;
 * assert(commitIndex <= lastIndex, "commitIndex beyond the log");
 * ```
 */
export function assert(
  condition: unknown,
  message: string | (() => string),
): asserts condition {
  if (!condition) {
    throw new RaftAssertionError(typeof message === "string" ? message : message());
  }
}

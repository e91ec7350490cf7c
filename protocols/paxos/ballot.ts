/**
 * Ballot numbers (Lamport's "proposal numbers"): a round and the proposer
 * that owns it. Two proposers never share a ballot, because the node id
 * breaks ties between equal rounds, and a proposer never reuses one, because
 * it writes the highest round it has used to durable storage before sending
 * anything with it. Paxos's safety rests on both.
 *
 * A ballot plays the part of Raft's term: a proposer that learns of a higher
 * ballot stops, as a Raft leader that sees a higher term steps down.
 *
 * @module
 */

import type { NodeId } from "../../actors/mod.ts";

/**
 * A ballot: ordered by `round`, then by `node`.
 *
 * @example
 * ```ts
 * import type { Ballot } from "./ballot.ts";
 * import assert from "node:assert/strict";
 * const b: Ballot = { round: 3, node: "n2" };
 * assert.equal(b.round, 3);
 * ```
 */
export interface Ballot {
  /** Raised by one on every new attempt. */
  readonly round: number;
  /** The proposer that owns the ballot; breaks ties between equal rounds. */
  readonly node: NodeId;
}

/**
 * Compares two ballots; `null` (no ballot yet) is below every ballot.
 * Negative when `a` is lower, 0 when equal, positive when higher.
 *
 * @example
 * ```ts
 * import { compareBallots } from "./ballot.ts";
 * import assert from "node:assert/strict";
 * assert.ok(compareBallots({ round: 1, node: "n3" }, { round: 2, node: "n1" }) < 0);
 * assert.ok(compareBallots({ round: 2, node: "n2" }, { round: 2, node: "n1" }) > 0);
 * assert.equal(compareBallots(null, null), 0);
 * assert.ok(compareBallots(null, { round: 0, node: "n1" }) < 0);
 * ```
 */
export function compareBallots(a: Ballot | null, b: Ballot | null): number {
  if (a === null || b === null) return (a === null ? 0 : 1) - (b === null ? 0 : 1);
  if (a.round !== b.round) return a.round - b.round;
  return a.node < b.node ? -1 : a.node > b.node ? 1 : 0;
}

/**
 * The ballot `b` written short, `3.n2`, for logs and diagrams.
 *
 * @example
 * ```ts
 * import { formatBallot } from "./ballot.ts";
 * import assert from "node:assert/strict";
 * assert.equal(formatBallot({ round: 3, node: "n2" }), "3.n2");
 * assert.equal(formatBallot(null), "-");
 * ```
 */
export function formatBallot(b: Ballot | null): string {
  return b === null ? "-" : `${b.round}.${b.node}`;
}

/**
 * How many of `n` nodes make a majority: any two majorities share a node,
 * which is how a new proposer hears of every value that may have been chosen.
 *
 * @example
 * ```ts
 * import { majority } from "./ballot.ts";
 * import assert from "node:assert/strict";
 * assert.equal(majority(3), 2);
 * assert.equal(majority(4), 3);
 * assert.equal(majority(5), 3);
 * ```
 */
export function majority(n: number): number {
  if (!(Number.isInteger(n) && n >= 1)) {
    throw new RangeError(`majority: n must be a whole number >= 1, got ${n}`);
  }
  return Math.floor(n / 2) + 1;
}

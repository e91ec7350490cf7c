/**
 * Quorums, as etcd's `quorum/majority.go` and `quorum/joint.go` compute them:
 * the highest index a majority has replicated (the commit rule, §5.3), and
 * the outcome of a vote (§5.2). A joint configuration (dissertation §4.3,
 * etcd's ConfChangeV2) needs a majority of each of its two halves; with an
 * empty outgoing half it is a plain majority, which is how a cluster that
 * changes one server at a time uses it.
 *
 * These functions know nothing of roles or messages: they take the voters
 * and a way to read what each has acknowledged.
 *
 * @module
 */

import type { NodeId } from "../../actors/mod.ts";

/**
 * The voters of a cluster: the incoming half, and the outgoing half while a
 * joint change is in progress (empty otherwise).
 *
 * @example
 * ```ts
 * import type { JointConfig } from "./quorum.ts";
 * import assert from "node:assert/strict";
 * const c: JointConfig = { incoming: ["n1", "n2", "n3"], outgoing: [] };
 * assert.equal(c.incoming.length, 3);
 * ```
 */
export interface JointConfig {
  /** The voters of the new (or only) configuration. */
  incoming: readonly NodeId[];
  /** The voters of the old configuration while a joint change is on; empty otherwise. */
  outgoing: readonly NodeId[];
}

/**
 * How a vote stands: `won` once a majority granted, `lost` once a majority
 * can no longer grant, else `pending`.
 *
 * @example
 * ```ts
 * import type { VoteResult } from "./quorum.ts";
 * import assert from "node:assert/strict";
 * const r: VoteResult = "pending";
 * assert.equal(r, "pending");
 * ```
 */
export type VoteResult = "won" | "lost" | "pending";

/**
 * The largest index acknowledged by a majority of `voters` (etcd's
 * `MajorityConfig.CommittedIndex`): sort the acknowledged indexes from high
 * to low and take the one at position quorum - 1. An empty set of voters
 * commits anything (`Infinity`), so that the empty half of a joint
 * configuration never holds the other back.
 *
 * @example
 * ```ts
 * import { committedIndex } from "./quorum.ts";
 * import assert from "node:assert/strict";
 * const match = new Map([["n1", 7], ["n2", 5], ["n3", 2]]);
 * assert.equal(committedIndex(["n1", "n2", "n3"], (id) => match.get(id) ?? 0), 5);
 * assert.equal(committedIndex([], () => 0), Infinity);
 * ```
 */
export function committedIndex(voters: readonly NodeId[], acked: (id: NodeId) => number): number {
  const n = voters.length;
  if (n === 0) return Infinity;
  // Insertion sort, high to low: clusters are small, and this runs on every
  // acknowledgement a leader receives.
  const xs = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const v = acked(voters[i]);
    let j = i - 1;
    while (j >= 0 && xs[j] < v) {
      xs[j + 1] = xs[j];
      j--;
    }
    xs[j + 1] = v;
  }
  return xs[Math.floor(n / 2)];
}

/**
 * The outcome of a vote among `voters` (etcd's `MajorityConfig.VoteResult`):
 * `votes` maps a voter to its answer; voters not in it have not answered.
 * Votes from non-voters do not count. An empty set of voters wins.
 *
 * @example
 * ```ts
 * import { voteResult } from "./quorum.ts";
 * import assert from "node:assert/strict";
 * const voters = ["n1", "n2", "n3"];
 * assert.equal(voteResult(voters, new Map([["n1", true], ["n2", true]])), "won");
 * assert.equal(voteResult(voters, new Map([["n1", true], ["n2", false]])), "pending");
 * assert.equal(voteResult(voters, new Map([["n2", false], ["n3", false]])), "lost");
 * ```
 */
export function voteResult(
  voters: readonly NodeId[],
  votes: ReadonlyMap<NodeId, boolean>,
): VoteResult {
  if (voters.length === 0) return "won";
  let yes = 0, missing = 0;
  for (const id of voters) {
    const v = votes.get(id);
    if (v === undefined) missing++;
    else if (v) yes++;
  }
  const q = Math.floor(voters.length / 2) + 1;
  if (yes >= q) return "won";
  if (yes + missing >= q) return "pending";
  return "lost";
}

/**
 * {@linkcode committedIndex} for a joint configuration: the smaller of the
 * two halves' (etcd's `JointConfig.CommittedIndex`).
 *
 * @example
 * ```ts
 * import { jointCommittedIndex } from "./quorum.ts";
 * import assert from "node:assert/strict";
 * const match = new Map([["n1", 9], ["n2", 9], ["n3", 1], ["n4", 1]]);
 * const acked = (id: string) => match.get(id) ?? 0;
 * assert.equal(jointCommittedIndex({ incoming: ["n1", "n2", "n3"], outgoing: [] }, acked), 9);
 * assert.equal(
 *   jointCommittedIndex({ incoming: ["n1", "n2", "n3"], outgoing: ["n2", "n3", "n4"] }, acked),
 *   1,
 * );
 * ```
 */
export function jointCommittedIndex(c: JointConfig, acked: (id: NodeId) => number): number {
  const a = committedIndex(c.incoming, acked);
  return c.outgoing.length === 0 ? a : Math.min(a, committedIndex(c.outgoing, acked));
}

/**
 * {@linkcode voteResult} for a joint configuration: won when both halves
 * won, lost when either lost (etcd's `JointConfig.VoteResult`).
 *
 * @example
 * ```ts
 * import { jointVoteResult } from "./quorum.ts";
 * import assert from "node:assert/strict";
 * const c = { incoming: ["n1", "n2", "n3"], outgoing: ["n3", "n4", "n5"] };
 * assert.equal(jointVoteResult(c, new Map([["n1", true], ["n2", true]])), "pending");
 * assert.equal(jointVoteResult(c, new Map([["n1", true], ["n2", true], ["n4", true], ["n5", true]])), "won");
 * ```
 */
export function jointVoteResult(c: JointConfig, votes: ReadonlyMap<NodeId, boolean>): VoteResult {
  const a = voteResult(c.incoming, votes);
  const b = voteResult(c.outgoing, votes);
  if (a === b) return a;
  if (a === "lost" || b === "lost") return "lost";
  return "pending";
}

/**
 * Cluster membership: who votes, who only learns, and how that changes one
 * server at a time (dissertation §4.1, etcd's ConfChange v1).
 *
 * A configuration is a log entry. Every server uses the latest
 * configuration in its log, committed or not, from the moment it appends it
 * (§4.1): so a truncated configuration entry takes its configuration with
 * it. A change adds or removes one voter at a time, so any majority of the
 * old voters and any majority of the new ones overlap, and two leaders
 * cannot be elected in one term across the change.
 *
 * The single-server algorithm had one known bug (Ongaro, raft-dev, 2015): a
 * leader elected just after a change, holding an uncommitted change of its
 * own from an earlier term, could commit a second change whose majority
 * does not overlap the first one's. The fix is the rule the leader follows
 * here: it accepts a change only once it has committed an entry of its own
 * term (the no-op of §8 does it), and only when no change is pending.
 *
 * New servers join as learners: they receive the log but do not vote or
 * count toward commitment, so adding a blank server does not stall commits
 * while it catches up (§4.2.1). A learner is promoted to voter once its log
 * is close to the leader's.
 *
 * @module
 */

import type { NodeId } from "../../actors/mod.ts";

/**
 * A cluster configuration: the voters, and the learners (non-voting
 * members that receive the log).
 *
 * @example
 * ```ts
 * import type { ClusterConfig } from "./membership.ts";
 * import assert from "node:assert/strict";
 * const c: ClusterConfig = { voters: ["n1", "n2", "n3"], learners: ["n4"] };
 * assert.equal(c.voters.length, 3);
 * ```
 */
export interface ClusterConfig {
  /** The servers that vote and count toward commitment. */
  voters: readonly NodeId[];
  /** The servers that only receive the log. */
  learners: readonly NodeId[];
}

/**
 * One membership change: add a server as a learner, promote a learner to
 * voter, or remove a server (voter or learner). Replacing a server is an
 * add, a promote and a remove.
 *
 * @example
 * ```ts
 * import type { ConfChange } from "./membership.ts";
 * import assert from "node:assert/strict";
 * const c: ConfChange = { op: "add-learner", node: "n6" };
 * assert.equal(c.op, "add-learner");
 * ```
 */
export interface ConfChange {
  /** What changes. */
  op: "add-learner" | "promote" | "remove";
  /** The server it changes. */
  node: NodeId;
}

/**
 * The configuration after `change`, or a sentence saying why the change does
 * not apply to `config` (adding a member, promoting a non-learner, removing
 * a stranger or the last voter).
 *
 * @example
 * ```ts
 * import { applyConfChange } from "./membership.ts";
 * import assert from "node:assert/strict";
 * const c = { voters: ["n1", "n2", "n3"], learners: [] };
 * const added = applyConfChange(c, { op: "add-learner", node: "n4" });
 * assert.deepEqual(added, { voters: ["n1", "n2", "n3"], learners: ["n4"] });
 * assert.equal(typeof applyConfChange(c, { op: "promote", node: "n4" }), "string");
 * ```
 */
export function applyConfChange(
  config: ClusterConfig,
  change: ConfChange,
): ClusterConfig | string {
  const { voters, learners } = config;
  const id = change.node;
  switch (change.op) {
    case "add-learner":
      if (voters.includes(id) || learners.includes(id)) return `${id} is already a member`;
      return { voters: [...voters], learners: [...learners, id] };
    case "promote":
      if (!learners.includes(id)) return `${id} is not a learner`;
      return { voters: [...voters, id], learners: learners.filter((x) => x !== id) };
    case "remove":
      if (voters.includes(id)) {
        if (voters.length === 1) return `${id} is the last voter`;
        return { voters: voters.filter((x) => x !== id), learners: [...learners] };
      }
      if (learners.includes(id)) {
        return { voters: [...voters], learners: learners.filter((x) => x !== id) };
      }
      return `${id} is not a member`;
    default: {
      const never: never = change.op;
      throw new TypeError(`unknown membership change ${JSON.stringify(never)}`);
    }
  }
}

/**
 * Every member of `config`: voters, then learners.
 *
 * @example
 * ```ts
 * import { members } from "./membership.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(members({ voters: ["n1"], learners: ["n2"] }), ["n1", "n2"]);
 * ```
 */
export function members(config: ClusterConfig): NodeId[] {
  return [...config.voters, ...config.learners];
}

/**
 * The empty configuration of a server that has not joined yet.
 *
 * @example
 * ```ts
 * import { EMPTY_CONFIG } from "./membership.ts";
 * import assert from "node:assert/strict";
 * assert.equal(EMPTY_CONFIG.voters.length, 0);
 * ```
 */
export const EMPTY_CONFIG: ClusterConfig = Object.freeze({
  voters: Object.freeze([]) as readonly NodeId[],
  learners: Object.freeze([]) as readonly NodeId[],
});

/**
 * Mutants of two-phase commit.
 *
 * @module
 */

import type { Mutant } from "./mutant.ts";

/** Two-phase commit mistakes. */
export const commitMutants: Mutant[] = [
  {
    name: "2pc-commit-on-majority",
    protocol: "commit",
    mistake: "the coordinator commits once a majority voted yes, not every participant",
    scenario: "2pc",
    edits: [{
      file: "protocols/commit/coordinator.ts",
      find: 'if (p.votes.size === p.participants.length) this.#decide(ctx, txn, "commit");',
      replace: 'if (p.votes.size > p.participants.length / 2) this.#decide(ctx, txn, "commit");',
    }],
  },
];

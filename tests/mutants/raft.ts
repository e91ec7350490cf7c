/**
 * Mutants of Raft: elections, log replication, commitment, persistence.
 *
 * @module
 */

import type { Mutant } from "./mutant.ts";

/** Raft mistakes. */
export const raftMutants: Mutant[] = [];

/**
 * Atomic commit (lecture 7.1): two-phase commit with durable votes and
 * decisions, presumed abort and cooperative recovery of in-doubt
 * participants, which blocks when its coordinator is gone; and
 * fault-tolerant two-phase commit, whose participants decide through
 * Multi-Paxos (`protocols/paxos`) and so do not. The checks of atomicity,
 * validity and termination, and the `2pc` and `2pc-ft` scenarios.
 *
 * @example
 * ```ts
 * import { twoPhaseCommit, twoPhaseCommitFt } from "./mod.ts";
 * import { runScenario } from "../../sim/scenario.ts";
 * import assert from "node:assert/strict";
 * // The coordinator crashes after the participants voted yes, and never comes back.
 * const blocked = {
 *   seed: 1, network: { loss: 0, duplicate: 0, latency: { kind: "fixed", ms: 10 } } as const,
 *   faults: "@25 crash tm",
 *   flags: { clients: 1, txns: 1, "abort-chance": 0, "think-ms": 0, "without-coordinator": true },
 * };
 * assert.equal(runScenario(twoPhaseCommit, blocked).violations[0].check, "termination");
 * assert.equal(runScenario(twoPhaseCommitFt, blocked).ok, true);
 * ```
 *
 * @module
 */

export {
  atomicityViolations,
  checkCommit,
  COMMIT_TERMINATION_MS,
  commitRecords,
  undecided,
  validityViolations,
} from "./check.ts";
export { CommitClient, type CommitClientConfig, type CommitClientTimer } from "./client.ts";
export { Coordinator, type CoordinatorConfig, type CoordinatorTimer } from "./coordinator.ts";
export {
  FtCoordinator,
  type FtCoordinatorTimer,
  type FtMsg,
  FtParticipant,
  type FtParticipantConfig,
  type FtTimer,
  type FtVote,
  type Tally,
} from "./ft_commit.ts";
export {
  type CommitMsg,
  inDoubt,
  type Outcome,
  recordKey,
  type TxnId,
  type TxnRecord,
} from "./messages.ts";
export { Participant, type ParticipantConfig, type ParticipantTimer } from "./participant.ts";
export { CoinResource, type Resource } from "./resource.ts";
export {
  type CommitFlags,
  commitLabel,
  commitSummary,
  COORDINATOR,
  TWO_PC_FLAGS,
  TWO_PC_FT_FLAGS,
  twoPhaseCommit,
  twoPhaseCommitFt,
} from "./scenarios.ts";

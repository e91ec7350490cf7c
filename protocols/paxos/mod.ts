/**
 * Paxos (issue 14, item 6): single-decree Paxos with proposers, acceptors
 * and learners, and Multi-Paxos with a distinguished proposer as a layer
 * that gives any host fault-tolerant total order broadcast; the checks of
 * agreement, validity and termination; and the `paxos` scenario.
 *
 * @example
 * ```ts
 * import { paxos } from "./mod.ts";
 * import { runScenario } from "../../sim/scenario.ts";
 * import { checkSeeds } from "../../sim/testing.ts";
 * import assert from "node:assert/strict";
 * assert.equal(runScenario(paxos, { seed: 2, trace: "off" }).ok, true);
 * const planted = checkSeeds(paxos, { seeds: { from: 1, to: 50 }, flags: { "ignore-accepted": true } });
 * assert.equal(planted.failures[0].violations[0].check, "agreement");
 * ```
 *
 * @module
 */

export { type Ballot, compareBallots, formatBallot, majority } from "./ballot.ts";
export { checkLog, checkSingleDecree, healAndAwait, terminationViolation } from "./check.ts";
export {
  type LogNodeConfig,
  type LogNodeMsg,
  type LogNodeTimer,
  PaxosLogNode,
} from "./log_node.ts";
export {
  type LogEntry,
  MultiPaxos,
  type MultiPaxosConfig,
  type MultiPaxosMsg,
  type MultiPaxosTimer,
  type PaxosDelivery,
  type SlotProposal,
} from "./multi_paxos.ts";
export { paxos, PAXOS_FLAGS, PAXOS_TERMINATION_MS, paxosLabel } from "./scenario.ts";
export {
  type PaxosConfig,
  type PaxosMsg,
  PaxosNode,
  type PaxosTimer,
  type Proposal,
} from "./single_decree.ts";

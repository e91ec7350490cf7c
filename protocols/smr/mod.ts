/**
 * Replication by total order (lectures 5.3 and 7.2 of Kleppmann's course):
 * state machine replication over the total order broadcast layers of
 * `protocols/broadcast/`, and a linearizable compare-and-set register built
 * on it, checked by the linearizability checker; the `smr-cas` scenario.
 *
 * | file | idea |
 * | --- | --- |
 * | `machine.ts` | a deterministic state machine, the command that travels through the order |
 * | `register.ts` | the compare-and-set register as a state machine |
 * | `replica.ts` | a replica: requests into the order, each delivered command applied once |
 * | `client.ts` | a client that retries through the next replica with the same request number |
 * | `check.ts` | agreement of the logs, linearizability of the history, progress |
 * | `scenario.ts` | `smr-cas`, with the planted bug `--local-reads` |
 *
 * @example
 * ```ts
 * import { smrCas } from "./mod.ts";
 * import { runScenario } from "../../sim/scenario.ts";
 * import assert from "node:assert/strict";
 * assert.equal(runScenario(smrCas, { seed: 2, trace: "off" }).ok, true);
 * ```
 *
 * @module
 */

export { checkAgreement, checkProgress, checkRegister, replicaLogs } from "./check.ts";
export {
  SmrClient,
  type SmrClientConfig,
  type SmrClientMsg,
  type SmrClientTimer,
  type SmrClientView,
} from "./client.ts";
export type { ClientMsg, Command, Session, StateMachine } from "./machine.ts";
export {
  casRegister,
  describeOp,
  historyEntry,
  type RegisterOp,
  type RegisterOutput,
  type RegisterState,
} from "./register.ts";
export {
  type Applied,
  appliedLog,
  type SmrConfig,
  type SmrMsg,
  SmrReplica,
  type SmrTimer,
  type SmrView,
  TOTAL_ORDERS,
  type TotalOrder,
} from "./replica.ts";
export { smrCas, type SmrFlags, smrLabel } from "./scenario.ts";

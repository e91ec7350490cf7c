/**
 * Maelstrom's workloads (the Gossip Glomers challenges) for actors: the
 * clients and checkers that let a solution be tested in the simulator,
 * against real processes, and then under Maelstrom itself, unchanged.
 *
 * | file | idea |
 * | --- | --- |
 * | `rpc.ts` | `reply` and `replyError`: answering a request with `in_reply_to` |
 * | `client.ts` | {@linkcode MaelstromClient}: Maelstrom's client as an actor |
 * | `workload.ts` | {@linkcode MaelstromWorkload}: a workload's clients and checker |
 * | `echo.ts`, `unique_ids.ts`, `broadcast.ts`, `g_counter.ts`, `kafka.ts`, `txn_rw_register.ts`, `lin_kv.ts` | each workload's messages, operations and checker |
 * | `scenarios.ts` | {@linkcode maelstromScenario} and {@linkcode maelstromCluster}: a workload and a solution as scenarios |
 * | `solutions.ts` | the reference solutions of `examples/maelstrom/` as `maelstrom-<workload>` |
 *
 * @example
 * ```ts
 * import { broadcastWorkload, maelstromScenario } from "./mod.ts";
 * import { BroadcastNode } from "../../examples/maelstrom/broadcast.ts";
 * import { runScenario } from "../../sim/scenario.ts";
 * import assert from "node:assert/strict";
 * const scenario = maelstromScenario(broadcastWorkload, (_id, nodes) => new BroadcastNode(nodes));
 * assert.equal(runScenario(scenario, { seed: 2, faults: "random" }).ok, true);
 * ```
 *
 * @module
 */

export { type Body, ErrorCode, isDefinite } from "../../runtime/maelstrom_protocol.ts";
export { type BroadcastRequest, broadcastWorkload, gridTopology } from "./broadcast.ts";
export {
  type ClientOp,
  type ClientPhase,
  type ClientTimer,
  type ClientWorkload,
  errorOutcome,
  MaelstromClient,
  type MaelstromClientConfig,
  type Outcome,
  protocolViolations,
} from "./client.ts";
export { type EchoRequest, echoWorkload } from "./echo.ts";
export { type CounterRequest, gCounterWorkload } from "./g_counter.ts";
export { type KafkaRequest, kafkaWorkload } from "./kafka.ts";
export { type KvRequest, linKvWorkload } from "./lin_kv.ts";
export { reply, replyError } from "./rpc.ts";
export {
  MAELSTROM_FLAGS,
  maelstromCluster,
  type MaelstromDefaults,
  maelstromScenario,
  type MaelstromSolution,
} from "./scenarios.ts";
export { maelstromClusters, maelstromScenarios } from "./solutions.ts";
export { type MicroOp, type TxnRequest, txnRwRegisterWorkload } from "./txn_rw_register.ts";
export { type GenerateRequest, uniqueIdsWorkload } from "./unique_ids.ts";
export {
  answeredReads,
  historyViolation,
  isFinal,
  type MaelstromWorkload,
  oneFinalRead,
  updatesAndReads,
} from "./workload.ts";

/**
 * Quorum replication (lecture 5 and 7.2): Dynamo-style N/R/W reads and
 * writes with read repair, the ABD linearizable register, and the lessons
 * (stale reads, the new-then-old read, availability under crashes).
 *
 * @example
 * ```ts
 * import { abd, quorum } from "./mod.ts";
 * import { runScenario } from "../../sim/scenario.ts";
 * import assert from "node:assert/strict";
 * assert.equal(runScenario(abd, { seed: 1, trace: "off" }).ok, true);
 * assert.equal(runScenario(quorum, { seed: 1, flags: { "read-repair": "sync" } }).ok, true);
 * ```
 *
 * @module
 */

export { AbdClient, type AbdClientConfig, type AbdStep } from "./abd.ts";
export { type Anomaly, describeAnomaly, findAnomaly } from "./anomalies.ts";
export {
  type Availability,
  availability,
  type AvailabilityRow,
  availabilityRow,
  formatAvailabilityTable,
  LESSON_SETUPS,
  measureAvailability,
  type Outcome,
  type QuorumSetup,
  setupName,
  verifyAvailability,
} from "./availability.ts";
export {
  QuorumClient,
  type QuorumClientConfig,
  type QuorumStep,
  READ_REPAIR_MODES,
  type ReadRepair,
} from "./client.ts";
export {
  ABD_LESSON,
  type Lesson,
  MID_WRITE_LESSON,
  runLesson,
  searchSeeds,
  type SeedSearch,
  STALE_READ_LESSON,
} from "./lessons.ts";
export {
  compareTimestamps,
  describeMessage,
  formatTimestamp,
  newest,
  type QuorumMsg,
  type Timestamp,
  type Value,
  type Versioned,
} from "./messages.ts";
export { QuorumReplica, seedReplica, storedVersions } from "./replica.ts";
export { type CurrentOp, type Round, RoundClient, type RoundClientConfig } from "./round_client.ts";
export {
  abd,
  type AbdFlags,
  type ClusterFlags,
  type ClusterShape,
  clusterShape,
  quorum,
  type QuorumFlags,
  verdictLines,
} from "./scenarios.ts";
export {
  historyInput,
  type KvOp,
  type PlannedOp,
  Workload,
  type WorkloadConfig,
} from "./workload.ts";

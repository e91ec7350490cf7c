/**
 * Exploring many runs of a scenario: sweeps over seeds (in parallel
 * workers, shardable across machines, with `--shard auto` reading the
 * shard from a CI matrix, a Kubernetes Indexed Job or a Slurm array, and
 * the shards' reports merged back into one), shrinking a failure to a small run,
 * replaying a saved trace, and finding where two runs part.
 *
 * @example
 * ```ts
 * import { runSweep, shrinkFailure } from "./mod.ts";
 * import { pingPong } from "../../protocols/ping_pong/scenario.ts";
 * import assert from "node:assert/strict";
 * const report = await runSweep(pingPong, {
 *   scenario: "ping-pong", given: { faults: "@30 crash n2" }, seeds: { from: 1, to: 5 },
 * }, { workers: 0 });
 * assert.equal(report.failed, 5);
 * const shrunk = shrinkFailure(pingPong, { seed: 1, faults: "@30 crash n2" });
 * assert.equal(shrunk.check, "all-rounds-done");
 * ```
 *
 * @module
 */

export {
  firstDifference,
  formatDifference,
  settingsDifferences,
  type TraceDifference,
} from "./diff.ts";
export {
  chooseShard,
  type EnvLookup,
  type FoundShard,
  processEnv,
  SHARD_COUNT_VAR,
  SHARD_ENGINES,
  SHARD_INDEX_VAR,
  type ShardEngine,
  shardFromEnvironment,
} from "./engines.ts";
export {
  EXPLORE_FORMAT,
  EXPLORE_VERSION,
  explorePart,
  type ExploreReport,
  parseExploreReport,
} from "./explore_report.ts";
export { type Eventually, eventually } from "./liveness.ts";
export {
  mergeExploreReports,
  mergeSweepReports,
  missingShards,
  parseSweepReport,
} from "./merge.ts";
export { firstFailureLines, type MergedReports, mergeReportFiles } from "./merge_command.ts";
export {
  jsonObject,
  makeReportDir,
  reportFileName,
  reportFilesIn,
  reportObject,
  writeReportFile,
} from "./report_files.ts";
export { type ReplayOutcome, replayTrace } from "./replay.ts";
export {
  formatSeedRange,
  formatShard,
  inShard,
  MAX_SWEEP_SEEDS,
  parseSeedRange,
  parseShard,
  type SeedRange,
  type Shard,
  shardSeeds,
} from "./shard.ts";
export {
  ddmin,
  type RunSize,
  shrinkFailure,
  type ShrinkOptions,
  type ShrinkResult,
} from "./shrink.ts";
export {
  type NotReached,
  runSeed,
  runSweep,
  SEED_TIMEOUT,
  type SeedOutcome,
  type ShrunkSummary,
  type SlowSeed,
  SWEEP_FORMAT,
  SWEEP_VERSION,
  type SweepFailure,
  type SweepGiven,
  type SweepOptions,
  type SweepParams,
  type SweepProgress,
  type SweepReport,
  type SweepSpec,
} from "./sweep.ts";
export {
  explore,
  type ExploreFailure,
  type ExploreOptions,
  type ExploreOutcome,
  type ExploreResult,
} from "./explore.ts";
export {
  parseStrategy,
  registerStrategy,
  type RunContext,
  type RunPlan,
  type Strategy,
  type StrategyFactory,
  type StrategyHooks,
  strategyNames,
} from "./strategy.ts";
export { DEFAULT_STRATEGY, mixedStrategy } from "./strategies.ts";
export { randomStrategy } from "./random.ts";
export { modelOf, swarmStrategy } from "./swarm.ts";
export { type Target, targetedStrategy, TARGETS } from "./targeted.ts";
export { pctStrategy } from "./pct.ts";
export { sharedDraws, syncStrategy } from "./sync.ts";

/**
 * Spanner's commit wait (lecture 8.2): TrueTime's clock readings as
 * intervals `[earliest, latest]` from a known bound on clock error
 * (`true_time.ts`), multi-version storage for lock-free snapshot reads
 * (`mvcc_store.ts`), shard leaders that give commit timestamps and wait out
 * the uncertainty before acknowledging (`shard.ts`), clients running
 * read-write and read-only transactions (`client.ts`), the external
 * consistency and strict serializability checks (`check.ts`), and the
 * `spanner` scenario.
 *
 * @example
 * ```ts
 * import { spanner, TrueTime } from "./mod.ts";
 * import { runScenario } from "../../sim/scenario.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(new TrueTime(4).now(100), { earliest: 96, latest: 104 });
 * assert.equal(runScenario(spanner, { seed: 2 }).ok, true);
 * ```
 *
 * @module
 */

export {
  asTransactions,
  externalConsistency,
  type Inversion,
  spannerViolations,
  timestampOf,
} from "./check.ts";
export { type ClientTimer, SpannerClient, type SpannerClientConfig } from "./client.ts";
export {
  shardOf,
  type SpannerMsg,
  type SpannerReply,
  type SpannerRequest,
  type TxnOutput,
} from "./messages.ts";
export { MultiVersionStore, type Version } from "./mvcc_store.ts";
export { spanner, SPANNER_FLAGS } from "./scenario.ts";
export { Shard, type ShardConfig, type ShardTimer } from "./shard.ts";
export { TrueTime, type TTInterval } from "./true_time.ts";

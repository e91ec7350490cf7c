/**
 * The messages between Spanner's clients and shard leaders, and what a
 * client records of each transaction.
 *
 * A read-write transaction runs at one shard: it reads the latest values of
 * its keys and writes one new value (its id) to each, and the shard gives
 * it a commit timestamp. A read-only transaction reads keys at any shards
 * at one snapshot timestamp the client chose.
 *
 * @module
 */

import type { NodeId } from "../../actors/mod.ts";

/**
 * A request from a client.
 *
 * @example
 * ```ts
 * import type { SpannerRequest } from "./messages.ts";
 * import assert from "node:assert/strict";
 * const r: SpannerRequest = { type: "read-only", txn: "c1:4", keys: ["k1"], ts: 120.5 };
 * assert.equal(r.type, "read-only");
 * ```
 */
export type SpannerRequest =
  /** Read `keys`, then write `value` to each, atomically, at a commit timestamp. */
  | { type: "read-write"; txn: string; keys: string[]; value: string }
  /** Read `keys` as of timestamp `ts`. */
  | { type: "read-only"; txn: string; keys: string[]; ts: number };

/**
 * A shard's reply.
 *
 * @example
 * ```ts
 * import type { SpannerReply } from "./messages.ts";
 * import assert from "node:assert/strict";
 * const r: SpannerReply = { type: "committed", txn: "c1:3", ts: 118.25, reads: { k1: "c2:1" } };
 * assert.equal(r.ts, 118.25);
 * ```
 */
export type SpannerReply =
  /** The read-write transaction committed at `ts`, having read `reads` (`null`: never written). */
  | { type: "committed"; txn: string; ts: number; reads: Record<string, string | null> }
  /** The values of the keys as of the snapshot. */
  | { type: "snapshot"; txn: string; values: Record<string, string | null> };

/**
 * Any message of the protocol.
 *
 * @example
 * ```ts
 * import type { SpannerMsg } from "./messages.ts";
 * import assert from "node:assert/strict";
 * const m: SpannerMsg = { type: "snapshot", txn: "c1:5", values: { k2: null } };
 * assert.equal(m.type, "snapshot");
 * ```
 */
export type SpannerMsg = SpannerRequest | SpannerReply;

/**
 * What a client records as a transaction's output: its timestamp (the
 * commit timestamp, or the snapshot's) and the transaction as micro-operations
 * `["r", k, v]` / `["w", k, v]`, which `checkTransactions` reads.
 *
 * @example
 * ```ts
 * import type { TxnOutput } from "./messages.ts";
 * import assert from "node:assert/strict";
 * const out: TxnOutput = { ts: 120, txn: [["r", "k1", null], ["w", "k1", "c1:1"]] };
 * assert.equal(out.txn.length, 2);
 * ```
 */
export interface TxnOutput {
  /** The commit timestamp (read-write) or the snapshot timestamp (read-only). */
  ts: number;
  /** The micro-operations, reads filled in. */
  txn: [string, string, string | null][];
}

/**
 * The shard that holds `key` among `shards`: keys are `k0`, `k1`, ... and
 * key `ki` lives on shard `i mod shards.length`.
 *
 * @example
 * ```ts
 * import { shardOf } from "./messages.ts";
 * import assert from "node:assert/strict";
 * assert.equal(shardOf("k4", ["s1", "s2", "s3"]), "s2");
 * ```
 */
export function shardOf(key: string, shards: readonly NodeId[]): NodeId {
  const i = Number(key.slice(1));
  if (!/^k\d+$/.test(key) || shards.length === 0) {
    throw new RangeError(`shardOf: keys are k0, k1, ... and shards must not be empty, got ${key}`);
  }
  return shards[i % shards.length];
}

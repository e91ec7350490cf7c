/**
 * Seed ranges and shards: which seeds one sweep runs.
 *
 * A range `A..B` is every whole seed from A to B, both included (a single
 * `N` is the range `N..N`). A shard `K/M` takes the seeds `s` of the range
 * with `s mod M = K - 1`, so seed 7 of any range belongs to shard 3/5 of it.
 * Interleaving rather than cutting the range into blocks spreads slow seeds
 * evenly over the shards, and a seed's shard never depends on where the
 * range starts: a CI matrix or a cluster's job array runs
 * `--shard $K/$M` over the same `--seeds`, and `deno task sim merge` adds
 * the results up.
 *
 * @module
 */

import { ConfigError } from "../errors.ts";
import { MAX_SEED } from "../random.ts";

/**
 * An inclusive range of seeds.
 *
 * @example
 * ```ts
 * import { formatSeedRange, type SeedRange } from "./shard.ts";
 * import assert from "node:assert/strict";
 * const r: SeedRange = { from: 1, to: 100 };
 * assert.equal(formatSeedRange(r), "1..100");
 * ```
 */
export interface SeedRange {
  /** The first seed (included). */
  from: number;
  /** The last seed (included). */
  to: number;
}

/**
 * Shard `index` of `count` (1-based, as written on the command line).
 *
 * @example
 * ```ts
 * import { type Shard, shardSeeds } from "./shard.ts";
 * import assert from "node:assert/strict";
 * const s: Shard = { index: 2, count: 4 };
 * assert.deepEqual(shardSeeds({ from: 1, to: 12 }, s), [1, 5, 9]);
 * ```
 */
export interface Shard {
  /** Which shard, from 1 to `count` (both included). */
  index: number;
  /** How many shards the range is split into (at least 1). */
  count: number;
}

/**
 * Most seeds one sweep (one shard) may run: a bound that keeps memory small.
 *
 * @example
 * ```ts
 * import { MAX_SWEEP_SEEDS, shardSeeds } from "./shard.ts";
 * import assert from "node:assert/strict";
 * assert.equal(MAX_SWEEP_SEEDS, 10_000_000);
 * // One more seed than that must be split into shards.
 * const range = { from: 1, to: MAX_SWEEP_SEEDS + 1 };
 * assert.throws(() => shardSeeds(range), /split it with --shard/);
 * ```
 */
export const MAX_SWEEP_SEEDS = 10_000_000;

/**
 * Parses `A..B` (or a single `N`) into a seed range.
 *
 * @example
 * ```ts
 * import { parseSeedRange } from "./shard.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(parseSeedRange("1..100"), { from: 1, to: 100 });
 * assert.deepEqual(parseSeedRange("42"), { from: 42, to: 42 });
 * assert.throws(() => parseSeedRange("9..1"), /ends before it starts/);
 * ```
 */
export function parseSeedRange(text: string, flag = "--seeds"): SeedRange {
  const m = /^\s*(\d+)\s*(?:\.\.\s*(\d+)\s*)?$/.exec(text);
  const bad = (why: string) =>
    new ConfigError(flag, `${why}; write A..B (seeds A to B, both included) or one seed N`);
  if (m === null) throw bad(`cannot read ${JSON.stringify(text)}`);
  const from = Number(m[1]), to = Number(m[2] ?? m[1]);
  if (from > MAX_SEED || to > MAX_SEED) throw bad(`seeds go from 0 to ${MAX_SEED}`);
  if (to < from) throw bad(`${JSON.stringify(text)} ends before it starts`);
  return { from, to };
}

/**
 * Formats a range the way {@linkcode parseSeedRange} reads it.
 *
 * @example
 * ```ts
 * import { formatSeedRange, parseSeedRange } from "./shard.ts";
 * import assert from "node:assert/strict";
 * assert.equal(formatSeedRange({ from: 1, to: 9 }), "1..9");
 * assert.deepEqual(parseSeedRange(formatSeedRange({ from: 1, to: 9 })), { from: 1, to: 9 });
 * ```
 */
export function formatSeedRange(range: SeedRange): string {
  return `${range.from}..${range.to}`;
}

/**
 * Parses `K/M` into a shard (1 <= K <= M).
 *
 * @example
 * ```ts
 * import { parseShard } from "./shard.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(parseShard("2/4"), { index: 2, count: 4 });
 * assert.throws(() => parseShard("5/4"), /1 <= K <= M/);
 * ```
 */
export function parseShard(text: string, flag = "--shard"): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = Number(m?.[1]), count = Number(m?.[2]);
  if (m === null || count < 1 || index < 1 || index > count || !Number.isSafeInteger(count)) {
    throw new ConfigError(
      flag,
      `must be K/M with 1 <= K <= M (shard K of M), got ${JSON.stringify(text)}`,
    );
  }
  return { index, count };
}

/**
 * Formats a shard the way {@linkcode parseShard} reads it.
 *
 * @example
 * ```ts
 * import { formatShard, parseShard } from "./shard.ts";
 * import assert from "node:assert/strict";
 * assert.equal(formatShard({ index: 1, count: 3 }), "1/3");
 * assert.deepEqual(parseShard(formatShard({ index: 1, count: 3 })), { index: 1, count: 3 });
 * ```
 */
export function formatShard(shard: Shard): string {
  return `${shard.index}/${shard.count}`;
}

/**
 * The seeds of `range` that belong to `shard` (all of them without one), in
 * increasing order. Throws a {@linkcode ConfigError} when they are more than
 * {@linkcode MAX_SWEEP_SEEDS}: split the sweep into shards instead.
 *
 * @example
 * ```ts
 * import { shardSeeds } from "./shard.ts";
 * import assert from "node:assert/strict";
 * // Shard 2/3: the seeds s with s mod 3 = 1.
 * assert.deepEqual(shardSeeds({ from: 1, to: 10 }, { index: 2, count: 3 }), [1, 4, 7, 10]);
 * assert.deepEqual(shardSeeds({ from: 3, to: 5 }), [3, 4, 5]);
 * ```
 */
export function shardSeeds(range: SeedRange, shard?: Shard): number[] {
  const count = shard?.count ?? 1;
  const residue = (shard?.index ?? 1) - 1;
  // The first seed >= from whose remainder is the shard's.
  const first = range.from + ((residue - (range.from % count)) % count + count) % count;
  const n = first > range.to ? 0 : Math.floor((range.to - first) / count) + 1;
  if (n > MAX_SWEEP_SEEDS) {
    throw new ConfigError(
      "--seeds",
      `${n} seeds in one sweep is more than ${MAX_SWEEP_SEEDS}; split it with --shard K/M`,
    );
  }
  const seeds = new Array<number>(n);
  for (let i = 0; i < n; i++) seeds[i] = first + i * count;
  return seeds;
}

/**
 * Whether `seed` belongs to `shard`.
 *
 * @example
 * ```ts
 * import { inShard } from "./shard.ts";
 * import assert from "node:assert/strict";
 * // 7 mod 5 = 2: seed 7 is in shard 3/5, and in no other shard of 5.
 * assert.ok(inShard(7, { index: 3, count: 5 }));
 * assert.ok(!inShard(7, { index: 2, count: 5 }));
 * ```
 */
export function inShard(seed: number, shard: Shard): boolean {
  return seed % shard.count === shard.index - 1;
}

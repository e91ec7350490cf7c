/**
 * Seeded randomness for code outside the simulator's hot path: fault
 * generation, scenario plans, strategies. Every number comes from the run's
 * seed through a named stream (see `choices.ts`, where the draws are made),
 * so the same seed and name give the same numbers in any process.
 *
 * The simulator itself draws latencies, losses, duplicates and actors'
 * `random()` from the same kind of streams, one per link and one per node.
 *
 * @module
 */

export { hashString, Random } from "./choices.ts";

/**
 * Largest seed accepted: seeds are whole numbers from 0 to 2^53 - 1.
 *
 * @example
 * ```ts
 * import { MAX_SEED } from "./random.ts";
 * import assert from "node:assert/strict";
 * assert.equal(MAX_SEED, Number.MAX_SAFE_INTEGER);
 * ```
 */
export const MAX_SEED: number = Number.MAX_SAFE_INTEGER;

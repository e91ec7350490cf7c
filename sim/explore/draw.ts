/**
 * Small helpers for strategies drawing from a seeded stream.
 *
 * @module
 */

import type { Random } from "../random.ts";

/**
 * One of `values`, uniformly.
 *
 * @example
 * ```ts
 * import { choiceOf } from "./draw.ts";
 * import { Random } from "../random.ts";
 * import assert from "node:assert/strict";
 * assert.ok([1, 2, 3].includes(choiceOf(Random.stream(1, "x"), [1, 2, 3])));
 * ```
 */
export function choiceOf<T>(random: Random, values: readonly T[]): T {
  return values[Math.floor(random.next() * values.length)];
}

/**
 * A whole number from 1 to `max`, log-uniformly: as likely in 1..10 as in
 * 10..100, so small and large counts both come up.
 *
 * @example
 * ```ts
 * import { logUniform } from "./draw.ts";
 * import { Random } from "../random.ts";
 * import assert from "node:assert/strict";
 * const r = Random.stream(2, "k");
 * const k = logUniform(r, 1000);
 * assert.ok(k >= 1 && k <= 1000 && Number.isInteger(k));
 * ```
 */
export function logUniform(random: Random, max: number): number {
  return Math.min(max, Math.max(1, Math.floor(Math.exp(random.next() * Math.log(max + 1)))));
}

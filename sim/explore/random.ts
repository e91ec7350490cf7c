/**
 * The `random` strategy: the scenario exactly as it is, seed after seed, as
 * `sim sweep` runs it. The baseline every other strategy is measured
 * against.
 *
 * @module
 */

import { baseGiven, registerStrategy, type Strategy } from "./strategy.ts";

/**
 * The `random` strategy.
 *
 * @example
 * ```ts
 * import { randomStrategy } from "./random.ts";
 * import { pingPong } from "../../protocols/ping_pong/scenario.ts";
 * import assert from "node:assert/strict";
 * const plan = randomStrategy.plan({ scenario: pingPong, given: { nodes: 2 }, seed: 5, index: 4 });
 * assert.deepEqual(plan.given, { nodes: 2, seed: 5 });
 * ```
 */
export const randomStrategy: Strategy = {
  name: "random",
  plan: (context) => ({ strategy: "random", given: baseGiven(context) }),
};

registerStrategy(
  "random",
  "the scenario as it is, one seed after another (what sweep does)",
  () => randomStrategy,
);

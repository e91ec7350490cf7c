/**
 * A scenario for the sharding tests: fast (a dozen events a seed), failing on
 * some seeds and not others, and reaching a `sometimes` condition on some
 * runs, so that merged shards can be compared with one whole sweep or
 * exploration on failures, counts and `sometimes` alike. Its own module,
 * exporting a registry named `scenarios`, so workers can load it by URL.
 *
 * @module
 */

import type { Actor } from "../actors/mod.ts";
import { defineScenario, flag, ScenarioRegistry } from "../sim/scenario.ts";

/**
 * One node flips `--flips` coins with `ctx.random()`, one a millisecond; an
 * invariant says it never throws `--streak` heads in a row, which about one
 * seed in ten breaks. Three heads in a row is a `sometimes` condition.
 *
 * @example
 * ```ts
 * import { coins } from "./_shard_scenarios.ts";
 * import { runScenario } from "../sim/scenario.ts";
 * import assert from "node:assert/strict";
 * const seeds = Array.from({ length: 40 }, (_, i) => runScenario(coins, { seed: i + 1 }).ok);
 * assert.ok(seeds.includes(true) && seeds.includes(false));
 * ```
 */
export const coins = defineScenario({
  name: "coins",
  summary: "a node flips coins; never so many heads in a row, says the invariant",
  defaults: { nodes: 1, minNodes: 1, maxNodes: 1, until: 100 },
  flags: {
    flips: flag.int("coins to flip", 12, { min: 1, max: 90 }),
    streak: flag.int("heads in a row that break the invariant", 5, { min: 1 }),
  },
  setup(sim, params) {
    sim.spawn("n1", (): Actor<never> => {
      let flipped = 0, run = 0;
      return {
        onStart: (ctx) => ctx.setTimer("flip", 1),
        onMessage() {},
        onTimer(ctx) {
          flipped++;
          run = ctx.random() < 0.5 ? run + 1 : 0;
          ctx.storage.set("run", run);
          ctx.sometimes("three-heads", run >= 3);
          if (flipped < params.flags.flips) ctx.setTimer("flip", 1);
        },
      };
    });
    sim.invariant("heads-in-a-row", (s) => {
      const run = s.storage("n1").get<number>("run") ?? 0;
      return run < params.flags.streak || `${run} heads in a row`;
    });
    return {};
  },
});

/**
 * The registry a worker loads this module's scenarios from.
 *
 * @example
 * ```ts
 * import { scenarios } from "./_shard_scenarios.ts";
 * import assert from "node:assert/strict";
 * assert.equal(scenarios.get("coins").name, "coins");
 * ```
 */
export const scenarios: ScenarioRegistry = new ScenarioRegistry([coins]);

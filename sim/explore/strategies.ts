/**
 * Every exploration strategy, registered by name, and `mixed`, the default,
 * which takes them in turn: run 0 swarm, run 1 targeted, run 2 PCT, run 3
 * sync, run 4 swarm again, and so on. No one strategy finds every kind of bug (see the
 * mutation suite's table in the README), and a mix finds more per run than
 * any one alone.
 *
 * @module
 */

import { pctStrategy } from "./pct.ts";
import { randomStrategy } from "./random.ts";
import {
  parseStrategy,
  registerStrategy,
  type RunContext,
  type Strategy,
  strategyHelp,
  strategyNames,
} from "./strategy.ts";
import { swarmStrategy } from "./swarm.ts";
import { syncStrategy } from "./sync.ts";
import { targetedStrategy } from "./targeted.ts";

/**
 * The `mixed` strategy: swarm, targeted, PCT and sync in turn.
 *
 * @example
 * ```ts
 * import { mixedStrategy } from "./strategies.ts";
 * import { pingPong } from "../../protocols/ping_pong/scenario.ts";
 * import assert from "node:assert/strict";
 * const names = [0, 1, 2, 3, 4].map((index) =>
 *   mixedStrategy.plan({ scenario: pingPong, given: {}, seed: index + 1, index }).strategy
 * );
 * assert.deepEqual(names.map((n) => n.replace(/:\d+$/, "")), ["swarm", "targeted", "pct", "sync", "swarm"]);
 * ```
 */
export const mixedStrategy: Strategy = {
  name: "mixed",
  plan(context: RunContext) {
    const turn =
      [swarmStrategy, targetedStrategy, pctStrategy(3), syncStrategy()][context.index % 4];
    return turn.plan(context);
  },
};

registerStrategy(
  "mixed",
  "swarm, targeted, pct and sync in turn (the default)",
  () => mixedStrategy,
);

/** The default strategy of `sim explore`. */
export const DEFAULT_STRATEGY = "mixed";

export { parseStrategy, randomStrategy, strategyHelp, strategyNames };

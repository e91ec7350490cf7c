/**
 * The `ping-pong` scenario: n1 pings n2 for a number of rounds over a lossy,
 * crashing network, and must still finish.
 *
 * @module
 */

import { defineScenario, flag, type FlagSpec, type Scenario } from "../../sim/scenario.ts";
import { Pinger, Ponger } from "./ping_pong.ts";

/** The flags of the `ping-pong` scenario. */
export type PingPongFlags = {
  /** Pings to get answered. */
  rounds: FlagSpec<number>;
  /** Retransmit timeout, ms. */
  retry: FlagSpec<number>;
};

/**
 * `deno task sim run ping-pong`: two nodes, numbered pings with retries.
 *
 * @example
 * ```ts
 * import { pingPong } from "./scenario.ts";
 * import { runScenario } from "../../sim/scenario.ts";
 * import assert from "node:assert/strict";
 * assert.ok(runScenario(pingPong, { seed: 1, network: { loss: 0.2 } }).ok);
 * ```
 */
export const pingPong: Scenario<PingPongFlags> = defineScenario({
  name: "ping-pong",
  summary: "n1 pings n2 for a number of rounds, retrying lost messages; progress survives crashes",
  defaults: { nodes: 2, minNodes: 2, maxNodes: 2, until: 1000 },
  flags: {
    rounds: flag.int("pings to get answered", 10, { min: 1, max: 100000 }),
    retry: flag.int("retransmit timeout, ms", 50, { min: 1 }),
  },
  setup(sim, params) {
    const rounds = params.flags.rounds;
    sim.spawn("n1", () => new Pinger("n2", rounds, params.flags.retry));
    sim.spawn("n2", () => new Ponger());
    sim.invariant("pings-in-order", (s) => {
      const done = s.storage("n1").get<number>("done") ?? 0;
      return done <= rounds || `n1 finished ${done} rounds of ${rounds}`;
    });
    const done = () => sim.storage("n1").get<number>("done") ?? 0;
    return {
      // Ten rounds take a few hundred ms; generated faults leave them that long at the end.
      recoverMs: 300,
      check: (s) =>
        done() === rounds ? [] : [{
          check: "all-rounds-done",
          message: `only ${done()} of ${rounds} rounds answered by ${s.now} ms`,
          atMs: s.now,
          node: "n1",
        }],
      summary: () => [`rounds answered: ${done()} of ${rounds}`],
    };
  },
});

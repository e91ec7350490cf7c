/**
 * The `sync` strategy: nodes that draw alike. Protocols use randomness to
 * break symmetry: a Raft server waits a random time before standing for
 * election so that two rarely stand at once, a Paxos proposer retries after
 * a random pause, a gossip node picks a random peer. The seed's draws break
 * the symmetry almost every time, so the code that handles a collision (a
 * split vote, two proposers racing, two nodes picking the same peer) is
 * seldom run, and its mistakes seldom seen.
 *
 * This strategy gives every node the same values for its first k calls of
 * `ctx.random()` (k from 1 to 3, drawn per run, or fixed with `sync:K`):
 * nodes started together time out together, stand together, pick alike.
 * After those k calls each node draws from the seed again, so a correct
 * protocol gets out of the collision as it would in production, and a
 * liveness check still means something. The scenario is otherwise run as
 * it is, with its own network and faults (or the command line's): the
 * collision is the one thing the strategy adds.
 *
 * Shared values are the strategy's doing, as a fault is, and what they set
 * off (a timeout, then a collision) happens later: each time a node takes a
 * shared value, and when it first draws one of its own again, the run marks
 * the moment (`Simulation.interfere`), and a liveness deadline counts from
 * the last mark, as from a fault. Without that, a correct protocol whose
 * liveness bound allows an election or two would fail for the rounds the
 * collisions cost.
 *
 * The values a run's nodes got, and the marks, are recorded like any other
 * draw, so a finding shrinks and replays without the strategy; its replay
 * line names `--strategy sync:K`, which rebuilds the same values and marks
 * from the seed.
 *
 * @module
 */

import type { NodeId } from "../../actors/mod.ts";
import { draw, streamKey } from "../choices.ts";
import { ConfigError } from "../errors.ts";
import type { Simulation } from "../simulation.ts";
import { Random } from "../random.ts";
import {
  baseGiven,
  countParam,
  registerStrategy,
  type Strategy,
  type StrategyHooks,
} from "./strategy.ts";

/** The most calls a run may share. */
const MAX_SHARED = 20;

/**
 * The `sync` strategy sharing each node's first `shared` calls of
 * `ctx.random()`; without `shared`, each run draws it from 1 to 3.
 *
 * @example
 * ```ts
 * import { syncStrategy } from "./sync.ts";
 * import { pingPong } from "../../protocols/ping_pong/scenario.ts";
 * import assert from "node:assert/strict";
 * const plan = syncStrategy(2).plan({ scenario: pingPong, given: {}, seed: 5, index: 4 });
 * assert.equal(plan.strategy, "sync:2");
 * assert.equal(plan.replay, "sync:2");
 * assert.throws(() => syncStrategy(0), /sync's count must be a whole number from 1 to 20/);
 * ```
 */
export function syncStrategy(shared?: number): Strategy {
  if (shared !== undefined && !(Number.isInteger(shared) && shared >= 1 && shared <= MAX_SHARED)) {
    throw new ConfigError(
      "--strategy",
      `sync's count must be a whole number from 1 to ${MAX_SHARED}, got ${shared}`,
    );
  }
  return {
    name: shared === undefined ? "sync" : `sync:${shared}`,
    plan(context) {
      const k = shared ?? 1 + Math.floor(Random.stream(context.seed, "sync-count").next() * 3);
      const name = `sync:${k}`;
      return {
        strategy: name,
        given: baseGiven(context),
        hooks: () => sharedDraws(context.seed, k),
        replay: name,
      };
    },
  };
}

/**
 * Hooks that give every node the same value for each of its first `shared`
 * calls of `ctx.random()`: call c returns the c-th value of one stream of
 * the seed's, whichever node makes it.
 *
 * @example
 * ```ts
 * import { sharedDraws } from "./sync.ts";
 * import assert from "node:assert/strict";
 * const { hooks } = sharedDraws(7, 2);
 * assert.equal(hooks.random!("n1", 0, 0.25), hooks.random!("n2", 0, 0.75));
 * assert.equal(hooks.random!("n1", 2, 0.25), 0.25); // the third call is the node's own
 * ```
 */
export function sharedDraws(seed: number, shared: number): StrategyHooks {
  const key = streamKey(seed, "sync");
  let sim: Simulation | undefined;
  return {
    onSetup: (s) => {
      sim = s;
    },
    injected: () => [],
    hooks: {
      random(_node: NodeId, call: number, u: number): number {
        if (call > shared) return u;
        // A shared value, or the node's first of its own again (what the
        // shared ones set off, a timeout and a collision, has happened): the
        // strategy's hand in the run reaches to here, and liveness deadlines
        // count from here, as from a fault.
        sim?.interfere();
        if (call === shared) return u;
        // Two 32-bit draws to the 53 bits of a double, as ctx.random() makes them.
        const hi = draw(key, 2 * call), lo = draw(key, 2 * call + 1);
        return ((hi >>> 5) * 67108864 + (lo >>> 6)) / 9007199254740992;
      },
    },
  };
}

registerStrategy(
  "sync",
  "every node gets the same first k random() values (k 1..3 a run; sync:K fixes it), " +
    "so nodes collide: split votes, racing proposers",
  (params) => syncStrategy(params === undefined ? undefined : countParam("sync", params)),
);

/**
 * The `pct` strategy: Probabilistic Concurrency Testing (Burckhardt,
 * Kothari, Musuvathi and Nagarakatte, ASPLOS 2010), adapted to timed
 * events. PCT gives each thread a random priority, always runs the
 * highest-priority one that can run, and at d - 1 random points lowers the
 * priority of the thread running there; a bug of depth d is found with
 * probability at least 1/(n·k^(d-1)) per run.
 *
 * Here the threads are the nodes, and what can be steered without leaving
 * the protocol's timing model is when each message arrives, within what its
 * link's latency allows: a message to a high-priority node gets a short
 * latency, one to a low-priority node a long one, so high-priority nodes
 * handle their messages first. At each change point (the k-th delivery for
 * d - 1 drawn values of k, log-uniform so short runs get them too) the
 * node that just handled a message drops to the lowest priority. Timers
 * keep their durations.
 *
 * The priorities and change points come from the run's seed, so
 * `--strategy pct:D` with the same seed rebuilds the same run.
 *
 * @module
 */

import type { NodeId } from "../../actors/mod.ts";
import { ConfigError } from "../errors.ts";
import { Random } from "../random.ts";
import type { Observed, Simulation } from "../simulation.ts";
import {
  baseGiven,
  countParam,
  registerStrategy,
  type Strategy,
  type StrategyHooks,
} from "./strategy.ts";

/** Deliveries over which change points are drawn: PCT's k, for runs of this size. */
const STEPS = 2000;

/**
 * The `pct` strategy with depth `depth` (d - 1 change points).
 *
 * @example
 * ```ts
 * import { pctStrategy } from "./pct.ts";
 * import { runScenario } from "../scenario.ts";
 * import { gossip } from "../../protocols/gossip/scenario.ts";
 * import assert from "node:assert/strict";
 * const plan = pctStrategy(3).plan({ scenario: gossip, given: {}, seed: 2, index: 1 });
 * const steered = runScenario(gossip, plan.given, { hooks: plan.hooks!().hooks });
 * const plain = runScenario(gossip, plan.given);
 * // The priorities change the order of arrivals, so the run differs from the plain one.
 * assert.notEqual(steered.traceHash, plain.traceHash);
 * assert.equal(plan.replay, "pct:3");
 * ```
 */
export function pctStrategy(depth: number): Strategy {
  if (!(Number.isInteger(depth) && depth >= 1 && depth <= 20)) {
    throw new ConfigError(
      "--strategy",
      `pct's depth must be a whole number from 1 to 20, got ${depth}`,
    );
  }
  const name = `pct:${depth}`;
  return {
    name,
    plan: (context) => ({
      strategy: name,
      given: baseGiven(context),
      hooks: () => priorities(context.seed, depth),
      replay: name,
    }),
  };
}

/**
 * The hooks of one PCT run: priorities drawn when the first node shows up,
 * lowered at the change points.
 *
 * @example
 * ```ts
 * import { priorities } from "./pct.ts";
 * import assert from "node:assert/strict";
 * const h = priorities(1, 2);
 * assert.equal(typeof h.hooks.latency, "function");
 * assert.deepEqual(h.injected(), []);
 * ```
 */
export function priorities(seed: number, depth: number): StrategyHooks {
  const random = Random.stream(seed, "pct");
  const changes = drawChanges(random, depth);
  /** Rank by node: 0 runs first. Nodes get their place when first seen. */
  const rank = new Map<NodeId, number>();
  let lowest = 0;
  const rankOf = (node: NodeId): number => {
    let r = rank.get(node);
    if (r === undefined) {
      // A random place among the nodes seen so far: a random permutation, built as they come.
      r = random.next() * 1000;
      rank.set(node, r);
    }
    return r;
  };
  let deliveries = 0;
  return {
    hooks: {
      latency(_from: NodeId, to: NodeId, _msg: unknown, u: number): number {
        // Higher priority (lower rank), shorter latency; a little of the seed's
        // draw keeps messages to one node from all tying.
        const order = [...rank.values()].filter((r) => r < rankOf(to)).length;
        const spread = Math.max(1, rank.size);
        return Math.min(0.999999, (order + u * 0.5) / spread);
      },
      observe(_sim: Simulation, what: Observed) {
        if (what.kind !== "deliver") return;
        deliveries++;
        if (changes.has(deliveries)) {
          // The node running at a change point drops to the lowest priority.
          lowest = Math.max(lowest, ...rank.values()) + 1;
          rank.set(what.node, lowest);
        }
      },
    },
    injected: () => [],
  };
}

/**
 * The change points of PCT run `seed` with depth `depth`: the deliveries
 * (counted from 1) after which the node that handled them drops to the
 * lowest priority, in increasing order.
 *
 * @example
 * ```ts
 * import { changePoints } from "./pct.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(changePoints(7, 1), []);
 * const points = changePoints(7, 4);
 * assert.equal(points.length, 3);
 * assert.ok(points.every((k, i) => k >= 1 && (i === 0 || k > points[i - 1])));
 * ```
 */
export function changePoints(seed: number, depth: number): number[] {
  return [...drawChanges(Random.stream(seed, "pct"), depth)].sort((a, b) => a - b);
}

/**
 * d - 1 distinct delivery counts in 1..STEPS, the first draws of a run's
 * stream. PCT draws them uniformly over the run's k steps; k is not known
 * here, and runs range from a few dozen deliveries (a clock scenario) to
 * thousands (Raft), so they are drawn log-uniformly: as likely among the
 * first 40 deliveries as between 40 and 2000, and a short run gets its
 * change points too.
 */
function drawChanges(random: Random, depth: number): Set<number> {
  const changes = new Set<number>();
  while (changes.size < depth - 1) {
    changes.add(Math.min(STEPS, Math.floor(Math.exp(random.next() * Math.log(STEPS + 1)))));
  }
  return changes;
}

registerStrategy(
  "pct",
  "random node priorities steer arrival order within latency bounds; pct:D sets d (default 3)",
  (params) => pctStrategy(params === undefined ? 3 : countParam("pct", params.replace(/^d=/, ""))),
);

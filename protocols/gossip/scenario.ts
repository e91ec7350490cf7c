/**
 * The `gossip` scenario: rumours started at several nodes must reach every
 * node despite loss, crashes and partitions.
 *
 * @module
 */

import { defineScenario, flag, type FlagSpec, nodeIds, type Scenario } from "../../sim/scenario.ts";
import { GossipNode } from "./gossip.ts";

/** The flags of the `gossip` scenario. */
export type GossipFlags = {
  /** Rumours to spread. */
  rumours: FlagSpec<number>;
  /** Peers pushed to per round. */
  fanout: FlagSpec<number>;
  /** Rounds a node pushes a new rumour. */
  "hot-rounds": FlagSpec<number>;
};

/**
 * `deno task sim run gossip`: epidemic broadcast over N nodes.
 *
 * @example
 * ```ts
 * import { gossip } from "./scenario.ts";
 * import { runScenario } from "../../sim/scenario.ts";
 * import assert from "node:assert/strict";
 * assert.equal(runScenario(gossip, { seed: 1, nodes: 8 }).ok, true);
 * ```
 */
export const gossip: Scenario<GossipFlags> = defineScenario({
  name: "gossip",
  summary: "epidemic broadcast: rumours pushed to random peers, with anti-entropy repair",
  defaults: { nodes: 8, minNodes: 2, until: 2000 },
  flags: {
    rumours: flag.int("rumours to spread", 3, { min: 1, max: 1000 }),
    fanout: flag.int("peers pushed to per round", 2, { min: 1 }),
    "hot-rounds": flag.int("rounds a node pushes a new rumour", 3, { min: 1 }),
  } satisfies GossipFlags,
  // Anti-entropy repairs whatever push gossip missed: lost messages, a node
  // that was down or cut off. Exploration may throw all of that at it.
  explore: {
    faults: ["crash", "pause", "partition"],
    maxLoss: 0.2,
    maxDup: 0.1,
    flags: { fanout: [1, 2, 3], "hot-rounds": [1, 3], rumours: [1, 3, 8] },
  },
  setup(sim, params) {
    const ids = nodeIds(params.nodes);
    const rumours = params.flags.rumours;
    const all = Array.from({ length: rumours }, (_, k) => `r${k + 1}`);
    for (const id of ids) {
      sim.spawn(id, () =>
        new GossipNode({
          peers: ids.filter((p) => p !== id),
          fanout: params.flags.fanout,
          hotRounds: params.flags["hot-rounds"],
          roundMs: 20,
          antiEntropyMs: 100,
          // Rumour k starts at node k (mod N), spaced 50 ms apart.
          originate: all.map((r, k) => ({ id: r, atMs: 50 * k, node: ids[k % ids.length] }))
            .filter((o) => o.node === id).map(({ id, atMs }) => ({ id, atMs })),
        }));
    }
    const known = (n: string) => new Set(sim.storage(n).get<string[]>("known") ?? []);
    sim.invariant("only-real-rumours", (s) => {
      for (const n of s.nodes) {
        for (const r of known(n)) {
          if (!all.includes(r)) return { message: `${n} knows unknown rumour ${r}`, node: n };
        }
      }
    });
    return {
      // Anti-entropy (a digest every 100 ms to one random peer) needs a few
      // rounds after the last fault to reach every node, which the check at
      // the end demands.
      recoverMs: 800,
      check: (s) =>
        ids.flatMap((n) => {
          const missing = all.filter((r) => !known(n).has(r));
          return missing.length === 0 ? [] : [{
            check: "everyone-knows-everything",
            message: `${n} never heard ${missing.join(", ")}`,
            atMs: s.now,
            node: n,
          }];
        }),
      summary: (s) => {
        const complete = ids.filter((n) => all.every((r) => known(n).has(r))).length;
        return [
          `${complete} of ${ids.length} nodes know all ${all.length} rumours`,
          `${(s.stats.messages / ids.length).toFixed(1)} messages per node`,
        ];
      },
    };
  },
});

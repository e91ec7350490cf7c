/**
 * Wall time for anti-entropy to bring 10 and 100 PN-Counter replicas, each
 * with one increment of its own, to the same state (push and push-pull). The
 * number of rounds it takes, also for 1,000 replicas, is printed by
 * `deno run tests/bench/crdt_gossip_rounds.ts`.
 *
 * Run with `deno bench tests/bench/crdt_gossip_bench.ts`.
 *
 * @module
 */

import { gossipRounds } from "./crdt_gossip_rounds.ts";

for (const n of [10, 100]) {
  for (const mode of ["push", "push-pull"] as const) {
    let seed = 0;
    Deno.bench({
      name: `${n} replicas, ${mode}: gossip until all agree`,
      group: `crdt gossip, ${n} replicas`,
      baseline: mode === "push",
      n: n >= 100 ? 10 : 100,
      warmup: n >= 100 ? 2 : 10,
      fn: () => void gossipRounds(n, mode, ++seed),
    });
  }
}

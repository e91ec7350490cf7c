/**
 * Exhaustive checking's speed (`sim check`, issue 12): states per second
 * and memory per stored state, on a 3-server Raft election and on ABD with
 * two clients, breadth-first, strict timing. Each case's state count is in
 * its name (it is the same every run: the search is deterministic), so the
 * states per second are that count over the time of one iteration.
 *
 * ```sh
 * deno bench -A tests/bench/check_bench.ts
 * ```
 *
 * Stateright, for comparison, checks its two-phase commit model with 10
 * resource managers (61.5 M states) in 54.7 s on its author's laptop, all
 * cores, depth-first: about 1.1 M states/s (the Stateright book, "Comparison
 * with TLA+", https://www.stateright.rs/comparison-with-tlaplus.html). Its
 * states are cloned Rust values; here a state is reached again by running
 * the real actors from the start along its path, which costs a run prefix per
 * state tried (see `sim/exhaustive/search.ts`).
 *
 * @module
 */

import { type CheckOptions, checkScenario } from "../../sim/exhaustive/check.ts";
import type { RunGiven, Scenario } from "../../sim/scenario.ts";
import { raftElection } from "../../protocols/raft/scenarios.ts";
import { abd } from "../../protocols/quorum/scenarios.ts";

const CASES: Array<[string, Scenario, RunGiven, CheckOptions]> = [
  [
    "raft-election, 3 servers, 1..3 ms links, depth 40",
    raftElection,
    { nodes: 3, network: { latency: { kind: "uniform", min: 1, max: 3 } } },
    { depth: 40, maxStates: 1_000_000 },
  ],
  [
    "abd, 3 replicas, 2 clients x 1 op, 1 ms think, exhausted",
    abd,
    { flags: { clients: 2, ops: 1, "think-ms": 1 } },
    { maxStates: 1_000_000 },
  ],
];

for (const [name, scenario, given, options] of CASES) {
  const first = checkScenario(scenario, given, options);
  const perState = first.bytesPerState;
  Deno.bench({
    name: `${name}: ${first.states} states, ${perState} B/state`,
    group: "sim check",
    n: 3,
    warmup: 1,
    fn() {
      const r = checkScenario(scenario, given, options);
      if (r.states !== first.states) throw new Error("the search is not deterministic");
    },
  });
}

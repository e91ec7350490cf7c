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
 * `check_rates.ts` runs the same cases in alternating repetitions and
 * prints the best and the median, per state, per step tried and per
 * simulator step (replays included).
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

import { checkScenario } from "../../sim/exhaustive/check.ts";
import { CHECK_CASES } from "./_check_cases.ts";

for (const { name, scenario, given, options } of CHECK_CASES) {
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

/**
 * `sim check`'s speed on the cases of `check_bench.ts`, in alternating
 * repetitions (Raft, ABD, Raft, ABD, ...) so that a change in the shared
 * machine's load hits both alike; prints, per case, the best and the median
 * of: states stored per second, steps tried per second (transitions), and
 * simulator steps per second (those tried plus those run again to return to
 * states), with the memory per stored state (as allocated: the visited set
 * and the breadth-first tree).
 *
 * ```sh
 * deno run -A tests/bench/check_rates.ts            # 5 repetitions
 * deno run -A tests/bench/check_rates.ts --reps 9
 * ```
 *
 * @module
 */

import { parseArgs } from "node:util";
import { checkScenario } from "../../sim/exhaustive/check.ts";
import { CHECK_CASES } from "./_check_cases.ts";

const { values } = parseArgs({ options: { reps: { type: "string", default: "5" } } });
const reps = Number(values.reps);
if (!(Number.isInteger(reps) && reps >= 1 && reps <= 100)) {
  throw new Error(`--reps: a whole number from 1 to 100, got ${values.reps}`);
}

const times: number[][] = CHECK_CASES.map(() => []);
const reports = CHECK_CASES.map(({ scenario, given, options }) =>
  checkScenario(scenario, given, options) // warm-up, and the counts
);
for (let rep = 0; rep < reps; rep++) {
  CHECK_CASES.forEach(({ scenario, given, options }, i) => {
    const start = performance.now();
    const r = checkScenario(scenario, given, options);
    times[i].push(performance.now() - start);
    if (r.states !== reports[i].states) throw new Error("the search is not deterministic");
  });
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const rate = (n: number, ms: number) => Math.round((n * 1000) / ms).toLocaleString("en-US");
CHECK_CASES.forEach(({ name }, i) => {
  const r = reports[i];
  const best = Math.min(...times[i]), mid = median(times[i]);
  const steps = r.transitions + r.replayed;
  console.log(
    [
      `${name}`,
      `  ${r.states} states, ${r.transitions} steps tried, ${steps} simulator steps, ` +
      `${r.bytesPerState} B/state; ${reps} reps, ms: ${times[i].map(Math.round).join(" ")}`,
      `  states/s      best ${rate(r.states, best)}, median ${rate(r.states, mid)}`,
      `  steps tried/s best ${rate(r.transitions, best)}, median ${rate(r.transitions, mid)}`,
      `  sim steps/s   best ${rate(steps, best)}, median ${rate(steps, mid)}`,
    ].join("\n"),
  );
});

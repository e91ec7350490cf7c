/**
 * Warm-up (issue 17): how fast a fresh process reaches steady speed, and
 * whether a short warm-up run first makes `sim run` and short sweeps faster
 * end to end.
 *
 * ```sh
 * deno run -A tests/bench/warmup.ts curve 3    # events/s by stretch of a fresh process, 3 processes each
 * deno run -A tests/bench/warmup.ts e2e 5      # wall time with and without a warm-up, 5 rounds
 * ```
 *
 * `curve` starts fresh `deno run` processes (alternating the workloads) that
 * each run one workload and note the wall time at 10k, 20k, 50k, 100k, 200k,
 * 500k, 1M and 2M events: 100-node gossip (`gossipSim`, tracing off) and a
 * 5-server Raft cluster with 3 clients, its safety checks and liveness
 * monitor on, tracing off. It prints the events per second of each stretch
 * (median over the processes) and that speed as a share of the last.
 *
 * `e2e` times whole commands in fresh processes, alternating the variants:
 * `main.ts run raft` (its defaults: 6 s of virtual time, trace `full`) and
 * `main.ts sweep raft --seeds 1..20` (in this thread and with the default
 * workers), then the same commands through this script's own runner with no
 * warm-up and with one (the same scenario run for a tenth of its time on
 * another seed, tracing off, before the command). The runner loads the
 * command line without `main.ts`'s demo and runtime modules, so the fair
 * comparison is runner against runner; `main.ts list` shows start-up alone.
 * Best and median wall milliseconds of each.
 *
 * @module
 */

import { spawnRaftCluster } from "../../protocols/raft/scenarios.ts";
import { scenarios } from "../../protocols/registry.ts";
import { runCli } from "../../sim/cli.ts";
import { runScenario } from "../../sim/scenario.ts";
import { Simulation } from "../../sim/simulation.ts";
import { BENCH_LATENCY, gossipSim, runEvents } from "./scheduler_workloads.ts";

/** Where the curve notes the time (cumulative events). */
const MARKS = [10_000, 20_000, 50_000, 100_000, 200_000, 500_000, 1_000_000, 2_000_000];

type Workload = "gossip" | "raft";

/**
 * A Raft cluster that never runs out of work: 5 servers, 3 clients with a
 * million operations each, safety checks and liveness on, tracing off.
 *
 * @example
 * ```ts
 * import { raftWorkloadSim } from "./warmup.ts";
 * import assert from "node:assert/strict";
 * const sim = raftWorkloadSim(1);
 * sim.run({ maxEvents: 1000 });
 * assert.equal(sim.stats.events, 1000);
 * ```
 */
export function raftWorkloadSim(seed: number): Simulation {
  const sim = new Simulation({ seed, trace: "off", network: { latency: BENCH_LATENCY } });
  spawnRaftCluster(sim, { servers: 5, clients: 3, opsPerClient: 1_000_000 });
  return sim;
}

/** In this process: cumulative wall ms at each mark. */
function curve(workload: Workload): number[] {
  const sim = workload === "gossip" ? gossipSim(1) : raftWorkloadSim(1);
  const out: number[] = [];
  const t0 = performance.now();
  for (const mark of MARKS) {
    runEvents(sim, mark - sim.stats.events);
    out.push(performance.now() - t0);
  }
  return out;
}

async function child(args: string[]): Promise<{ ms: number; stdout: string }> {
  const t0 = performance.now();
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const ms = performance.now() - t0;
  const stdout = new TextDecoder().decode(out.stdout);
  if (out.code !== 0 && out.code !== 1) {
    throw new Error(
      `${args.join(" ")} exited ${out.code}: ${new TextDecoder().decode(out.stderr)}`,
    );
  }
  return { ms, stdout };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const self = new URL(import.meta.url).pathname;
const main = new URL("../../main.ts", import.meta.url).pathname;

async function curveReport(processes: number): Promise<void> {
  const runs: Record<Workload, number[][]> = { gossip: [], raft: [] };
  for (let p = 0; p < processes; p++) {
    for (const w of ["gossip", "raft"] as const) {
      const { stdout } = await child([self, "child-curve", w]);
      runs[w].push(JSON.parse(stdout.trim().split("\n").at(-1)!));
    }
  }
  for (const w of ["gossip", "raft"] as const) {
    console.log(`${w}: events/s of each stretch in a fresh process (median of ${processes})`);
    const rates = MARKS.map((mark, i) => {
      const from = i === 0 ? 0 : MARKS[i - 1];
      return median(
        runs[w].map((ms) => (mark - from) / ((ms[i] - (i === 0 ? 0 : ms[i - 1])) / 1000)),
      );
    });
    const steady = rates[rates.length - 1];
    MARKS.forEach((mark, i) => {
      const from = i === 0 ? 0 : MARKS[i - 1];
      const total = median(runs[w].map((ms) => ms[i]));
      console.log(
        `  ${String(from).padStart(8)}..${String(mark).padEnd(8)} ${
          (rates[i] / 1e6).toFixed(2).padStart(6)
        } M events/s  (${(rates[i] / steady * 100).toFixed(0).padStart(3)}% of the last)` +
          `  first ${mark} events in ${total.toFixed(0)} ms (${
            (mark / total * 1000 / 1e6).toFixed(2)
          } M/s overall)`,
      );
    });
  }
}

async function e2eReport(rounds: number): Promise<void> {
  const sweep = ["sweep", "raft", "--seeds", "1..20", "--workers", "0"];
  const variants: Array<[string, string[]]> = [
    ["main.ts run raft", [main, "run", "raft", "--json"]],
    ["run raft, no warm-up", [self, "child-cli", "--warm", "none", "run", "raft", "--json"]],
    ["run raft + warm-up", [self, "child-cli", "--warm", "raft", "run", "raft", "--json"]],
    ["main.ts sweep raft 1..20, no workers", [main, ...sweep]],
    ["sweep, no workers, no warm-up", [self, "child-cli", "--warm", "none", ...sweep]],
    ["sweep, no workers + warm-up", [self, "child-cli", "--warm", "raft", ...sweep]],
    ["main.ts sweep raft 1..20, 2 workers", [main, "sweep", "raft", "--seeds", "1..20"]],
    ["main.ts list (start-up alone)", [main, "list"]],
  ];
  const ms = variants.map(() => [] as number[]);
  for (let r = 0; r < rounds; r++) {
    for (const [i, [, args]] of variants.entries()) ms[i].push((await child(args)).ms);
  }
  for (const [i, [name]] of variants.entries()) {
    console.log(
      `${name.padEnd(40)} best ${Math.min(...ms[i]).toFixed(0).padStart(5)} ms, median ${
        median(ms[i]).toFixed(0).padStart(5)
      } ms`,
    );
  }
}

if (import.meta.main) {
  const [mode, arg, ...rest] = Deno.args;
  switch (mode) {
    case "child-curve":
      console.log(JSON.stringify(curve(arg as Workload)));
      break;
    case "child-cli": {
      // --warm <scenario>: a tenth of its default run, on another seed, tracing off;
      // --warm none: no warm-up, the same runner (so the comparison loads the same modules).
      const name = rest[0];
      if (name !== "none") {
        const scenario = scenarios.get(name);
        runScenario(scenario, {
          seed: 1_000_001,
          until: scenario.defaults.until / 10,
          trace: "off",
        });
      }
      Deno.exit(await runCli(scenarios, rest.slice(1), {}));
      break;
    }
    case "curve":
      await curveReport(Number(arg ?? 3));
      break;
    case "e2e":
      await e2eReport(Number(arg ?? 5));
      break;
    default:
      console.error("usage: warmup.ts curve [processes] | e2e [rounds]");
      Deno.exit(2);
  }
}

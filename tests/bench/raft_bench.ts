/**
 * Raft throughput in the simulator: a 5-server cluster committing 10,000
 * client commands (puts, appends and compare-and-sets over 100 keys, from 50
 * clients) over links with random 1-10 ms latency, tracing off. What matters
 * is how much faster than real time it runs: the virtual time the cluster
 * took divided by the wall time the simulation took.
 *
 * ```sh
 * deno bench --allow-env --allow-read tests/bench/raft_bench.ts   # timed by deno bench
 * deno run tests/bench/raft_bench.ts                              # prints wall, virtual, ratio
 * ```
 *
 * @module
 */

import { kvModel } from "../../sim/check/models.ts";
import { checkLinearizability } from "../../sim/check/linearizability.ts";
import { Simulation } from "../../sim/simulation.ts";
import { spawnRaftCluster } from "../../protocols/raft/scenarios.ts";

/** Commands the cluster commits per run. */
export const COMMANDS = 10_000;
const CLIENTS = 50;

/**
 * What one run did.
 *
 * @example
 * ```ts
 * import type { RaftBenchRun } from "./raft_bench.ts";
 * const r: RaftBenchRun = { wallMs: 900, virtualMs: 30_000, events: 400_000, messages: 200_000, sim: undefined! };
 * ```
 */
export interface RaftBenchRun {
  wallMs: number;
  /** Virtual time from the start to the last command's reply. */
  virtualMs: number;
  events: number;
  messages: number;
  sim: Simulation;
}

/**
 * Builds the cluster and runs it until every client command has its reply.
 * Only the run is timed, not building the cluster. `checks` installs the
 * Raft safety invariants, checked after every event.
 *
 * @example
 * ```ts
 * import { raftBenchRun } from "./raft_bench.ts";
 * raftBenchRun(1, false, 500).virtualMs > 0; // true
 * ```
 */
export function raftBenchRun(seed: number, checks: boolean, commands = COMMANDS): RaftBenchRun {
  const sim = new Simulation({
    seed,
    trace: "off",
    network: { latency: { kind: "uniform", min: 1, max: 10 } },
  });
  spawnRaftCluster(sim, {
    servers: 5,
    clients: CLIENTS,
    opsPerClient: Math.ceil(commands / CLIENTS),
    raft: { snapshotEvery: 1000 },
    client: {
      keys: Array.from({ length: 100 }, (_, i) => `k${i}`),
      mix: { put: 2, append: 1, cas: 1 },
      thinkMs: 0,
    },
    safety: checks,
    liveness: false,
  });
  return runToCompletion(sim, commands);
}

function runToCompletion(sim: Simulation, commands: number): RaftBenchRun {
  const started = performance.now();
  const ops = sim.history.operations;
  const done = () => ops.length >= commands && ops.every((op) => op.status !== "pending");
  while (!done()) {
    const r = sim.run({ until: sim.now + 1000 });
    if (!r.ok) throw new Error(sim.failureReport());
    if (sim.now > 3_600_000) {
      throw new Error("the cluster did not finish in an hour of virtual time");
    }
  }
  const wallMs = performance.now() - started;
  const virtualMs = Math.max(...ops.map((op) => op.ret));
  return { wallMs, virtualMs, events: sim.stats.events, messages: sim.stats.messages, sim };
}

let seed = 0;

Deno.bench({
  name: "raft: 5 servers commit 10,000 commands",
  group: "raft",
  baseline: true,
  n: 5,
  warmup: 1,
  fn(b) {
    b.start();
    raftBenchRun(++seed, false);
    b.end();
  },
});

Deno.bench({
  name: "raft: 5 servers commit 10,000 commands, safety checked after every event",
  group: "raft",
  n: 5,
  warmup: 1,
  fn(b) {
    b.start();
    raftBenchRun(++seed, true);
    b.end();
  },
});

/** Prints wall time, virtual time and their ratio for a few runs of each kind. */
function report(runs: number): void {
  console.log(`5 Raft servers, ${COMMANDS} client commands, 1-10 ms random latency:`);
  for (const checks of [false, true]) {
    const results = Array.from({ length: runs }, (_, i) => raftBenchRun(100 + i, checks));
    const med = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const wall = med(results.map((r) => r.wallMs));
    const virtual = med(results.map((r) => r.virtualMs));
    const events = med(results.map((r) => r.events));
    console.log(
      `  ${checks ? "with safety checks:   " : "without safety checks:"} wall ${
        (wall / 1000).toFixed(2)
      } s, virtual ${(virtual / 1000).toFixed(1)} s, ` +
        `${(virtual / wall).toFixed(1)}x faster than real time ` +
        `(${events} events, ${(events / wall).toFixed(0)} events/ms; median of ${runs})`,
    );
  }
  const { sim } = raftBenchRun(1, false);
  const lin = checkLinearizability(sim.history.operations, kvModel);
  console.log(
    `  the ${sim.history.operations.length}-command history checks ${lin.result} ` +
      `(${lin.partitions} keys) in ${lin.ms.toFixed(0)} ms`,
  );
}

if (import.meta.main) report(Number(Deno.args[0] ?? 3));

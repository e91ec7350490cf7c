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
 * deno run tests/bench/raft_bench.ts cpu 100000 5                 # commands per CPU-second
 * deno run --v8-flags=--expose-gc tests/bench/raft_bench.ts memory 1000000
 * ```
 *
 * `cpu N R` runs N commands R times with the safety checks on and off in
 * turn (the machine may be shared: alternate, report best and median), and
 * prints commands per second of this process's CPU time. `memory N` runs
 * N commands through clients that record no history (a history of a
 * million operations would be the largest thing in memory) with the safety
 * checks on, and prints the heap after a collection every tenth of the way:
 * it stays flat when the log, the snapshots and the checkers forget what
 * every server has compacted.
 *
 * @module
 */

import process from "node:process";
import type { Actor, Context, NodeId } from "../../actors/mod.ts";
import type { RaftMsg } from "../../protocols/raft/messages.ts";
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
  let cursor = 0; // operations before it have returned
  const done = () => {
    while (cursor < ops.length && ops[cursor].status !== "pending") cursor++;
    return cursor >= commands;
  };
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

/**
 * Commands per CPU-second, with the safety checks on and off in turn.
 *
 * @example
 * ```ts
 * import { cpuReport } from "./raft_bench.ts";
 * import assert from "node:assert/strict";
 * assert.match(cpuReport(500, 1), /checks on/);
 * ```
 */
export function cpuReport(commands: number, runs: number): string {
  const rates: Record<"on" | "off", number[]> = { on: [], off: [] };
  for (let r = 0; r < runs; r++) {
    for (const checks of [true, false]) {
      const before = process.cpuUsage();
      raftBenchRun(1000 + r, checks, commands);
      const used = process.cpuUsage(before);
      rates[checks ? "on" : "off"].push(commands / ((used.user + used.system) / 1e6));
    }
  }
  const line = (k: "on" | "off") => {
    const xs = [...rates[k]].sort((a, b) => a - b);
    const median = xs[Math.floor(xs.length / 2)];
    return `checks ${k.padEnd(3)}: best ${xs[xs.length - 1].toFixed(0)}, median ${
      median.toFixed(0)
    } commands per CPU-second (${xs.map((x) => x.toFixed(0)).join(", ")})`;
  };
  return `5 servers, ${commands} commands, 1-10 ms latency, ${runs} runs each, alternating:\n` +
    `  ${line("on")}\n  ${line("off")}`;
}

/** A client that keeps one put in flight and records no history (for the memory run). */
class LoadClient implements Actor<RaftMsg, "retry"> {
  done = 0;
  #seq = 0;
  #target: NodeId;
  constructor(readonly servers: readonly NodeId[], readonly key: string) {
    this.#target = servers[0];
  }
  onStart(ctx: Context<RaftMsg, "retry">): void {
    this.#send(ctx);
  }
  onMessage(ctx: Context<RaftMsg, "retry">, msg: RaftMsg, from: NodeId): void {
    if (msg.type === "ClientReply" && msg.seq === this.#seq) {
      this.done++;
      this.#target = from;
      return this.#send(ctx, true);
    }
    if (msg.type === "NotLeader" && msg.seq === this.#seq) {
      this.#target = msg.leaderHint ?? this.#next();
      this.#send(ctx, false);
    }
  }
  onTimer(ctx: Context<RaftMsg, "retry">): void {
    this.#target = this.#next();
    this.#send(ctx, false);
  }
  #next(): NodeId {
    return this.servers[(this.servers.indexOf(this.#target) + 1) % this.servers.length];
  }
  #send(ctx: Context<RaftMsg, "retry">, fresh = true): void {
    if (fresh) this.#seq++;
    ctx.send(this.#target, {
      type: "ClientRequest",
      seq: this.#seq,
      op: { f: "put", key: this.key, value: `${ctx.self}.${this.#seq}` },
    });
    ctx.setTimer("retry", 100);
  }
}

/**
 * Runs `commands` puts with the safety checks on and returns the heap after
 * a collection at every tenth of the way (MB), with the checkers' ledger size.
 */
export function memoryRun(
  commands: number,
): Array<{ commands: number; heapMb: number; ledger: number }> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error("run with --v8-flags=--expose-gc");
  const sim = new Simulation({
    seed: 1,
    trace: "off",
    network: { latency: { kind: "uniform", min: 1, max: 10 } },
  });
  const cluster = spawnRaftCluster(sim, {
    servers: 5,
    raft: { snapshotEvery: 1000 },
    liveness: false,
  });
  const clients = Array.from({ length: CLIENTS }, (_, i) => `l${i + 1}`);
  const load = clients.map((id, i) => {
    const c = new LoadClient(cluster.servers, `k${i % 100}`);
    sim.spawn(id, () => c);
    return c;
  });
  const out: Array<{ commands: number; heapMb: number; ledger: number }> = [];
  const step = commands / 10;
  let next = step;
  for (;;) {
    const r = sim.run({ until: sim.now + 1000 });
    if (!r.ok) throw new Error(sim.failureReport());
    const done = load.reduce((s, c) => s + c.done, 0);
    if (done >= next) {
      gc();
      out.push({
        commands: done,
        heapMb: Deno.memoryUsage().heapUsed / 2 ** 20,
        ledger: cluster.safety.ledgerSize,
      });
      next += step;
      if (done >= commands) return out;
    }
  }
}

if (import.meta.main) {
  const [mode, n, runs] = Deno.args;
  if (mode === "cpu") console.log(cpuReport(Number(n ?? 100_000), Number(runs ?? 5)));
  else if (mode === "memory") {
    for (const p of memoryRun(Number(n ?? 1_000_000))) {
      console.log(
        `${String(p.commands).padStart(8)} commands: heap ${p.heapMb.toFixed(1)} MB, ` +
          `checker ledgers ${p.ledger} indexes`,
      );
    }
  } else report(Number(mode ?? 3));
}

/**
 * The sweep check: seeds per second of one sweep over 1 worker and over 2
 * workers, on a fixed seed range of a scenario heavy enough that worker
 * start-up does not dominate (Raft under random faults when it is
 * registered, else gossip over 60 nodes). The issue asks for at least 1.7
 * times the seeds per second with 2 workers on a 2-core machine; the script
 * exits with code 1 below that.
 *
 * ```sh
 * deno run --allow-read --allow-env tests/bench/sweep_ratio.ts
 * deno run --allow-read --allow-env tests/bench/sweep_ratio.ts --scenario gossip --seeds 1..400 --reps 5
 * ```
 *
 * The range is long (2000 Raft seeds, about 13 s on one core) because each
 * worker compiles the simulator afresh: on a short sweep that warm-up, paid
 * once per worker, is a visible share of the work; on a long one it is not.
 *
 * Each repetition runs both sweeps, in alternating order, so a change in
 * the machine's load (other processes) hits both alike; the table shows
 * the median and the spread. Wall time includes starting the workers, as a
 * user of `deno task sim sweep` sees it.
 *
 * On a machine that other processes keep busy, two workers cannot get two
 * cores. So each repetition also times a control: the same split of pure
 * arithmetic over 1 and 2 workers, which shows how much parallelism the
 * machine gave at that moment; the sweep's efficiency is its ratio over
 * the control's. Seeds per CPU second (all threads of this process) shows
 * the same without the noise: when it is as high with 2 workers as with 1,
 * two free cores give twice the seeds per second.
 *
 * @module
 */

import Table from "npm:cli-table3@0.6.5";
import process from "node:process";
import { parseArgs } from "node:util";
import { scenarios } from "../../protocols/registry.ts";
import { parseSeedRange } from "../../sim/explore/shard.ts";
import { runSweep, type SweepGiven } from "../../sim/explore/sweep.ts";

/** The target. */
const TARGET = 1.7;

/** A worker that spins through `n` units of arithmetic, then answers. */
const SPIN = URL.createObjectURL(
  new Blob([
    `self.onmessage = (e) => {
      let x = 0;
      for (let unit = 0; unit < e.data; unit++) {
        for (let i = 0; i < 2e7; i++) x = (x + i * 7) % 1000003;
      }
      self.postMessage(x);
    };`,
  ], { type: "text/javascript" }),
);

/** Units of arithmetic per second over `workers` workers (the same total work either way). */
async function control(workers: number, units = 40): Promise<number> {
  const started = performance.now();
  const pool = Array.from({ length: workers }, () => new Worker(SPIN, { type: "module" }));
  await Promise.all(pool.map((w, i) =>
    new Promise((done) => {
      w.onmessage = done;
      w.postMessage(Math.floor(units / workers) + (i < units % workers ? 1 : 0));
    })
  ));
  pool.forEach((w) => w.terminate());
  return units / ((performance.now() - started) / 1000);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b), mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      scenario: { type: "string" },
      seeds: { type: "string" },
      nodes: { type: "string" },
      reps: { type: "string", default: "3" },
    },
  });
  const name = values.scenario ?? (scenarios.has("raft") ? "raft" : "gossip");
  const given: SweepGiven = name === "gossip" && values.nodes === undefined
    ? { nodes: 60 }
    : values.nodes === undefined
    ? {}
    : { nodes: Number(values.nodes) };
  const seeds = parseSeedRange(values.seeds ?? "1..2000");
  const reps = Number(values.reps);
  if (!Number.isInteger(reps) || reps < 1) {
    console.error(`--reps: must be a whole number >= 1, got ${values.reps}`);
    return 2;
  }
  const rate: Record<1 | 2, number[]> = { 1: [], 2: [] };
  /** Seeds per second of CPU time (all threads), which other processes do not change. */
  const perCpu: Record<1 | 2, number[]> = { 1: [], 2: [] };
  const spin: Record<1 | 2, number[]> = { 1: [], 2: [] };
  let events = 0;
  for (let rep = 0; rep < reps; rep++) {
    const order: Array<1 | 2> = rep % 2 === 0 ? [1, 2] : [2, 1];
    for (const workers of order) spin[workers].push(await control(workers));
    for (const workers of order) {
      const started = performance.now();
      const cpu = process.cpuUsage();
      const report = await runSweep(scenarios.get(name), { scenario: name, given, seeds }, {
        workers,
      });
      const seconds = (performance.now() - started) / 1000;
      const used = process.cpuUsage(cpu);
      rate[workers].push(report.runs / seconds);
      perCpu[workers].push(report.runs / ((used.user + used.system) / 1e6));
      events = report.events;
    }
  }
  const ratios = rate[2].map((r, i) => r / rate[1][i]);
  const ratio = median(ratios);
  const machine = median(spin[2].map((r, i) => r / spin[1][i]));
  const table = new Table({
    head: ["workers", "seeds/s (median)", "min", "max", "seeds per CPU s", "seeds", "events"],
    style: { head: [], border: [] },
  });
  for (const w of [1, 2] as const) {
    table.push([
      w,
      median(rate[w]).toFixed(1),
      Math.min(...rate[w]).toFixed(1),
      Math.max(...rate[w]).toFixed(1),
      median(perCpu[w]).toFixed(1),
      seeds.to - seeds.from + 1,
      events,
    ]);
  }
  console.log(`sweep ${name} --seeds ${seeds.from}..${seeds.to}, ${reps} repetitions`);
  console.log(table.toString());
  console.log(
    `2 workers / 1 worker: ${ratio.toFixed(2)}x (each repetition: ${
      ratios.map((r) => r.toFixed(2)).join(", ")
    }); target ${TARGET}x: ${ratio >= TARGET ? "met" : "NOT met"}`,
  );
  console.log(
    `control (pure arithmetic, 2 workers / 1): ${machine.toFixed(2)}x, so the sweep used ` +
      `${Math.round(100 * ratio / machine)}% of the parallelism the machine gave` +
      (machine < TARGET ? ` (other processes are using the cores: measure again when idle)` : ""),
  );
  return ratio >= TARGET ? 0 : 1;
}

if (import.meta.main) Deno.exit(await main());

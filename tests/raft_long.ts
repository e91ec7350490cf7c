/**
 * The long Raft sweep: every Raft scenario, plus two harsher variants, over
 * tens of thousands of seeds, in parallel workers. Not part of `deno test`.
 *
 * ```sh
 * deno run --allow-env --allow-read tests/raft_long.ts --seeds 20000
 * deno run --allow-env --allow-read tests/raft_long.ts --seeds 1..500 --only raft,raft-churn
 * deno run --allow-env --allow-read tests/raft_long.ts --seeds 20000 --shard 2/4 --workers 8
 * ```
 *
 * `--seeds N` runs seeds 1..N of every scenario; `A..B` runs A to B. It
 * prints a line per scenario and, for every failing seed, the violation and
 * the command that replays it; the exit code is 1 if any seed failed.
 *
 * @module
 */

import { Command } from "npm:@commander-js/extra-typings@14.0.0";
import { scenarios } from "../protocols/registry.ts";
import { raftScenarios } from "../protocols/raft/scenarios.ts";
import { ConfigError } from "../sim/errors.ts";
import { parseSeedRange, parseShard, type SeedRange } from "../sim/explore/shard.ts";
import { runSweep, type SweepGiven } from "../sim/explore/sweep.ts";

/** A scenario run over the seeds, with extra parameters. */
interface Variant {
  label: string;
  scenario: string;
  given: SweepGiven;
}

/** The scenarios as registered, and two harsher mixes of faults. */
const VARIANTS: Variant[] = [
  ...raftScenarios.map((s) => ({ label: s.name, scenario: s.name, given: {} })),
  {
    label: "raft (loss and faults together, tiny snapshots)",
    scenario: "raft",
    given: {
      faults: "random:crash=4,partition=3,pause=3",
      network: { loss: 0.05, duplicate: 0.1, latency: { kind: "uniform", min: 1, max: 20 } },
      flags: { clients: 5, ops: 60, "snapshot-every": 3 },
    },
  },
  {
    label: "raft (3 servers, pauses, ReadIndex reads)",
    scenario: "raft",
    given: {
      nodes: 3,
      faults: "random:crash=2,partition=2,pause=4,duration=400",
      flags: { clients: 5, ops: 60, reads: "read-index", "snapshot-every": 2 },
    },
  },
];

/** `N` means seeds 1..N here (a count), `A..B` a range. */
function seedsOf(text: string): SeedRange {
  return /^\s*\d+\s*$/.test(text) ? { from: 1, to: Number(text) } : parseSeedRange(text);
}

async function main(argv: string[]): Promise<number> {
  const program = new Command()
    .name("raft_long")
    .description("Sweep every Raft scenario over many seeds")
    .option("--seeds <N|A..B>", "seeds 1..N, or A..B", "20000")
    .option("--only <names>", "comma-separated scenario names (default: all)")
    .option("--workers <n>", "parallel workers (default: cores)")
    .option("--shard <K/M>", "run shard K of M of the seeds")
    .exitOverride();
  program.parse(argv, { from: "user" });
  const opts = program.opts();
  const seeds = seedsOf(opts.seeds);
  const shard = opts.shard === undefined ? undefined : parseShard(opts.shard);
  const workers = opts.workers === undefined ? undefined : Number(opts.workers);
  const only = opts.only?.split(",").map((s) => s.trim());
  for (const name of only ?? []) scenarios.get(name); // unknown names fail here, listed
  const variants = VARIANTS.filter((v) => only === undefined || only.includes(v.scenario));
  let failed = 0;
  const started = performance.now();
  for (const v of variants) {
    const report = await runSweep(scenarios.get(v.scenario), {
      scenario: v.scenario,
      given: v.given,
      seeds,
      ...(shard ? { shard } : {}),
    }, workers === undefined ? {} : { workers });
    failed += report.failed;
    const speed = report.virtualMs / Math.max(report.runMs, 1e-9);
    console.log(
      `${v.label}: ${report.runs} seeds, ${report.failed} failed, ` +
        `${(report.wallMs / 1000).toFixed(1)} s wall, ${speed.toFixed(0)}x real time per worker`,
    );
    for (const f of report.failures.slice(0, 10)) {
      console.log(`  seed ${f.seed}: ${f.check}: ${f.message}\n    replay: ${f.replay}`);
    }
    if (report.failures.length > 10) console.log(`  ... and ${report.failures.length - 10} more`);
  }
  console.log(
    `${failed === 0 ? "ok" : "FAILED"}: ${variants.length} scenarios over seeds ` +
      `${seeds.from}..${seeds.to}${shard ? ` (shard ${shard.index}/${shard.count})` : ""} ` +
      `in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  return failed === 0 ? 0 : 1;
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (e) {
    if (e instanceof ConfigError || (e instanceof Error && e.name === "CommanderError")) {
      console.error(`raft_long: ${e.message}`);
      Deno.exit(2);
    }
    throw e;
  }
}

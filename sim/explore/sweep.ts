/**
 * Sweeps: one scenario over many seeds, in parallel Web Workers.
 *
 * The main thread hands out seeds in small chunks, in increasing order, to
 * whichever worker is free, so a few slow seeds do not leave a core idle.
 * Each worker imports the scenario from the module that defines it (its
 * `module` URL: `sim/` does not know the protocols, and a user's scenario
 * lives in the user's files) and runs seeds with tracing off; a failing
 * seed's replay command reproduces it with tracing on.
 *
 * A wall-clock budget bounds the sweep: when it runs out the workers are
 * stopped, even in the middle of a seed that never ends, and the report
 * names the seeds not reached instead of hanging. A per-seed timeout bounds
 * each seed: one still running then is a failure of its own (an actor in
 * an endless loop, or events that never let virtual time advance), its
 * worker is replaced, and the sweep goes on.
 *
 * One limit of the platform: Deno 2.9 cannot stop a worker that is busy in
 * JavaScript. `terminate()` returns and the sweep goes on without it, but
 * that thread keeps running until the process exits (the command line
 * exits as soon as it has printed its report). A library caller that sweeps
 * scenarios that may never end should do the same.
 *
 * @module
 */

import { ConfigError } from "../errors.ts";
import {
  replayCommand,
  resolveParams,
  type RunGiven,
  runScenario,
  type RunSpec,
  runSpecOf,
  type Scenario,
  type ScenarioParams,
} from "../scenario.ts";
import { VERSION } from "../version.ts";
import { type PoolResult, runPool } from "./pool.ts";
import { formatSeedRange, formatShard, type SeedRange, type Shard, shardSeeds } from "./shard.ts";

/**
 * The parameters of every run of a sweep but the seed, in a form that can be
 * posted to a worker (no functions). `faults` is the `--faults` text.
 *
 * @example
 * ```ts
 * import { runSweep, type SweepGiven } from "./sweep.ts";
 * import { pingPong } from "../../protocols/ping_pong/scenario.ts";
 * import assert from "node:assert/strict";
 * // Every seed loses 10% of its messages and crashes n2 at 30 ms.
 * const given: SweepGiven = { network: { loss: 0.1 }, faults: "@30 crash n2" };
 * const spec = { scenario: "ping-pong", given, seeds: { from: 1, to: 3 } };
 * const report = await runSweep(pingPong, spec, { workers: 0 });
 * assert.equal(report.params.loss, 0.1);
 * assert.equal(report.params.faults, "@30 crash n2");
 * ```
 */
export type SweepGiven = Omit<RunGiven, "seed" | "trace" | "faults"> & { faults?: string };

/**
 * What to sweep.
 *
 * @example
 * ```ts
 * import { runSweep, type SweepSpec } from "./sweep.ts";
 * import { pingPong } from "../../protocols/ping_pong/scenario.ts";
 * import assert from "node:assert/strict";
 * // Shard 2 of 4 of seeds 1..10: the seeds s with s mod 4 = 1.
 * const spec: SweepSpec = {
 *   scenario: "ping-pong", given: {}, seeds: { from: 1, to: 10 }, shard: { index: 2, count: 4 },
 * };
 * const report = await runSweep(pingPong, spec, { workers: 0 });
 * assert.equal(report.runs, 3);
 * assert.deepEqual(report.parts, ["2/4 of 1..10"]);
 * ```
 */
export interface SweepSpec {
  /** The scenario's name: the one passed to {@linkcode runSweep}, and the one workers load. */
  scenario: string;
  /** The parameters of every run but its seed. */
  given: SweepGiven;
  /** The seeds to run (both ends included). */
  seeds: SeedRange;
  /** Run only this shard of the seeds (default: all of them). */
  shard?: Shard;
}

/**
 * A failing seed: its first violation and the command that replays it.
 *
 * @example
 * ```ts
 * import { runSeed, type SweepFailure } from "./sweep.ts";
 * import { pingPong } from "../../protocols/ping_pong/scenario.ts";
 * import assert from "node:assert/strict";
 * // With n2 crashed at 30 ms and never restarted, n1 cannot finish its rounds.
 * const f: SweepFailure | undefined = runSeed(pingPong, { faults: "@30 crash n2" }, 9).failure;
 * assert.equal(f?.check, "all-rounds-done");
 * assert.equal(f?.atMs, 1000);
 * assert.equal(f?.replay, "deno task sim run ping-pong --seed 9 --faults '@30 crash n2'");
 * ```
 */
export interface SweepFailure {
  /** The failing seed. */
  seed: number;
  /** The name of the check (invariant or end-of-run check) that failed first. */
  check: string;
  /** What the check said. */
  message: string;
  /** Virtual time of the violation, ms. */
  atMs: number;
  /** The node the violation names, if it names one. */
  node?: string;
  /** The fault schedule that ran, in the text form. */
  faults: string;
  /** The command line that replays the seed with tracing on. */
  replay: string;
}

/**
 * What one seed of a sweep did.
 *
 * @example
 * ```ts
 * import { runSeed, type SeedOutcome } from "./sweep.ts";
 * import { pingPong } from "../../protocols/ping_pong/scenario.ts";
 * import assert from "node:assert/strict";
 * const o: SeedOutcome = runSeed(pingPong, {}, 1);
 * assert.ok(o.ok);
 * assert.equal(o.failure, undefined);
 * assert.equal(o.virtualMs, 1000); // the scenario's default `until`
 * ```
 */
export interface SeedOutcome {
  /** The seed that ran. */
  seed: number;
  /** Whether it passed every check. */
  ok: boolean;
  /** Events the run handled. */
  events: number;
  /** Messages sent (duplicates not counted). */
  messages: number;
  /** Virtual time the run reached, ms. */
  virtualMs: number;
  /** Wall time the run took, ms (varies from run to run). */
  wallMs: number;
  /** Its first violation, when it failed. */
  failure?: SweepFailure;
}

/**
 * One of the slowest seeds of a sweep.
 *
 * @example
 * ```ts
 * import { type SlowSeed, slowestOf } from "./sweep.ts";
 * import assert from "node:assert/strict";
 * const s: SlowSeed = { seed: 4, wallMs: 12.5, events: 9000, ok: true };
 * const t: SlowSeed = { seed: 5, wallMs: 0.5, events: 30, ok: true };
 * assert.deepEqual(slowestOf([t, s], 1), [s]);
 * ```
 */
export interface SlowSeed {
  /** The seed. */
  seed: number;
  /** Wall time its run took, ms. */
  wallMs: number;
  /** Events its run handled. */
  events: number;
  /** Whether it passed every check. */
  ok: boolean;
}

/**
 * Seeds a sweep did not run because its budget ran out: the seeds that were
 * being run when it stopped, and for each part of the sweep the seeds never
 * handed out (every seed of the range from `from` to `to` that belongs to
 * the shard).
 *
 * @example
 * ```ts
 * import type { NotReached } from "./sweep.ts";
 * import { shardSeeds } from "./shard.ts";
 * import assert from "node:assert/strict";
 * // Shard 2/2 of 1..100 stopped while seed 17 ran, before handing out 19.
 * const n: NotReached = { seeds: [17], rest: [{ from: 19, to: 100, shard: "2/2" }], count: 42 };
 * // The seeds never handed out: the odd ones from 19 to 99.
 * const never = shardSeeds({ from: 19, to: 100 }, { index: 2, count: 2 });
 * assert.equal(n.count, n.seeds.length + never.length);
 * ```
 */
export interface NotReached {
  /** The seeds that were running when the sweep stopped. */
  seeds: number[];
  /**
   * For each part of the sweep, the seeds never handed out: those of
   * `from..to` (both included) in the shard `K/M`, or all of them when `shard` is null.
   */
  rest: Array<{ from: number; to: number; shard: string | null }>;
  /** How many seeds in all. */
  count: number;
}

/**
 * The check name of a seed that ran past the sweep's per-seed timeout.
 *
 * @example
 * ```ts
 * import { runSweep, SEED_TIMEOUT, type SweepReport } from "./sweep.ts";
 * import { pingPong } from "../../protocols/ping_pong/scenario.ts";
 * import assert from "node:assert/strict";
 * const hung = (r: SweepReport) => r.failures.filter((f) => f.check === SEED_TIMEOUT);
 * const spec = { scenario: "ping-pong", given: {}, seeds: { from: 1, to: 3 } };
 * const report = await runSweep(pingPong, spec, { workers: 0 });
 * assert.deepEqual(hung(report), []);
 * assert.equal(SEED_TIMEOUT, "seed-timeout");
 * ```
 */
export const SEED_TIMEOUT = "seed-timeout";

/**
 * The `format` of a sweep report.
 *
 * @example
 * ```ts
 * import { SWEEP_FORMAT } from "./sweep.ts";
 * import assert from "node:assert/strict";
 * assert.equal(SWEEP_FORMAT, "dsim-sweep");
 * ```
 */
export const SWEEP_FORMAT = "dsim-sweep";
/**
 * The report version this code writes and reads.
 *
 * @example
 * ```ts
 * import { SWEEP_VERSION } from "./sweep.ts";
 * import assert from "node:assert/strict";
 * assert.equal(SWEEP_VERSION, 2);
 * ```
 */
export const SWEEP_VERSION = 2;

/**
 * The result of a sweep: totals that add up across shards (so reports
 * merge), the slowest seeds, every failure, and the seeds not reached. This
 * is what `sweep --json` prints.
 *
 * @example
 * ```ts
 * import { runSweep, type SweepReport } from "./sweep.ts";
 * import { pingPong } from "../../protocols/ping_pong/scenario.ts";
 * import assert from "node:assert/strict";
 * const failed = (r: SweepReport) => r.failures.map((f) => f.seed);
 * const spec = { scenario: "ping-pong", given: { faults: "@30 crash n2" }, seeds: { from: 1, to: 3 } };
 * const report: SweepReport = await runSweep(pingPong, spec, { workers: 0 });
 * assert.equal(report.runs, 3);
 * assert.deepEqual(failed(report), [1, 2, 3]);
 * assert.equal(report.virtualMs, 3000); // 1000 ms of virtual time per seed
 * assert.equal(report.notReached.count, 0);
 * ```
 */
export interface SweepReport {
  /** Always {@linkcode SWEEP_FORMAT}. */
  format: typeof SWEEP_FORMAT;
  /** Always {@linkcode SWEEP_VERSION}. */
  version: typeof SWEEP_VERSION;
  /** The framework's version that ran it (reports of different versions do not merge). */
  dsim: string;
  /** The scenario's name. */
  scenario: string;
  /** The run parameters in the command line's terms (`faults` is the `--faults` text). */
  params: SweepParams;
  /** The seed range, `A..B`. */
  seeds: string;
  /** The shard, `K/M`, or null for the whole range (and for a merged report). */
  shard: string | null;
  /** What the report covers: `K/M of A..B` for a shard, `A..B` for a whole range. */
  parts: string[];
  /** Workers that ran it, 0 for this thread (for a merged report: the sum over the parts). */
  workers: number;
  /** Wall time of the sweep, ms (for a merged report: the longest part). */
  wallMs: number;
  /** The wall-clock budget, ms, or null for none (for a merged report: the largest). */
  budgetMs: number | null;
  /** Seeds run. */
  runs: number;
  /** Seeds that failed. */
  failed: number;
  /** Events handled, summed over the runs. */
  events: number;
  /** Messages sent, summed over the runs (duplicates not counted). */
  messages: number;
  /** Sum of the runs' virtual times, ms. */
  virtualMs: number;
  /** Sum of the runs' wall times, ms (time spent simulating, over all workers). */
  runMs: number;
  /** The slowest seeds in wall time, slowest first (at most `SweepOptions.slowest`). */
  slowest: SlowSeed[];
  /** The first violation of every failing seed, in seed order. */
  failures: SweepFailure[];
  /** The seeds the budget left out (none when the sweep ran to the end). */
  notReached: NotReached;
  /** The shrunk form of the first failure, when it was shrunk. */
  shrunk?: ShrunkSummary;
}

/**
 * The parameters of a sweep's runs, as the command line writes them.
 *
 * @example
 * ```ts
 * import type { SweepParams } from "./sweep.ts";
 * import assert from "node:assert/strict";
 * const p: SweepParams = { nodes: 8, until: 2000, faults: "random", flags: { rumours: 3 } };
 * assert.equal(p.flags.rumours, 3);
 * ```
 */
export type SweepParams = Omit<RunSpec, "scenario" | "seed">;

/**
 * A shrunk failure, as a report keeps it.
 *
 * @example
 * ```ts
 * import type { ShrunkSummary } from "./sweep.ts";
 * import assert from "node:assert/strict";
 * const s: ShrunkSummary = {
 *   seed: 3, check: "x", replay: "deno task sim replay x-seed3.shrunk.json", runs: 40,
 *   stopped: null, faultsBefore: 6, faultsAfter: 1, eventsBefore: 900, eventsAfter: 21,
 *   delivered: 9, nodes: 3, out: "x-seed3.shrunk.json",
 * };
 * assert.ok(s.eventsAfter <= s.eventsBefore);
 * ```
 */
export interface ShrunkSummary {
  /** The failing seed that was shrunk. */
  seed: number;
  /** The check that fails before and after shrinking. */
  check: string;
  /** The command that replays the shrunk run from its saved file. */
  replay: string;
  /** Runs the search took. */
  runs: number;
  /** Why the search ended early (its run or time limit), or null when it was done. */
  stopped: "runs" | "time" | null;
  /** Entries of the fault schedule before shrinking. */
  faultsBefore: number;
  /** Entries of the fault schedule after shrinking. */
  faultsAfter: number;
  /** Events the failing run handled before shrinking. */
  eventsBefore: number;
  /** Events the shrunk run handled. */
  eventsAfter: number;
  /** Messages delivered in the shrunk run. */
  delivered: number;
  /** Nodes in the shrunk run. */
  nodes: number;
  /** Where its trace (with its draws) was saved. */
  out: string;
}

/**
 * How far a sweep has got, for a progress bar.
 *
 * @example
 * ```ts
 * import { runSweep, type SweepProgress } from "./sweep.ts";
 * import { pingPong } from "../../protocols/ping_pong/scenario.ts";
 * import assert from "node:assert/strict";
 * const line = (p: SweepProgress) => `${p.done}/${p.total}, ${p.failed} failed`;
 * const lines: string[] = [];
 * const spec = { scenario: "ping-pong", given: {}, seeds: { from: 1, to: 3 } };
 * await runSweep(pingPong, spec, { workers: 0, onProgress: (p) => lines.push(line(p)) });
 * assert.deepEqual(lines, ["1/3, 0 failed", "2/3, 0 failed", "3/3, 0 failed"]);
 * ```
 */
export interface SweepProgress {
  /** Seeds finished so far. */
  done: number;
  /** Seeds the sweep (or its shard) runs in all. */
  total: number;
  /** Seeds among `done` that failed. */
  failed: number;
}

/**
 * How to run a sweep.
 *
 * @example
 * ```ts
 * import type { SweepOptions } from "./sweep.ts";
 * import assert from "node:assert/strict";
 * const o: SweepOptions = { workers: 2, budgetMs: 60_000 };
 * assert.equal(o.workers, 2);
 * ```
 */
export interface SweepOptions {
  /**
   * Parallel workers (default: the number of cores); 0 runs every seed in
   * this thread. Workers load the scenario from its `module` URL.
   */
  workers?: number;
  /**
   * Wall-clock budget, ms. With workers, a seed that never ends is stopped;
   * in this thread the budget is checked between seeds.
   */
  budgetMs?: number;
  /**
   * Wall-clock limit per seed, ms (workers only): a seed still running then
   * fails with the check {@linkcode SEED_TIMEOUT}, its worker is replaced,
   * and the sweep goes on. Default: none.
   */
  seedTimeoutMs?: number;
  /** Called after every seed. */
  onProgress?: (progress: SweepProgress) => void;
  /** How many slowest seeds the report keeps (default 5). */
  slowest?: number;
}

/**
 * Runs one seed of a sweep with tracing off.
 *
 * @example
 * ```ts
 * import { runSeed } from "./sweep.ts";
 * import { pingPong } from "../../protocols/ping_pong/scenario.ts";
 * import assert from "node:assert/strict";
 * assert.ok(runSeed(pingPong, {}, 3).ok);
 * // The same seed, the same run: only the wall time differs.
 * const { wallMs: _a, ...once } = runSeed(pingPong, { faults: "@30 crash n2" }, 3);
 * const { wallMs: _b, ...again } = runSeed(pingPong, { faults: "@30 crash n2" }, 3);
 * assert.deepEqual(again, once);
 * assert.equal(once.ok, false);
 * ```
 */
export function runSeed(scenario: Scenario, given: RunGiven, seed: number): SeedOutcome {
  const r = runScenario(scenario, { ...given, seed, trace: "off" });
  const outcome: SeedOutcome = {
    seed,
    ok: r.ok,
    events: r.events,
    messages: r.messages,
    virtualMs: r.virtualMs,
    wallMs: r.wallMs,
  };
  const v = r.violations[0];
  if (v !== undefined) {
    outcome.failure = {
      seed,
      check: v.check,
      message: v.message,
      atMs: v.atMs,
      ...(v.node === undefined ? {} : { node: v.node }),
      faults: r.faults,
      replay: r.replay,
    };
  }
  return outcome;
}

/**
 * The parameters of a sweep in the command line's terms.
 *
 * @example
 * ```ts
 * import { sweepParams } from "./sweep.ts";
 * import { resolveParams } from "../scenario.ts";
 * import { pingPong } from "../../protocols/ping_pong/scenario.ts";
 * import assert from "node:assert/strict";
 * assert.equal(sweepParams(pingPong, resolveParams(pingPong, {}), "").nodes, 2);
 * ```
 */
export function sweepParams(
  scenario: Scenario,
  params: ScenarioParams,
  faults: string,
): SweepParams {
  const { scenario: _name, seed: _seed, ...rest } = runSpecOf(scenario, params, faults);
  return rest;
}

/**
 * Runs a sweep and reports on it. Rejects with a {@linkcode ConfigError} for
 * bad input (found before any seed runs, or by a run that throws one) and
 * with an `Error` when a worker fails for another reason.
 *
 * @example
 * ```ts
 * import { runSweep } from "./sweep.ts";
 * import { pingPong } from "../../protocols/ping_pong/scenario.ts";
 * import assert from "node:assert/strict";
 * const report = await runSweep(pingPong, {
 *   scenario: "ping-pong", given: {}, seeds: { from: 1, to: 20 },
 * }, { workers: 0 });
 * assert.equal(report.runs, 20);
 * assert.equal(report.failed, 0);
 * ```
 */
export async function runSweep(
  scenario: Scenario,
  spec: SweepSpec,
  options: SweepOptions = {},
): Promise<SweepReport> {
  if (scenario.name !== spec.scenario) {
    throw new ConfigError(
      "sweep",
      `the spec names ${spec.scenario}, the scenario is ${scenario.name}`,
    );
  }
  // Bad parameters are found here, once, rather than by every worker.
  const params = resolveParams(scenario, { ...spec.given, seed: spec.seeds.from });
  const seeds = shardSeeds(spec.seeds, spec.shard);
  const asked = options.workers ?? navigator.hardwareConcurrency ?? 1;
  if (!(Number.isInteger(asked) && asked >= 0)) {
    throw new ConfigError("--workers", `must be a whole number >= 0, got ${options.workers}`);
  }
  // No more workers than seeds: each one costs a module load.
  const workers = Math.min(asked, seeds.length);
  const budget = options.budgetMs;
  if (budget !== undefined && !(budget > 0)) {
    throw new ConfigError("--budget-ms", `must be a number of wall ms > 0, got ${budget}`);
  }
  const seedTimeout = options.seedTimeoutMs;
  if (seedTimeout !== undefined && !(seedTimeout > 0)) {
    throw new ConfigError(
      "--seed-timeout-ms",
      `must be a number of wall ms > 0, got ${seedTimeout}`,
    );
  }
  const started = performance.now();
  const run = workers === 0 || seeds.length === 0
    ? inThisThread(scenario, spec.given, seeds, options, started)
    : await inWorkers(spec, scenario, seeds, workers, options, started);
  const wallMs = performance.now() - started;
  return buildReport(
    spec,
    sweepParams(scenario, params, spec.given.faults ?? scenario.defaults.faults ?? ""),
    {
      outcomes: run.outcomes,
      inFlight: run.inFlight,
      unsent: run.unsent,
      seeds,
      workers,
      wallMs,
      budgetMs: budget ?? null,
      slowest: options.slowest ?? 5,
    },
  );
}

/** What a sweep ran, before it is summed up. */
type Ran = PoolResult<SeedOutcome>;

function inThisThread(
  scenario: Scenario,
  given: SweepGiven,
  seeds: number[],
  options: SweepOptions,
  started: number,
): Ran {
  const outcomes: SeedOutcome[] = [];
  let failed = 0;
  for (let i = 0; i < seeds.length; i++) {
    if (options.budgetMs !== undefined && performance.now() - started >= options.budgetMs) {
      return { outcomes, inFlight: [], unsent: i };
    }
    const outcome = runSeed(scenario, given, seeds[i]);
    outcomes.push(outcome);
    if (!outcome.ok) failed++;
    options.onProgress?.({ done: outcomes.length, total: seeds.length, failed });
  }
  return { outcomes, inFlight: [], unsent: seeds.length };
}

async function inWorkers(
  spec: SweepSpec,
  scenario: Scenario,
  seeds: number[],
  count: number,
  options: SweepOptions,
  started: number,
): Promise<Ran> {
  const module = scenario.module;
  if (module === undefined) {
    throw new ConfigError(
      "--workers",
      `workers load ${scenario.name} from its module, and it has none: define it with ` +
        "defineScenario (or set module: import.meta.url), or run it in this thread (workers: 0)",
    );
  }
  if (spec.given.network?.latency?.kind === "custom") {
    throw new ConfigError("latency", "a custom latency function cannot be sent to workers");
  }
  const timeout = options.seedTimeoutMs;
  let failed = 0;
  return await runPool<SeedOutcome>(
    { module, scenario: spec.scenario, given: spec.given, job: { kind: "sweep" } },
    seeds,
    {
      workers: count,
      budgetMs: options.budgetMs,
      itemTimeoutMs: timeout,
      started,
      itemOf: (o) => o.seed,
      timedOut: (seed, wallMs) => timedOut(scenario, spec.given, seed, timeout!, wallMs),
      onOutcome: (o, done) => {
        if (!o.ok) failed++;
        options.onProgress?.({ done, total: seeds.length, failed });
      },
    },
  );
}

/** The outcome of a seed stopped for running past the per-seed timeout. */
function timedOut(
  scenario: Scenario,
  given: SweepGiven,
  seed: number,
  timeout: number,
  wallMs: number,
): SeedOutcome {
  const params = resolveParams(scenario, { ...given, seed });
  const faults = given.faults ?? scenario.defaults.faults ?? "";
  return {
    seed,
    ok: false,
    events: 0,
    messages: 0,
    virtualMs: 0,
    wallMs: round(wallMs),
    failure: {
      seed,
      check: SEED_TIMEOUT,
      message: `still running after ${timeout} ms of wall time (an endless loop, or events ` +
        "that never let virtual time advance?)",
      atMs: 0,
      faults,
      // With generated faults the spec regenerates the same schedule from the seed.
      replay: replayCommand(
        scenario,
        runSpecOf(scenario, params, faults.trim() === "none" ? "" : faults),
      ),
    },
  };
}

/** Everything {@linkcode buildReport} sums up. */
interface ReportInput {
  outcomes: SeedOutcome[];
  inFlight: number[];
  unsent: number;
  seeds: number[];
  workers: number;
  wallMs: number;
  budgetMs: number | null;
  slowest: number;
}

function buildReport(spec: SweepSpec, params: SweepParams, input: ReportInput): SweepReport {
  const outcomes = [...input.outcomes].sort((a, b) => a.seed - b.seed);
  let events = 0, messages = 0, virtualMs = 0, runMs = 0;
  for (const o of outcomes) {
    events += o.events;
    messages += o.messages;
    virtualMs += o.virtualMs;
    runMs += o.wallMs;
  }
  const failures = outcomes.flatMap((o) => o.failure === undefined ? [] : [o.failure]);
  const unsentCount = input.seeds.length - input.unsent;
  return {
    format: SWEEP_FORMAT,
    version: SWEEP_VERSION,
    dsim: VERSION,
    scenario: spec.scenario,
    params,
    seeds: formatSeedRange(spec.seeds),
    shard: spec.shard === undefined ? null : formatShard(spec.shard),
    parts: [partName(spec.seeds, spec.shard)],
    workers: input.workers,
    wallMs: round(input.wallMs),
    budgetMs: input.budgetMs,
    runs: outcomes.length,
    failed: failures.length,
    events,
    messages,
    virtualMs: round(virtualMs),
    runMs: round(runMs),
    slowest: slowestOf(outcomes, input.slowest),
    failures,
    notReached: {
      seeds: input.inFlight,
      rest: unsentCount === 0 ? [] : [{
        from: input.seeds[input.unsent],
        to: spec.seeds.to,
        shard: spec.shard === undefined ? null : formatShard(spec.shard),
      }],
      count: input.inFlight.length + unsentCount,
    },
  };
}

/**
 * How a report names the seeds it covers: `K/M of A..B`, or `A..B`.
 *
 * @example
 * ```ts
 * import { partName } from "./sweep.ts";
 * import assert from "node:assert/strict";
 * assert.equal(partName({ from: 1, to: 100 }, { index: 2, count: 4 }), "2/4 of 1..100");
 * assert.equal(partName({ from: 1, to: 100 }), "1..100");
 * ```
 */
export function partName(range: SeedRange, shard?: Shard): string {
  return shard === undefined
    ? formatSeedRange(range)
    : `${formatShard(shard)} of ${formatSeedRange(range)}`;
}

/**
 * The `n` slowest of some seeds, slowest first (ties: lower seed first).
 *
 * @example
 * ```ts
 * import { slowestOf } from "./sweep.ts";
 * import assert from "node:assert/strict";
 * const runs = [
 *   { seed: 1, wallMs: 2, events: 5, ok: true },
 *   { seed: 2, wallMs: 9, events: 7, ok: true },
 *   { seed: 3, wallMs: 2, events: 6, ok: false },
 * ];
 * assert.deepEqual(slowestOf(runs, 2).map((r) => r.seed), [2, 1]);
 * ```
 */
export function slowestOf(runs: readonly SlowSeed[], n: number): SlowSeed[] {
  return [...runs].sort((a, b) => b.wallMs - a.wallMs || a.seed - b.seed).slice(0, n)
    .map(({ seed, wallMs, events, ok }) => ({ seed, wallMs, events, ok }));
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

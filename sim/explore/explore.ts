/**
 * Exploration: many runs of a scenario, each drawn by a strategy (see
 * `strategy.ts`), to find the bug nobody wrote a test for. The first run
 * that fails stops the search; it is then shrunk by its choices (see
 * `shrink.ts`) to a small run, saved with its draws so that one command
 * replays it. Every run also counts the `sometimes` conditions it reached,
 * so a user can see whether the search ever got to the interesting moments.
 *
 * @module
 */

import { ConfigError } from "../errors.ts";
import { formatFaults, formatFaultSpec, parseFaults, withInjected } from "../faults.ts";
import {
  replayCommand,
  resolveParams,
  type RunGiven,
  runScenario,
  type RunSpec,
  runSpecOf,
  type Scenario,
} from "../scenario.ts";
import { runPool } from "./pool.ts";
import { MAX_SWEEP_SEEDS, type Shard, shardSeeds } from "./shard.ts";
import { parseStrategy } from "./strategies.ts";

/**
 * What one run of an exploration did.
 *
 * @example
 * ```ts
 * import type { ExploreOutcome } from "./explore.ts";
 * import assert from "node:assert/strict";
 * const o: ExploreOutcome = {
 *   run: 0, seed: 1, strategy: "swarm", ok: true, events: 120, wallMs: 1.5, reached: ["split-vote"],
 * };
 * assert.equal(o.reached[0], "split-vote");
 * ```
 */
export interface ExploreOutcome {
  /** The run's number, from 0. */
  run: number;
  /** The seed it ran with. */
  seed: number;
  /** The strategy that drew the run. */
  strategy: string;
  /** Whether it passed every check. */
  ok: boolean;
  /** Events it handled. */
  events: number;
  /** Wall-clock time it took, ms (for people; never compare it). */
  wallMs: number;
  /** The `sometimes` conditions the run reached. */
  reached: string[];
  /** What failed, when it did. */
  failure?: ExploreFailure;
}

/**
 * A failing run of an exploration, and how to run it again.
 *
 * @example
 * ```ts
 * import type { ExploreFailure } from "./explore.ts";
 * import assert from "node:assert/strict";
 * const f: ExploreFailure = {
 *   check: "at-most-one-leader", message: "two leaders in term 3", atMs: 412,
 *   spec: { scenario: "raft", seed: 9, nodes: 5, until: 3000, faults: "", flags: {} },
 *   replay: "deno task sim run raft --seed 9",
 * };
 * assert.equal(f.spec.seed, 9);
 * ```
 */
export interface ExploreFailure {
  /** The check that failed. */
  check: string;
  /** What it said. */
  message: string;
  /** Virtual time of the failure, ms. */
  atMs: number;
  /** The node it names, if any. */
  node?: string;
  /** The run's spec, with the faults that ran (injected ones included) written out. */
  spec: RunSpec;
  /** The `--strategy` value the replay needs (for PCT), if any. */
  strategy?: string;
  /** The one command line that runs it again. */
  replay: string;
}

/**
 * Runs number `index` of an exploration with strategy `strategy` from base
 * seed `seed`, tracing off. This is what a worker runs for each item.
 *
 * @example
 * ```ts
 * import { runExploreItem } from "./explore.ts";
 * import { pingPong } from "../../protocols/ping_pong/scenario.ts";
 * import assert from "node:assert/strict";
 * const o = runExploreItem(pingPong, {}, "swarm", 100, 3);
 * assert.equal(o.seed, 103);
 * assert.equal(o.strategy, "swarm");
 * ```
 */
export function runExploreItem(
  scenario: Scenario,
  given: RunGiven,
  strategy: string,
  seed: number,
  index: number,
): ExploreOutcome {
  const plan = parseStrategy(strategy).plan({ scenario, given, seed: seed + index, index });
  const made = plan.hooks?.();
  const started = performance.now();
  const r = runScenario(scenario, { ...plan.given, trace: "off" }, {
    ...(made === undefined ? {} : { hooks: made.hooks, onSetup: made.onSetup }),
  });
  const outcome: ExploreOutcome = {
    run: index,
    seed: r.seed,
    strategy: plan.strategy,
    ok: r.ok,
    events: r.events,
    wallMs: Math.round((performance.now() - started) * 1000) / 1000,
    reached: [...r.sim.reached.keys()],
  };
  const v = r.violations[0];
  if (v !== undefined) {
    const injected = made?.injected() ?? [];
    const faults = injected.length === 0
      ? r.spec.faults
      : formatFaults(withInjected(parseFaults(r.spec.faults), injected));
    const spec: RunSpec = { ...r.spec, faults };
    outcome.failure = {
      check: v.check,
      message: v.message,
      atMs: v.atMs,
      ...(v.node === undefined ? {} : { node: v.node }),
      spec,
      ...(plan.replay === undefined ? {} : { strategy: plan.replay }),
      // A strategy named on the line injects its faults again itself: only the others are written out.
      replay: plan.replay === undefined
        ? replayCommand(scenario, spec)
        : `${replayCommand(scenario, r.spec)} --strategy ${plan.replay}`,
    };
  }
  return outcome;
}

/**
 * What to explore.
 *
 * @example
 * ```ts
 * import type { ExploreOptions } from "./explore.ts";
 * import assert from "node:assert/strict";
 * const o: ExploreOptions = { runs: 1000, strategy: "mixed", workers: 2 };
 * assert.equal(o.runs, 1000);
 * ```
 */
export interface ExploreOptions {
  /** How many runs at most (default 1000). */
  runs?: number;
  /** The strategy (default `mixed`). */
  strategy?: string;
  /** The first run's seed; run i has seed `seed + i` (default 1). */
  seed?: number;
  /** Parallel workers (default: one per core); 0 runs in this thread. */
  workers?: number;
  /** Wall-clock budget, ms. */
  budgetMs?: number;
  /** Wall-clock limit per run, ms (workers only; default 300000). */
  runTimeoutMs?: number;
  /**
   * Run only this shard's runs: run i belongs to shard `(i mod M) + 1` of
   * M, so that the shards of one exploration on many machines run every run
   * once (merge their reports with `sim merge`). Default: every run.
   */
  shard?: Shard;
  /** Called after every run. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * What an exploration found (before shrinking).
 *
 * @example
 * ```ts
 * import type { ExploreResult } from "./explore.ts";
 * import assert from "node:assert/strict";
 * const r: ExploreResult = {
 *   scenario: "raft", strategy: "mixed", seed: 1, runs: 10, found: false, failure: null,
 *   sometimes: { "leader-change": 7 }, wallMs: 900, notReached: 0, budgetMs: null, workers: 2,
 * };
 * assert.equal(r.sometimes["leader-change"], 7);
 * ```
 */
export interface ExploreResult {
  /** The scenario explored. */
  scenario: string;
  /** The `--strategy` it was explored with. */
  strategy: string;
  /** The base seed: run `i` has seed `seed + i`. */
  seed: number;
  /** Runs that finished. */
  runs: number;
  /** Whether some run failed. */
  found: boolean;
  /** The first failing run (lowest run number among those that failed). */
  failure: (ExploreFailure & { run: number; seed: number; runStrategy: string }) | null;
  /** For each `sometimes` condition: how many runs reached it. */
  sometimes: Record<string, number>;
  /** Wall-clock time the exploration took, ms (for people; never compare it). */
  wallMs: number;
  /** Runs never run because the budget ran out (or the search stopped at a failure). */
  notReached: number;
  /** The wall-clock budget it had, ms, or null for none. */
  budgetMs: number | null;
  /** Parallel workers it ran in (0: all in this thread). */
  workers: number;
}

/**
 * Explores `scenario`: runs drawn by the strategy until the first failure,
 * the run limit, or the budget.
 *
 * @example
 * ```ts
 * import { explore } from "./explore.ts";
 * import { pingPong } from "../../protocols/ping_pong/scenario.ts";
 * import assert from "node:assert/strict";
 * const r = await explore(pingPong, {}, { runs: 30, workers: 0 });
 * assert.equal(r.found, false);
 * assert.equal(r.runs, 30);
 * ```
 */
export async function explore(
  scenario: Scenario,
  given: RunGiven,
  options: ExploreOptions = {},
): Promise<ExploreResult> {
  const runs = options.runs ?? 1000;
  if (!(Number.isInteger(runs) && runs >= 1 && runs <= 100_000_000)) {
    throw new ConfigError("--runs", `must be a whole number from 1 to 100000000, got ${runs}`);
  }
  const strategy = options.strategy ?? "mixed";
  parseStrategy(strategy); // bad names are bad input, here, once
  const seed = options.seed ?? 1;
  const asked = options.workers ?? navigator.hardwareConcurrency ?? 1;
  const mine = Math.ceil(runs / (options.shard?.count ?? 1));
  if (mine > MAX_SWEEP_SEEDS) {
    throw new ConfigError(
      "--runs",
      `${mine} runs on one machine is more than ${MAX_SWEEP_SEEDS}; split them with --shard K/M`,
    );
  }
  const items = shardSeeds({ from: 0, to: runs - 1 }, options.shard);
  const workers = Math.min(asked, items.length);
  const started = performance.now();
  let outcomes: ExploreOutcome[];
  let notReached: number;
  if (workers === 0) {
    outcomes = [];
    for (const i of items) {
      if (options.budgetMs !== undefined && performance.now() - started >= options.budgetMs) break;
      const o = runExploreItem(scenario, given, strategy, seed, i);
      outcomes.push(o);
      options.onProgress?.(outcomes.length, items.length);
      if (!o.ok) break;
    }
    notReached = items.length - outcomes.length;
  } else {
    if (scenario.module === undefined) {
      throw new ConfigError(
        "--workers",
        `workers load ${scenario.name} from its module, and it has none: define it with ` +
          "defineScenario (or set module: import.meta.url), or explore in this thread (--workers 0)",
      );
    }
    const timeout = options.runTimeoutMs ?? 300_000;
    const pool = await runPool<ExploreOutcome>(
      {
        module: scenario.module,
        scenario: scenario.name,
        given,
        job: { kind: "explore", strategy, seed },
      },
      items,
      {
        workers,
        budgetMs: options.budgetMs,
        itemTimeoutMs: timeout,
        started,
        itemOf: (o) => o.run,
        timedOut: (run, wallMs) => timedOutRun(scenario, given, strategy, seed, run, wallMs),
        stopAfter: (o) => !o.ok,
        onOutcome: (_o, done) => options.onProgress?.(done, items.length),
      },
    );
    outcomes = pool.outcomes;
    notReached = items.length - outcomes.length;
  }
  const failed = outcomes.filter((o) => !o.ok).sort((a, b) => a.run - b.run)[0];
  const sometimes: Record<string, number> = {};
  for (const o of outcomes) {
    for (const name of o.reached) sometimes[name] = (sometimes[name] ?? 0) + 1;
  }
  return {
    scenario: scenario.name,
    strategy,
    seed,
    runs: outcomes.length,
    found: failed !== undefined,
    failure: failed === undefined
      ? null
      : { ...failed.failure!, run: failed.run, seed: failed.seed, runStrategy: failed.strategy },
    sometimes: Object.fromEntries(Object.entries(sometimes).sort(([a], [b]) => a < b ? -1 : 1)),
    wallMs: Math.round(performance.now() - started),
    notReached: failed === undefined ? notReached : 0,
    budgetMs: options.budgetMs ?? null,
    workers,
  };
}

/** A run that ran past the per-run timeout: a failure of its own, replayable. */
function timedOutRun(
  scenario: Scenario,
  given: RunGiven,
  strategy: string,
  seed: number,
  run: number,
  wallMs: number,
): ExploreOutcome {
  const plan = parseStrategy(strategy).plan({ scenario, given, seed: seed + run, index: run });
  // The faults as given (generated ones regenerate from the seed): the run never finished.
  const params = resolveParams(scenario, plan.given);
  const faults = typeof plan.given.faults === "string"
    ? plan.given.faults
    : formatFaultSpec(params.faults);
  const full = runSpecOf(scenario, params, faults);
  return {
    run,
    seed: seed + run,
    strategy: plan.strategy,
    ok: false,
    events: 0,
    wallMs: Math.round(wallMs),
    reached: [],
    failure: {
      check: "run-timeout",
      message: `still running after ${Math.round(wallMs)} ms of wall time (an endless loop?)`,
      atMs: 0,
      spec: full,
      replay: replayCommand(scenario, full),
    },
  };
}

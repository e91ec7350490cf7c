/**
 * `checkScenario`: exhaustive checking of one scenario's small
 * configuration. It runs the scenario's own actors and setup in the real
 * simulator, step by step, trying every choice the run could make at every
 * state it reaches (which pending message arrives or timer fires next,
 * allowed by the timing rule; which message is lost or duplicated, which
 * node crashes or restarts, how the network splits, within a budget), to a
 * depth; judges every state (invariants, liveness, `sometimes`, the
 * scenario's check); and reports the first violation with the choices that
 * reach it (the shortest, breadth-first), or that there is none among the
 * states it saw, and whether it saw them all.
 *
 * @module
 */

import { ConfigError } from "../errors.ts";
import { formatFaults, parseFaultSpec } from "../faults.ts";
import { modelOf } from "../explore/swarm.ts";
import {
  paramsOfSpec,
  resolveParams,
  type RunGiven,
  runScenario,
  type RunSpec,
  runSpecOf,
  type Scenario,
  type ScenarioParams,
  type ScenarioResult,
} from "../scenario.ts";
import type { Violation } from "../simulation.ts";
import { breadthFirst } from "./bfs.ts";
import { depthFirst } from "./dfs.ts";
import { orderDriver, orderLog } from "./order.ts";
import { decodeChoice } from "./choice.ts";
import { type Found, Search } from "./search.ts";
import type { Timing } from "./timing.ts";
import { type CheckSettings, World } from "./world.ts";

/** Most nodes (clients included) a checked configuration may have. */
export const MAX_CHECK_NODES = 12;

/**
 * How to check: the search, its bounds, the timing rule and the fault
 * budget. Everything is optional.
 *
 * @example
 * ```ts
 * import type { CheckOptions } from "./check.ts";
 * import assert from "node:assert/strict";
 * const o: CheckOptions = { strategy: "bfs", depth: 30, timing: "any", crashes: 1 };
 * assert.equal(o.depth, 30);
 * ```
 */
export interface CheckOptions {
  /** `bfs` (default: the shortest counterexample) or `dfs` (memory for the visited set only). */
  strategy?: "bfs" | "dfs";
  /** Most choices from the initial state (default 200). */
  depth?: number;
  /** Most states stored before giving up (default 50,000). */
  maxStates?: number;
  /** `strict` (default) or `any` (see `timing.ts`). */
  timing?: Timing;
  /** Crashes the checker may make (default 0; the scenario's fault model must allow them). */
  crashes?: number;
  /** Network splits it may make (default 0; the model must allow partitions). */
  partitions?: number;
  /** Messages it may lose (default 0; the model must allow loss). */
  losses?: number;
  /** Messages it may duplicate (default 0; the model must allow duplication). */
  dups?: number;
  /** Steps after the last fault within which each liveness property must hold (default: none). */
  livenessSteps?: number;
  /** Wall-clock budget, ms: stops the search, never judges it (default: none). */
  budgetMs?: number;
  /** The wall clock (default `performance.now`). */
  clock?: () => number;
  /** Reduce by the scenario's declared symmetry (default true). */
  symmetry?: boolean;
  /** Store no states: every path counts as its own (default: only where an actor has no `inspect()`). */
  stateless?: boolean;
}

/**
 * The verdict on one `sometimes` condition.
 *
 * @example
 * ```ts
 * import type { SometimesVerdict } from "./check.ts";
 * import assert from "node:assert/strict";
 * const v: SometimesVerdict = { name: "split-vote", reached: true, steps: 14 };
 * assert.equal(v.reached, true);
 * ```
 */
export interface SometimesVerdict {
  /** The condition's name, as the actor gave it to `ctx.sometimes`. */
  name: string;
  /** Whether some state the search saw met it. */
  reached: boolean;
  /** How many steps the first run that met it took (the fewest, breadth-first). */
  steps?: number;
}

/**
 * What a check found.
 *
 * @example
 * ```ts
 * import type { CheckReport } from "./check.ts";
 * const verdict = (r: CheckReport) =>
 *   r.violation ? "violation" : r.stopped ? "incomplete" : r.exhausted ? "exhausted" : "bounded";
 * import assert from "node:assert/strict";
 * assert.equal(typeof verdict, "function");
 * ```
 */
export interface CheckReport {
  /** The scenario's name. */
  scenario: string;
  /** The run's parameters (loss and duplication are the checker's choices, so 0 here). */
  spec: RunSpec;
  /** Breadth-first or depth-first. */
  strategy: "bfs" | "dfs";
  /** The timing rule (see `timing.ts`). */
  timing: Timing;
  /** The depth bound: most choices from the initial state. */
  depth: number;
  /** The bound on stored states. */
  maxStates: number;
  /** The fault budget the search had. */
  budget: { crashes: number; partitions: number; losses: number; dups: number };
  /** Steps after the last fault within which liveness must hold (null: judged at the end only). */
  livenessSteps: number | null;
  /** Whether the scenario's interchangeable nodes were counted as one (symmetry reduction). */
  symmetry: boolean;
  /** Whether no state was stored: every path counted as its own (see `search.ts`). */
  stateless: boolean;
  /** The nodes whose actors have no `inspect()` (what makes a search stateless). */
  opaque: string[];
  /** Distinct states stored (stateless: paths tried). */
  states: number;
  /** Steps tried from stored states. */
  transitions: number;
  /** Steps run again to return to states. */
  replayed: number;
  /** The deepest state stored. */
  maxDepth: number;
  /** States at the depth limit whose choices were not tried. */
  cut: number;
  /** Whether every reachable state was seen (no violation, nothing cut, no limit hit). */
  exhausted: boolean;
  /** A limit that stopped the search first, if one did. */
  stopped: "max-states" | "budget" | null;
  /** The first violation found, with its length and the choices that reach it. */
  violation?: Violation & { steps: number; order: number[] };
  /** Every `sometimes` condition asked about: reached, or not. */
  sometimes: SometimesVerdict[];
  /** Memory allocated for the visited set (and the search tree, breadth-first) per stored state. */
  bytesPerState: number;
  /** Wall time the search took, ms (for people: never compared). */
  wallMs: number;
}

/**
 * Checks a scenario exhaustively (see the module doc). `given` are the
 * run's parameters as `runScenario` takes them (seed, nodes, until,
 * latency, flags; faults only as a schedule: the checker's budget replaces
 * generated faults). Throws a {@linkcode ConfigError} for bad input: a
 * budget the scenario's fault model does not allow, a configuration too big
 * to check, a bound out of range.
 *
 * @example
 * ```ts
 * import { checkScenario } from "./check.ts";
 * import { pingPong } from "../../protocols/ping_pong/scenario.ts";
 * import assert from "node:assert/strict";
 * const r = checkScenario(pingPong, { flags: { rounds: 2 } });
 * assert.equal(r.violation, undefined);
 * assert.equal(r.exhausted, true);
 * ```
 */
export function checkScenario(
  scenario: Scenario,
  given: RunGiven = {},
  options: CheckOptions = {},
): CheckReport {
  const strategy = options.strategy ?? "bfs";
  if (strategy !== "bfs" && strategy !== "dfs") {
    throw new ConfigError("--strategy", `must be bfs or dfs, got ${JSON.stringify(strategy)}`);
  }
  const timing = options.timing ?? "strict";
  if (timing !== "strict" && timing !== "any") {
    throw new ConfigError("--timing", `must be strict or any, got ${JSON.stringify(timing)}`);
  }
  const depth = bound("--depth", options.depth ?? 200, 1, 100_000);
  const maxStates = bound("--max-states", options.maxStates ?? 50_000, 1, 50_000_000);
  const budgetMs = options.budgetMs ?? Infinity;
  if (!(budgetMs > 0)) throw new ConfigError("--budget-ms", `must be > 0, got ${budgetMs}`);
  const settings = checkSettings(scenario, options);
  const params = checkParams(scenario, given);
  const search = new Search(scenario, params, settings, {
    depth,
    maxStates,
    budgetMs,
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    ...(options.symmetry === undefined ? {} : { symmetry: options.symmetry }),
    ...(options.stateless === undefined ? {} : { stateless: options.stateless }),
  });
  const nodes = search.world([]).sim.nodes.length;
  if (nodes > MAX_CHECK_NODES) {
    throw new ConfigError(
      "--nodes",
      `${scenario.name} runs ${nodes} nodes here (clients included); exhaustive checking is ` +
        `for small configurations, at most ${MAX_CHECK_NODES}: fewer nodes or clients, or ` +
        "sim explore for big ones",
    );
  }
  (strategy === "bfs" ? breadthFirst : depthFirst)(search);
  const found = search.found;
  if (found !== null) found.violation = explainLiveness(search, found);
  const stopped = found === null ? search.stopped : null;
  const exhausted = found === null && stopped === null && search.cut === 0;
  return {
    scenario: scenario.name,
    spec: runSpecOf(
      scenario,
      params,
      params.faults.kind === "schedule" ? formatFaults(params.faults.schedule) : "",
    ),
    strategy,
    timing,
    depth,
    maxStates,
    budget: {
      crashes: settings.crashes,
      partitions: settings.partitions,
      losses: settings.losses,
      dups: settings.dups,
    },
    livenessSteps: Number.isFinite(settings.livenessSteps) ? settings.livenessSteps : null,
    symmetry: search.symmetry,
    stateless: search.stateless,
    opaque: search.opaque,
    states: search.states,
    transitions: search.transitions,
    replayed: search.replayed,
    maxDepth: search.maxDepth,
    cut: search.cut,
    exhausted,
    stopped,
    ...(found === null ? {} : {
      violation: { ...found.violation, steps: found.path.length, order: found.path },
    }),
    sometimes: [...search.asked, ...search.sometimes.keys()]
      .filter((name, i, all) => all.indexOf(name) === i)
      .sort()
      .map((name) => {
        const path = search.sometimes.get(name);
        return path === undefined
          ? { name, reached: false }
          : { name, reached: true, steps: path.length };
      }),
    bytesPerState: Math.round((search.seen.bytes + search.treeBytes) / Math.max(1, search.states)),
    wallMs: Math.round(search.wallMs),
  };
}

/**
 * The run a checker's choices take, replayed with its full trace (for the
 * diagram and the saved file): `runScenario` driven by the choices, its
 * result carrying them as the choice streams `order` and `check` (see
 * `order.ts`), so that `traceFileFromResult` saves a file `sim replay`
 * runs again exactly.
 *
 * @example
 * ```ts
 * import { checkScenario, replayChoices } from "./check.ts";
 * import { pingPong } from "../../protocols/ping_pong/scenario.ts";
 * import assert from "node:assert/strict";
 * const report = checkScenario(pingPong, { flags: { rounds: 1 } });
 * const run = replayChoices(pingPong, report, [0, 0, 0]);
 * assert.equal(run.sim.stats.delivered, 1);
 * assert.deepEqual([...run.choices!.values("order")], [0, 0, 0]);
 * ```
 */
export function replayChoices(
  scenario: Scenario,
  report: Pick<CheckReport, "spec" | "timing" | "budget" | "livenessSteps">,
  order: readonly number[],
): ScenarioResult {
  const settings: CheckSettings = {
    timing: report.timing,
    ...report.budget,
    livenessSteps: report.livenessSteps ?? Infinity,
  };
  const log = orderLog(order, settings);
  const params = paramsOfSpec(scenario, report.spec, "full");
  return runScenario(scenario, params, {
    choices: { log, mode: "replay" },
    drive: orderDriver(log, params.until)!,
  });
}

/**
 * A liveness property that went too many steps without holding: says
 * whether the run had come back to a state it was in since the last fault
 * (a lasso: it can go round for ever without the property holding) or was
 * only stuck for those steps.
 */
function explainLiveness(search: Search, found: Found): Violation {
  const v = found.violation;
  if (!v.check.startsWith("liveness:") || !v.message.includes(" steps of the last fault")) {
    return v;
  }
  if (search.stateless) {
    // Without every actor's state, a repeated fingerprint would not prove a loop.
    return { ...v, message: v.message + ": stuck or looping (a stateless search cannot tell)" };
  }
  // The same run, fingerprinted without the liveness counters.
  const world = World.start(search.scenario, search.params, {
    ...search.settings,
    livenessSteps: Infinity,
  });
  const seen: number[] = [];
  let since = 0;
  for (const code of found.path) {
    const kind = decodeChoice(code).kind;
    const fault = kind !== "run" && kind !== "drop" && kind !== "duplicate" ||
      (kind === "run" && world.pending()[decodeChoice(code).arg]?.kind === "fault");
    world.apply(code);
    if (fault) {
      seen.length = 0;
      since = world.depth;
    }
    seen.push(world.fingerprint([null]));
  }
  const last = seen.length - 1;
  const loop = seen.indexOf(seen[last]);
  return {
    ...v,
    message: v.message +
      (loop < last
        ? `: a lasso, the run is back after step ${since + last + 1} in the state it had after ` +
          `step ${since + loop + 1}, and can go round that loop for ever without it (a bound ` +
          "in steps assumes no fairness: under --timing any a timer may starve a message)"
        : ": stuck, no state repeats"),
  };
}

/** The budget, checked against the scenario's fault model (see `modelOf` in `explore/swarm.ts`). */
function checkSettings(scenario: Scenario, options: CheckOptions): CheckSettings {
  const model = modelOf(scenario);
  const allowed = (flag: string, n: number | undefined, ok: boolean, what: string) => {
    const k = bound(flag, n ?? 0, 0, 100);
    if (k > 0 && !ok) {
      throw new ConfigError(
        flag,
        `${scenario.name}'s fault model does not include ${what}, so a failure with them ` +
          "would be no bug (declare it in the scenario's explore model to allow them)",
      );
    }
    return k;
  };
  const livenessSteps = options.livenessSteps ?? Infinity;
  if (livenessSteps !== Infinity) bound("--liveness-steps", livenessSteps, 1, 100_000);
  return {
    timing: options.timing ?? "strict",
    crashes: allowed("--crashes", options.crashes, model.faults.includes("crash"), "crashes"),
    partitions: allowed(
      "--partitions",
      options.partitions,
      model.faults.includes("partition"),
      "partitions",
    ),
    losses: allowed("--losses", options.losses, model.maxLoss > 0, "message loss"),
    dups: allowed("--dups", options.dups, model.maxDup > 0, "duplication"),
    livenessSteps,
  };
}

/**
 * The parameters of a checked run: the scenario's, with loss and
 * duplication at 0 (they are the checker's choices) and no generated
 * faults (the checker's budget stands for them).
 */
function checkParams(scenario: Scenario, given: RunGiven): ScenarioParams {
  const faults = typeof given.faults === "string"
    ? parseFaultSpec(given.faults)
    : given.faults ?? { kind: "schedule", schedule: [] };
  if (faults.kind === "random") {
    throw new ConfigError(
      "--faults",
      "generated faults are for runs; the checker tries faults itself: --crashes K, --partitions K",
    );
  }
  return resolveParams(scenario, {
    ...given,
    network: { ...given.network, loss: 0, duplicate: 0 },
    faults,
    trace: "off",
  });
}

function bound(flag: string, n: number, min: number, max: number): number {
  if (!(Number.isInteger(n) && n >= min && n <= max)) {
    throw new ConfigError(flag, `must be a whole number from ${min} to ${max}, got ${n}`);
  }
  return n;
}

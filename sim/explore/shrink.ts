/**
 * Shrinking: from a failing run, find a smaller run with the same seed that
 * fails the same way (the same check), so the bug is easier to read.
 *
 * The search keeps the seed and works on what makes a run big:
 *
 * - the fault schedule, by delta debugging (Zeller's ddmin) over its entries;
 *   generated (`random`) faults are first written out as the schedule they
 *   produced, so removing one does not regenerate the others;
 * - the virtual time (`until`), first cut to the moment of the violation,
 *   then halved; only for a violation seen during the run: a check made
 *   after it (convergence, "every round answered") would fail trivially in
 *   a run too short to finish, which is not the same bug;
 * - the number of nodes, toward the scenario's minimum (faults that name a
 *   node that no longer exists are dropped with it);
 * - the scenario's whole-number flags (rounds, rumours, operations, ...),
 *   toward their minimum, kept only when the run has fewer events (or as
 *   many, and the replay command does not grow);
 * - message loss and duplication, set to none.
 *
 * Numbers shrink the way QuickCheck and fast-check shrink integers: try the
 * minimum, then the value halfway there, a quarter of the way, ..., one
 * less; take the first that still fails and start again from it. Rounds
 * repeat until none of them makes progress. Every candidate is a whole run,
 * so the search stops after `maxRuns` runs.
 *
 * fast-check's own shrinker was weighed against this: it shrinks the inputs
 * of a property it generated itself, whereas here the failing input is given
 * (a seed with its parameters), and fast-check has no ddmin over a given
 * list, so it would not find smaller runs than this search does.
 *
 * @module
 */

import { ConfigError } from "../errors.ts";
import { type Fault, type FaultAction, formatFaults, parseFaults } from "../faults.ts";
import {
  type FlagValue,
  replayCommand,
  resolveParams,
  runScenario,
  runSpecOf,
  type Scenario,
  type ScenarioParams,
  type ScenarioResult,
} from "../scenario.ts";
import { Simulation } from "../simulation.ts";

/**
 * How to shrink.
 *
 * @example
 * ```ts
 * import type { ShrinkOptions } from "./shrink.ts";
 * const o: ShrinkOptions = { maxRuns: 200 };
 * ```
 */
export interface ShrinkOptions {
  /** The most runs the search may take (default 500). */
  maxRuns?: number;
  /** The check that must keep failing (default: the first violation's). */
  check?: string;
  /** Asked between runs; true ends the search with the best run so far (a time budget). */
  shouldStop?: () => boolean;
}

/**
 * How big a run is, along the dimensions the search shrinks.
 *
 * @example
 * ```ts
 * import type { RunSize } from "./shrink.ts";
 * const s: RunSize = { faults: 2, nodes: 3, until: 400, events: 180, flags: { rounds: 2 } };
 * ```
 */
export interface RunSize {
  faults: number;
  nodes: number;
  until: number;
  events: number;
  flags: Record<string, number>;
}

/**
 * The smallest failing run found.
 *
 * @example
 * ```ts
 * import type { ShrinkResult } from "./shrink.ts";
 * const say = (s: ShrinkResult) => `${s.before.faults} -> ${s.after.faults} faults: ${s.replay}`;
 * ```
 */
export interface ShrinkResult {
  /** The check that fails in the original and in the shrunk run. */
  check: string;
  /** The shrunk run's parameters (faults always a schedule). */
  params: ScenarioParams;
  /** The shrunk run itself, traced in full (ready to save or draw). */
  result: ScenarioResult;
  /** The shrunk fault schedule, in the text form. */
  faults: string;
  /** One command line that replays the shrunk run. */
  replay: string;
  /** Runs the search took (not counting the final traced one). */
  runs: number;
  /**
   * Why the search ended before it was done: it took `maxRuns` runs, or
   * `shouldStop` said so; null when no step could shrink the run further.
   */
  stopped: "runs" | "asked" | null;
  before: RunSize;
  after: RunSize;
  /** Each accepted step, for people: `faults 6 -> 1`, `nodes 5 -> 3`, ... */
  steps: string[];
}

/**
 * Shrinks a failing run. `given` is the failing run's parameters, seed
 * included. Throws a {@linkcode ConfigError} when that run does not fail.
 *
 * @example
 * ```ts
 * import { shrinkFailure } from "./shrink.ts";
 * import { pingPong } from "../../protocols/ping_pong/scenario.ts";
 * // 50 rounds cannot finish in 100 ms: a (silly) failure to shrink.
 * const s = shrinkFailure(pingPong, { seed: 1, until: 100, flags: { rounds: 50 } });
 * s.check; // "all-rounds-done"
 * s.params.flags.rounds; // 10: 9 rounds are all that fit in 100 ms
 * ```
 */
export function shrinkFailure(
  scenario: Scenario,
  given: Parameters<typeof resolveParams>[1],
  options: ShrinkOptions = {},
): ShrinkResult {
  const maxRuns = options.maxRuns ?? 500;
  const start = resolveParams(scenario, { ...given, trace: "off" });
  let checkedAfter = false;
  const first = runScenario(observed(scenario, () => checkedAfter = true), start);
  const v = first.violations[0];
  if (v === undefined) {
    throw new ConfigError(
      "shrink",
      `seed ${start.seed} of ${scenario.name} does not fail: there is nothing to shrink`,
    );
  }
  const check = options.check ?? v.check;
  if (!first.violations.some((x) => x.check === check)) {
    throw new ConfigError("shrink", `seed ${start.seed} fails ${v.check}, not ${check}`);
  }
  let runs = 1;
  const steps: string[] = [];
  // Generated faults become the schedule they produced, so entries can go one by one.
  let best: ScenarioParams = {
    ...start,
    faults: { kind: "schedule", schedule: parseFaults(first.faults) },
  };
  let bestRun = first;
  const before = sizeOf(best, first);

  let stopped: ShrinkResult["stopped"] = null;
  const exhausted = () => {
    if (stopped === null && runs >= maxRuns) stopped = "runs";
    if (stopped === null && (options.shouldStop?.() ?? false)) stopped = "asked";
    return stopped !== null;
  };
  /** Runs a candidate; keeps it as the best when it fails the same way (and `keep` agrees). */
  const attempt = (
    p: ScenarioParams,
    keep: (r: ScenarioResult) => boolean = () => true,
  ): boolean => {
    if (exhausted()) return false;
    runs++;
    let r: ScenarioResult;
    try {
      r = runScenario(scenario, p);
    } catch (e) {
      // A candidate the scenario rejects (say, too few nodes for its faults) just is not smaller.
      if (e instanceof ConfigError) return false;
      throw e;
    }
    if (r.violations[0]?.check !== check || !keep(r)) return false;
    best = p;
    bestRun = r;
    return true;
  };

  for (let round = 0; round < 8 && !exhausted(); round++) {
    const was = JSON.stringify(sizeOf(best, bestRun));
    shrinkFaults();
    if (!checkedAfter) shrinkUntil();
    shrinkNodes();
    shrinkFlags();
    shrinkNetwork();
    if (JSON.stringify(sizeOf(best, bestRun)) === was) break;
  }

  const schedule = scheduleOf(best);
  const faults = formatFaults(schedule);
  const params: ScenarioParams = { ...best, trace: "full" };
  const result = runScenario(scenario, params);
  const after = sizeOf(params, result);
  return {
    check,
    params,
    result,
    faults,
    replay: replayCommand(scenario, runSpecOf(scenario, params, faults)),
    runs,
    stopped,
    before,
    after,
    steps,
  };

  function shrinkFaults(): void {
    const all = scheduleOf(best);
    if (all.length === 0) return;
    const kept = ddmin(all, (subset) => attempt(withFaults(best, subset)));
    if (kept.length < all.length) steps.push(`faults ${all.length} -> ${kept.length}`);
  }

  function shrinkUntil(): void {
    const was = best.until;
    const atMs = bestRun.violations[0].atMs;
    // A violation seen during the run needs no time after it.
    const cut = Math.ceil(atMs);
    if (cut > 0 && cut < best.until) attempt(withUntil(best, cut));
    shrinkNumber(best.until, 1, (until) => attempt(withUntil(best, until)));
    if (best.until < was) steps.push(`until ${was} -> ${best.until}`);
  }

  function shrinkNodes(): void {
    const was = best.nodes;
    const min = scenario.defaults.minNodes ?? 1;
    shrinkNumber(best.nodes, min, (nodes) => {
      const p = { ...best, nodes };
      const ids = nodesOf(scenario, p);
      return ids !== undefined && attempt(withFaults(p, onlyNodes(scheduleOf(best), ids)));
    });
    if (best.nodes < was) steps.push(`nodes ${was} -> ${best.nodes}`);
  }

  function shrinkFlags(): void {
    for (const [name, flag] of Object.entries(scenario.flags ?? {})) {
      const value = best.flags[name];
      if (typeof value !== "number" || !(flag.integer ?? true)) continue;
      const min = flag.min ?? Math.min(0, value);
      const was = value;
      // A smaller number that makes the run bigger (a shorter retry timeout, say) is not
      // smaller; one that leaves it as big only counts if the command line does not grow.
      shrinkNumber(value, min, (n) => {
        const events = bestRun.events, atDefault = best.flags[name] === flag.default;
        return attempt(
          withFlag(best, name, n),
          (r) => r.events < events || (r.events === events && !atDefault),
        );
      });
      const now = best.flags[name];
      if (now !== was) steps.push(`--${name} ${was} -> ${now}`);
    }
  }

  function shrinkNetwork(): void {
    const net = best.network;
    if ((net.loss ?? 0) > 0 && attempt({ ...best, network: { ...net, loss: 0 } })) {
      steps.push(`loss ${net.loss} -> 0`);
    }
    const now = best.network;
    if ((now.duplicate ?? 0) > 0 && attempt({ ...best, network: { ...now, duplicate: 0 } })) {
      steps.push(`dup ${now.duplicate} -> 0`);
    }
  }
}

/** `scenario`, calling `onViolation` when its after-the-run check reports something. */
function observed(scenario: Scenario, onViolation: () => void): Scenario {
  return {
    ...scenario,
    setup(sim, params) {
      const setup = scenario.setup(sim, params);
      const check = setup.check;
      if (check === undefined) return setup;
      return {
        ...setup,
        check: (s) => {
          const found = check(s);
          if (found.length > 0) onViolation();
          return found;
        },
      };
    },
  };
}

/**
 * Delta debugging (Zeller and Hildebrandt's ddmin): a subset of `items`
 * for which `fails` is true and from which no single chunk at the finest
 * granularity tried can be removed. `fails(items)` is assumed true.
 *
 * @example
 * ```ts
 * import { ddmin } from "./shrink.ts";
 * // Fails whenever both 3 and 7 are present.
 * ddmin([1, 2, 3, 4, 5, 6, 7, 8], (xs) => xs.includes(3) && xs.includes(7)); // [3, 7]
 * ```
 */
export function ddmin<T>(items: readonly T[], fails: (subset: T[]) => boolean): T[] {
  let current = [...items];
  if (current.length > 0 && fails([])) return [];
  let n = 2;
  while (current.length >= 2) {
    const chunks = split(current, n);
    let reduced = false;
    for (const chunk of chunks) {
      if (chunk.length < current.length && fails(chunk)) {
        current = chunk;
        n = 2;
        reduced = true;
        break;
      }
    }
    if (!reduced && n > 2) {
      for (let i = 0; i < chunks.length; i++) {
        const complement = chunks.filter((_, j) => j !== i).flat();
        if (fails(complement)) {
          current = complement;
          n = Math.max(n - 1, 2);
          reduced = true;
          break;
        }
      }
    }
    if (!reduced) {
      if (n >= current.length) break;
      n = Math.min(current.length, n * 2);
    }
  }
  return current;
}

/** `items` in `n` nearly equal consecutive chunks. */
function split<T>(items: T[], n: number): T[][] {
  const out: T[][] = [];
  let start = 0;
  for (let i = 0; i < n; i++) {
    const end = start + Math.floor((items.length - start) / (n - i));
    if (end > start) out.push(items.slice(start, end));
    start = end;
  }
  return out;
}

/**
 * Walks a number down toward `min`: tries `min`, then halfway, a quarter of
 * the way, ..., one less; on the first value that works, starts again from it.
 */
function shrinkNumber(current: number, min: number, works: (n: number) => boolean): number {
  let cur = current;
  while (cur > min) {
    let progressed = false;
    for (let delta = cur - min; delta >= 1; delta = Math.floor(delta / 2)) {
      if (works(cur - delta)) {
        cur -= delta;
        progressed = true;
        break;
      }
    }
    if (!progressed) break;
  }
  return cur;
}

function scheduleOf(p: ScenarioParams): Fault[] {
  if (p.faults.kind !== "schedule") throw new Error("internal: shrinking random faults");
  return p.faults.schedule;
}

function withFaults(p: ScenarioParams, schedule: Fault[]): ScenarioParams {
  return { ...p, faults: { kind: "schedule", schedule } };
}

/** A shorter run drops the faults that would come after it ends. */
function withUntil(p: ScenarioParams, until: number): ScenarioParams {
  return { ...withFaults(p, scheduleOf(p).filter((f) => f.at <= until)), until };
}

function withFlag(p: ScenarioParams, name: string, value: FlagValue): ScenarioParams {
  return { ...p, flags: { ...p.flags, [name]: value } };
}

/** The nodes a scenario spawns with these parameters (setup only, no run), or undefined if it refuses. */
function nodesOf(scenario: Scenario, p: ScenarioParams): Set<string> | undefined {
  try {
    const sim = new Simulation({ seed: p.seed, network: p.network, trace: "off" });
    scenario.setup(sim, p);
    return new Set(sim.nodes);
  } catch (e) {
    if (e instanceof ConfigError) return undefined;
    throw e;
  }
}

/** The faults that only name nodes in `ids`; partitions lose the missing members. */
function onlyNodes(schedule: Fault[], ids: Set<string>): Fault[] {
  const out: Fault[] = [];
  for (const f of schedule) {
    const action = keepNodes(f.action, ids);
    if (action !== undefined) out.push({ at: f.at, action });
  }
  return out;
}

function keepNodes(action: FaultAction, ids: Set<string>): FaultAction | undefined {
  switch (action.type) {
    case "crash":
    case "restart":
    case "pause":
    case "resume":
    case "skew":
    case "drift":
    case "disconnect":
    case "reconnect":
      return ids.has(action.node) ? action : undefined;
    case "block":
    case "unblock":
      return ids.has(action.from) && ids.has(action.to) ? action : undefined;
    case "heal":
      return action;
    case "partition": {
      const groups = action.groups.map((g) => g.filter((n) => ids.has(n))).filter((g) =>
        g.length > 0
      );
      return groups.length >= 2 ? { type: "partition", groups } : undefined;
    }
    default: {
      const never: never = action;
      throw new Error(`internal: unknown fault ${JSON.stringify(never)}`);
    }
  }
}

function sizeOf(p: ScenarioParams, r: ScenarioResult): RunSize {
  const flags: Record<string, number> = {};
  for (const [name, value] of Object.entries(p.flags)) {
    if (typeof value === "number") flags[name] = value;
  }
  return {
    faults: p.faults.kind === "schedule" ? p.faults.schedule.length : 0,
    nodes: p.nodes,
    until: p.until,
    events: r.events,
    flags,
  };
}

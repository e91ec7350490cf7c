/**
 * Shrinking a failing run to a small one that fails the same way, so the bug
 * is easier to read.
 *
 * A run is its parameters (cluster size, length, flags, faults) and its
 * choices: every draw it made, stream by stream (see `../choices.ts`). The
 * search first records the failing run's draws, then edits the run, and
 * keeps an edit only when the run still fails **the same check** and is
 * **no larger in events** (a smaller fault schedule that makes the run
 * longer is not smaller). Because each stream is independent, editing one
 * link's draws or removing a node re-rolls nothing else: the rest of the
 * schedule stays as it was (the way Hypothesis shrinks a choice sequence,
 * per stream).
 *
 * The edits, in rounds until none helps or the budget is spent:
 *
 * - time: stop the run at the violation (an invariant's failure needs no
 *   time after it), then halve where it stops. The run is cut with the
 *   spec's `stopAt`, not by shortening `until`: the scenario is set up as
 *   before (plans drawn on `until` stay the same), the run just ends
 *   sooner; a cut run reports only safety violations of the checks made
 *   after it. Then `until` itself, halved (a smaller scenario, kept only
 *   when the same check still fails);
 * - faults, by delta debugging (Zeller's ddmin) over the schedule's
 *   entries;
 * - faults moved earlier (once a round of the other edits changed
 *   nothing): each fault, with the fault that undoes it (restart, resume,
 *   heal, reconnect, unblock) moved by as much, toward 0 ms (0, then
 *   halfway, ...), kept when fewer events come before the failure;
 * - the nodes faults name, lowered: every fault of `n4` moved to `n1`
 *   (then `n2`, `n3`), so that the node no fault needs any more can go;
 * - nodes, dropping the last one (faults naming it go with it), then one
 *   from the middle that no fault names (the nodes after it renumbered,
 *   with their faults and draws);
 * - the scenario's number flags (clients, operations, rounds...), toward
 *   their minimum (fractional ones: the minimum, then half);
 * - draws: a whole stream's recorded draws set to 0 (a link whose
 *   messages are all fast, kept and never duplicated; a node whose
 *   `random()` gives 0); loss and duplication off; and once a round of all
 *   the edits above changed nothing, the back half and smaller chunks of
 *   each stream (many runs each, so last).
 *
 * Numbers shrink the way QuickCheck and fast-check shrink integers: try the
 * minimum, then halfway there, a quarter of the way, ..., one less. The
 * result replays from its saved trace file, which carries the edited draws
 * (`deno task sim replay FILE`).
 *
 * @module
 */

import { ChoiceLog } from "../choices.ts";
import { ConfigError } from "../errors.ts";
import {
  type Fault,
  type FaultAction,
  formatFaults,
  parseFaults,
  withInjected,
  withoutNoOps,
} from "../faults.ts";
import {
  type FlagValue,
  paramsOfSpec,
  replayCommand,
  type RunGiven,
  runScenario,
  type RunSpec,
  type Scenario,
  type ScenarioParams,
  type ScenarioResult,
} from "../scenario.ts";
import { MARKS_STREAM, Simulation } from "../simulation.ts";
import type { StrategyHooks } from "./strategy.ts";

/**
 * How to shrink.
 *
 * @example
 * ```ts
 * import { shrinkFailure, type ShrinkOptions } from "./shrink.ts";
 * import { pingPong } from "../../protocols/ping_pong/scenario.ts";
 * import assert from "node:assert/strict";
 * // Five runs are too few to shrink anything: the search ends with the run it was given.
 * const o: ShrinkOptions = { maxRuns: 5, check: "all-rounds-done" };
 * const s = shrinkFailure(pingPong, { seed: 1, faults: "@30 crash n2" }, o);
 * assert.equal(s.stopped, "runs");
 * assert.equal(s.runs, 5);
 * assert.deepEqual(s.steps, []);
 * ```
 */
export interface ShrinkOptions {
  /** The most runs the search may take (default 500). */
  maxRuns?: number;
  /** The check that must keep failing (default: the first violation's). */
  check?: string;
  /** Asked between runs; true ends the search with the best run so far (a time budget). */
  shouldStop?: () => boolean;
  /**
   * The hooks the failing run had (an exploration strategy's); the search
   * records what they chose and needs them no more.
   */
  hooks?: () => StrategyHooks;
}

/**
 * How big a run is, along the dimensions the search shrinks.
 *
 * @example
 * ```ts
 * import { type RunSize, shrinkFailure } from "./shrink.ts";
 * import { pingPong } from "../../protocols/ping_pong/scenario.ts";
 * import assert from "node:assert/strict";
 * // n2 crashes at 30 ms for good: n1 cannot finish its 10 rounds, nor a few fewer.
 * const { before, after } = shrinkFailure(pingPong, { seed: 1, faults: "@30 crash n2" });
 * const size: RunSize = after;
 * assert.equal(size.faults, 1); // the crash is needed
 * assert.equal(before.flags.rounds, 10);
 * assert.ok(size.flags.rounds < 10);
 * assert.ok(size.events <= before.events);
 * ```
 */
export interface RunSize {
  /** Entries in the run's fault schedule. */
  faults: number;
  /** Nodes in the cluster. */
  nodes: number;
  /** How long the run may last, ms of virtual time. */
  until: number;
  /** Events the run handled. */
  events: number;
  /** Messages delivered. */
  delivered: number;
  /** Draws the run's choices hold that are not 0. */
  draws: number;
  /** The scenario's numeric flags, by name. */
  flags: Record<string, number>;
}

/**
 * The smallest failing run found.
 *
 * @example
 * ```ts
 * import { type ShrinkResult, shrinkFailure } from "./shrink.ts";
 * import { pingPong } from "../../protocols/ping_pong/scenario.ts";
 * import assert from "node:assert/strict";
 * const s: ShrinkResult = shrinkFailure(pingPong, { seed: 1, faults: "@30 crash n2" });
 * assert.equal(s.check, "all-rounds-done");
 * assert.equal(s.stopped, null); // done: no edit shrinks it further
 * // Crashing n1 instead, at the start, fails the same way: the fault moves to the lower node
 * // and to 0 ms.
 * assert.equal(s.faults, "@0 crash n1");
 * assert.ok(s.steps.includes("faults of n2 moved to n1"), s.steps.join(", "));
 * assert.ok(s.steps.includes("fault 1 moved from 30 to 0 ms"), s.steps.join(", "));
 * assert.ok(s.steps.some((step) => step.startsWith("--rounds 10 -> ")), s.steps.join(", "));
 * assert.ok(s.replay.endsWith("--faults '@0 crash n1'"));
 * // The shrunk run, traced in full, fails the same check.
 * assert.equal(s.result.violations[0].check, s.check);
 * ```
 */
export interface ShrinkResult {
  /** The check that fails in the original and in the shrunk run. */
  check: string;
  /** The shrunk run's spec (faults always a schedule). */
  spec: RunSpec;
  /** The shrunk run's parameters. */
  params: ScenarioParams;
  /** The shrunk run's draws (save them with its trace to replay it). */
  choices: ChoiceLog;
  /** The shrunk run itself, traced in full (ready to save or draw). */
  result: ScenarioResult;
  /** The shrunk fault schedule, in the text form. */
  faults: string;
  /**
   * The command line of the shrunk run's parameters; its draws are edited
   * too, so it replays exactly only from the saved file (`sim replay`).
   */
  replay: string;
  /** Runs the search took (not counting the final traced one). */
  runs: number;
  /**
   * Why the search ended before it was done: it took `maxRuns` runs, or
   * `shouldStop` said so; null when no edit could shrink the run further.
   */
  stopped: "runs" | "asked" | null;
  /** The size of the failing run given. */
  before: RunSize;
  /** The size of the shrunk run. */
  after: RunSize;
  /** Each accepted step, for people: `faults 6 -> 1`, `nodes 5 -> 3`, ... */
  steps: string[];
}

/** A candidate: parameters and draws. */
interface Candidate {
  params: ScenarioParams;
  log: ChoiceLog;
}

/**
 * Shrinks a failing run. `given` is the failing run's parameters, seed
 * included. Throws a {@linkcode ConfigError} when that run does not fail.
 *
 * @example
 * ```ts
 * import { shrinkFailure } from "./shrink.ts";
 * import { pingPong } from "../../protocols/ping_pong/scenario.ts";
 * import assert from "node:assert/strict";
 * // 50 rounds cannot finish in 100 ms: a (silly) failure to shrink.
 * const s = shrinkFailure(pingPong, { seed: 1, until: 100, flags: { rounds: 50 } });
 * assert.equal(s.check, "all-rounds-done");
 * assert.ok(s.after.events <= s.before.events);
 * assert.ok(s.after.flags.rounds < 50);
 * ```
 */
export function shrinkFailure(
  scenario: Scenario,
  given: RunGiven,
  options: ShrinkOptions = {},
): ShrinkResult {
  const maxRuns = options.maxRuns ?? 500;
  // The failing run, its draws recorded, its injected faults written out.
  const recorded = new ChoiceLog();
  const made = options.hooks?.();
  let checkedAfter = false;
  const first = runScenario(
    observed(scenario, () => checkedAfter = true),
    { ...given, trace: "off" },
    {
      choices: { log: recorded, mode: "record" },
      ...(made === undefined ? {} : { hooks: made.hooks, onSetup: made.onSetup }),
    },
  );
  const v = first.violations[0];
  if (v === undefined) {
    throw new ConfigError(
      "shrink",
      `seed ${first.seed} of ${scenario.name} does not fail: there is nothing to shrink`,
    );
  }
  const check = options.check ?? v.check;
  if (!first.violations.some((x) => x.check === check)) {
    throw new ConfigError("shrink", `seed ${first.seed} fails ${v.check}, not ${check}`);
  }
  const schedule = withInjected(parseFaults(first.faults), made?.injected() ?? []);
  const start = paramsOfSpec(scenario, { ...first.spec, faults: formatFaults(schedule) }, "off");
  let best: Candidate = { params: start, log: recorded };
  // The recorded draws replay the failing run exactly; checked, not assumed.
  let bestRun = replayRun(scenario, best);
  let runs = 2;
  if (bestRun.violations[0]?.check !== check) {
    throw new ConfigError(
      "shrink",
      `seed ${first.seed} of ${scenario.name} fails ${check} but not when replayed from its ` +
        "recorded draws: is the scenario deterministic (no Math.random, Date.now or shared state)?",
    );
  }
  const steps: string[] = [];
  /** Faults (with their place in the schedule) that could not be moved earlier. */
  const stuck = new Set<string>();
  const before = sizeOf(best, bestRun);
  const untilOfFirst = stopOf(start);

  let stopped: ShrinkResult["stopped"] = null;
  const exhausted = () => {
    if (stopped === null && runs >= maxRuns) stopped = "runs";
    if (stopped === null && (options.shouldStop?.() ?? false)) stopped = "asked";
    return stopped !== null;
  };
  /**
   * Whether a candidate's run shows the same failure: a check made after the
   * run, of what the run got done by its end, is only trusted on a shorter
   * run that finished its work (went quiet) rather than being cut off.
   */
  const judgedAtEnd = checkedAfter &&
    first.violations.find((x) => x.check === check)?.safety !== true;
  const unhealedAtFirst = unhealedOf(schedule);
  const sameFailure = (r: ScenarioResult): boolean => {
    const v = r.violations[0];
    if (v?.check !== check) return false;
    return !checkedAfter || v.safety === true || r.stop === "quiet" ||
      r.virtualMs >= untilOfFirst;
  };
  /**
   * Runs a candidate; keeps it when it fails the same check and is no larger
   * in events (with `smaller`, only when it has fewer events).
   */
  const attempt = (c: Candidate, smaller = false): boolean => {
    if (exhausted()) return false;
    // A restart left without its crash (or a resume without its pause) does nothing, and
    // `--faults` refuses it: it goes, so that a repro replays from its own file and line.
    if (c.params.faults.kind === "schedule") {
      const kept = withoutNoOps(c.params.faults.schedule);
      if (kept.length < c.params.faults.schedule.length) c = withFaults(c, kept);
    }
    // A check of what the run got done by its end fails on correct code too when a crash is
    // never restarted: keep every fault the failing run undid undone (as random faults are).
    if (judgedAtEnd && moreLeftUndone(unhealedOf(scheduleOf(c.params)), unhealedAtFirst)) {
      return false;
    }
    runs++;
    let r: ScenarioResult;
    try {
      r = replayRun(scenario, c);
    } catch (e) {
      // A candidate the scenario rejects (say, too few nodes for its faults) just is not smaller.
      if (e instanceof ConfigError) return false;
      throw e;
    }
    if (!sameFailure(r) || r.events > bestRun.events) return false;
    if (smaller && r.events === bestRun.events) return false;
    best = c;
    bestRun = r;
    return true;
  };

  for (let round = 0; round < 8 && !exhausted(); round++) {
    const was = JSON.stringify(sizeOf(best, bestRun));
    shrinkTime();
    shrinkFaults();
    shrinkFaultNodes();
    shrinkNodes();
    shrinkFlags();
    shrinkNetwork();
    shrinkDraws(false);
    // After the draws: moved before them, faults get tuned to draws that are about to go.
    shrinkFaultTimes();
    // Parts of streams cost many runs each: only once the cheap edits are done.
    if (JSON.stringify(sizeOf(best, bestRun)) === was) shrinkDraws(true);
    if (JSON.stringify(sizeOf(best, bestRun)) === was) break;
  }

  const params: ScenarioParams = { ...best.params, trace: "full" };
  const result = replayRun(scenario, { params, log: best.log });
  const faults = formatFaults(scheduleOf(params));
  return {
    check,
    spec: result.spec,
    params,
    choices: best.log,
    result,
    faults,
    replay: replayCommand(scenario, result.spec),
    runs,
    stopped,
    before,
    after: sizeOf({ params, log: best.log }, result),
    steps,
  };

  function shrinkTime(): void {
    const was = stopOf(best.params);
    const v = bestRun.violations[0];
    const at = v.atMs;
    // A violation seen during the run, or a safety property's found after
    // it (about what had happened by then), needs no time after it.
    const cuttable = !checkedAfter || v.safety === true;
    if (cuttable && at > 0 && at < was) attempt(withStopAt(best, at));
    // A run stopped earlier is the same run up to there: a violation seen during the run
    // cannot come sooner, and a check of work done (not safety) is not judged on a cut run.
    // Only a safety check made after the run may still fail on less of it.
    if (checkedAfter && v.safety === true) {
      shrinkNumber(stopOf(best.params), 1, (t) => attempt(withStopAt(best, t)));
    }
    if (stopOf(best.params) < was) steps.push(`stop at ${was} -> ${stopOf(best.params)}`);
    // A shorter `until` sets up a smaller scenario (fewer planned operations, say).
    const until = best.params.until;
    // The scenario set up for where it stops first: its likeliest shorter `until`.
    if (stopOf(best.params) < until) attempt(withUntil(best, stopOf(best.params)));
    shrinkNumber(best.params.until, 1, (n) => attempt(withUntil(best, n)));
    if (best.params.until < until) steps.push(`until ${until} -> ${best.params.until}`);
  }

  /**
   * Moves each fault, and the fault that undoes it, earlier by as much: to
   * 0 ms, else halfway there, again while it helps (two runs for a fault
   * that cannot move; it is not tried again).
   */
  function shrinkFaultTimes(): void {
    for (let i = 0; i < scheduleOf(best.params).length; i++) {
      if (exhausted()) return;
      const fault = scheduleOf(best.params)[i];
      const key = `${formatFaults([fault])} ${i}`;
      if (stuck.has(key)) continue;
      const at = fault.at;
      let cur = at, index = i;
      for (let moved = true; moved && cur > 0;) {
        moved = false;
        for (const share of [1, 1 / 2]) {
          const t = share === 1 ? 0 : Math.round((cur - cur * share) * 1000) / 1000;
          if (t >= cur) break;
          const edited = movedEarlier(scheduleOf(best.params), index, cur - t);
          // Kept only when fewer events come before the failure: a move that changes nothing
          // else would only lead the search elsewhere.
          if (attempt(withFaults(best, edited.schedule), true)) {
            cur = t;
            index = edited.index;
            moved = true;
            break;
          }
        }
      }
      if (cur < at) steps.push(`fault ${i + 1} moved from ${at} to ${cur} ms`);
      else stuck.add(key);
    }
  }

  function shrinkFaults(): void {
    const all = scheduleOf(best.params);
    if (all.length === 0) return;
    const kept = ddmin(all, (subset) => attempt(withFaults(best, subset)));
    if (kept.length < all.length) steps.push(`faults ${all.length} -> ${kept.length}`);
  }

  /** Moves every fault of a node onto a lower-numbered one, highest nodes first. */
  function shrinkFaultNodes(): void {
    const named = [...new Set(scheduleOf(best.params).flatMap((f) => nodesNamed(f.action)))]
      .sort((a, b) => compareNodeIds(b, a));
    for (const from of named) {
      if (exhausted()) return;
      for (const to of lowerIds(from, nodesOf(scenario, best.params))) {
        const moved = renameNode(scheduleOf(best.params), from, to);
        if (moved !== undefined && attempt(withFaults(best, moved))) {
          steps.push(`faults of ${from} moved to ${to}`);
          break;
        }
      }
    }
  }

  function shrinkNodes(): void {
    const was = best.params.nodes;
    const min = scenario.defaults.minNodes ?? 1;
    shrinkNumber(best.params.nodes, min, (nodes) => {
      const p = { ...best.params, nodes };
      const ids = nodesOf(scenario, p);
      return ids !== undefined &&
        attempt(withFaults({ params: p, log: best.log }, onlyNodes(scheduleOf(best.params), ids)));
    });
    if (best.params.nodes < was) steps.push(`nodes ${was} -> ${best.params.nodes}`);
    shrinkMiddleNodes();
  }

  /**
   * Removes a node other than the last, one no fault names: the nodes after
   * it take one number less, with their faults and their draws (`n4`'s
   * crash becomes `n3`'s), so that a fault on a high node does not keep
   * every node below it.
   */
  function shrinkMiddleNodes(): void {
    const min = scenario.defaults.minNodes ?? 1;
    for (let k = best.params.nodes - 1; k >= 1 && best.params.nodes > min; k--) {
      if (exhausted()) return;
      const all = nodesOf(scenario, best.params);
      const fewer = nodesOf(scenario, { ...best.params, nodes: best.params.nodes - 1 });
      if (all === undefined || fewer === undefined) return;
      const last = [...all].filter((id) => !fewer.has(id));
      const m = last.length === 1 ? /^(.*?)(\d+)$/.exec(last[0]) : null;
      if (m === null || Number(m[2]) !== best.params.nodes) return;
      const prefix = m[1];
      const gone = `${prefix}${k}`;
      const schedule = scheduleOf(best.params);
      if (!all.has(gone) || schedule.some((f) => nodesNamed(f.action).includes(gone))) continue;
      const down = (id: string): string => {
        const mx = /^(.*?)(\d+)$/.exec(id);
        return mx !== null && mx[1] === prefix && Number(mx[2]) > k
          ? `${prefix}${Number(mx[2]) - 1}`
          : id;
      };
      const renamed = renameNodes(schedule, down);
      const c = withFaults({
        params: { ...best.params, nodes: best.params.nodes - 1 },
        log: best.log,
      }, renamed);
      if (attempt({ params: c.params, log: renameStreams(best.log, gone, down) })) {
        steps.push(`node ${gone} removed, the nodes after it renumbered`);
      }
    }
  }

  function shrinkFlags(): void {
    for (const [name, flag] of Object.entries(scenario.flags ?? {})) {
      const value = best.params.flags[name];
      if (typeof value !== "number") continue;
      const min = flag.min ?? Math.min(0, value);
      if (flag.integer ?? true) shrinkNumber(value, min, (n) => attempt(withFlag(best, name, n)));
      else {
        // A rate or a duration: its minimum, else half of it.
        for (const n of [min, (value + min) / 2]) {
          if (n < value && attempt(withFlag(best, name, n))) break;
        }
      }
      const now = best.params.flags[name];
      if (now !== value) steps.push(`--${name} ${value} -> ${now}`);
    }
  }

  function shrinkNetwork(): void {
    const net = best.params.network;
    if ((net.loss ?? 0) > 0 && attempt(withNetwork(best, { loss: 0 }))) {
      steps.push(`loss ${net.loss} -> 0`);
    }
    const now = best.params.network;
    if ((now.duplicate ?? 0) > 0 && attempt(withNetwork(best, { duplicate: 0 }))) {
      steps.push(`dup ${now.duplicate} -> 0`);
    }
  }

  /**
   * Lowers draws to 0: whole streams, and with `chunks`, halves and
   * smaller chunks of each.
   */
  function shrinkDraws(chunks: boolean): void {
    // The moments a strategy marked are not draws: left as they are.
    const names = best.log.names().filter((n) => n !== MARKS_STREAM).sort((a, b) =>
      best.log.values(b).length - best.log.values(a).length
    );
    let zeroed = 0;
    for (const name of names) {
      if (exhausted()) return;
      const values = best.log.values(name);
      if (!values.some((x) => x !== 0)) continue;
      if (attempt(withStream(best, name, new Uint32Array(values.length)))) {
        zeroed++;
        continue;
      }
      if (!chunks) continue;
      // Chunks from the back: later draws matter least to how the run began.
      for (let size = Math.ceil(values.length / 2); size >= 1; size = Math.floor(size / 2)) {
        for (let end = best.log.values(name).length; end > 0; end -= size) {
          const current = best.log.values(name);
          const from = Math.max(0, end - size);
          if (!current.subarray(from, end).some((x) => x !== 0)) continue;
          const edited = current.slice();
          edited.fill(0, from, end);
          attempt(withStream(best, name, edited));
          if (exhausted()) return;
        }
        if (size <= Math.ceil(values.length / 16)) break;
      }
    }
    if (zeroed > 0) steps.push(`draws: ${zeroed} streams set to 0`);
  }
}

/** The run of a candidate: its parameters, its draws fed back. */
function replayRun(scenario: Scenario, c: Candidate): ScenarioResult {
  return runScenario(scenario, c.params, { choices: { log: c.log, mode: "replay" } });
}

/** `scenario`, calling `onViolation` when its after-the-run check reports something. */
function observed(scenario: Scenario, onViolation: () => void): Scenario {
  return {
    ...scenario,
    setup(sim, params) {
      const setup = scenario.setup(sim, params) ?? {};
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
 * import assert from "node:assert/strict";
 * // Fails whenever both 3 and 7 are present.
 * assert.deepEqual(ddmin([1, 2, 3, 4, 5, 6, 7, 8], (xs) => xs.includes(3) && xs.includes(7)), [3, 7]);
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
      // Kept to the microsecond: 91.264 - 64 is 27.264000000000003 in floating point.
      const next = Math.round((cur - delta) * 1000) / 1000;
      if (works(next)) {
        cur = next;
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

function withFaults(c: Candidate, schedule: Fault[]): Candidate {
  return { params: { ...c.params, faults: { kind: "schedule", schedule } }, log: c.log };
}

/** Where a run stops: `stopAt`, else `until`. */
function stopOf(p: ScenarioParams): number {
  return p.stopAt ?? p.until;
}

/** A shorter scenario drops the faults that would come after it ends. */
function withUntil(c: Candidate, until: number): Candidate {
  const shorter = withFaults(c, scheduleOf(c.params).filter((f) => f.at <= until));
  const { stopAt: _, ...params } = shorter.params;
  const stopAt = c.params.stopAt;
  return {
    params: { ...params, until, ...(stopAt !== undefined && stopAt < until ? { stopAt } : {}) },
    log: c.log,
  };
}

/**
 * The same scenario stopped at `t`: it drops the faults that would come
 * after (they never happen).
 */
function withStopAt(c: Candidate, t: number): Candidate {
  const shorter = withFaults(c, scheduleOf(c.params).filter((f) => f.at <= t));
  const { stopAt: _, ...params } = shorter.params;
  return { params: t < c.params.until ? { ...params, stopAt: t } : params, log: c.log };
}

/**
 * The schedule with fault `i`, and the later fault that undoes it, `by` ms
 * earlier (never before 0); kept in time order.
 */
function movedEarlier(
  schedule: readonly Fault[],
  i: number,
  by: number,
): { schedule: Fault[]; index: number } {
  const pair = undoerOf(schedule, i);
  const out = schedule.map((f, k) =>
    k === i || k === pair ? { at: Math.max(0, f.at - by), action: f.action } : f
  );
  const moved = out[i];
  const sorted = out.map((f, k) => ({ f, k })).sort((a, b) => a.f.at - b.f.at || a.k - b.k)
    .map((x) => x.f);
  return { schedule: sorted, index: sorted.indexOf(moved) };
}

/**
 * The faults a schedule leaves in place at its end (a crash never restarted,
 * a partition never healed, ...), by type.
 */
function unhealedOf(schedule: readonly Fault[]): string[] {
  const left: string[] = [];
  schedule.forEach((f, i) => {
    const a = f.action;
    const undoable = a.type === "crash" || a.type === "pause" || a.type === "disconnect" ||
      a.type === "partition" || a.type === "block" || (a.type === "skew" && a.ms !== 0) ||
      (a.type === "drift" && a.rate !== 0);
    if (undoable && undoerOf(schedule, i) === -1) left.push(a.type);
  });
  return left;
}

/** Whether `left` leaves more of some kind of fault in place than `before` did (a node moved is fine). */
function moreLeftUndone(left: readonly string[], before: readonly string[]): boolean {
  const count = (xs: readonly string[], t: string) => xs.filter((x) => x === t).length;
  return left.some((t) => count(left, t) > count(before, t));
}

/** The index of the first later fault that undoes fault `i` (restart after crash, ...), or -1. */
function undoerOf(schedule: readonly Fault[], i: number): number {
  const a = schedule[i].action;
  for (let k = i + 1; k < schedule.length; k++) {
    const b = schedule[k].action;
    const sameNode = "node" in a && "node" in b && a.node === b.node;
    if (
      (a.type === "crash" && b.type === "restart" && sameNode) ||
      (a.type === "pause" && b.type === "resume" && sameNode) ||
      (a.type === "disconnect" && b.type === "reconnect" && sameNode) ||
      (a.type === "partition" && b.type === "heal") ||
      (a.type === "block" && b.type === "unblock" && a.from === b.from && a.to === b.to) ||
      (a.type === "skew" && b.type === "skew" && sameNode && b.ms === 0) ||
      (a.type === "drift" && b.type === "drift" && sameNode && b.rate === 0)
    ) return k;
  }
  return -1;
}

function withFlag(c: Candidate, name: string, value: FlagValue): Candidate {
  return { params: { ...c.params, flags: { ...c.params.flags, [name]: value } }, log: c.log };
}

function withNetwork(c: Candidate, change: { loss?: number; duplicate?: number }): Candidate {
  return { params: { ...c.params, network: { ...c.params.network, ...change } }, log: c.log };
}

function withStream(c: Candidate, name: string, values: ArrayLike<number>): Candidate {
  const log = c.log.clone();
  log.set(name, values);
  return { params: c.params, log };
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

/** The nodes a fault action names. */
function nodesNamed(action: FaultAction): string[] {
  switch (action.type) {
    case "block":
    case "unblock":
      return [action.from, action.to];
    case "partition":
      return action.groups.flat();
    case "heal":
      return [];
    default:
      return [action.node];
  }
}

/** Node ids as people number them: `n2` before `n10`; other ids in text order. */
function compareNodeIds(a: string, b: string): number {
  const ma = /^(.*?)(\d+)$/.exec(a), mb = /^(.*?)(\d+)$/.exec(b);
  if (ma && mb && ma[1] === mb[1]) return Number(ma[2]) - Number(mb[2]);
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The ids of `ids` with the prefix of `id` and a lower number, lowest first. */
function lowerIds(id: string, ids: Set<string> | undefined): string[] {
  const m = /^(.*?)(\d+)$/.exec(id);
  if (m === null || ids === undefined) return [];
  return [...ids].filter((x) => {
    const mx = /^(.*?)(\d+)$/.exec(x);
    return mx !== null && mx[1] === m[1] && Number(mx[2]) < Number(m[2]);
  }).sort(compareNodeIds);
}

/**
 * The schedule with node `from` replaced by `to` in every fault; undefined
 * when `to` is named already (the two nodes' faults would mix).
 */
function renameNode(schedule: Fault[], from: string, to: string): Fault[] | undefined {
  if (schedule.some((f) => nodesNamed(f.action).includes(to))) return undefined;
  return renameNodes(schedule, (n) => n === from ? to : n);
}

/** The schedule with every node id passed through `swap`. */
function renameNodes(schedule: Fault[], swap: (id: string) => string): Fault[] {
  return schedule.map((f) => {
    const a = f.action;
    switch (a.type) {
      case "block":
      case "unblock":
        return { at: f.at, action: { ...a, from: swap(a.from), to: swap(a.to) } };
      case "partition":
        return { at: f.at, action: { ...a, groups: a.groups.map((g) => g.map(swap)) } };
      case "heal":
        return f;
      default:
        return { at: f.at, action: { ...a, node: swap(a.node) } };
    }
  });
}

/**
 * The draws with node `gone`'s streams dropped and every other node's
 * passed through `rename` (`net:<from>><to>` per link, `node:<id>` per
 * node), so that a renumbered node keeps its own draws.
 */
function renameStreams(log: ChoiceLog, gone: string, rename: (id: string) => string): ChoiceLog {
  const out = new ChoiceLog();
  for (const name of log.names()) {
    const link = /^net:(.+)>(.+)$/.exec(name);
    const node = /^node:(.+)$/.exec(name);
    const ids = link !== null ? [link[1], link[2]] : node !== null ? [node[1]] : [];
    if (ids.includes(gone)) continue;
    const to = link !== null
      ? `net:${rename(link[1])}>${rename(link[2])}`
      : node !== null
      ? `node:${rename(node[1])}`
      : name;
    out.set(to, log.values(name));
  }
  return out;
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

function sizeOf(c: Candidate, r: ScenarioResult): RunSize {
  const flags: Record<string, number> = {};
  for (const [name, value] of Object.entries(c.params.flags)) {
    if (typeof value === "number") flags[name] = value;
  }
  let draws = 0;
  for (const name of c.log.names()) {
    if (name !== MARKS_STREAM) { for (const v of c.log.values(name)) if (v !== 0) draws++; }
  }
  return {
    faults: c.params.faults.kind === "schedule" ? c.params.faults.schedule.length : 0,
    nodes: c.params.nodes,
    until: c.params.until,
    events: r.events,
    delivered: r.sim.stats.delivered,
    draws,
    flags,
  };
}

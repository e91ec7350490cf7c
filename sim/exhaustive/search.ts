/**
 * What breadth-first and depth-first search share: building worlds at a
 * state (a fresh run with the state's choices applied again), judging each
 * state a step reaches, the visited set, the counts, the limits (depth,
 * states, wall time) and what was found.
 *
 * A state reached by a step is judged once, the first time it is stored:
 * the invariants ran during the step; a liveness property may have gone
 * too long without holding; every `sometimes` condition met is noted with
 * the path that met it first; and the scenario's after-the-run check runs
 * (all of it where the run is over, its safety part elsewhere, see
 * `World.endCheck`). A check may remember its verdict, so it runs once per
 * world, and a world that ran it is not stepped further.
 *
 * A state is known by its fingerprint, which sees an actor through its
 * `inspect()`. Where some actor has none, the search is stateless: it
 * stores nothing and treats every path as its own state (the fallback
 * of issue 12: re-running choice prefixes is exact, only slower), so a
 * field nobody shows cannot make two different states count as one.
 *
 * @module
 */

import type { NodeId } from "../../actors/mod.ts";
import { ConfigError } from "../errors.ts";
import type { Scenario, ScenarioParams } from "../scenario.ts";
import type { Violation } from "../simulation.ts";
import { renamings } from "./symmetry.ts";
import { VisitedSet } from "./visited.ts";
import { type CheckSettings, World } from "./world.ts";

/**
 * A violation the search found, with the choices that reach it.
 *
 * @example
 * ```ts
 * import type { Found } from "./search.ts";
 * import assert from "node:assert/strict";
 * const f: Found = { violation: { check: "one-leader", message: "two", atMs: 12 }, path: [0, 8, 16] };
 * assert.equal(f.path.length, 3);
 * ```
 */
export interface Found {
  /** What did not hold. */
  violation: Violation;
  /** The choices from the initial state, in order (see `choice.ts`). */
  path: number[];
}

/**
 * Why a search stopped before it had seen every state within its depth.
 *
 * @example
 * ```ts
 * import type { StopCause } from "./search.ts";
 * import assert from "node:assert/strict";
 * const c: StopCause = "max-states";
 * assert.equal(c, "max-states");
 * ```
 */
export type StopCause = "max-states" | "budget";

/**
 * The bounds of a search, and whether it reduces by symmetry.
 *
 * @example
 * ```ts
 * import type { SearchOptions } from "./search.ts";
 * import assert from "node:assert/strict";
 * const l: SearchOptions = { depth: 40, maxStates: 100_000, budgetMs: 60_000 };
 * assert.equal(l.depth, 40);
 * ```
 */
export interface SearchOptions {
  /** Most choices from the initial state. */
  depth: number;
  /** Most states stored. */
  maxStates: number;
  /** Wall-clock budget, ms (Infinity: none). Only ever stops a search, never judges one. */
  budgetMs: number;
  /** The wall clock (default `performance.now`); tests give their own. */
  clock?: () => number;
  /** Count renamings of the scenario's interchangeable nodes as one state (default true). */
  symmetry?: boolean;
  /** Store no states, even where every actor shows its state (default false). */
  stateless?: boolean;
}

/**
 * The state of one search.
 *
 * @example
 * ```ts
 * import { Search } from "./search.ts";
 * import { resolveParams } from "../scenario.ts";
 * import { pingPong } from "../../protocols/ping_pong/scenario.ts";
 * import assert from "node:assert/strict";
 * const settings = {
 *   timing: "strict" as const, crashes: 0, partitions: 0, losses: 0, dups: 0, livenessSteps: Infinity,
 * };
 * const search = new Search(pingPong, resolveParams(pingPong, {}), settings, {
 *   depth: 5, maxStates: 100, budgetMs: Infinity,
 * });
 * const root = search.root();
 * assert.equal(search.states, 1);
 * assert.equal(root.depth, 0);
 * ```
 */
export class Search {
  /** The fingerprints of the states stored, with the depth each was first reached at. */
  readonly seen: VisitedSet;
  /** States stored. */
  states = 0;
  /** Steps taken from a state to judge the next (each choice tried once from each state). */
  transitions = 0;
  /** Steps taken again to return to states (the price of not copying runs). */
  replayed = 0;
  /** The deepest state stored. */
  maxDepth = 0;
  /** States at the depth limit, whose choices were not tried. */
  cut = 0;
  /** Bytes the search order keeps per stored state beside the visited set (the BFS tree). */
  treeBytes = 0;
  /** A limit that stopped the search, if one did. */
  stopped: StopCause | null = null;
  /** The violation found, if any. */
  found: Found | null = null;
  /** Each `sometimes` condition met, with the first path that met it. */
  readonly sometimes: Map<string, number[]> = new Map();
  /** Every `sometimes` condition asked about. */
  readonly asked: Set<string> = new Set();
  /**
   * Whether states have an end check to run (the scenario's after-the-run
   * check, or liveness properties): it runs once per world, so a world that
   * ran it is not stepped further.
   */
  readonly checks: boolean;
  /** The nodes whose actors have no `inspect()`: with any, the search is stateless. */
  readonly opaque: NodeId[];
  /**
   * Whether the search stores no states: every path is its own state, tried
   * by running its choices again from the start (the simulator is
   * deterministic), so nothing is merged that an unseen field could tell
   * apart; the price is every order of every path, not every state.
   */
  readonly stateless: boolean;
  readonly #renamings: (Map<NodeId, NodeId> | null)[];
  readonly #symmetric: NodeId[];
  readonly #clock: () => number;
  readonly #started: number;

  /** The run's parameters, traced as the scenario's check needs (see {@linkcode traceNeeded}). */
  readonly params: ScenarioParams;

  /**
   * A search of `scenario` run with `params`, under `settings`, within
   * `limits`; throws a `ConfigError` for a symmetry that does not fit the
   * nodes.
   */
  constructor(
    readonly scenario: Scenario,
    params: ScenarioParams,
    readonly settings: CheckSettings,
    readonly limits: SearchOptions,
  ) {
    this.seen = new VisitedSet(Math.min(limits.maxStates, 1 << 10));
    this.#clock = limits.clock ?? (() => performance.now());
    this.#started = this.#clock();
    this.params = { ...params, trace: traceNeeded(scenario, params, settings) };
    const first = this.world([]);
    this.checks = first.setup.check !== undefined || (first.setup.liveness?.length ?? 0) > 0;
    this.opaque = first.sim.nodes.filter((id) =>
      typeof first.sim.actor<{ inspect?: unknown }>(id)?.inspect !== "function"
    );
    this.stateless = limits.stateless === true || this.opaque.length > 0;
    const groups = limits.symmetry === false || this.stateless
      ? []
      : scenario.symmetric?.(params) ?? [];
    this.#renamings = renamings(groups, first.sim.nodes);
    this.#symmetric = groups.flat();
  }

  /** Whether symmetry reduction is on. */
  get symmetry(): boolean {
    return this.#renamings.length > 1;
  }

  /** The initial state's world, judged and stored (a setup that fails is found here). */
  root(): World {
    const world = this.world([]);
    this.judge(world);
    return world;
  }

  /** A fresh world at the state `path` reaches. */
  world(path: readonly number[]): World {
    const world = World.start(this.scenario, this.params, this.settings);
    for (const code of path) world.apply(code);
    this.replayed += path.length;
    return world;
  }

  /**
   * Judges the state `world` has just reached (see the module doc) and
   * stores it. Returns whether it is new; sets `found` on a violation.
   * With `check`, runs the after-the-run check on a new state too.
   */
  judge(world: World, check = true): boolean {
    const sim = world.sim;
    if (sim.violations.length > 0) {
      this.found = { violation: sim.violations[0], path: [...world.path] };
      return false;
    }
    if (world.livenessViolation !== null) {
      this.found = { violation: world.livenessViolation, path: [...world.path] };
      return false;
    }
    for (const name of sim.asked) this.asked.add(name);
    for (const name of sim.reached.keys()) {
      if (!this.sometimes.has(name)) this.sometimes.set(name, [...world.path]);
    }
    for (const id of this.#symmetric) {
      if (sim.randomDraws(id) > 0) {
        throw new ConfigError(
          `symmetric (${this.scenario.name})`,
          `${id} called ctx.random(): each node's draws are its own, so ${id} is not ` +
            "interchangeable with the others; drop the symmetry or the randomness",
        );
      }
    }
    const depth = world.depth;
    // Stateless, every path is a new state; else a state is known by its fingerprint.
    const fp = this.stateless ? 0 : world.fingerprint(this.#renamings);
    const before = this.stateless ? -1 : this.seen.add(fp, depth);
    if (before !== -1) {
      if (before <= depth) return false;
      // Depth-first search met it deeper first: it is worth exploring again from here.
      this.seen.set(fp, depth);
    } else this.states++;
    if (depth > this.maxDepth) this.maxDepth = depth;
    if (check && this.checks) {
      let violations: Violation[];
      try {
        violations = world.endCheck();
      } catch (e) {
        if (!(e instanceof ConfigError && e.input === "trace")) throw e;
        throw new ConfigError(
          `${this.scenario.name}'s check`,
          "reads the trace in some states and not in the first; it cannot be checked this way",
        );
      }
      if (violations.length > 0) {
        this.found = { violation: violations[0], path: [...world.path] };
        return false;
      }
    }
    if (this.states >= this.limits.maxStates) this.stopped = "max-states";
    return true;
  }

  /** Whether the search must stop: something found, or a limit reached. */
  get over(): boolean {
    if (this.found !== null || this.stopped !== null) return true;
    if (this.transitions % 64 === 0 && this.#clock() - this.#started >= this.limits.budgetMs) {
      this.stopped = "budget";
    }
    return this.stopped !== null;
  }

  /** Wall time since the search started, ms. */
  get wallMs(): number {
    return this.#clock() - this.#started;
  }
}

/**
 * The trace mode the search's runs need: `off` (fastest), unless the
 * scenario's check reads the run's trace (see `full_trace.ts`), found by
 * asking it at the initial state.
 *
 * @example
 * ```ts
 * import { traceNeeded } from "./search.ts";
 * import { resolveParams } from "../scenario.ts";
 * import { pingPong } from "../../protocols/ping_pong/scenario.ts";
 * import { lamport } from "../../protocols/clocks/scenario.ts";
 * import assert from "node:assert/strict";
 * const settings = {
 *   timing: "strict" as const, crashes: 0, partitions: 0, losses: 0, dups: 0, livenessSteps: Infinity,
 * };
 * assert.equal(traceNeeded(pingPong, resolveParams(pingPong, {}), settings), "off");
 * assert.equal(traceNeeded(lamport, resolveParams(lamport, { faults: "" }), settings), "full");
 * ```
 */
export function traceNeeded(
  scenario: Scenario,
  params: ScenarioParams,
  settings: CheckSettings,
): "off" | "full" {
  const world = World.start(scenario, { ...params, trace: "off" }, settings);
  try {
    world.endCheck();
    return "off";
  } catch (e) {
    if (e instanceof ConfigError && e.input === "trace") return "full";
    throw e;
  }
}

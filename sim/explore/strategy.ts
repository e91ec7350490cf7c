/**
 * Exploration strategies: how each run of `sim explore` is drawn. A
 * strategy turns a run number and its seed into a plan: the run's
 * parameters (cluster size, network, faults, the scenario's own flags) and,
 * for strategies that steer the run as it goes, hooks on the simulator.
 *
 * Every plan replays from one command line: the parameters a strategy drew
 * are written out as flags (`--nodes 4 --latency 1..3 --faults
 * random:crash=2,duration=5`), faults a strategy injected as the run went
 * are written out as a schedule, and a strategy whose hooks choose
 * latencies (PCT) is named with `--strategy pct:3`, which rebuilds the
 * same hooks from the seed.
 *
 * The strategies, each in a file of its own:
 *
 * - `random` (`random.ts`): the scenario as it is, one seed after another:
 *   today's sweep, the baseline the others are measured against;
 * - `swarm` (`swarm.ts`): each run draws its own configuration, within the
 *   fault model the scenario declares;
 * - `targeted` (`targeted.ts`): one fault at a moment that matters: right
 *   after a storage write, a send or a delivery, or isolating the node the
 *   scenario marks as special;
 * - `pct` (`pct.ts`): randomised priorities over the nodes, with change
 *   points, steering which messages arrive first within what the links'
 *   latencies allow;
 * - `sync` (`sync.ts`): every node gets the same first few `ctx.random()`
 *   values, so nodes that break symmetry by chance collide (split votes,
 *   racing proposers);
 * - `mixed` (the default): swarm, targeted, PCT and sync in turn, since no one of them
 *   finds every kind of bug.
 *
 * @module
 */

import type { NodeId } from "../../actors/mod.ts";
import { ConfigError } from "../errors.ts";
import type { Fault } from "../faults.ts";
import type { RunGiven, Scenario, ScenarioParams, ScenarioSetup } from "../scenario.ts";
import type { RunHooks, Simulation } from "../simulation.ts";

/**
 * What a strategy knows when it plans run number `index`.
 *
 * @example
 * ```ts
 * import type { RunContext } from "./strategy.ts";
 * import { pingPong } from "../../protocols/ping_pong/scenario.ts";
 * import assert from "node:assert/strict";
 * const c: RunContext = { scenario: pingPong, given: {}, seed: 7, index: 6 };
 * assert.equal(c.seed, 7);
 * ```
 */
export interface RunContext {
  /** The scenario being explored. */
  scenario: Scenario;
  /** What the user fixed on the command line; a strategy varies only the rest. */
  given: RunGiven;
  /** The run's seed (the exploration's base seed plus `index`). */
  seed: number;
  /** The run's number, from 0. */
  index: number;
}

/**
 * Hooks a strategy sets on one run, and what it learns from it.
 *
 * @example
 * ```ts
 * import type { StrategyHooks } from "./strategy.ts";
 * import assert from "node:assert/strict";
 * const none: StrategyHooks = { hooks: {}, injected: () => [] };
 * assert.deepEqual(none.injected(), []);
 * ```
 */
export interface StrategyHooks {
  /** Set on the simulation before setup runs. */
  hooks: RunHooks;
  /**
   * Called once setup has run, with the run's parameters (a strategy may
   * read the scenario's `special` node, fault targets and `recoverMs`).
   */
  onSetup?: (sim: Simulation, setup: ScenarioSetup, params: ScenarioParams) => void;
  /** The faults the hooks injected while the run went, to write into the replay's schedule. */
  injected: () => Fault[];
}

/**
 * One run as a strategy planned it.
 *
 * @example
 * ```ts
 * import type { RunPlan } from "./strategy.ts";
 * import assert from "node:assert/strict";
 * const p: RunPlan = { strategy: "random", given: { seed: 3 } };
 * assert.equal(p.given.seed, 3);
 * ```
 */
export interface RunPlan {
  /** The strategy that made the plan (for `mixed`, the one whose turn it was). */
  strategy: string;
  /** The run's parameters, seed included. */
  given: RunGiven;
  /** Hooks for the run, made fresh for each run. */
  hooks?: () => StrategyHooks;
  /**
   * The `--strategy` value that rebuilds the hooks when the run is
   * replayed, for hooks whose choices are not written out otherwise.
   */
  replay?: string;
}

/**
 * A way of drawing runs.
 *
 * @example
 * ```ts
 * import type { Strategy } from "./strategy.ts";
 * import assert from "node:assert/strict";
 * const same: Strategy = {
 *   name: "same",
 *   plan: (c) => ({ strategy: "same", given: { ...c.given, seed: c.seed } }),
 * };
 * assert.equal(same.plan({ scenario: {} as never, given: {}, seed: 1, index: 0 }).given.seed, 1);
 * ```
 */
export interface Strategy {
  /** Its `--strategy` name. */
  readonly name: string;
  /** What run `context.index` of the exploration looks like. */
  plan(context: RunContext): RunPlan;
}

/**
 * The whole number after `name:` in a `--strategy` value, or a
 * {@linkcode ConfigError} quoting the text when it is not one (the
 * strategy checks its range).
 *
 * @example
 * ```ts
 * import { countParam } from "./strategy.ts";
 * import assert from "node:assert/strict";
 * assert.equal(countParam("pct", "4"), 4);
 * assert.throws(() => countParam("sync", "abc"), /--strategy: sync:abc: the part after "sync:" must be a whole number/);
 * ```
 */
export function countParam(name: string, text: string): number {
  const n = Number(text);
  if (text.trim() === "" || !Number.isInteger(n)) {
    throw new ConfigError(
      "--strategy",
      `${name}:${text}: the part after "${name}:" must be a whole number`,
    );
  }
  return n;
}

/** A strategy by name, with its parameters parsed from `name:params`. */
export type StrategyFactory = (params: string | undefined) => Strategy;

const factories = new Map<string, { make: StrategyFactory; help: string }>();

/**
 * Adds a strategy to the ones `--strategy` knows (each strategy's module
 * registers itself; see `strategies.ts`).
 *
 * @example
 * ```ts
 * import { registerStrategy, strategyNames } from "./strategy.ts";
 * import assert from "node:assert/strict";
 * registerStrategy("noop", "the given parameters, nothing else", () => ({
 *   name: "noop",
 *   plan: (c) => ({ strategy: "noop", given: { ...c.given, seed: c.seed } }),
 * }));
 * assert.ok(strategyNames().includes("noop"));
 * ```
 */
export function registerStrategy(name: string, help: string, make: StrategyFactory): void {
  factories.set(name, { make, help });
}

/**
 * The names of the strategies `--strategy` knows.
 *
 * @example
 * ```ts
 * import { strategyNames } from "./strategies.ts";
 * import assert from "node:assert/strict";
 * assert.ok(strategyNames().includes("swarm"));
 * ```
 */
export function strategyNames(): string[] {
  return [...factories.keys()];
}

/**
 * One line per strategy, for `--help`.
 *
 * @example
 * ```ts
 * import { strategyHelp } from "./strategies.ts";
 * import assert from "node:assert/strict";
 * assert.match(strategyHelp(), /pct/);
 * ```
 */
export function strategyHelp(): string {
  return [...factories].map(([name, f]) => `${name}: ${f.help}`).join("; ");
}

/**
 * The strategy a `--strategy` value names (`swarm`, `pct:3`, ...). Throws a
 * {@linkcode ConfigError} listing the known ones.
 *
 * @example
 * ```ts
 * import { parseStrategy } from "./strategies.ts";
 * import assert from "node:assert/strict";
 * assert.equal(parseStrategy("pct:3").name, "pct:3");
 * assert.throws(() => parseStrategy("magic"), /--strategy: unknown strategy "magic"/);
 * ```
 */
export function parseStrategy(text: string): Strategy {
  const colon = text.indexOf(":");
  const name = colon === -1 ? text : text.slice(0, colon);
  const params = colon === -1 ? undefined : text.slice(colon + 1);
  const factory = factories.get(name);
  if (factory === undefined) {
    throw new ConfigError(
      "--strategy",
      `unknown strategy ${JSON.stringify(name)}; known: ${strategyNames().join(", ")}`,
    );
  }
  return factory.make(params);
}

/**
 * The scenario's fault-free parameters for a run: what the user gave, with
 * the run's seed.
 *
 * @example
 * ```ts
 * import { baseGiven } from "./strategy.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(baseGiven({ given: { nodes: 3 }, seed: 9 }), { nodes: 3, seed: 9 });
 * ```
 */
export function baseGiven(context: Pick<RunContext, "given" | "seed">): RunGiven {
  return { ...context.given, seed: context.seed };
}

/**
 * A node picked by a strategy's own random stream: ids as the run spawned
 * them, the ones a scenario lets faults hit.
 *
 * @example
 * ```ts
 * import { targetsOf } from "./strategy.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(targetsOf(["n1", "n2", "c1"], { faultTargets: ["n1", "n2"] }), ["n1", "n2"]);
 * assert.deepEqual(targetsOf(["n1"], {}), ["n1"]);
 * ```
 */
export function targetsOf(nodes: readonly NodeId[], setup: ScenarioSetup): NodeId[] {
  return [...(setup.faultTargets ?? nodes)];
}

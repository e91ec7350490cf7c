/**
 * Scenarios: a named, parameterised run of a protocol that the command line,
 * the demo and the tests can all start the same way. Each protocol registers
 * its own in one {@linkcode ScenarioRegistry}.
 *
 * @module
 */

import type { NodeId } from "../actors/mod.ts";
import { ConfigError } from "./errors.ts";
import {
  type FaultSchedule,
  type FaultSpec,
  formatFaults,
  generateFaults,
  parseFaultSpec,
} from "./faults.ts";
import { formatLatency, type NetworkOptions } from "./network.ts";
import { type RunResult, Simulation, type Violation } from "./simulation.ts";
import type { TraceMode } from "./trace.ts";

/** A value of a scenario-specific flag. */
export type FlagValue = string | number | boolean;

/**
 * A flag that one scenario adds to `sim run` (for example `--n` for quorums).
 *
 * @example
 * ```ts
 * import type { ScenarioFlag } from "./scenario.ts";
 * const fanout: ScenarioFlag = { name: "fanout", description: "peers per round", default: 2, min: 1 };
 * ```
 */
export interface ScenarioFlag {
  /** Long flag name without dashes, e.g. `read-repair`. */
  name: string;
  description: string;
  /** The default, whose type (number, boolean, string) is the flag's type. */
  default: FlagValue;
  /** For numbers: inclusive bounds. */
  min?: number;
  max?: number;
  /** For numbers: whole numbers only (default true). */
  integer?: boolean;
  /** For strings: the allowed values. */
  choices?: string[];
}

/**
 * Everything a scenario run is built from. The seed decides every random
 * choice; the rest is the experiment.
 *
 * @example
 * ```ts
 * import type { ScenarioParams } from "./scenario.ts";
 * const p: Partial<ScenarioParams> = { seed: 3, nodes: 5, until: 2000 };
 * ```
 */
export interface ScenarioParams {
  seed: number;
  /** Number of nodes (servers; clients come on top where a scenario has them). */
  nodes: number;
  /** Virtual time to run for, in ms. */
  until: number;
  network: NetworkOptions;
  /** Faults: a schedule, or rates for the seed to generate one from. */
  faults: FaultSpec;
  /** Values of the scenario's own flags. */
  flags: Record<string, FlagValue>;
  trace: TraceMode;
}

/**
 * What a scenario's `setup` hands back: which nodes generated faults may hit,
 * and how to judge and summarise the run once it ends.
 *
 * @example
 * ```ts
 * import type { ScenarioSetup } from "./scenario.ts";
 * const s: ScenarioSetup = { faultTargets: ["n1", "n2"], summary: () => ["all good"] };
 * ```
 */
export interface ScenarioSetup {
  /** Nodes generated faults may crash, pause or partition (default: all). */
  faultTargets?: NodeId[];
  /** Checks run after the run ends (convergence, linearizability, ...). */
  check?: (sim: Simulation) => Violation[];
  /** Lines describing the outcome for people. */
  summary?: (sim: Simulation) => string[];
}

/**
 * A named run of a protocol.
 *
 * @example
 * ```ts
 * import type { Scenario } from "./scenario.ts";
 * const idle: Scenario = {
 *   name: "idle",
 *   summary: "nodes that do nothing",
 *   defaults: { nodes: 3, until: 100 },
 *   setup(sim, params) {
 *     for (let i = 1; i <= params.nodes; i++) sim.spawn(`n${i}`, () => ({ onMessage() {} }));
 *     return {};
 *   },
 * };
 * ```
 */
export interface Scenario {
  /** Lower-case name used on the command line, e.g. `ping-pong`. */
  name: string;
  /** One line saying what it shows. */
  summary: string;
  /** How the diagram labels this protocol's messages (default: `type` and short fields). */
  label?: (msg: unknown) => string;
  defaults: {
    nodes: number;
    until: number;
    /** Allowed node counts (default 1..1000). */
    minNodes?: number;
    maxNodes?: number;
    network?: NetworkOptions;
    /** Default `--faults` value, in the text form. */
    faults?: string;
  };
  flags?: ScenarioFlag[];
  /** Spawns the nodes, adds invariants, scripts steps. Runs before faults are scheduled. */
  setup(sim: Simulation, params: ScenarioParams): ScenarioSetup;
}

/**
 * What a scenario run produced: the fields of `sim run --json`, plus the
 * simulation itself for rendering.
 *
 * @example
 * ```ts
 * import type { ScenarioResult } from "./scenario.ts";
 * const show = (r: ScenarioResult) => `${r.scenario} seed ${r.seed}: ${r.ok ? "ok" : "FAILED"}`;
 * ```
 */
export interface ScenarioResult {
  scenario: string;
  seed: number;
  ok: boolean;
  stop: RunResult["stop"];
  events: number;
  messages: number;
  virtualMs: number;
  wallMs: number;
  traceHash: string;
  violations: Violation[];
  /** The fault schedule that ran, in the text form (replayable with `--faults`). */
  faults: string;
  /** The command line that replays this run. */
  replay: string;
  summary: string[];
  /** The scenario's message labeller, for diagrams. */
  label?: (msg: unknown) => string;
  sim: Simulation;
}

/**
 * The scenarios the command line knows.
 *
 * @example
 * ```ts
 * import { ScenarioRegistry } from "./scenario.ts";
 * const registry = new ScenarioRegistry();
 * registry.list().length; // 0
 * ```
 */
export class ScenarioRegistry {
  #byName = new Map<string, Scenario>();

  /** Adds a scenario; names must be unique. Returns the registry for chaining. */
  register(scenario: Scenario): this {
    if (!/^[a-z0-9][a-z0-9-]*$/.test(scenario.name)) {
      throw new ConfigError(
        "scenario name",
        `${JSON.stringify(scenario.name)} must be lower-case-with-dashes`,
      );
    }
    if (this.#byName.has(scenario.name)) {
      throw new ConfigError(
        "scenario name",
        `${JSON.stringify(scenario.name)} is already registered`,
      );
    }
    this.#byName.set(scenario.name, scenario);
    return this;
  }

  /** The scenario called `name`; throws a {@linkcode ConfigError} listing the known ones. */
  get(name: string): Scenario {
    const scenario = this.#byName.get(name);
    if (scenario === undefined) {
      throw new ConfigError(
        "scenario",
        `unknown scenario ${JSON.stringify(name)}; known: ${[...this.#byName.keys()].join(", ")}`,
      );
    }
    return scenario;
  }

  /** Whether `name` is registered. */
  has(name: string): boolean {
    return this.#byName.has(name);
  }

  /** All scenarios, in registration order. */
  list(): Scenario[] {
    return [...this.#byName.values()];
  }
}

/**
 * Fills in a scenario's defaults and validates the result. Throws a
 * {@linkcode ConfigError} naming the bad input.
 *
 * @example
 * ```ts
 * import { resolveParams } from "./scenario.ts";
 * import { pingPong } from "../protocols/ping_pong/scenario.ts";
 * resolveParams(pingPong, { seed: 1 }).nodes; // 2
 * ```
 */
export function resolveParams(
  scenario: Scenario,
  given: Partial<Omit<ScenarioParams, "faults">> & { faults?: FaultSpec | string },
): ScenarioParams {
  const d = scenario.defaults;
  const nodes = given.nodes ?? d.nodes;
  const min = d.minNodes ?? 1, max = d.maxNodes ?? 1000;
  if (!Number.isInteger(nodes) || nodes < min || nodes > max) {
    throw new ConfigError(
      "nodes",
      `${scenario.name} runs with ${min} to ${max} nodes, got ${nodes}`,
    );
  }
  const until = given.until ?? d.until;
  if (!(Number.isFinite(until) && until > 0 && until <= MAX_UNTIL_MS)) {
    throw new ConfigError(
      "until",
      `must be a number of virtual ms from 1 to ${MAX_UNTIL_MS} (one day), got ${until}`,
    );
  }
  const faultsGiven = given.faults ?? d.faults ?? "";
  const faults = typeof faultsGiven === "string" ? parseFaultSpec(faultsGiven) : faultsGiven;
  const flags: Record<string, FlagValue> = {};
  for (const flag of scenario.flags ?? []) {
    flags[flag.name] = checkFlag(flag, given.flags?.[flag.name] ?? flag.default);
  }
  for (const name of Object.keys(given.flags ?? {})) {
    if (!(scenario.flags ?? []).some((f) => f.name === name)) {
      throw new ConfigError(
        `--${name}`,
        `${scenario.name} has no such flag; its flags: ${
          (scenario.flags ?? []).map((f) => `--${f.name}`).join(", ") || "(none)"
        }`,
      );
    }
  }
  return {
    seed: given.seed ?? 1,
    nodes,
    until,
    network: { ...d.network, ...given.network },
    faults,
    flags,
    trace: given.trace ?? "full",
  };
}

/**
 * Checks (and for strings from the command line, converts) one flag value.
 *
 * @example
 * ```ts
 * import { checkFlag } from "./scenario.ts";
 * checkFlag({ name: "n", description: "replicas", default: 3, min: 1 }, "5"); // 5
 * ```
 */
export function checkFlag(flag: ScenarioFlag, value: FlagValue): FlagValue {
  const name = `--${flag.name}`;
  switch (typeof flag.default) {
    case "number": {
      const n = typeof value === "number" ? value : Number(value);
      const integer = flag.integer ?? true;
      if (
        (typeof value === "string" && value.trim() === "") || !Number.isFinite(n) ||
        (integer && !Number.isInteger(n)) || (flag.min !== undefined && n < flag.min) ||
        (flag.max !== undefined && n > flag.max)
      ) {
        const range = `${flag.min ?? "-inf"}..${flag.max ?? "inf"}`;
        throw new ConfigError(
          name,
          `must be a ${integer ? "whole number" : "number"} in ${range}, got ${
            JSON.stringify(value)
          }`,
        );
      }
      return n;
    }
    case "boolean":
      if (value === true || value === "true") return true;
      if (value === false || value === "false") return false;
      throw new ConfigError(name, `must be true or false, got ${JSON.stringify(value)}`);
    case "string": {
      const s = String(value);
      if (flag.choices && !flag.choices.includes(s)) {
        throw new ConfigError(
          name,
          `must be one of ${flag.choices.join(", ")}, got ${JSON.stringify(s)}`,
        );
      }
      return s;
    }
    default:
      throw new ConfigError(name, `flag default has unsupported type ${typeof flag.default}`);
  }
}

/**
 * The longest run a scenario accepts: one day of virtual time. Longer runs
 * take minutes of wall time and gigabytes of trace; sweep seeds instead.
 */
export const MAX_UNTIL_MS = 86_400_000;

/** Node ids `n1` .. `nN`, the naming every built-in scenario uses for servers. */
export function nodeIds(n: number, prefix = "n"): NodeId[] {
  return Array.from({ length: n }, (_, i) => `${prefix}${i + 1}`);
}

/**
 * Builds, runs and checks one scenario.
 *
 * @example
 * ```ts
 * import { runScenario } from "./scenario.ts";
 * import { pingPong } from "../protocols/ping_pong/scenario.ts";
 * const r = runScenario(pingPong, { seed: 7 });
 * r.ok; // true
 * ```
 */
export function runScenario(
  scenario: Scenario,
  given: Partial<Omit<ScenarioParams, "faults">> & { faults?: FaultSpec | string } = {},
): ScenarioResult {
  const params = resolveParams(scenario, given);
  const started = performance.now();
  const sim = new Simulation({ seed: params.seed, network: params.network, trace: params.trace });
  const setup = scenario.setup(sim, params);
  const schedule: FaultSchedule = params.faults.kind === "schedule"
    ? params.faults.schedule
    : generateFaults(
      params.seed,
      setup.faultTargets ?? [...sim.nodes],
      params.until,
      params.faults.rates,
    );
  sim.schedule(schedule);
  const run = sim.run({ until: params.until });
  if (run.ok) {
    for (const v of setup.check?.(sim) ?? []) sim.reportViolation(v);
  }
  const wallMs = performance.now() - started;
  const faults = formatFaults(schedule);
  return {
    scenario: scenario.name,
    seed: params.seed,
    ok: sim.violations.length === 0,
    stop: sim.violations.length > 0 ? "violation" : run.stop,
    events: run.events,
    messages: run.messages,
    virtualMs: run.virtualMs,
    wallMs: Math.round(wallMs * 1000) / 1000,
    traceHash: sim.trace.hash(),
    violations: [...sim.violations],
    faults,
    replay: replayCommand(scenario, params, faults),
    summary: setup.summary?.(sim) ?? [],
    label: scenario.label,
    sim,
  };
}

/**
 * A failed run with its events: when the run kept only its hash (or
 * nothing), the same scenario and parameters again with the full trace, so
 * its failure report can show what led up to the violation. Returns the
 * re-run only when it is provably the same run (same hash, where there was
 * one), otherwise the result it was given.
 *
 * @example
 * ```ts
 * import { runScenario, withEvents } from "./scenario.ts";
 * import { pingPong } from "../protocols/ping_pong/scenario.ts";
 * const given = { seed: 1, faults: "@30 crash n2", trace: "hash" as const };
 * const failed = runScenario(pingPong, given);
 * withEvents(pingPong, given, failed).sim.trace.events.length > 0; // true
 * ```
 */
export function withEvents(
  scenario: Scenario,
  given: Partial<Omit<ScenarioParams, "faults">> & { faults?: FaultSpec | string },
  result: ScenarioResult,
): ScenarioResult {
  if (result.ok || result.sim.trace.mode === "full") return result;
  const full = runScenario(scenario, { ...given, seed: result.seed, trace: "full" });
  const hashed = result.sim.trace.mode === "hash";
  return !hashed || full.traceHash === result.traceHash ? full : result;
}

/**
 * The `deno task sim run ...` command line that reproduces a run exactly.
 *
 * @example
 * ```ts
 * import { replayCommand, resolveParams } from "./scenario.ts";
 * import { pingPong } from "../protocols/ping_pong/scenario.ts";
 * replayCommand(pingPong, resolveParams(pingPong, { seed: 3 }), "");
 * ```
 */
export function replayCommand(scenario: Scenario, params: ScenarioParams, faults: string): string {
  const parts = ["deno task sim run", scenario.name, `--seed ${params.seed}`];
  if (params.nodes !== scenario.defaults.nodes) parts.push(`--nodes ${params.nodes}`);
  if (params.until !== scenario.defaults.until) parts.push(`--until ${params.until}`);
  const net = params.network, dflt = scenario.defaults.network ?? {};
  if (net.latency && net.latency !== dflt.latency && net.latency.kind !== "custom") {
    parts.push(`--latency ${formatLatency(net.latency)}`);
  }
  if (net.loss !== undefined && net.loss !== dflt.loss) parts.push(`--loss ${net.loss}`);
  if (net.duplicate !== undefined && net.duplicate !== dflt.duplicate) {
    parts.push(`--dup ${net.duplicate}`);
  }
  if (net.fifo && !dflt.fifo) parts.push("--fifo");
  for (const flag of scenario.flags ?? []) {
    const v = params.flags[flag.name];
    if (v !== flag.default) parts.push(`--${flag.name} ${v}`);
  }
  if (faults !== "") parts.push(`--faults '${faults}'`);
  // Without the flag the scenario's default faults (random, say) would run instead of none.
  else if ((scenario.defaults.faults ?? "").trim() !== "") parts.push("--faults none");
  return parts.join(" ");
}

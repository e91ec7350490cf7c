/**
 * Scenarios: a named, parameterised run of a protocol that the command line,
 * the demo and the tests can all start the same way. Each protocol registers
 * its own in one {@linkcode ScenarioRegistry}.
 *
 * @module
 */

import { relative } from "node:path";
import { fileURLToPath } from "node:url";
import type { NodeId } from "../actors/mod.ts";
import { ConfigError, describeError } from "./errors.ts";
import {
  type FaultSchedule,
  type FaultSpec,
  formatFaults,
  generateFaults,
  parseFaultSpec,
} from "./faults.ts";
import { DEFAULT_LINK, formatLatency, type NetworkOptions, parseLatency } from "./network.ts";
import { MAX_SEED } from "./random.ts";
import type { ChoiceLog } from "./choices.ts";
import { type RunHooks, Simulation, type StopReason, type Violation } from "./simulation.ts";
import type { TraceEvent, TraceMode } from "./trace.ts";

/** A value of a scenario-specific flag. */
export type FlagValue = string | number | boolean;

/**
 * A flag that one scenario adds to `sim run` (for example `--n` for
 * quorums), declared once: its type follows from its default, and the
 * command-line option, its validation and the handler's typed parameter
 * all follow from the declaration. Build one with {@linkcode flag}.
 *
 * @example
 * ```ts
 * import { flag, type FlagSpec } from "./scenario.ts";
 * import assert from "node:assert/strict";
 * const fanout: FlagSpec<number> = flag.int("peers per round", 2, { min: 1 });
 * assert.equal(fanout.default, 2);
 * ```
 */
export interface FlagSpec<V extends FlagValue = FlagValue> {
  /** What the flag does, for `--help`. */
  description: string;
  /** The default, whose type (number, boolean, string) is the flag's type. */
  default: V;
  /** For numbers: inclusive bounds. */
  min?: number;
  /** For numbers: inclusive upper bound. */
  max?: number;
  /** For numbers: whole numbers only (default true). */
  integer?: boolean;
  /** For strings: the allowed values. */
  choices?: readonly string[];
}

/**
 * A scenario's flags, by name (the long flag without dashes, e.g. `read-repair`).
 *
 * @example
 * ```ts
 * import { flag, type FlagSpecs } from "./scenario.ts";
 * import assert from "node:assert/strict";
 * const flags = { rounds: flag.int("pings to answer", 10, { min: 1 }) } satisfies FlagSpecs;
 * assert.equal(flags.rounds.min, 1);
 * ```
 */
export type FlagSpecs = Record<string, FlagSpec>;

/**
 * The values of a scenario's flags, typed by their declarations.
 *
 * @example
 * ```ts
 * import { flag, type FlagValues } from "./scenario.ts";
 * import assert from "node:assert/strict";
 * const flags = { rounds: flag.int("rounds", 10), fast: flag.bool("skip waits", false) };
 * const values: FlagValues<typeof flags> = { rounds: 3, fast: true };
 * assert.equal(values.rounds + 1, 4);
 * ```
 */
export type FlagValues<F extends FlagSpecs> = { -readonly [K in keyof F]: F[K]["default"] };

/**
 * Builders for {@linkcode FlagSpec}s, one per type.
 *
 * @example
 * ```ts
 * import { flag } from "./scenario.ts";
 * import assert from "node:assert/strict";
 * const flags = {
 *   n: flag.int("replicas", 3, { min: 1, max: 9 }),
 *   "loss-rate": flag.number("extra loss", 0, { min: 0, max: 1 }),
 *   "pre-vote": flag.bool("run PreVote", true),
 *   "read-repair": flag.choice("how reads repair", ["none", "async", "sync"] as const, "none"),
 * };
 * assert.equal(flags["read-repair"].default, "none");
 * assert.deepEqual(flags["read-repair"].choices, ["none", "async", "sync"]);
 * ```
 */
export const flag: {
  int(description: string, dflt: number, range?: { min?: number; max?: number }): FlagSpec<number>;
  number(
    description: string,
    dflt: number,
    range?: { min?: number; max?: number },
  ): FlagSpec<number>;
  bool(description: string, dflt: boolean): FlagSpec<boolean>;
  string(description: string, dflt: string): FlagSpec<string>;
  choice<C extends string>(description: string, choices: readonly C[], dflt: C): FlagSpec<C>;
} = {
  /** A whole number. */
  int(description: string, dflt: number, range: { min?: number; max?: number } = {}): FlagSpec<
    number
  > {
    return { description, default: dflt, integer: true, ...range };
  },
  /** Any finite number. */
  number(description: string, dflt: number, range: { min?: number; max?: number } = {}): FlagSpec<
    number
  > {
    return { description, default: dflt, integer: false, ...range };
  },
  /** true or false; `--x`, `--x false` and `--no-x` on the command line. */
  bool(description: string, dflt: boolean): FlagSpec<boolean> {
    return { description, default: dflt };
  },
  /** Free text. */
  string(description: string, dflt: string): FlagSpec<string> {
    return { description, default: dflt };
  },
  /** One of a few words. */
  choice<C extends string>(description: string, choices: readonly C[], dflt: C): FlagSpec<C> {
    return { description, default: dflt, choices };
  },
};

/**
 * Everything a scenario run is built from. The seed decides every random
 * choice; the rest is the experiment.
 *
 * @example
 * ```ts
 * import { resolveParams, type ScenarioParams } from "./scenario.ts";
 * import { pingPong } from "../protocols/ping_pong/scenario.ts";
 * import assert from "node:assert/strict";
 * const p: ScenarioParams = resolveParams(pingPong, { seed: 3, until: 2000 });
 * assert.equal(p.seed, 3);
 * assert.equal(p.until, 2000);
 * assert.equal(p.nodes, pingPong.defaults.nodes);
 * ```
 */
export interface ScenarioParams<F extends FlagSpecs = FlagSpecs> {
  /** The run's seed: every choice of the run is drawn from it. */
  seed: number;
  /** Number of nodes (servers; clients come on top where a scenario has them). */
  nodes: number;
  /** Virtual time to run for, in ms: what the scenario's setup plans its workload and faults on. */
  until: number;
  /**
   * Where the run stops instead, ms (at most `until`): the same scenario,
   * set up for `until`, cut earlier (a shrunk repro). Checks made at the
   * end judge the run there; a cut run's failure to finish its work is not
   * reported (only safety violations are). Absent: the run lasts `until`.
   */
  stopAt?: number;
  /** The default link and per-link overrides. */
  network: NetworkOptions;
  /** Faults: a schedule, or rates for the seed to generate one from. */
  faults: FaultSpec;
  /** Values of the scenario's own flags. */
  flags: FlagValues<F>;
  /** What the run records: `full` events, a `hash` only, or nothing (`off`). */
  trace: TraceMode;
}

/**
 * What a scenario's `setup` hands back: which nodes generated faults may hit,
 * and how to judge and summarise the run once it ends.
 *
 * @example
 * ```ts
 * import { defineScenario, runScenario, type ScenarioSetup } from "./scenario.ts";
 * import assert from "node:assert/strict";
 * const quiet = defineScenario({
 *   name: "quiet",
 *   summary: "two nodes that do nothing, and an end-of-run check that says so",
 *   defaults: { nodes: 2, until: 100 },
 *   setup(sim): ScenarioSetup {
 *     for (const id of ["n1", "n2"]) sim.spawn(id, () => ({ onMessage() {} }));
 *     return {
 *       faultTargets: ["n2"],
 *       check: (s) => s.stats.messages === 0 ? [] : [{ check: "silence", message: "a message was sent", atMs: s.now }],
 *       summary: (s) => [`${s.stats.messages} messages`],
 *     };
 *   },
 * });
 * const result = runScenario(quiet, { seed: 1 });
 * assert.equal(result.ok, true);
 * assert.deepEqual(result.summary, ["0 messages"]);
 * ```
 */
export interface ScenarioSetup {
  /** Nodes generated faults may crash, pause or partition (default: all). */
  faultTargets?: NodeId[];
  /**
   * Most fault targets generated faults take down at once, unless the
   * command line says (`--faults random:down=N`); default a minority of
   * them, and at least one.
   */
  maxDown?: number;
  /**
   * Generated faults all heal at least this long before the run ends: the
   * time the protocol needs to finish its work after the last fault, for
   * checks made at the end (default 0). Exhaustive checking judges the end
   * of a run only where its faults were repaired by then.
   */
  recoverMs?: number;
  /** Checks run after the run ends (convergence, linearizability, ...). */
  check?: (sim: Simulation) => Violation[];
  /** Lines describing the outcome for people. */
  summary?: (sim: Simulation) => string[];
  /**
   * Liveness: properties that must hold within a bound after the last
   * fault of the run (see {@linkcode Liveness}).
   */
  liveness?: Liveness[];
  /**
   * The node that matters most right now (a Raft leader, say), for
   * strategies that isolate or crash it; undefined when there is none.
   */
  special?: (sim: Simulation) => NodeId | undefined;
  /**
   * The scenario's own state, as plain data: what lives outside every actor
   * and decides what happens next or what a check will say (how far a
   * script has got, what a check that keeps a history remembers). Exhaustive
   * checking fingerprints it beside the actors' `inspect()`: two runs that
   * differ only in state it does not show count as one.
   */
  inspect?: (sim: Simulation) => unknown;
}

/**
 * The kinds of fault a generated schedule may hold.
 *
 * @example
 * ```ts
 * import type { FaultKind } from "./scenario.ts";
 * import assert from "node:assert/strict";
 * const kinds: FaultKind[] = ["crash", "clock"];
 * assert.equal(kinds.length, 2);
 * ```
 */
export type FaultKind = "crash" | "pause" | "partition" | "clock";

/**
 * What exploration (`sim explore`) may vary in a scenario: the envelope of
 * conditions the protocol is meant to survive, so that a failure it finds
 * is a bug and not a run outside the protocol's fault model. Everything is
 * optional: by default a scenario whose default faults are generated
 * (`random...`) may meet those kinds of fault and clock faults, at any
 * rate and duration; one without generated faults meets none; loss and
 * duplication stay within the scenario's defaults; latencies within its
 * default link's bounds; the cluster size within two of its default.
 *
 * @example
 * ```ts
 * import type { ExploreModel } from "./scenario.ts";
 * import assert from "node:assert/strict";
 * const model: ExploreModel = {
 *   faults: ["crash", "partition"],
 *   maxLoss: 0.05,
 *   flags: { clients: [1, 2, 5], "think-ms": [0, 1, 20] },
 * };
 * assert.deepEqual(model.flags?.clients, [1, 2, 5]);
 * ```
 */
export interface ExploreModel {
  /** The kinds of generated fault the protocol is meant to survive. */
  faults?: readonly FaultKind[];
  /** The most message loss a run may have. */
  maxLoss?: number;
  /** The most duplication a run may have. */
  maxDup?: number;
  /** The scenario's own flags to vary, each with the values a run picks from. */
  flags?: Readonly<Record<string, readonly FlagValue[]>>;
  /**
   * Its checks hold with one fault never healed (a node crashed or paused
   * for good, a node cut off): a strategy may then hold a fault to the end,
   * and its liveness properties are judged with the fault in place, as
   * TigerBeetle's VOPR does in its liveness mode (default false).
   */
  hold?: boolean;
}

/**
 * A liveness property: "after the last fault, within `withinMs`, `holds`".
 * The run goes on at least until that deadline; at the deadline the
 * property must hold, or the run fails with the check `liveness:<name>`
 * and says since when it has not held ("stuck since t"). A strategy may
 * hold a fault to the end (a minority crashed for good, say): the property
 * is then judged with that fault in place, as TigerBeetle's VOPR does in
 * its liveness mode.
 *
 * @example
 * ```ts
 * import type { Liveness } from "./scenario.ts";
 * import assert from "node:assert/strict";
 * const leader: Liveness = {
 *   name: "leader",
 *   withinMs: 2000,
 *   holds: (sim) => sim.nodes.some((n) => sim.status(n) === "up"),
 * };
 * assert.equal(leader.withinMs, 2000);
 * ```
 */
export interface Liveness {
  /** Named in the check: `liveness:<name>`. */
  name: string;
  /** How long after the last fault the property may take. */
  withinMs: number;
  /** True (or nothing) when it holds; false or a reason when not. */
  holds: (sim: Simulation) => boolean | string | void;
}

/**
 * A named run of a protocol.
 *
 * @example
 * ```ts
 * import { runScenario, type Scenario } from "./scenario.ts";
 * import assert from "node:assert/strict";
 * const idle: Scenario = {
 *   name: "idle",
 *   summary: "nodes that do nothing",
 *   defaults: { nodes: 3, until: 100 },
 *   setup(sim, params) {
 *     for (let i = 1; i <= params.nodes; i++) sim.spawn(`n${i}`, () => ({ onMessage() {} }));
 *     return {};
 *   },
 * };
 * assert.equal(runScenario(idle, { seed: 1 }).events, 3);
 * ```
 */
export interface Scenario<F extends FlagSpecs = FlagSpecs> {
  /** Lower-case name used on the command line, e.g. `ping-pong`. */
  name: string;
  /** One line saying what it shows. */
  summary: string;
  /** How the diagram labels this protocol's messages (default: `type` and short fields). */
  label?: (msg: unknown) => string;
  /** Values the scenario runs with when the command line or a test gives none. */
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
  /** The scenario's own flags, by name. */
  flags?: F;
  /**
   * Spawns the nodes, adds invariants, scripts steps. Runs before faults are
   * scheduled. Returns what else the run needs (an after-the-run check,
   * liveness, ...), or nothing.
   */
  setup(sim: Simulation, params: ScenarioParams<F>): ScenarioSetup | void;
  /** What exploration may vary: the fault model the protocol is meant to survive. */
  explore?: ExploreModel;
  /**
   * The scenario's checks read the run's events (see `checkFullTrace`):
   * every run then keeps its full trace, so that a check sees the very run
   * that happened, a strategy's steering and injected faults included,
   * rather than a run re-made from the parameters.
   */
  needsTrace?: boolean;
  /**
   * Groups of interchangeable nodes: renaming the nodes of a group among
   * themselves (everywhere: in states, messages, timers, storage) gives a
   * run that behaves the same. Exhaustive checking then counts a state and
   * its renamings as one (symmetry reduction). Node ids must appear as whole
   * strings (a field, an object key, an array element), not inside other
   * text, and the nodes of a group must not call `ctx.random()` (each
   * node's draws are its own, so they would tell the nodes apart; the
   * checker refuses the symmetry when one does).
   */
  symmetric?(params: ScenarioParams<F>): NodeId[][];
  /**
   * URL of the module that exports this scenario, so that sweep workers
   * and replay lines can load it again. {@linkcode defineScenario} fills it
   * in; set it yourself (`module: import.meta.url`) when a scenario is built
   * by a helper function in another module.
   */
  module?: string;
}

/**
 * Builds a scenario, checking its declaration once (name, node counts, flag
 * defaults) and noting the module that defines it, so that sweep workers and
 * replay lines can load it again from there. The flags' types flow into
 * `setup`'s parameters.
 *
 * @example
 * ```ts
 * import { defineScenario, flag, runScenario } from "./scenario.ts";
 * import assert from "node:assert/strict";
 * const idle = defineScenario({
 *   name: "idle",
 *   summary: "nodes that do nothing",
 *   defaults: { nodes: 3, until: 100 },
 *   flags: { extra: flag.int("nodes to add", 0, { min: 0, max: 5 }) },
 *   setup(sim, params) {
 *     const total = params.nodes + params.flags.extra; // a number, typed
 *     for (let i = 1; i <= total; i++) sim.spawn(`n${i}`, () => ({ onMessage() {} }));
 *     return {};
 *   },
 * });
 * assert.equal(runScenario(idle, { flags: { extra: 2 } }).sim.nodes.length, 5);
 * ```
 */
export function defineScenario<F extends FlagSpecs = Record<never, never>>(
  scenario: Scenario<F>,
): Scenario<F> {
  checkScenario(scenario as unknown as Scenario);
  return { ...scenario, module: scenario.module ?? callerModule() };
}

/** Checks a scenario's declaration; throws a {@linkcode ConfigError} naming what is wrong. */
function checkScenario(scenario: Scenario): void {
  if (typeof scenario?.name !== "string" || !SCENARIO_NAME.test(scenario.name)) {
    throw new ConfigError(
      "scenario name",
      `${JSON.stringify(scenario?.name)} must be lower-case-with-dashes (a-z, 0-9, -)`,
    );
  }
  const where = `scenario ${scenario.name}`;
  if (typeof scenario.setup !== "function") {
    throw new ConfigError(where, "needs a setup(sim, params) function");
  }
  const d = scenario.defaults;
  if (typeof d !== "object" || d === null) {
    throw new ConfigError(where, "needs defaults: { nodes, until }");
  }
  const min = d.minNodes ?? 1, max = d.maxNodes ?? 1000;
  if (!(Number.isInteger(min) && Number.isInteger(max) && 1 <= min && min <= max)) {
    throw new ConfigError(where, `minNodes and maxNodes must be whole numbers, 1 <= min <= max`);
  }
  if (!(Number.isInteger(d.nodes) && d.nodes >= min && d.nodes <= max)) {
    throw new ConfigError(where, `defaults.nodes must be a whole number in ${min}..${max}`);
  }
  for (const [name, spec] of Object.entries(scenario.flags ?? {})) {
    if (!FLAG_NAME.test(name) || RESERVED_FLAGS.has(name) || name.startsWith("no-")) {
      throw new ConfigError(
        `${where} flag ${JSON.stringify(name)}`,
        RESERVED_FLAGS.has(name)
          ? "is one of the command line's own flags; choose another name"
          : name.startsWith("no-")
          // The command line reads --no-x as "x is false", so --no-x itself could never be set.
          ? "must not start with no- (the command line reads --no-x as x=false); name the positive, e.g. " +
            JSON.stringify(name.slice(3))
          : "must be lower-case-with-dashes",
      );
    }
    checkFlag(name, spec, spec.default);
  }
}

const SCENARIO_NAME = /^[a-z0-9][a-z0-9-]*$/;
const FLAG_NAME = /^[a-z][a-z0-9-]*$/;
/** Flags every scenario command already has: a scenario cannot take these names. */
const RESERVED_FLAGS = new Set([
  "seed",
  "seeds",
  "nodes",
  "until",
  "latency",
  "loss",
  "dup",
  "fifo",
  "faults",
  "diagram",
  "json",
  "out",
  "help",
  "version",
  "from",
  "to",
  "max-rows",
  "workers",
  "shard",
  "budget-ms",
  "runs",
  "strategy",
  "depth",
  "max-states",
  "timing",
  "crashes",
  "partitions",
  "losses",
  "dups",
  "liveness-steps",
]);

/**
 * The module that called {@linkcode defineScenario}: the first stack frame
 * outside this file. Undefined where the platform gives no such frame.
 */
function callerModule(): string | undefined {
  const stack = new Error().stack ?? "";
  for (const line of stack.split("\n").slice(1)) {
    const m = line.match(/((?:file|https?):\/\/[^\s()]+?):\d+:\d+\)?\s*$/);
    if (m !== null && m[1] !== import.meta.url) return m[1];
  }
  return undefined;
}

/**
 * The one name of `names` nearest `word` by edit distance, when it is at
 * most two edits (one, for a word of three letters or fewer) away and no other
 * name is as near: the likely meaning of a misspelt name.
 *
 * @example
 * ```ts
 * import { nearest } from "./scenario.ts";
 * import assert from "node:assert/strict";
 * assert.equal(nearest("raf", ["raft", "paxos", "gossip"]), "raft");
 * assert.equal(nearest("zzz", ["raft", "paxos"]), undefined);
 * ```
 */
export function nearest(word: string, names: readonly string[]): string | undefined {
  const limit = word.length <= 3 ? 1 : 2;
  let best: string | undefined, bestDistance = Infinity, ties = 0;
  for (const name of names) {
    const d = editDistance(word, name);
    if (d < bestDistance) [best, bestDistance, ties] = [name, d, 0];
    else if (d === bestDistance) ties++;
  }
  return bestDistance <= limit && ties === 0 ? best : undefined;
}

/** Levenshtein distance: insertions, deletions and substitutions. */
function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    row = next;
  }
  return row[b.length];
}

/**
 * The fields of a {@linkcode RunSpec} other than its scenario flags, in the
 * order a file writes them and `diff` compares them.
 *
 * @example
 * ```ts
 * import { RUN_SPEC_FIELDS } from "./scenario.ts";
 * import assert from "node:assert/strict";
 * assert.equal(RUN_SPEC_FIELDS[0], "scenario");
 * assert.ok(RUN_SPEC_FIELDS.includes("faults"));
 * ```
 */
export const RUN_SPEC_FIELDS = [
  "scenario",
  "module",
  "seed",
  "nodes",
  "until",
  "stopAt",
  "latency",
  "loss",
  "dup",
  "fifo",
  "faults",
] as const;

/**
 * Everything that decides a run, as plain data: the scenario, the seed, and
 * every parameter in the command line's terms. The command line, sweeps,
 * sweep reports and trace files all use this one form; a run is replayed by
 * running its spec again.
 *
 * @example
 * ```ts
 * import type { RunSpec } from "./scenario.ts";
 * import assert from "node:assert/strict";
 * const spec: RunSpec = {
 *   scenario: "gossip", seed: 3, nodes: 8, until: 2000, faults: "random", flags: { rumours: 3 },
 * };
 * assert.equal(spec.flags.rumours, 3);
 * ```
 */
export interface RunSpec {
  /** The scenario's name. */
  scenario: string;
  /** URL of the scenario's module when it is not one of the framework's own. */
  module?: string;
  /** The run's seed: every choice of the run is drawn from it. */
  seed: number;
  /** Number of nodes. */
  nodes: number;
  /** Virtual time the run lasts, ms. */
  until: number;
  /** `--stop-at`: where the run stops instead of `until` (setup still sees `until`). */
  stopAt?: number;
  /** `--latency` text; absent for the scenario's default. */
  latency?: string;
  /** `--loss`: probability a message is lost; absent for the scenario's default. */
  loss?: number;
  /** `--dup`: probability a message is duplicated; absent for the scenario's default. */
  dup?: number;
  /** `--fifo`: whether links keep send order; absent for the scenario's default. */
  fifo?: boolean;
  /** The fault schedule that ran, or `random[:...]` rates, in the `--faults` text form. */
  faults: string;
  /** Every scenario flag's value. */
  flags: Record<string, FlagValue>;
}

/**
 * What a scenario run produced: the fields of `sim run --json`, plus the
 * simulation itself for rendering.
 *
 * @example
 * ```ts
 * import { runScenario, type ScenarioResult } from "./scenario.ts";
 * import { pingPong } from "../protocols/ping_pong/scenario.ts";
 * import assert from "node:assert/strict";
 * const show = (r: ScenarioResult) => `${r.scenario} seed ${r.seed}: ${r.ok ? "ok" : "FAILED"}`;
 * assert.equal(show(runScenario(pingPong, { seed: 2 })), "ping-pong seed 2: ok");
 * ```
 */
export interface ScenarioResult {
  /** The scenario's name. */
  scenario: string;
  /** The run's seed: every choice of the run is drawn from it. */
  seed: number;
  /** Whether no invariant or check reported a violation. */
  ok: boolean;
  /** Why the run stopped. */
  stop: StopReason;
  /** Events handled. */
  events: number;
  /** Messages sent. */
  messages: number;
  /** Virtual time reached, ms. */
  virtualMs: number;
  /** Wall-clock time the run took, ms (for people; never compare it). */
  wallMs: number;
  /** Hash of the trace: equal hashes, equal runs. */
  traceHash: string;
  /** What the invariants and the end-of-run checks reported. */
  violations: Violation[];
  /** The fault schedule that ran, in the text form (replayable with `--faults`). */
  faults: string;
  /** The run as plain data, faults written out as the schedule that ran. */
  spec: RunSpec;
  /** The command line that replays this run. */
  replay: string;
  /** Lines describing the outcome for people (the scenario's `summary`). */
  summary: string[];
  /** The scenario's message labeller, for diagrams. */
  label?: (msg: unknown) => string;
  /** The draws the run used, when it replayed or recorded a choice log. */
  choices?: ChoiceLog;
  /** The simulation after the run, to inspect its nodes, trace and history. */
  sim: Simulation;
}

/**
 * How to run a scenario, beside its parameters: what to watch and keep.
 *
 * @example
 * ```ts
 * import { runScenario, type ScenarioRunOptions } from "./scenario.ts";
 * import { pingPong } from "../protocols/ping_pong/scenario.ts";
 * import assert from "node:assert/strict";
 * let events = 0;
 * const options: ScenarioRunOptions = { sink: () => events++ };
 * const run = runScenario(pingPong, { seed: 1 }, options);
 * assert.equal(events, run.sim.trace.count);
 * ```
 */
export interface ScenarioRunOptions {
  /** Sees every trace event as it is recorded (writing a long run to a file, say). */
  sink?: (event: TraceEvent) => void;
  /** How many events a `full` trace keeps in memory (see `SimulationOptions.traceWindow`). */
  traceWindow?: number;
  /** The run's event budget (see `SimulationOptions.maxEvents`). */
  maxEvents?: number;
  /** Draws to record into, or to replay instead of the seed's. */
  choices?: { log: ChoiceLog; mode: "record" | "replay" };
  /** An exploration strategy's hooks. */
  hooks?: RunHooks;
  /** Count messages by node and type (see `Simulation.messageStats`). */
  countMessages?: boolean;
  /** Called with the run's spec (faults written out) right before it runs. */
  onSpec?: (spec: RunSpec) => void;
  /** Called once the scenario's setup has run (a strategy reads its `special` node here). */
  onSetup?: (sim: Simulation, setup: ScenarioSetup, params: ScenarioParams) => void;
  /**
   * Drives the run instead of `sim.run({ until })`, returning why it
   * stopped: exhaustive checking replays its steps this way (see
   * `sim/exhaustive/`). The setup's `check` and liveness properties are
   * then the driver's to judge (a run cut short is judged differently).
   */
  drive?: (sim: Simulation, setup: ScenarioSetup) => StopReason;
}

/**
 * The scenarios a command line knows.
 *
 * @example
 * ```ts
 * import { ScenarioRegistry } from "./scenario.ts";
 * import { pingPong } from "../protocols/ping_pong/scenario.ts";
 * import assert from "node:assert/strict";
 * const registry = new ScenarioRegistry([pingPong]);
 * assert.equal(registry.get("ping-pong"), pingPong);
 * assert.equal(registry.list().length, 1);
 * ```
 */
export class ScenarioRegistry {
  #byName = new Map<string, Scenario>();

  /** A registry holding `scenarios` (each registered in turn, so duplicates are refused). */
  constructor(scenarios: Iterable<Scenario> = []) {
    for (const s of scenarios) this.register(s);
  }

  /** Adds a scenario; names must be unique. Returns the registry for chaining. */
  register<F extends FlagSpecs>(scenario: Scenario<F>): this {
    checkScenario(scenario as unknown as Scenario);
    if (this.#byName.has(scenario.name)) {
      throw new ConfigError(
        "scenario name",
        `${JSON.stringify(scenario.name)} is already registered`,
      );
    }
    this.#byName.set(scenario.name, scenario as unknown as Scenario);
    return this;
  }

  /** The scenario called `name`; throws a {@linkcode ConfigError} listing the known ones. */
  get(name: string): Scenario {
    const scenario = this.#byName.get(name);
    if (scenario === undefined) {
      const known = [...this.#byName.keys()];
      const near = nearest(name, known);
      throw new ConfigError(
        "scenario",
        `unknown scenario ${JSON.stringify(name)}` +
          (near === undefined ? "" : ` (did you mean ${near}?)`) + `; known: ${known.join(", ")}`,
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
 * What a caller may give for a run: any parameter (the rest are the
 * scenario's defaults), faults as a schedule, rates or their text form.
 *
 * @example
 * ```ts
 * import type { RunGiven } from "./scenario.ts";
 * import assert from "node:assert/strict";
 * const given: RunGiven = { seed: 3, nodes: 5, faults: "@100 crash n1", flags: { rounds: 4 } };
 * assert.equal(given.nodes, 5);
 * ```
 */
export type RunGiven<F extends FlagSpecs = FlagSpecs> =
  & Partial<Omit<ScenarioParams<F>, "faults" | "flags">>
  & { faults?: FaultSpec | string; flags?: Partial<FlagValues<F>> };

/**
 * Fills in a scenario's defaults and validates the result. Throws a
 * {@linkcode ConfigError} naming the bad input.
 *
 * @example
 * ```ts
 * import { resolveParams } from "./scenario.ts";
 * import { pingPong } from "../protocols/ping_pong/scenario.ts";
 * import assert from "node:assert/strict";
 * assert.equal(resolveParams(pingPong, { seed: 1 }).nodes, 2);
 * assert.equal(resolveParams(pingPong, { flags: { rounds: 3 } }).flags.rounds, 3);
 * ```
 */
export function resolveParams<F extends FlagSpecs>(
  scenario: Scenario<F>,
  given: RunGiven<F>,
): ScenarioParams<F> {
  const d = scenario.defaults;
  const seed = given.seed ?? 1;
  if (!(Number.isSafeInteger(seed) && seed >= 0 && seed <= MAX_SEED)) {
    throw new ConfigError("seed", `must be a whole number from 0 to ${MAX_SEED}, got ${seed}`);
  }
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
  const stopAt = given.stopAt;
  if (stopAt !== undefined && !(Number.isFinite(stopAt) && stopAt > 0 && stopAt <= until)) {
    throw new ConfigError(
      "stopAt",
      `must be a number of virtual ms above 0 and at most --until (${until}), got ${stopAt}`,
    );
  }
  const faultsGiven = given.faults ?? d.faults ?? "";
  const faults = typeof faultsGiven === "string" ? parseFaultSpec(faultsGiven) : faultsGiven;
  const specs: FlagSpecs = scenario.flags ?? {};
  const flags: Record<string, FlagValue> = {};
  for (const [name, spec] of Object.entries(specs)) {
    const value = (given.flags as Record<string, FlagValue> | undefined)?.[name];
    flags[name] = checkFlag(name, spec, value ?? spec.default);
  }
  for (const name of Object.keys(given.flags ?? {})) {
    if (!Object.hasOwn(specs, name)) {
      throw new ConfigError(
        `--${name}`,
        `${scenario.name} has no such flag; its flags: ${
          Object.keys(specs).map((f) => `--${f}`).join(", ") || "(none)"
        }`,
      );
    }
  }
  return {
    seed,
    nodes,
    until,
    ...(stopAt === undefined ? {} : { stopAt }),
    network: { ...d.network, ...given.network },
    faults,
    flags: flags as FlagValues<F>,
    trace: given.trace ?? "full",
  };
}

/**
 * Checks (and for strings from the command line, converts) one flag value.
 *
 * @example
 * ```ts
 * import { checkFlag, flag } from "./scenario.ts";
 * import assert from "node:assert/strict";
 * assert.equal(checkFlag("n", flag.int("replicas", 3, { min: 1 }), "5"), 5);
 * assert.throws(() => checkFlag("n", flag.int("replicas", 3, { min: 1 }), "0"), /--n: must be/);
 * ```
 */
export function checkFlag<V extends FlagValue>(
  name: string,
  spec: FlagSpec<V>,
  value: FlagValue,
): V {
  const option = `--${name}`;
  switch (typeof spec.default) {
    case "number": {
      const n = typeof value === "number" ? value : Number(value);
      const integer = spec.integer ?? true;
      if (
        typeof value === "boolean" ||
        (typeof value === "string" && value.trim() === "") || !Number.isFinite(n) ||
        (integer && !Number.isInteger(n)) || (spec.min !== undefined && n < spec.min) ||
        (spec.max !== undefined && n > spec.max)
      ) {
        const range = `${spec.min ?? "-inf"}..${spec.max ?? "inf"}`;
        throw new ConfigError(
          option,
          `must be a ${integer ? "whole number" : "number"} in ${range}, got ${
            JSON.stringify(value)
          }`,
        );
      }
      return n as V;
    }
    case "boolean":
      if (value === true || value === "true") return true as V;
      if (value === false || value === "false") return false as V;
      throw new ConfigError(option, `must be true or false, got ${JSON.stringify(value)}`);
    case "string": {
      if (typeof value !== "string") {
        throw new ConfigError(option, `must be text, got ${JSON.stringify(value)}`);
      }
      if (spec.choices && !spec.choices.includes(value)) {
        throw new ConfigError(
          option,
          `must be one of ${spec.choices.join(", ")}, got ${JSON.stringify(value)}`,
        );
      }
      return value as V;
    }
    default:
      throw new ConfigError(option, `flag default has unsupported type ${typeof spec.default}`);
  }
}

/**
 * The longest run a scenario accepts: one day of virtual time. Longer runs
 * take minutes of wall time and gigabytes of trace; sweep seeds instead.
 */
export const MAX_UNTIL_MS = 86_400_000;

/**
 * Node ids `n1` .. `nN`, the naming every built-in scenario uses for servers.
 *
 * @example
 * ```ts
 * import { nodeIds } from "./scenario.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(nodeIds(3), ["n1", "n2", "n3"]);
 * assert.deepEqual(nodeIds(2, "c"), ["c1", "c2"]);
 * ```
 */
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
 * import assert from "node:assert/strict";
 * const r = runScenario(pingPong, { seed: 7 });
 * assert.equal(r.ok, true);
 * assert.equal(r.replay, "deno task sim run ping-pong --seed 7");
 * ```
 */
export function runScenario<F extends FlagSpecs>(
  scenario: Scenario<F>,
  given: RunGiven<F> = {},
  options: ScenarioRunOptions = {},
): ScenarioResult {
  const params = resolveParams(scenario, given);
  const started = performance.now();
  const { sim, setup, schedule } = startScenario(scenario, params, options);
  let stop: StopReason | undefined;
  const faults = formatFaults(schedule);
  const spec = runSpecOf(scenario, params, faults);
  options.onSpec?.(spec);
  if (sim.violations.length === 0) {
    sim.schedule(schedule);
    if (options.drive !== undefined) stop = options.drive(sim, setup);
    else {
      const end = watchLiveness(sim, setup.liveness ?? [], schedule, params.until);
      stop = sim.run({ until: Math.min(end, params.stopAt ?? end) }).stop;
      // Cut short by `stopAt`, the run is judged on what it did: a check that
      // its work got done would fail merely because it was cut (unless it
      // went quiet: nothing more would have happened).
      const cut = params.stopAt !== undefined && params.stopAt < end && stop !== "quiet";
      if (sim.violations.length === 0 && setup.check !== undefined) {
        try {
          for (const v of setup.check(sim) ?? []) {
            if (!cut || v.safety === true) sim.reportViolation(v);
          }
        } catch (e) {
          // The check's own bug (a wrong node id included) is the user's to fix,
          // reported like any failed check, not as bad input or a bug of the tool.
          sim.reportViolation({
            check: "scenario-check",
            message: `the end-of-run check of ${scenario.name} threw ${describeError(e)}`,
            atMs: sim.now,
          });
        }
      }
    }
  }
  const wallMs = performance.now() - started;
  return {
    scenario: scenario.name,
    seed: params.seed,
    ok: sim.violations.length === 0,
    stop: sim.violations.length > 0 ? "violation" : stop ?? "violation",
    events: sim.stats.events,
    messages: sim.stats.messages,
    virtualMs: sim.now,
    wallMs: Math.round(wallMs * 1000) / 1000,
    traceHash: sim.trace.hash(),
    violations: [...sim.violations],
    faults,
    spec,
    replay: replayCommand(scenario, spec),
    summary: summaryOf(scenario, setup, sim),
    label: scenario.label,
    ...(options.choices === undefined ? {} : { choices: options.choices.log }),
    sim,
  };
}

/**
 * A scenario's run made ready: the simulation with the scenario's nodes
 * spawned and its setup done, what the setup returned, and the fault
 * schedule to give it (written out: generated faults already drawn). Not
 * scheduled and not run yet.
 *
 * @example
 * ```ts
 * import { resolveParams, startScenario, type ScenarioStart } from "./scenario.ts";
 * import { pingPong } from "../protocols/ping_pong/scenario.ts";
 * import assert from "node:assert/strict";
 * const start: ScenarioStart = startScenario(pingPong, resolveParams(pingPong, {}));
 * assert.deepEqual(start.sim.nodes, ["n1", "n2"]);
 * assert.deepEqual(start.schedule, []);
 * ```
 */
export interface ScenarioStart {
  sim: Simulation;
  setup: ScenarioSetup;
  schedule: FaultSchedule;
}

/**
 * Builds a scenario's simulation and runs its setup, as
 * {@linkcode runScenario} does before it runs: the part exhaustive checking
 * repeats for every state it explores. A setup that throws is a violation
 * `scenario-setup` on the simulation (a bad parameter, a `ConfigError`, is
 * thrown on).
 *
 * @example
 * ```ts
 * import { resolveParams, startScenario } from "./scenario.ts";
 * import { pingPong } from "../protocols/ping_pong/scenario.ts";
 * import assert from "node:assert/strict";
 * const { sim, schedule } = startScenario(pingPong, resolveParams(pingPong, { seed: 2 }));
 * sim.schedule(schedule);
 * assert.equal(sim.run({ until: 1000 }).ok, true);
 * ```
 */
export function startScenario<F extends FlagSpecs>(
  scenario: Scenario<F>,
  params: ScenarioParams<F>,
  options: ScenarioRunOptions = {},
): ScenarioStart {
  const sim = new Simulation({
    seed: params.seed,
    network: params.network,
    trace: scenario.needsTrace ? "full" : params.trace,
    ...(options.traceWindow === undefined ? {} : { traceWindow: options.traceWindow }),
    ...(options.maxEvents === undefined ? {} : { maxEvents: options.maxEvents }),
    ...(options.choices === undefined ? {} : { choices: options.choices }),
    ...(options.countMessages === undefined ? {} : { countMessages: options.countMessages }),
  });
  if (options.sink !== undefined) sim.trace.sink = options.sink;
  if (options.hooks !== undefined) sim.hooks = options.hooks;
  let setup: ScenarioSetup;
  try {
    setup = scenario.setup(sim, params) ?? {};
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    // A scenario (or an actor factory it calls) that throws is a failed run, not a crash.
    sim.reportViolation({
      check: "scenario-setup",
      message: `setup of ${scenario.name} threw ${describeError(e)}`,
      atMs: 0,
    });
    setup = {};
  }
  options.onSetup?.(sim, setup, params as ScenarioParams);
  const schedule: FaultSchedule = params.faults.kind === "schedule"
    ? params.faults.schedule
    : generateFaults(
      params.seed,
      setup.faultTargets ?? [...sim.nodes],
      faultsEndMs(setup, params.until),
      setup.maxDown === undefined || params.faults.rates.maxDown !== undefined
        ? params.faults.rates
        : { ...params.faults.rates, maxDown: setup.maxDown },
    );
  return { sim, setup, schedule };
}

/**
 * When generated faults must all be over in a run that ends at `untilMs`:
 * the scenario's `recoverMs` (at most half the run) before the end, so that
 * checks made at the end see a protocol that had that long to finish its
 * work after the last fault. Exhaustive checking holds its own faults to the
 * same time before it judges the end of a run.
 *
 * @example
 * ```ts
 * import { faultsEndMs } from "./scenario.ts";
 * import assert from "node:assert/strict";
 * assert.equal(faultsEndMs({ recoverMs: 500 }, 2000), 1500);
 * assert.equal(faultsEndMs({ recoverMs: 5000 }, 2000), 1000); // at most half the run
 * assert.equal(faultsEndMs({}, 2000), 2000);
 * ```
 */
export function faultsEndMs(setup: ScenarioSetup, untilMs: number): number {
  return untilMs - Math.max(0, Math.min(setup.recoverMs ?? 0, untilMs / 2));
}

/**
 * Schedules the liveness checks of a run: each property is sampled from the
 * last fault on, and judged at its deadline. Returns how long the run must
 * go on for every deadline to pass.
 */
function watchLiveness(
  sim: Simulation,
  properties: readonly Liveness[],
  schedule: FaultSchedule,
  until: number,
): number {
  if (properties.length === 0) return until;
  const scheduledLast = schedule.reduce((t, f) => Math.max(t, f.at), 0);
  let end = until;
  for (const p of properties) {
    let lastFault = scheduledLast;
    if (!(typeof p.withinMs === "number" && p.withinMs > 0)) {
      throw new ConfigError(
        `liveness ${p.name}`,
        `withinMs must be a number > 0, got ${p.withinMs}`,
      );
    }
    const deadline = lastFault + p.withinMs;
    end = Math.max(end, deadline);
    let lastHeld: number | undefined;
    let lastReason = "";
    const sample = (s: Simulation) => {
      const r = p.holds(s);
      if (r === true || r === undefined) lastHeld = s.now;
      else lastReason = typeof r === "string" ? r : "";
    };
    // Twenty samples over the window say since when the property has not held.
    const watch = (from: number) => {
      for (let k = 0; k < 20; k++) {
        const at = from + (p.withinMs * k) / 20;
        if (at >= sim.now) sim.at(at, sample);
      }
    };
    watch(lastFault);
    const judge = (s: Simulation) => {
      // A fault came later than the schedule's last (a strategy injected it
      // as the run went): the window starts again after it. A deadline past
      // the end of the run is never judged.
      const latest = s.lastFaultAt();
      if (latest > lastFault) {
        lastFault = latest;
        lastHeld = undefined;
        watch(lastFault);
        s.at(lastFault + p.withinMs, judge);
        return;
      }
      const r = p.holds(s);
      if (r === true || r === undefined) return;
      const why = typeof r === "string" ? r : lastReason;
      const since = lastHeld === undefined
        ? `it never held after the last fault at ${lastFault} ms`
        : `stuck since ${lastHeld} ms`;
      s.reportViolation({
        check: `liveness:${p.name}`,
        message: `${p.name} did not hold within ${p.withinMs} ms of the last fault (${since})` +
          (why === "" ? "" : `: ${why}`),
        atMs: s.now,
      });
    };
    sim.at(deadline, judge);
  }
  return end;
}

/** The scenario's summary lines; a summary that throws says so in its place. */
function summaryOf(scenario: Scenario, setup: ScenarioSetup, sim: Simulation): string[] {
  try {
    return setup.summary?.(sim) ?? [];
  } catch (e) {
    return [`(the summary of ${scenario.name} threw ${describeError(e)})`];
  }
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
 * import assert from "node:assert/strict";
 * const given = { seed: 1, faults: "@30 crash n2", trace: "hash" as const };
 * const failed = runScenario(pingPong, given);
 * assert.equal(failed.sim.trace.events.length, 0);
 * assert.ok(withEvents(pingPong, given, failed).sim.trace.events.length > 0);
 * ```
 */
export function withEvents<F extends FlagSpecs>(
  scenario: Scenario<F>,
  given: RunGiven<F>,
  result: ScenarioResult,
): ScenarioResult {
  if (result.ok || result.sim.trace.mode === "full") return result;
  const full = runScenario(scenario, { ...given, seed: result.seed, trace: "full" });
  const hashed = result.sim.trace.mode === "hash";
  return !hashed || full.traceHash === result.traceHash ? full : result;
}

/**
 * A run's parameters as a {@linkcode RunSpec}.
 *
 * @example
 * ```ts
 * import { resolveParams, runSpecOf } from "./scenario.ts";
 * import { pingPong } from "../protocols/ping_pong/scenario.ts";
 * import assert from "node:assert/strict";
 * const spec = runSpecOf(pingPong, resolveParams(pingPong, { seed: 4, network: { loss: 0.1 } }), "");
 * assert.deepEqual(spec, {
 *   scenario: "ping-pong", seed: 4, nodes: 2, until: 1000, loss: 0.1, faults: "",
 *   flags: { rounds: 10, retry: 50 },
 * });
 * ```
 */
export function runSpecOf<F extends FlagSpecs>(
  scenario: Scenario<F>,
  params: ScenarioParams<F>,
  faults: string,
): RunSpec {
  const builtIn = scenario.module === undefined || isBuiltIn(scenario);
  const spec: RunSpec = {
    scenario: scenario.name,
    ...(builtIn ? {} : { module: scenario.module }),
    seed: params.seed,
    nodes: params.nodes,
    until: params.until,
    ...(params.stopAt === undefined ? {} : { stopAt: params.stopAt }),
    faults,
    flags: { ...params.flags },
  };
  const net = params.network;
  if (net.latency !== undefined && net.latency.kind !== "custom") {
    spec.latency = formatLatency(net.latency);
  }
  if (net.loss !== undefined) spec.loss = net.loss;
  if (net.duplicate !== undefined) spec.dup = net.duplicate;
  if (net.fifo !== undefined) spec.fifo = net.fifo;
  return spec;
}

/**
 * The run parameters a {@linkcode RunSpec} stands for, checked against the
 * scenario (a spec from a file or another machine may be out of date).
 *
 * @example
 * ```ts
 * import { paramsOfSpec, runSpecOf, resolveParams } from "./scenario.ts";
 * import { pingPong } from "../protocols/ping_pong/scenario.ts";
 * import assert from "node:assert/strict";
 * const params = resolveParams(pingPong, { seed: 9, flags: { rounds: 4 } });
 * const again = paramsOfSpec(pingPong, runSpecOf(pingPong, params, ""));
 * assert.deepEqual(again.flags, params.flags);
 * ```
 */
export function paramsOfSpec<F extends FlagSpecs>(
  scenario: Scenario<F>,
  spec: RunSpec,
  trace: TraceMode = "full",
): ScenarioParams<F> {
  const network: NetworkOptions = {};
  if (spec.latency !== undefined) network.latency = parseLatency(spec.latency, "latency");
  if (spec.loss !== undefined) network.loss = spec.loss;
  if (spec.dup !== undefined) network.duplicate = spec.dup;
  if (spec.fifo !== undefined) network.fifo = spec.fifo;
  return resolveParams(scenario, {
    seed: spec.seed,
    nodes: spec.nodes,
    until: spec.until,
    ...(spec.stopAt === undefined ? {} : { stopAt: spec.stopAt }),
    network,
    faults: spec.faults,
    flags: spec.flags as Partial<FlagValues<F>>,
    trace,
  });
}

/**
 * Checks that `raw` (read from a file or sent by another process) is a
 * {@linkcode RunSpec}; throws a {@linkcode ConfigError} naming the field.
 *
 * @example
 * ```ts
 * import { checkRunSpec } from "./scenario.ts";
 * import assert from "node:assert/strict";
 * const spec = { scenario: "raft", seed: 4, nodes: 5, until: 3000, faults: "", flags: {} };
 * assert.deepEqual(checkRunSpec(spec), spec);
 * assert.throws(() => checkRunSpec({ ...spec, seed: -1 }), /spec.seed/);
 * ```
 */
export function checkRunSpec(raw: unknown): RunSpec {
  const bad = (field: string, what: string, got: unknown) =>
    new ConfigError(`spec.${field}`, `must be ${what}, got ${JSON.stringify(got) ?? "nothing"}`);
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new ConfigError("spec", "must be an object (scenario, seed, nodes, until, ...)");
  }
  const r = raw as Record<string, unknown>;
  const allowed = new Set<string>([...RUN_SPEC_FIELDS, "flags"]);
  for (const key of Object.keys(r)) {
    if (!allowed.has(key)) {
      throw new ConfigError(
        "spec",
        `unknown field ${JSON.stringify(key)}; allowed: ${[...allowed].join(", ")}`,
      );
    }
  }
  if (typeof r.scenario !== "string" || !SCENARIO_NAME.test(r.scenario)) {
    throw bad("scenario", "a scenario name", r.scenario);
  }
  if (r.module !== undefined && typeof r.module !== "string") {
    throw bad("module", "a URL", r.module);
  }
  if (!(Number.isSafeInteger(r.seed) && (r.seed as number) >= 0)) {
    throw bad("seed", "a whole number >= 0", r.seed);
  }
  if (!(Number.isInteger(r.nodes) && (r.nodes as number) >= 1)) {
    throw bad("nodes", "a whole number >= 1", r.nodes);
  }
  if (!(typeof r.until === "number" && r.until > 0 && r.until <= MAX_UNTIL_MS)) {
    throw bad("until", `a number of ms in (0, ${MAX_UNTIL_MS}]`, r.until);
  }
  if (
    r.stopAt !== undefined &&
    !(typeof r.stopAt === "number" && r.stopAt > 0 && r.stopAt <= (r.until as number))
  ) {
    throw bad("stopAt", `a number of ms in (0, until]`, r.stopAt);
  }
  if (r.latency !== undefined) {
    if (typeof r.latency !== "string") throw bad("latency", "a latency like 1..10", r.latency);
    parseLatency(r.latency, "spec.latency");
  }
  for (const p of ["loss", "dup"]) {
    if (r[p] !== undefined && !(typeof r[p] === "number" && r[p] >= 0 && r[p] <= 1)) {
      throw bad(p, "a probability in [0, 1]", r[p]);
    }
  }
  if (r.fifo !== undefined && typeof r.fifo !== "boolean") {
    throw bad("fifo", "true or false", r.fifo);
  }
  if (typeof r.faults !== "string") throw bad("faults", "the --faults text", r.faults);
  parseFaultSpec(r.faults);
  const flags = r.flags;
  if (
    flags === null || typeof flags !== "object" || Array.isArray(flags) ||
    !Object.values(flags).every((v) => ["string", "number", "boolean"].includes(typeof v))
  ) {
    throw bad("flags", "an object of strings, numbers and booleans", flags);
  }
  return r as unknown as RunSpec;
}

/** The framework's root folder, where `main.ts` is. */
const ROOT = new URL("../", import.meta.url);

/** Whether a scenario is one of the framework's own (defined under `protocols/`). */
function isBuiltIn(scenario: Scenario): boolean {
  return scenario.module === undefined ||
    scenario.module.startsWith(new URL("protocols/", ROOT).href);
}

/**
 * The command that runs a scenario from the current directory: `deno task
 * sim` in the framework's own folder for its own scenarios, otherwise
 * `deno run -A <path to main.ts>` with the scenario's module and name, so
 * that the line works verbatim where it was printed.
 *
 * @example
 * ```ts
 * import { cliCommand } from "./scenario.ts";
 * import { pingPong } from "../protocols/ping_pong/scenario.ts";
 * import assert from "node:assert/strict";
 * assert.match(cliCommand(pingPong, "run"), /^deno (task sim|run -A \S*main\.ts) run ping-pong$/);
 * ```
 */
export function cliCommand(scenario: Scenario, command: string): string {
  return scenarioCommand(scenario.name, isBuiltIn(scenario) ? undefined : scenario.module, command);
}

/**
 * {@linkcode cliCommand} from a scenario's name and, for a scenario that is
 * not one of the framework's own, its module's URL (as a {@linkcode RunSpec}
 * or a sweep report keeps them).
 *
 * @example
 * ```ts
 * import { scenarioCommand } from "./scenario.ts";
 * import assert from "node:assert/strict";
 * assert.match(scenarioCommand("mine", "file:///tmp/x/s.ts", "sweep"), /sweep \S*s\.ts#mine$/);
 * ```
 */
export function scenarioCommand(name: string, module: string | undefined, command: string): string {
  const cwd = currentDirectory();
  if (module === undefined && cwd !== undefined && cwd === fileURLToPath(ROOT).replace(/\/$/, "")) {
    return `deno task sim ${command} ${name}`;
  }
  const main = displayPath(new URL("main.ts", ROOT).href, cwd);
  const target = module === undefined ? name : `${displayPath(module, cwd)}#${name}`;
  return `deno run -A ${quote(main)} ${command} ${quote(target)}`;
}

/**
 * The command that runs one of the framework's commands on a file (`replay
 * FILE`, `merge FILES`) from the current directory: `deno task sim` in the
 * framework's folder, `deno run -A <path to main.ts>` elsewhere.
 *
 * @example
 * ```ts
 * import { toolCommand } from "./scenario.ts";
 * import assert from "node:assert/strict";
 * assert.match(toolCommand("replay"), /^deno (task sim|run -A \S*main\.ts) replay$/);
 * ```
 */
export function toolCommand(command: string): string {
  const cwd = currentDirectory();
  if (cwd !== undefined && cwd === fileURLToPath(ROOT).replace(/\/$/, "")) {
    return `deno task sim ${command}`;
  }
  return `deno run -A ${quote(displayPath(new URL("main.ts", ROOT).href, cwd))} ${command}`;
}

function currentDirectory(): string | undefined {
  try {
    return Deno.cwd();
  } catch {
    return undefined; // no read permission: paths stay absolute
  }
}

/** A module URL as a path relative to `cwd` when it is a local file, else the URL. */
function displayPath(url: string, cwd: string | undefined): string {
  if (!url.startsWith("file:")) return url;
  const path = fileURLToPath(url);
  if (cwd === undefined) return path;
  const rel = relative(cwd, path);
  return rel.startsWith("../") || rel.startsWith("./") ? rel : `./${rel}`;
}

const SHELL_SAFE = /^[A-Za-z0-9_./#:@=+-]+$/;
const SINGLE_QUOTE = "\u0027";
/** A single quote inside single quotes: close, escaped quote, reopen. */
const ESCAPED_QUOTE = "\u0027\\\u0027\u0027";

/** Single quotes around a shell word that needs them. */
function quote(word: string): string {
  if (SHELL_SAFE.test(word)) return word;
  return SINGLE_QUOTE + word.split(SINGLE_QUOTE).join(ESCAPED_QUOTE) + SINGLE_QUOTE;
}

/**
 * The command line that reproduces a run exactly: with `run` (the default),
 * the run itself; with `sweep`, a sweep of that one seed, which shrinks the
 * failure; with `studio`, the run in the studio, to step through.
 *
 * @example
 * ```ts
 * import { replayCommand, resolveParams, runSpecOf } from "./scenario.ts";
 * import { pingPong } from "../protocols/ping_pong/scenario.ts";
 * import assert from "node:assert/strict";
 * const spec = runSpecOf(pingPong, resolveParams(pingPong, { seed: 3, flags: { rounds: 5 } }), "");
 * assert.match(replayCommand(pingPong, spec), /run ping-pong --seed 3 --rounds 5$/);
 * assert.match(replayCommand(pingPong, spec, "sweep"), /sweep ping-pong --seeds 3 --rounds 5$/);
 * assert.match(replayCommand(pingPong, spec, "studio"), /studio ping-pong --seed 3 --rounds 5$/);
 * ```
 */
export function replayCommand(
  scenario: Scenario,
  spec: RunSpec,
  command: "run" | "sweep" | "studio" = "run",
): string {
  const seed = command === "sweep" ? `--seeds ${spec.seed}` : `--seed ${spec.seed}`;
  const parts = [cliCommand(scenario, command), seed];
  const d = scenario.defaults;
  if (spec.nodes !== d.nodes) parts.push(`--nodes ${spec.nodes}`);
  if (spec.until !== d.until) parts.push(`--until ${spec.until}`);
  if (spec.stopAt !== undefined) parts.push(`--stop-at ${spec.stopAt}`);
  const dflt = d.network ?? {};
  const latency = dflt.latency ?? DEFAULT_LINK.latency;
  const dfltLatency = latency.kind !== "custom" ? formatLatency(latency) : undefined;
  if (spec.latency !== undefined && spec.latency !== dfltLatency) {
    parts.push(`--latency ${spec.latency}`);
  }
  if (spec.loss !== undefined && spec.loss !== (dflt.loss ?? 0)) parts.push(`--loss ${spec.loss}`);
  if (spec.dup !== undefined && spec.dup !== (dflt.duplicate ?? 0)) parts.push(`--dup ${spec.dup}`);
  if (spec.fifo && !dflt.fifo) parts.push("--fifo");
  for (const [name, value] of Object.entries(spec.flags)) {
    if (value !== scenario.flags?.[name]?.default) parts.push(`--${name} ${value}`);
  }
  if (spec.faults !== "") parts.push(`--faults '${spec.faults}'`);
  // Without the flag the scenario's default faults (random, say) would run instead of none.
  else if ((d.faults ?? "").trim() !== "") parts.push("--faults none");
  return parts.join(" ");
}

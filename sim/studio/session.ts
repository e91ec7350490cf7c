/**
 * A studio session: one run to study, traced in full with every node's
 * state changes and its draws, and the runs branched from it by "what if"
 * (each the real simulator's run of the scenario with one change; see
 * `what_if.ts`). A branch can be branched again.
 *
 * The first run's draws are recorded as it goes (or, for a saved shrunk
 * run, are the file's), so an edit of one draw replays every other draw as
 * it was. Each run is kept with its events, states and draws; the session
 * keeps the first run and the latest branches (16 runs at most), so a long
 * session's memory stays bounded.
 *
 * @module
 */

import { type Counterexample, counterexampleIn } from "../check/linearizability.ts";
import { ChoiceLog } from "../choices.ts";
import { ConfigError } from "../errors.ts";
import { firstDifference, formatDifference, type TraceDifference } from "../explore/diff.ts";
import { formatFaults, parseFaults, withInjected } from "../faults.ts";
import type { StrategyHooks } from "../explore/strategy.ts";
import { renderHtml } from "../render/html.ts";
import { type PageData, pageData } from "../render/page_data.ts";
import {
  paramsOfSpec,
  type RunGiven,
  runScenario,
  type RunSpec,
  type Scenario,
  type ScenarioResult,
  toolCommand,
} from "../scenario.ts";
import { type StateLog, StateRecorder } from "../states.ts";
import { saveTrace, type TraceFile, traceFileFromResult } from "../trace_file.ts";
import { planWhatIf, type RunChanges, type WhatIfChange } from "./what_if.ts";

/**
 * What a session studies: a scenario run from parameters, or a saved trace
 * (replayed, with its draws when it carries them).
 *
 * @example
 * ```ts
 * import type { StudioSource } from "./session.ts";
 * import { pingPong } from "../../protocols/ping_pong/scenario.ts";
 * import assert from "node:assert/strict";
 * const source: StudioSource = { scenario: pingPong, given: { seed: 3 } };
 * assert.equal(source.scenario.name, "ping-pong");
 * ```
 */
export type StudioSource =
  | { scenario: Scenario; given: RunGiven; steered?: Steered }
  | { scenario: Scenario; file: TraceFile; path?: string };

/**
 * A first run steered by an exploration strategy's hooks (`--strategy
 * sync:K`, `pct:D`): what they chose is recorded with the run's draws, so
 * every what-if of it replays them without the hooks.
 *
 * @example
 * ```ts
 * import type { Steered } from "./session.ts";
 * import { sharedDraws } from "../explore/sync.ts";
 * import assert from "node:assert/strict";
 * const steered: Steered = { hooks: sharedDraws(4, 1), strategy: "sync:1" };
 * assert.equal(steered.strategy, "sync:1");
 * ```
 */
export interface Steered {
  /** The hooks, made for this one run. */
  hooks: StrategyHooks;
  /** The `--strategy` value that made them (for the run's replay line). */
  strategy: string;
}

/**
 * One run of a session.
 *
 * @example
 * ```ts
 * import { StudioSession } from "./session.ts";
 * import { pingPong } from "../../protocols/ping_pong/scenario.ts";
 * import assert from "node:assert/strict";
 * const session = new StudioSession({ scenario: pingPong, given: { seed: 3 } });
 * assert.equal(session.base.id, 0);
 * assert.equal(session.base.result.ok, true);
 * ```
 */
export interface StudioRun {
  /** 0 for the run studied, then 1, 2, ... for each what-if. */
  id: number;
  title: string;
  /** Everything but the draws: scenario, seed, parameters, the fault schedule. */
  spec: RunSpec;
  /** Its draws: recorded (the first run) or replayed (a saved one's, a what-if's). */
  choices: ChoiceLog;
  /** The run, traced in full. */
  result: ScenarioResult;
  /** Every node's state changes. */
  states: StateLog;
  /** The run it branched from, and the change. */
  parent?: number;
  change?: string;
  /** Something the reader must know (a saved trace that no longer replays to its hash). */
  warning?: string;
}

/**
 * The answer to a what-if: the new run and where it first parts from the
 * run it branched from.
 *
 * @example
 * ```ts
 * import type { WhatIfAnswer } from "./session.ts";
 * import assert from "node:assert/strict";
 * const where = (a: WhatIfAnswer) => a.difference?.index ?? "nowhere";
 * assert.equal(where({ differenceText: "the same" } as WhatIfAnswer), "nowhere");
 * ```
 */
export interface WhatIfAnswer {
  /** The new run, kept by the session. */
  run: StudioRun;
  /** Undefined when the change changed nothing. */
  difference?: TraceDifference;
  /** The difference in words (`sim diff`'s text), or why there is none. */
  differenceText: string;
  /** Set when the change did not do what it said (a link of its own that loses nothing). */
  warning?: string;
}

/**
 * Options of a {@linkcode StudioSession}.
 *
 * @example
 * ```ts
 * import type { StudioOptions } from "./session.ts";
 * import assert from "node:assert/strict";
 * const o: StudioOptions = { maxEvents: 200_000, maxRuns: 8 };
 * assert.equal(o.maxRuns, 8);
 * ```
 */
export interface StudioOptions {
  /** The event budget of each run (default 2,000,000: every event is kept in memory). */
  maxEvents?: number;
  /** Runs kept at once, the first included (default 16). */
  maxRuns?: number;
}

const DEFAULT_MAX_EVENTS = 2_000_000;
const DEFAULT_MAX_RUNS = 16;

/**
 * The runs of one studio session; see the module documentation.
 *
 * @example
 * ```ts
 * import { StudioSession } from "./session.ts";
 * import { pingPong } from "../../protocols/ping_pong/scenario.ts";
 * import assert from "node:assert/strict";
 * const session = new StudioSession({ scenario: pingPong, given: { seed: 3 } });
 * const events = session.base.result.sim.trace.events;
 * const crashAt = events.findIndex((e) => e.kind === "deliver");
 * const answer = session.whatIf(0, crashAt, { kind: "crash", node: "n2" });
 * assert.equal(answer.difference?.b?.kind, "crash");
 * assert.match(session.page(answer.run.id), /what if/);
 * ```
 */
export class StudioSession {
  readonly scenario: Scenario;
  readonly base: StudioRun;
  readonly #runs = new Map<number, StudioRun>();
  readonly #maxEvents: number;
  readonly #maxRuns: number;
  /** What reproduces the first run when its `run` line cannot: a file's own draws, a strategy. */
  #reproduce: string | undefined;
  #next = 0;

  constructor(source: StudioSource, options: StudioOptions = {}) {
    this.scenario = source.scenario;
    this.#maxEvents = options.maxEvents ?? DEFAULT_MAX_EVENTS;
    this.#maxRuns = Math.max(2, options.maxRuns ?? DEFAULT_MAX_RUNS);
    this.#reproduce = "file" in source && source.file.choices !== undefined
      ? `${toolCommand("replay")} ${source.path ?? "FILE"}`
      : undefined;
    if ("file" in source) {
      const { file } = source;
      const choices = file.choices === undefined ? new ChoiceLog() : ChoiceLog.from(file.choices);
      const run = this.#run(file.spec, choices, file.choices === undefined ? "record" : "replay");
      const title = `${file.spec.scenario} seed ${file.spec.seed} (saved trace)`;
      const warning = run.result.traceHash === file.traceHash ? undefined : `this code runs the ` +
        `saved trace differently (trace ${run.result.traceHash}, saved ${file.traceHash}): ` +
        `what the studio shows is today's run`;
      this.base = this.#keep({ ...run, title, ...(warning === undefined ? {} : { warning }) });
    } else {
      const run = this.#run(source.given, new ChoiceLog(), "record", source.steered?.hooks);
      const steered = source.steered?.strategy;
      this.base = this.#keep({
        ...run,
        title: `${source.scenario.name} seed ${run.spec.seed}` +
          (steered === undefined ? "" : `, ${steered}`),
      });
      if (steered !== undefined) this.#reproduce = `${run.result.replay} --strategy ${steered}`;
    }
  }

  /** The run with this id, if the session still keeps it. */
  run(id: number): StudioRun | undefined {
    return this.#runs.get(id);
  }

  /**
   * Runs run `id` again with `change` made at its event `at`, keeps the new
   * run and says where it parts from run `id`. Throws a
   * {@linkcode ConfigError} when the change cannot be made.
   */
  whatIf(id: number, at: number, change: WhatIfChange): WhatIfAnswer {
    const parent = this.#kept(id, "what-if run");
    const sim = parent.result.sim;
    const plan = planWhatIf(
      {
        seed: parent.spec.seed,
        events: sim.trace.events,
        choices: parent.choices,
        faults: parseFaults(parent.spec.faults),
        network: { ...(parent.spec.loss === undefined ? {} : { loss: parent.spec.loss }) },
        link: (from, to) => sim.link(from, to),
      },
      at,
      change,
    );
    const spec = specWith(parent.spec, plan);
    const run = this.#keep({
      ...this.#run(spec, plan.choices, "replay"),
      title: `${this.base.title}, what if: ${plan.description}`,
      parent: id,
      change: plan.description,
    });
    const before = sim.trace.events, after = run.result.sim.trace.events;
    const difference = firstDifference(before, after, 3);
    const answer: WhatIfAnswer = {
      run,
      differenceText: difference === undefined
        ? "the new run is the same run, event for event"
        : formatDifference(difference, ["this run", "what if"]),
      ...(difference === undefined ? {} : { difference }),
    };
    const m = plan.message;
    if (change.kind === "drop" && m !== undefined && m.copyOf === undefined) {
      const next = after[m.sendIndex + 1];
      if (!(next?.kind === "drop" && next.id === m.id && next.reason === "loss")) {
        answer.warning = `message #${m.id} was not lost: its link ${m.from} -> ${m.to} has a ` +
          "configuration of its own that loses nothing";
      }
    }
    return answer;
  }

  /** The studio's page of run `id`. */
  page(id: number): string {
    const run = this.#kept(id, "run");
    const r = run.result;
    const verdict = r.ok
      ? "ok"
      : `FAILED: ${r.violations.map((v) => `${v.check}: ${v.message}`).join("; ")}`;
    const subtitle = [
      ...(run.parent === undefined ? [this.#reproduce ?? r.replay] : [
        `what if of run ${run.parent}: ${run.change}`,
        `to replay it: save /trace.json?run=${id}, then ${toolCommand("replay")} FILE`,
      ]),
      `${verdict} · ${r.sim.trace.count} events · trace ${r.traceHash}`,
      ...(run.warning === undefined ? [] : [`warning: ${run.warning}`]),
    ];
    return renderHtml(r.sim.trace.events, {
      title: run.title,
      subtitle,
      states: run.states,
      ...counterexample(r),
      studio: { run: id, endpoint: "/what-if" },
    });
  }

  /** The page's model of run `id` (what a what-if answer carries to the page). */
  data(id: number): PageData {
    const run = this.#kept(id, "run");
    return pageData(run.result.sim.trace.events, {
      states: run.states,
      ...counterexample(run.result),
    });
  }

  /** Run `id` as a trace file (with its draws): `sim replay` runs it again. */
  traceFile(id: number): string {
    const run = this.#kept(id, "run");
    return saveTrace(traceFileFromResult(run.result));
  }

  #run(
    what: RunSpec | RunGiven,
    choices: ChoiceLog,
    mode: "record" | "replay",
    steering?: StrategyHooks,
  ): Omit<StudioRun, "id" | "title"> {
    const recorder = new StateRecorder();
    const given = isSpec(what)
      ? paramsOfSpec(this.scenario, what, "full")
      : { ...what, trace: "full" as const };
    const result = runScenario(this.scenario, given, {
      traceWindow: Infinity,
      maxEvents: this.#maxEvents,
      hooks: recorder.hooks(steering?.hooks),
      ...(steering?.onSetup === undefined ? {} : { onSetup: steering.onSetup }),
      choices: { log: choices, mode },
    });
    // Faults the hooks injected are the what-ifs' schedule: they replay without the hooks.
    const injected = steering?.injected() ?? [];
    const spec = injected.length === 0 ? result.spec : {
      ...result.spec,
      faults: formatFaults(withInjected(parseFaults(result.spec.faults), injected)),
    };
    return { spec, choices, result, states: recorder.log() };
  }

  /**
   * Run `id`, or a {@linkcode ConfigError} saying whether it never was (ids
   * go up from 0 as runs are made) or was let go to keep the session small.
   */
  #kept(id: number, input: string): StudioRun {
    const run = this.#runs.get(id);
    if (run !== undefined) return run;
    if (!Number.isInteger(id) || id < 0 || id >= this.#next) {
      throw new ConfigError(
        input,
        `there is no run ${id}: the runs so far are 0 to ${this.#next - 1}`,
      );
    }
    throw new ConfigError(
      input,
      `run ${id} is not kept any more (the first run and the last ${this.#maxRuns - 1} are); ` +
        "open the first run",
    );
  }

  #keep(run: Omit<StudioRun, "id">): StudioRun {
    const kept = { ...run, id: this.#next++ } as StudioRun;
    this.#runs.set(kept.id, kept);
    // The first run stays; the oldest branch goes.
    for (const id of this.#runs.keys()) {
      if (this.#runs.size <= this.#maxRuns) break;
      if (id !== 0) this.#runs.delete(id);
    }
    return kept;
  }
}

function isSpec(x: RunSpec | RunGiven): x is RunSpec {
  return typeof (x as RunSpec).scenario === "string";
}

/** The spec of a changed run: the new fault schedule and, for a drop, the new loss. */
function specWith(spec: RunSpec, plan: RunChanges): RunSpec {
  const next: RunSpec = { ...spec, faults: formatFaults(plan.faults) };
  if (plan.network.loss !== undefined) next.loss = plan.network.loss;
  return next;
}

function counterexample(r: ScenarioResult): { counterexample?: Counterexample } {
  const c = counterexampleIn(r.violations);
  return c === undefined ? {} : { counterexample: c };
}

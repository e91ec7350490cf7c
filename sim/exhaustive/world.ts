/**
 * One run the checker drives: a real {@linkcode Simulation} built by the
 * scenario's own setup, stepped choice by choice, with the checker's
 * bookkeeping beside it (the fault budget left, which nodes it crashed,
 * whether it has split the network, how long each liveness property has
 * gone without holding). The simulator is deterministic, so a state is
 * reached again by building a new world and applying the same choices:
 * that is how the searches return to a state (there is no way to copy a
 * run of arbitrary actors).
 *
 * @module
 */

import type { NodeId } from "../../actors/mod.ts";
import { ConfigError, describeError } from "../errors.ts";
import {
  type Liveness,
  type Scenario,
  type ScenarioParams,
  type ScenarioSetup,
  startScenario,
} from "../scenario.ts";
import type { PendingEvent, Simulation, Violation } from "../simulation.ts";
import { decodeChoice, partitionOptions, stepOf } from "./choice.ts";
import { fingerprintOf, gatherState } from "./fingerprint.ts";
import { enabledEvents, type Timing } from "./timing.ts";

/**
 * What the checker may choose and how time constrains it.
 *
 * @example
 * ```ts
 * import type { CheckSettings } from "./world.ts";
 * import assert from "node:assert/strict";
 * const s: CheckSettings = {
 *   timing: "strict", crashes: 1, partitions: 0, losses: 0, dups: 0, livenessSteps: Infinity,
 * };
 * assert.equal(s.crashes, 1);
 * ```
 */
export interface CheckSettings {
  /** The timing rule (see `timing.ts`). */
  timing: Timing;
  /** Crashes the checker may make (each crashed node may restart, at any later step). */
  crashes: number;
  /** Times it may split the network in two (each split may heal, at any later step). */
  partitions: number;
  /** Messages it may lose in flight. */
  losses: number;
  /** Messages it may deliver twice. */
  dups: number;
  /**
   * Steps after the last fault within which each liveness property must
   * have held (Infinity: only judged where the run ends).
   */
  livenessSteps: number;
}

/** One liveness property and how it has gone since the last fault. */
interface LivenessState {
  property: Liveness;
  held: boolean;
  steps: number;
}

/**
 * A run under the checker's control.
 *
 * @example
 * ```ts
 * import { World } from "./world.ts";
 * import { resolveParams } from "../scenario.ts";
 * import { pingPong } from "../../protocols/ping_pong/scenario.ts";
 * import assert from "node:assert/strict";
 * const params = resolveParams(pingPong, { flags: { rounds: 1 } });
 * const settings = {
 *   timing: "strict" as const, crashes: 0, partitions: 0, losses: 0, dups: 0, livenessSteps: Infinity,
 * };
 * const world = World.start(pingPong, params, settings);
 * assert.deepEqual(world.choices(), [0, 8]); // either node may start first
 * world.apply(0);
 * assert.equal(world.depth, 1);
 * assert.deepEqual(world.path, [0]);
 * ```
 */
export class World {
  /** The choices applied so far. */
  readonly path: number[] = [];
  /** A liveness property that has gone too long without holding, once one has. */
  livenessViolation: Violation | null = null;
  readonly #settings: CheckSettings;
  readonly #targets: NodeId[];
  #crashesLeft: number;
  #partitionsLeft: number;
  #lossesLeft: number;
  #dupsLeft: number;
  #partitioned = false;
  /** Nodes the checker crashed (and may restart). */
  #crashed = new Map<NodeId, number>();
  #liveness: LivenessState[];
  #pending: PendingEvent[] | null = null;
  #events: number[] | null = null;
  #checked = false;

  /** A world around a simulation that `setup` set up (and whose faults are scheduled). */
  constructor(
    readonly sim: Simulation,
    readonly setup: ScenarioSetup,
    settings: CheckSettings,
    readonly untilMs: number,
  ) {
    this.#settings = settings;
    this.#targets = setup.faultTargets ?? [...sim.nodes];
    this.#crashesLeft = settings.crashes;
    this.#partitionsLeft = settings.partitions;
    this.#lossesLeft = settings.losses;
    this.#dupsLeft = settings.dups;
    this.#liveness = (setup.liveness ?? []).map((property) => ({
      property,
      held: false,
      steps: 0,
    }));
    // At the initial state the properties are looked at, no step counted yet.
    this.#judgeLiveness(true);
  }

  /** A new world at the scenario's initial state: set up, faults scheduled, nothing run. */
  static start(scenario: Scenario, params: ScenarioParams, settings: CheckSettings): World {
    const { sim, setup, schedule } = startScenario(scenario, params);
    if (sim.violations.length === 0) sim.schedule(schedule);
    return new World(sim, setup, settings, params.until);
  }

  /** How many choices were applied. */
  get depth(): number {
    return this.path.length;
  }

  /** What may happen next (see `Simulation.pending`), listed once per state. */
  pending(): PendingEvent[] {
    return this.#pending ??= this.sim.pending();
  }

  /** The places in {@linkcode World.pending} of the events the timing rule lets go next. */
  events(): number[] {
    return this.#events ??= enabledEvents(
      this.pending(),
      this.#settings.timing,
      this.sim.now,
      this.untilMs,
      (from, to) => this.sim.link(from, to).fifo,
    );
  }

  /** Whether the run is over here: no event can happen (by `until`). Faults still may. */
  get ended(): boolean {
    return this.events().length === 0;
  }

  /** Every choice the checker may make here, as numbers (see `choice.ts`). */
  choices(): number[] {
    if (this.sim.violations.length > 0) return [];
    const pending = this.pending();
    const events = this.events();
    const out = events.map((i) => i * 8);
    const network = (i: number) =>
      pending[i].kind === "deliver" && this.sim.nodes.includes(pending[i].from!);
    if (this.#lossesLeft > 0) {
      pending.forEach((_, i) => network(i) && out.push(i * 8 + 1));
    }
    if (this.#dupsLeft > 0) { for (const i of events) if (network(i)) out.push(i * 8 + 2); }
    const nodes = this.sim.nodes;
    if (this.#crashesLeft > 0) {
      for (const id of this.#targets) {
        if (this.sim.status(id) === "up") out.push(nodes.indexOf(id) * 8 + 3);
      }
    }
    for (const id of this.#crashed.keys()) {
      if (this.sim.status(id) === "crashed") out.push(nodes.indexOf(id) * 8 + 4);
    }
    if (this.#partitioned) out.push(6);
    else if (this.#partitionsLeft > 0) {
      partitionOptions(this.#targets).forEach((_, k) => out.push(k * 8 + 5));
    }
    return out;
  }

  /**
   * Applies one choice; the invariants run after it, as after every step
   * (also when returning to a state along a path checked before: an
   * invariant may remember what it saw, as Raft's do, and must see every
   * step of every run). With `verify` (a choice read from a file), a choice
   * not allowed here is a {@linkcode ConfigError}.
   */
  apply(code: number, options: { verify?: boolean } = {}): void {
    if (options.verify && !this.choices().includes(code)) {
      throw new ConfigError(
        "order",
        `step ${this.depth + 1}: choice ${code} is not one the checker could make here`,
      );
    }
    const { kind, arg } = decodeChoice(code);
    let fault = kind !== "run" && kind !== "drop" && kind !== "duplicate";
    // Only liveness needs to know a scheduled fault from other events.
    if (kind === "run" && this.#liveness.length > 0) fault = this.pending()[arg]?.kind === "fault";
    this.sim.step(stepOf(code, this.sim, this.#targets));
    switch (kind) {
      case "drop":
        this.#lossesLeft--;
        break;
      case "duplicate":
        this.#dupsLeft--;
        break;
      case "crash":
        this.#crashesLeft--;
        this.#crashed.set(this.sim.nodes[arg], 1);
        break;
      case "restart":
        this.#crashed.delete(this.sim.nodes[arg]);
        break;
      case "partition":
        this.#partitionsLeft--;
        this.#partitioned = true;
        break;
      case "heal":
        this.#partitioned = false;
        break;
    }
    this.path.push(code);
    this.#pending = null;
    this.#events = null;
    this.#judgeLiveness(fault);
  }

  /**
   * The scenario's after-the-run check, once per world: every violation
   * where the run is over, only safety violations (see `Violation.safety`)
   * elsewhere (a cut-short run would fail "every operation completed" for
   * being cut short); and where the run is over, the liveness properties
   * (see {@linkcode World.stuck}).
   */
  endCheck(): Violation[] {
    if (this.#checked) throw new Error("internal: a world's end check runs once");
    this.#checked = true;
    if (this.sim.violations.length > 0) return [];
    const ended = this.ended;
    // Liveness first: a check may run the simulation on (to let it settle).
    const stuck = this.stuck();
    let found: Violation[];
    try {
      found = (this.setup.check?.(this.sim) ?? []).filter((v) => ended || v.safety === true);
    } catch (e) {
      // A check that reads the trace asks for it (see `traceNeeded`).
      if (e instanceof ConfigError && e.input === "trace") throw e;
      // The check's own bug is the user's to fix, reported as `runScenario` reports it.
      found = [{
        check: "scenario-check",
        message: `the end-of-run check threw ${describeError(e)}`,
        atMs: this.sim.now,
      }];
    }
    return [...found, ...stuck];
  }

  /**
   * Where the run is over, and every fault the checker made is repaired
   * (crashed nodes restarted, the network healed: the fault model's faults
   * end, and liveness is judged after the last one): each liveness property
   * that does not hold there (it never will).
   */
  stuck(): Violation[] {
    if (!this.ended || !this.#repaired) return [];
    const found: Violation[] = [];
    for (const l of this.#liveness) {
      const r = l.property.holds(this.sim);
      if (r === true || r === undefined) continue;
      found.push({
        check: `liveness:${l.property.name}`,
        message: `${l.property.name} does not hold where the run ends: stuck` +
          (typeof r === "string" ? ` (${r})` : ""),
        atMs: this.sim.now,
      });
    }
    return found;
  }

  /** Whether every node the checker crashed is back up and the network it split is healed. */
  get #repaired(): boolean {
    return this.#crashed.size === 0 && !this.#partitioned;
  }

  /** This state's fingerprint (see `fingerprint.ts`), least over `renamings`. */
  fingerprint(renamings: readonly (ReadonlyMap<string, string> | null)[]): number {
    const bookkeeping = [
      this.#crashesLeft,
      this.#partitionsLeft,
      this.#lossesLeft,
      this.#dupsLeft,
      this.#partitioned ? 1 : 0,
    ];
    const counting = Number.isFinite(this.#settings.livenessSteps);
    for (const l of this.#liveness) bookkeeping.push(l.held ? -1 : counting ? l.steps : 0);
    const parts = gatherState(this.sim, this.pending(), {
      timing: this.#settings.timing,
      scenario: this.setup.inspect?.(this.sim),
      bookkeeping,
      flags: this.#crashed,
    });
    return fingerprintOf(parts, renamings);
  }

  /**
   * After a step (or at the start, or after a fault, which counts no step):
   * has each liveness property held since the last fault, and for how many
   * steps has it not?
   */
  #judgeLiveness(restart: boolean): void {
    const bound = this.#settings.livenessSteps;
    // Until the checker's faults are repaired, the clock of "after the last fault" waits.
    if (!this.#repaired) restart = true;
    for (const l of this.#liveness) {
      if (restart) {
        l.held = false;
        l.steps = 0;
      } else if (l.held) continue;
      const r = l.property.holds(this.sim);
      if (r === true || r === undefined) {
        l.held = true;
        l.steps = 0;
        continue;
      }
      if (!restart) l.steps++;
      if (l.steps >= bound && this.livenessViolation === null) {
        this.livenessViolation = {
          check: `liveness:${l.property.name}`,
          message: `${l.property.name} did not hold within ${bound} steps of the last fault` +
            (typeof r === "string" ? ` (${r})` : ""),
          atMs: this.sim.now,
        };
      }
    }
  }
}

/**
 * The `targeted` strategy: faults at the moments that matter. Random
 * faults last hundreds of milliseconds and land uniformly in time, so they
 * almost never fall inside the few milliseconds between a vote and the end
 * of its election, or between a storage write and the reply that depends on
 * it. This strategy watches the run and strikes right after the k-th event
 * of one kind:
 *
 * - `after-write`: crash the node that just wrote its storage;
 * - `after-send`: crash the node that just sent;
 * - `after-deliver`: crash the node that just handled a message;
 * - `pause`: pause the node that just handled a message;
 * - `clock-jump`: make that node's clock jump forward or back;
 * - `isolate`: cut the node the scenario marks as special (its `special`
 *   hook: a Raft leader, say) off from everyone.
 *
 * Counting every event, the k-th one is almost always one of the run's
 * most common kind (a heartbeat, an acknowledgement), so most plans also
 * narrow what they count:
 *
 * - by type: only messages (or storage keys) of the r-th type the run
 *   shows, in the order types first appear: a vote, a vote's reply, a
 *   snapshot, the first append after an election are all among a run's
 *   first few types, however rare they are among its events;
 * - by node: only events at the node the scenario marks as special, so a
 *   crash or a pause hits the leader right after it appended or sent.
 *
 * A run strikes up to three times, one fault after another (each counts
 * from the moment the one before healed), because the bugs a single fault
 * cannot show often take two: a leader crashed after appending, then the
 * next one too (Raft's Figure 8).
 *
 * A node comes back after a short, drawn time (sometimes a fraction of a
 * millisecond). In a scenario whose checks hold with one fault never
 * healed (its fault model says `hold`), some plans hold the last fault to
 * the end instead: a crash, a pause or an isolation for good, under which
 * the scenario's liveness properties must still hold, so that a livelock
 * shows as "stuck since t" (TigerBeetle's VOPR liveness mode). Only the kinds of fault in the scenario's fault model are
 * used, only on the nodes its faults may hit, and every fault heals early
 * enough for the scenario's end-of-run checks (`recoverMs`). A fault lands
 * on the microsecond after its event, and goes first at that instant, so
 * the replay (the faults written out as a schedule) is the same run.
 *
 * Faults given on the command line (`--faults`, a schedule, rates or
 * `none`) are the user's: the strategy then injects none of its own, and
 * each run is the given faults with its own seed (explore says so once).
 *
 * @module
 */

import type { NodeId } from "../../actors/mod.ts";
import type { Fault, FaultAction } from "../faults.ts";
import { Random } from "../random.ts";
import type { ScenarioSetup } from "../scenario.ts";
import type { Observed, Simulation } from "../simulation.ts";
import { choiceOf, logUniform } from "./draw.ts";
import { modelOf } from "./swarm.ts";
import {
  baseGiven,
  registerStrategy,
  type RunContext,
  type Strategy,
  type StrategyHooks,
} from "./strategy.ts";

/**
 * The moments the strategy strikes at.
 *
 * @example
 * ```ts
 * import { TARGETS } from "./targeted.ts";
 * import assert from "node:assert/strict";
 * assert.ok(TARGETS.includes("after-write"));
 * ```
 */
export const TARGETS = [
  "after-write",
  "after-send",
  "after-deliver",
  "pause",
  "clock-jump",
  "isolate",
] as const;

/** One of {@linkcode TARGETS}. */
export type Target = typeof TARGETS[number];

/** The fault kind each target needs in the scenario's model. */
const NEEDS: Record<Target, "crash" | "pause" | "partition" | "clock"> = {
  "after-write": "crash",
  "after-send": "crash",
  "after-deliver": "crash",
  "pause": "pause",
  "clock-jump": "clock",
  "isolate": "partition",
};

/** The kind of event each target counts. */
const COUNTS: Record<Target, Observed["kind"]> = {
  "after-write": "storage",
  "after-send": "send",
  "after-deliver": "deliver",
  "pause": "deliver",
  "clock-jump": "deliver",
  "isolate": "deliver",
};

/** A microsecond: the fault lands right after the event that triggered it. */
const NEXT = 0.001;

/** Most strikes in one run. */
export const MAX_STRIKES = 3;

/** Types a typed plan picks among: the run's first few, in order of appearance. */
const TYPE_RANKS = 6;

/**
 * One strike of a plan: after the `k`-th counted event (counting from the
 * heal of the strike before), down for `downMs`.
 *
 * @example
 * ```ts
 * import type { Strike } from "./targeted.ts";
 * import assert from "node:assert/strict";
 * const s: Strike = { k: 3, downMs: 5, skewMs: -40 };
 * assert.equal(s.k, 3);
 * ```
 */
export interface Strike {
  k: number;
  downMs: number;
  /** For `clock-jump`: how far the clock jumps. */
  skewMs: number;
}

/**
 * What one targeted run will do.
 *
 * @example
 * ```ts
 * import type { TargetPlan } from "./targeted.ts";
 * import assert from "node:assert/strict";
 * const p: TargetPlan = {
 *   target: "after-send", typeRank: 2, special: false,
 *   strikes: [{ k: 1, downMs: 0.2, skewMs: 0 }],
 * };
 * assert.equal(p.strikes.length, 1);
 * ```
 */
export interface TargetPlan {
  target: Target;
  /**
   * Count only events of the run's `typeRank`-th type (message type, or
   * storage key up to its first `/` or `:`), from 0 in order of first
   * appearance; null counts every event.
   */
  typeRank: number | null;
  /** Count only events at the scenario's special node (when it has one). */
  special: boolean;
  /** The faults, in order. */
  strikes: Strike[];
  /** The last strike's fault is never healed (crash, pause and isolate only). */
  hold?: boolean;
}

/**
 * What one targeted run will do, drawn from its seed; undefined when the
 * scenario's fault model allows none of the targets.
 *
 * @example
 * ```ts
 * import { targetFor } from "./targeted.ts";
 * import { abd } from "../../protocols/quorum/scenarios.ts";
 * import assert from "node:assert/strict";
 * const plans = [1, 2, 3, 4, 5, 6, 7, 8].map((seed) => targetFor(abd, seed)!);
 * assert.ok(plans.every((p) => p.strikes.length >= 1 && p.strikes.every((s) => s.k >= 1)));
 * // Some plans count one type of event only, some every event.
 * assert.ok(plans.some((p) => p.typeRank === null) && plans.some((p) => p.typeRank !== null));
 * ```
 */
export function targetFor(
  scenario: Parameters<typeof modelOf>[0],
  seed: number,
): TargetPlan | undefined {
  const model = modelOf(scenario);
  const allowed = TARGETS.filter((t) => model.faults.includes(NEEDS[t]));
  if (allowed.length === 0) return undefined;
  const random = Random.stream(seed, "targeted");
  const target = choiceOf(random, allowed);
  const typed = random.next() < 0.6;
  const typeRank = typed ? random.int(0, TYPE_RANKS - 1) : null;
  // Isolating is always of the special node; crashes and pauses sometimes are.
  const special = target !== "isolate" && target !== "clock-jump" && random.next() < 0.35;
  const count = choiceOf(random, [1, 1, 2, 3]);
  const strikes: Strike[] = [];
  for (let i = 0; i < Math.min(count, MAX_STRIKES); i++) {
    strikes.push({
      // Rarer events (one type, one node) are counted over a shorter stretch.
      k: logUniform(random, typed || special ? 40 : 400),
      downMs: choiceOf(random, [0.2, 1, 5, 25, 150, 600]),
      skewMs: Math.round(random.uniform(-500, 500) * 1000) / 1000,
    });
  }
  // Drawn last, so that the plans of scenarios that do not allow it are the same.
  const hold = model.hold && target !== "clock-jump" && random.next() < 0.25;
  return { target, typeRank, special, strikes, ...(hold ? { hold } : {}) };
}

/**
 * The type of a message for counting: its `type` (or `kind`) field, inside
 * any layers (`{ layer, msg }`) it travels in, named with them
 * (`rb/link/data`); `?` for anything else.
 *
 * @example
 * ```ts
 * import { messageType } from "./targeted.ts";
 * import assert from "node:assert/strict";
 * assert.equal(messageType({ type: "RequestVote", term: 2 }), "RequestVote");
 * assert.equal(messageType({ layer: "rb", msg: { layer: "link", msg: { type: "ack" } } }), "rb/link/ack");
 * assert.equal(messageType(42), "?");
 * ```
 */
export function messageType(msg: unknown): string {
  let m = msg as Record<string, unknown> | null;
  let prefix = "";
  for (let depth = 0; depth < 8 && typeof m === "object" && m !== null; depth++) {
    if (typeof m.layer === "string" && typeof m.msg === "object") {
      prefix += `${m.layer}/`;
      m = m.msg as Record<string, unknown>;
      continue;
    }
    const t = typeof m.type === "string" ? m.type : typeof m.kind === "string" ? m.kind : "?";
    return prefix + t;
  }
  return prefix + "?";
}

/** The type of an observed event, for typed plans. */
function eventType(what: Observed): string | undefined {
  switch (what.kind) {
    case "send":
    case "deliver":
      return messageType(what.msg);
    case "storage":
      return what.key.split(/[/:]/)[0];
    default:
      return undefined;
  }
}

/**
 * The `targeted` strategy.
 *
 * @example
 * ```ts
 * import { targetedStrategy } from "./targeted.ts";
 * import { runScenario } from "../scenario.ts";
 * import { abd } from "../../protocols/quorum/scenarios.ts";
 * import assert from "node:assert/strict";
 * const plan = targetedStrategy.plan({ scenario: abd, given: {}, seed: 4, index: 3 });
 * const made = plan.hooks!();
 * const run = runScenario(abd, plan.given, { hooks: made.hooks, onSetup: made.onSetup });
 * assert.ok(made.injected().length > 0);
 * // The faults it injected are written out, so a plain schedule replays the run.
 * const again = runScenario(abd, {
 *   ...plan.given,
 *   faults: { kind: "schedule", schedule: made.injected() },
 * });
 * assert.equal(again.traceHash, run.traceHash);
 * ```
 */
export const targetedStrategy: Strategy = {
  name: "targeted",
  plan(context: RunContext) {
    const given = { ...baseGiven(context), faults: context.given.faults ?? "none" };
    // Faults the user gave are the run's faults: nothing is added on top of them.
    if (context.given.faults !== undefined) return { strategy: "targeted", given };
    const target = targetFor(context.scenario, context.seed);
    if (target === undefined) return { strategy: "targeted", given };
    return { strategy: "targeted", given, hooks: () => strike(target) };
  },
};

/**
 * Hooks that inject a plan's faults as the run goes.
 *
 * @example
 * ```ts
 * import { strike } from "./targeted.ts";
 * import { runScenario } from "../scenario.ts";
 * import { abd } from "../../protocols/quorum/scenarios.ts";
 * import assert from "node:assert/strict";
 * const made = strike({
 *   target: "after-write", typeRank: null, special: false,
 *   strikes: [{ k: 2, downMs: 5, skewMs: 0 }, { k: 1, downMs: 5, skewMs: 0 }],
 * });
 * runScenario(abd, { seed: 1, faults: "none" }, { hooks: made.hooks, onSetup: made.onSetup });
 * const [crash, restart, crash2] = made.injected();
 * assert.equal(crash.action.type, "crash");
 * assert.ok(Math.abs(restart.at - crash.at - 5) < 1e-9);
 * // The second strike counts from the first one's heal.
 * assert.ok(crash2.at > restart.at);
 * ```
 */
export function strike(plan: TargetPlan): StrategyHooks {
  const injected: Fault[] = [];
  const types: string[] = [];
  const counted = COUNTS[plan.target];
  let next = 0;
  let seen = 0;
  /** Events before this time (the last strike's heal) are not counted. */
  let armedAt = 0;
  let setup: ScenarioSetup = {};
  let targets: Set<NodeId> | undefined;
  let lastHealAt = Infinity;
  const inject = (sim: Simulation, faults: Array<[number, FaultAction]>) => {
    const list = faults.filter(([at]) => at !== Infinity)
      .map(([at, action]) => ({ at: round(at), action }));
    if (list.some((f) => f.at > lastHealAt)) {
      next = plan.strikes.length;
      return;
    }
    sim.schedule(list);
    injected.push(...list);
    armedAt = list[list.length - 1].at;
    seen = 0;
    next++;
  };
  /** Whether `what` is an event this plan counts. */
  const counts = (sim: Simulation, what: Observed): boolean => {
    if (what.kind !== counted || sim.now < armedAt) return false;
    if (plan.typeRank !== null) {
      const type = eventType(what);
      if (type === undefined) return false;
      let rank = types.indexOf(type);
      if (rank === -1 && types.length < TYPE_RANKS) rank = types.push(type) - 1;
      if (rank !== plan.typeRank) return false;
    }
    if (plan.special && setup.special !== undefined && setup.special(sim) !== what.node) {
      return false;
    }
    return true;
  };
  return {
    hooks: {
      observe(sim: Simulation, what: Observed) {
        if (next >= plan.strikes.length || !counts(sim, what)) return;
        const s = plan.strikes[next];
        const node = what.node;
        if (plan.target !== "isolate" && !targets?.has(node)) return;
        if (++seen !== s.k) return;
        const at = sim.now + NEXT;
        // A held fault never heals: the run ends with it in place.
        const back = plan.hold && next === plan.strikes.length - 1 ? Infinity : at + s.downMs;
        switch (plan.target) {
          case "after-write":
          case "after-send":
          case "after-deliver":
            return inject(sim, [[at, { type: "crash", node }], [back, { type: "restart", node }]]);
          case "pause":
            return inject(sim, [[at, { type: "pause", node }], [back, { type: "resume", node }]]);
          case "clock-jump":
            return inject(sim, [[at, { type: "skew", node, ms: s.skewMs }], [back, {
              type: "skew",
              node,
              ms: 0,
            }]]);
          case "isolate": {
            const special = setup.special?.(sim) ?? node;
            if (!targets?.has(special)) return;
            const others = sim.nodes.filter((n) => n !== special);
            if (others.length === 0) return;
            return inject(sim, [[at, { type: "partition", groups: [[special], others] }], [
              back,
              { type: "heal" },
            ]]);
          }
        }
      },
    },
    onSetup(sim, s, params) {
      setup = s;
      targets = new Set(s.faultTargets ?? sim.nodes);
      lastHealAt = params.until - (s.recoverMs ?? 0);
    },
    injected: () => [...injected],
  };
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

registerStrategy(
  "targeted",
  "up to three faults, each right after the k-th write, send or delivery (of one message " +
    "type, or at the leader), or isolating the leader; none on top of a given --faults",
  () => targetedStrategy,
);

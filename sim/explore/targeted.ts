/**
 * The `targeted` strategy: one fault, at a moment that matters. Random
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
 * The node comes back after a short, drawn time (sometimes a fraction of a
 * millisecond). Only the kinds of fault in the scenario's fault model are
 * used, only on the nodes its faults may hit, and every fault heals early
 * enough for the scenario's end-of-run checks (`recoverMs`). The fault
 * lands on the microsecond after the event, and goes first at that
 * instant, so the replay (the fault written out as a schedule) is the same
 * run.
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

/** A microsecond: the fault lands right after the event that triggered it. */
const NEXT = 0.001;

/**
 * What one targeted run will do: which kind of event, the how-manieth, and
 * for how long the node stays down.
 *
 * @example
 * ```ts
 * import { targetFor } from "./targeted.ts";
 * import { pingPong } from "../../protocols/ping_pong/scenario.ts";
 * import assert from "node:assert/strict";
 * const t = targetFor(pingPong, 3);
 * assert.ok(t === undefined || t.k >= 1);
 * ```
 */
export function targetFor(
  scenario: Parameters<typeof modelOf>[0],
  seed: number,
): { target: Target; k: number; downMs: number; skewMs: number } | undefined {
  const allowed = TARGETS.filter((t) => modelOf(scenario).faults.includes(NEEDS[t]));
  if (allowed.length === 0) return undefined;
  const random = Random.stream(seed, "targeted");
  return {
    target: choiceOf(random, allowed),
    k: logUniform(random, 400),
    downMs: choiceOf(random, [0.2, 1, 5, 25, 150]),
    skewMs: Math.round(random.uniform(-500, 500) * 1000) / 1000,
  };
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
 * const schedule = made.injected();
 * const again = runScenario(abd, { ...plan.given, faults: { kind: "schedule", schedule } });
 * assert.equal(again.traceHash, run.traceHash);
 * ```
 */
export const targetedStrategy: Strategy = {
  name: "targeted",
  plan(context: RunContext) {
    const given = { ...baseGiven(context), faults: context.given.faults ?? "none" };
    const target = targetFor(context.scenario, context.seed);
    if (target === undefined) return { strategy: "targeted", given };
    return { strategy: "targeted", given, hooks: () => strike(target) };
  },
};

/** Hooks that inject the one fault of a targeted run. */
function strike(plan: NonNullable<ReturnType<typeof targetFor>>): StrategyHooks {
  const injected: Fault[] = [];
  let seen = 0;
  let done = false;
  let setup: ScenarioSetup = {};
  let targets: Set<NodeId> | undefined;
  let lastHealAt = Infinity;
  const inject = (sim: Simulation, faults: Array<[number, FaultAction]>) => {
    const list = faults.map(([at, action]) => ({ at: round(at), action }));
    if (list.some((f) => f.at > lastHealAt)) return;
    sim.schedule(list);
    injected.push(...list);
    done = true;
  };
  return {
    hooks: {
      observe(sim: Simulation, what: Observed) {
        if (done) return;
        const node = what.node;
        const at = sim.now + NEXT;
        const back = at + plan.downMs;
        switch (plan.target) {
          case "after-write":
          case "after-send":
          case "after-deliver": {
            const kind = plan.target === "after-write"
              ? "storage"
              : plan.target === "after-send"
              ? "send"
              : "deliver";
            if (what.kind !== kind || !targets?.has(node) || ++seen !== plan.k) return;
            return inject(sim, [[at, { type: "crash", node }], [back, { type: "restart", node }]]);
          }
          case "pause":
            if (what.kind !== "deliver" || !targets?.has(node) || ++seen !== plan.k) return;
            return inject(sim, [[at, { type: "pause", node }], [back, { type: "resume", node }]]);
          case "clock-jump":
            if (what.kind !== "deliver" || !targets?.has(node) || ++seen !== plan.k) return;
            return inject(sim, [[at, { type: "skew", node, ms: plan.skewMs }], [back, {
              type: "skew",
              node,
              ms: 0,
            }]]);
          case "isolate": {
            if (what.kind !== "deliver" || ++seen !== plan.k) return;
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
  "one fault right after a storage write, a send or a delivery, or isolating the leader",
  () => targetedStrategy,
);

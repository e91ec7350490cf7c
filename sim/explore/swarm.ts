/**
 * The `swarm` strategy (Groce et al., "Swarm Testing", ISSTA 2012; the way
 * FoundationDB's simulator configures each run): instead of one fixed mix
 * of faults at moderate rates, every run draws its own configuration, so
 * that some runs have only crashes, some only short partitions, some many
 * very short faults, some a slow network, some an even-sized cluster. A bug
 * that needs one condition and is hidden by another shows up in the runs
 * that happen to have the first without the second.
 *
 * What a run may draw stays within the scenario's fault model
 * ({@linkcode ExploreModel}): the kinds of fault it is meant to survive,
 * its loss and duplication at most, latencies within its links' bounds,
 * the cluster size within two of its default and within its limits, and
 * the values it lists for its own flags (client count, think time, ...).
 * Everything drawn is a parameter, so the replay is one command line.
 *
 * @module
 */

import { choiceOf } from "./draw.ts";
import { Random } from "../random.ts";
import { DEFAULT_LINK, type Latency, latencyBounds } from "../network.ts";
import { type FaultRates, formatFaultSpec, parseFaultSpec } from "../faults.ts";
import type { ExploreModel, FaultKind, FlagValue, RunGiven, Scenario } from "../scenario.ts";
import { baseGiven, registerStrategy, type RunContext, type Strategy } from "./strategy.ts";

/**
 * The envelope a scenario allows, filled in from its defaults.
 *
 * @example
 * ```ts
 * import { modelOf } from "./swarm.ts";
 * import { abd } from "../../protocols/quorum/scenarios.ts";
 * import assert from "node:assert/strict";
 * const m = modelOf(abd);
 * assert.ok(m.faults.includes("crash"));
 * assert.equal(m.maxLoss, 0.1); // as abd declares; its default network loses 0.02
 * // A scenario that declares nothing: its default faults and network, no flags.
 * const plain = modelOf({ ...abd, explore: undefined });
 * assert.deepEqual(plain.faults, ["crash", "pause", "partition", "clock"]);
 * assert.equal(plain.maxLoss, 0.02);
 * ```
 */
export function modelOf(scenario: Scenario): Required<ExploreModel> {
  const declared = scenario.explore ?? {};
  const defaults = scenario.defaults;
  const spec = parseFaultSpec(defaults.faults ?? "");
  let faults: FaultKind[] = [];
  if (spec.kind === "random") {
    const r = spec.rates;
    faults = (["crash", "pause", "partition", "clock"] as const).filter((k) =>
      k === "clock" || (r[k] ?? 0) > 0
    );
  }
  return {
    faults: declared.faults ?? faults,
    maxLoss: declared.maxLoss ?? defaults.network?.loss ?? 0,
    maxDup: declared.maxDup ?? defaults.network?.duplicate ?? 0,
    flags: declared.flags ?? {},
    hold: declared.hold ?? false,
  };
}

/**
 * Draws one run's configuration.
 *
 * @example
 * ```ts
 * import { swarmStrategy } from "./swarm.ts";
 * import { abd } from "../../protocols/quorum/scenarios.ts";
 * import assert from "node:assert/strict";
 * const plans = [1, 2, 3, 4].map((seed) =>
 *   swarmStrategy.plan({ scenario: abd, given: {}, seed, index: seed - 1 }).given
 * );
 * // Runs differ in their configuration, not only in their seed.
 * assert.ok(new Set(plans.map((g) => JSON.stringify({ ...g, seed: 0 }))).size > 1);
 * ```
 */
export const swarmStrategy: Strategy = {
  name: "swarm",
  plan(context: RunContext) {
    return { strategy: "swarm", given: swarmGiven(context) };
  },
};

function swarmGiven(context: RunContext): RunGiven {
  const { scenario, given } = context;
  const model = modelOf(scenario);
  const random = Random.stream(context.seed, "swarm");
  const out: RunGiven = baseGiven(context);
  const d = scenario.defaults;
  if (given.nodes === undefined) {
    const lo = Math.max(d.minNodes ?? 1, d.nodes - 2);
    const hi = Math.min(d.maxNodes ?? 1000, d.nodes + 2);
    out.nodes = random.int(lo, hi);
  }
  const network = { ...given.network };
  if (given.network?.latency === undefined) {
    const latency = d.network?.latency ?? DEFAULT_LINK.latency;
    if (latency.kind !== "custom") network.latency = latencyWithin(latency, random);
  }
  if (given.network?.loss === undefined && model.maxLoss > 0) {
    network.loss = choiceOf(random, [0, model.maxLoss / 4, model.maxLoss]);
  }
  if (given.network?.duplicate === undefined && model.maxDup > 0) {
    network.duplicate = choiceOf(random, [0, model.maxDup / 4, model.maxDup]);
  }
  out.network = network;
  if (given.faults === undefined) out.faults = formatFaultSpec(faultsFor(model.faults, random));
  const flags: Record<string, FlagValue> = { ...(given.flags as Record<string, FlagValue>) };
  for (const [name, values] of Object.entries(model.flags)) {
    if (flags[name] === undefined && values.length > 0) flags[name] = choiceOf(random, values);
  }
  out.flags = flags;
  return out;
}

/**
 * A latency within `latency`'s bounds: the whole range, its fast end, its
 * slow end, or fixed at one end (fixed latencies make events tie).
 */
function latencyWithin(latency: Latency, random: Random): Latency {
  const [min, max] = latencyBounds(latency);
  if (!Number.isFinite(max)) return latency;
  const quarter = (max - min) / 4;
  const pick = random.int(0, 4);
  const round = (x: number) => Math.round(x * 1000) / 1000;
  switch (pick) {
    case 0:
      return latency;
    case 1:
      return { kind: "uniform", min, max: round(min + quarter) };
    case 2:
      return { kind: "uniform", min: round(max - quarter), max };
    case 3:
      return { kind: "fixed", ms: min };
    default:
      return { kind: "fixed", ms: max };
  }
}

/** Generated faults of a random subset of the allowed kinds, at random rates and durations. */
function faultsFor(kinds: readonly FaultKind[], random: Random): ReturnType<typeof parseFaultSpec> {
  const on = kinds.filter(() => random.next() < 0.6);
  if (on.length === 0) return { kind: "schedule", schedule: [] };
  const rates: FaultRates = {};
  for (const kind of on) rates[kind] = choiceOf(random, [0.5, 1, 2, 5, 10]);
  // Very short faults too: a crash of a few ms lands between a vote and its election's end.
  rates.meanDurationMs = choiceOf(random, [2, 10, 50, 200, 1000]);
  if (on.includes("clock")) rates.maxSkewMs = choiceOf(random, [5, 50, 500]);
  return { kind: "random", rates };
}

registerStrategy(
  "swarm",
  "each run draws its own faults, rates, durations, network, cluster size and clients",
  () => swarmStrategy,
);

/**
 * Small readers of a finished run's trace, and a statistical assertion, shared
 * by the simulator's tests.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { Simulation, TraceEvent, TraceKind } from "../sim/mod.ts";

/**
 * The trace events of one kind, typed.
 *
 * @example
 * ```ts
 * import { Simulation } from "../sim/mod.ts";
 * import { eventsOf } from "./_helpers.ts";
 * const sim = new Simulation({ seed: 1 });
 * eventsOf(sim, "deliver").length; // 0
 * ```
 */
export function eventsOf<K extends TraceKind>(
  sim: Simulation,
  kind: K,
): Extract<TraceEvent, { kind: K }>[] {
  return sim.trace.events.filter((e): e is Extract<TraceEvent, { kind: K }> => e.kind === kind);
}

/**
 * Message id -> time in flight, for every delivered message that has a send
 * event (duplicate copies have none and are left out).
 *
 * @example
 * ```ts
 * import { Simulation } from "../sim/mod.ts";
 * import { latencies } from "./_helpers.ts";
 * latencies(new Simulation({ seed: 1 })).size; // 0
 * ```
 */
export function latencies(sim: Simulation): Map<number, number> {
  const sentAt = new Map(eventsOf(sim, "send").map((e) => [e.id, e.t]));
  const out = new Map<number, number>();
  for (const d of eventsOf(sim, "deliver")) {
    const t = sentAt.get(d.id);
    if (t !== undefined && !out.has(d.id)) out.set(d.id, d.t - t);
  }
  return out;
}

/**
 * How many adjacent pairs are out of order.
 *
 * @example
 * ```ts
 * import { inversions } from "./_helpers.ts";
 * inversions([0, 2, 1, 3]); // 1
 * ```
 */
export function inversions(seqs: readonly number[]): number {
  let n = 0;
  for (let i = 1; i < seqs.length; i++) if (seqs[i] < seqs[i - 1]) n++;
  return n;
}

/**
 * Asserts that a count from `trials` independent trials of probability `p`
 * lies within `k` standard deviations of its mean.
 *
 * @example
 * ```ts
 * import { assertBinomial } from "./_helpers.ts";
 * assertBinomial("losses", 1010, 10000, 0.1);
 * ```
 */
export function assertBinomial(what: string, observed: number, trials: number, p: number, k = 5) {
  const mean = trials * p;
  const sd = Math.sqrt(trials * p * (1 - p));
  assert.ok(
    Math.abs(observed - mean) <= k * sd,
    `${what}: observed ${observed} of ${trials}, expected ${mean} ± ${(k * sd).toFixed(1)} ` +
      `(${k} standard deviations at p = ${p})`,
  );
}

/**
 * Asserts that a sample mean is within `k` standard errors of `expected`.
 *
 * @example
 * ```ts
 * import { assertMean } from "./_helpers.ts";
 * assertMean("latency", [1, 2, 3], 2, 1);
 * ```
 */
export function assertMean(
  what: string,
  sample: readonly number[],
  expected: number,
  sd: number,
  k = 5,
) {
  const mean = sample.reduce((s, x) => s + x, 0) / sample.length;
  const se = sd / Math.sqrt(sample.length);
  assert.ok(
    Math.abs(mean - expected) <= k * se,
    `${what}: mean ${mean.toFixed(4)} over ${sample.length}, expected ${expected} ± ${
      (k * se).toFixed(4)
    }`,
  );
}

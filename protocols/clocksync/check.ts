/**
 * The checks of clock synchronisation, against what only the simulator
 * knows: every node's true clock reading at every instant
 * (`sim.localTime(id)`).
 *
 * - **offset within delay/2**: when a client takes a sample, the server's
 *   clock minus the client's hardware clock, right then, is within δ/2 of
 *   the estimate θ (plus what the clocks' drift can add during the exchange,
 *   and the size of any jump of the client's clock during it);
 * - **monotonic**: no node's synchronised clock ever reads less than it read
 *   before, crashes and restarts included.
 *
 * @module
 */

import type { NodeId } from "../../actors/mod.ts";
import type { Invariant, Simulation } from "../../sim/simulation.ts";
import type { SyncSample } from "./clock_sync.ts";
import type { SyncedActor } from "./synced_actor.ts";

/**
 * What the checks know about the clocks: the server, the bound on every
 * clock's drift, and the hardware clock jumps so far.
 *
 * @example
 * ```ts
 * import type { ClockTruth } from "./check.ts";
 * import assert from "node:assert/strict";
 * const truth: ClockTruth = { server: "n1", maxDrift: 0.001, jumps: [{ node: "n2", at: 500, ms: -80 }] };
 * assert.equal(truth.jumps.length, 1);
 * ```
 */
export interface ClockTruth {
  /** The reference time server. */
  server: NodeId;
  /** Most any clock drifts, as a rate (0.001: 1 ms per second). */
  maxDrift: number;
  /** Hardware clock jumps: global time, node, and by how many ms. */
  jumps: readonly { node: NodeId; at: number; ms: number }[];
}

/**
 * How far a sample's estimate may be from the truth: δ/2, plus the drift of
 * both clocks over the exchange, plus any jump of the client's clock during
 * it.
 *
 * @example
 * ```ts
 * import { allowedError } from "./check.ts";
 * import assert from "node:assert/strict";
 * const sample = { id: 1, offset: 40, delay: 8, t1: 100, t4: 110 };
 * const allowed = allowedError(sample, "n2", 110, { server: "n1", maxDrift: 0, jumps: [] });
 * assert.ok(Math.abs(allowed - 4) < 1e-3);
 * ```
 */
export function allowedError(
  sample: SyncSample,
  client: NodeId,
  now: number,
  truth: ClockTruth,
): number {
  const local = sample.t4 - sample.t1;
  let jumped = 0;
  for (const j of truth.jumps) jumped += j.node === client ? Math.abs(j.ms) : 0;
  // The exchange began at most this long ago in global time (a jump may have shortened it).
  const began = now - (local + jumped) / (1 - truth.maxDrift) - 1e-6;
  let during = 0;
  for (const j of truth.jumps) {
    if (j.node === client && j.at >= began && j.at <= now) during += Math.abs(j.ms);
  }
  const drift = 2 * truth.maxDrift * (local + during) / (1 - truth.maxDrift);
  return sample.delay / 2 + drift + during + 1e-6;
}

/**
 * What only the simulator knows: the server's synchronised clock minus
 * `client`'s hardware clock, now (`undefined` while the server is down).
 *
 * @example
 * ```ts
 * import { trueOffset } from "./check.ts";
 * import { Simulation } from "../../sim/simulation.ts";
 * import { SyncedActor } from "./synced_actor.ts";
 * import assert from "node:assert/strict";
 * const sim = new Simulation({ seed: 1 });
 * sim.spawn("n1", () => new SyncedActor(undefined, {}));
 * sim.spawn("n2", () => new SyncedActor(undefined, { server: "n1" }), { clock: { skewMs: -25 } });
 * sim.run({ until: 10 });
 * assert.equal(trueOffset(sim, "n2", "n1"), 25);
 * ```
 */
export function trueOffset(sim: Simulation, client: NodeId, server: NodeId): number | undefined {
  const reference = sim.actor<SyncedActor<unknown, unknown>>(server);
  if (reference === undefined) return undefined;
  return reference.peek(sim.localTime(server)) - sim.localTime(client);
}

/**
 * The invariant that every new sample of each of `clients` is within its
 * {@linkcode allowedError} of the true offset. The nodes are
 * {@linkcode SyncedActor}s; `truth.jumps` may grow as the run goes.
 *
 * @example
 * ```ts
 * import { offsetInvariant } from "./check.ts";
 * import { Simulation } from "../../sim/simulation.ts";
 * import { SyncedActor } from "./synced_actor.ts";
 * import assert from "node:assert/strict";
 * const sim = new Simulation({ seed: 2 });
 * sim.spawn("n1", () => new SyncedActor(undefined, { holdMs: 3 }));
 * sim.spawn("n2", () => new SyncedActor(undefined, { server: "n1" }), { clock: { skewMs: 70, drift: 0.001 } });
 * sim.invariant("offset", offsetInvariant(["n2"], { server: "n1", maxDrift: 0.001, jumps: [] }));
 * assert.equal(sim.run({ until: 2000 }).ok, true);
 * ```
 */
export function offsetInvariant(clients: readonly NodeId[], truth: ClockTruth): Invariant {
  const checked = new Map<NodeId, number>();
  return (sim: Simulation) => {
    for (const id of clients) {
      const node = sim.actor<SyncedActor<unknown, unknown>>(id);
      const sample = node?.sync.layer.samples.at(-1);
      if (sample === undefined || sample.id <= (checked.get(id) ?? 0)) continue;
      checked.set(id, sample.id);
      const real = trueOffset(sim, id, truth.server);
      if (real === undefined) continue;
      const error = Math.abs(sample.offset - real);
      const allowed = allowedError(sample, id, sim.now, truth);
      if (error > allowed) {
        return {
          node: id,
          message: `sample ${sample.id}: estimated offset ${fmt(sample.offset)} ms, true offset ` +
            `${fmt(real)} ms: off by ${fmt(error)} ms, more than delay/2 = ${
              fmt(sample.delay / 2)
            }` +
            (allowed - sample.delay / 2 > 0.001
              ? ` (+ ${fmt(allowed - sample.delay / 2)} drift)`
              : ""),
        };
      }
    }
    return true;
  };
}

/**
 * The invariant that no node's synchronised clock reads less than before.
 *
 * @example
 * ```ts
 * import { monotonicInvariant } from "./check.ts";
 * import { Simulation } from "../../sim/simulation.ts";
 * import { SyncedActor } from "./synced_actor.ts";
 * import { ClockReader } from "./clock_reader.ts";
 * import assert from "node:assert/strict";
 * const run = (discipline: "slew" | "step") => {
 *   const sim = new Simulation({ seed: 1 });
 *   sim.spawn("n1", () => new SyncedActor(undefined, {}));
 *   sim.spawn("n2", () => new SyncedActor(new ClockReader(5), { server: "n1", clock: { discipline } }), {
 *     clock: { skewMs: 40 }, // ahead of the server: the clock must be set back
 *   });
 *   sim.invariant("monotonic", monotonicInvariant(["n2"]));
 *   return sim.run({ until: 1000 }).ok;
 * };
 * assert.equal(run("slew"), true);
 * assert.equal(run("step"), false);
 * ```
 */
export function monotonicInvariant(nodes: readonly NodeId[]): Invariant {
  const highest = new Map<NodeId, number>();
  return (sim: Simulation) => {
    for (const id of nodes) {
      const last = sim.actor<SyncedActor<unknown, unknown>>(id)?.sync.layer.clock.last;
      if (last === undefined || last === null) continue;
      const before = highest.get(id) ?? -Infinity;
      if (last < before) {
        return {
          node: id,
          message: `the synchronised clock read ${fmt(last)} ms after reading ${fmt(before)} ms: ` +
            `it went back ${fmt(before - last)} ms`,
        };
      }
      highest.set(id, last);
    }
    return true;
  };
}

function fmt(ms: number): string {
  return String(Math.round(ms * 1000) / 1000);
}

/**
 * The end of a run in which faults were injected: heal every partition,
 * restart every crashed node, resume every paused one, and let the network
 * carry what is still in flight. Liveness promises ("every node eventually
 * delivers every message") can only be judged after this, since a run may end
 * with a node down or cut off; safety promises hold at every moment anyway.
 *
 * @module
 */

import type { Fault } from "./faults.ts";
import type { Simulation } from "./simulation.ts";

/** How long {@linkcode settle} lets the network run by default, virtual ms. */
export const SETTLE_MS = 5000;

/**
 * Heals, restarts and resumes everything now, then runs until nothing is left
 * to do or `ms` of virtual time have passed. The repairs are scheduled as
 * ordinary faults, so they appear in the trace.
 *
 * @example
 * ```ts
 * import { Simulation } from "./simulation.ts";
 * import { settle } from "./settle.ts";
 * import assert from "node:assert/strict";
 * const sim = new Simulation({ seed: 1 });
 * sim.spawn("n1", () => ({ onMessage() {} }));
 * sim.crash("n1");
 * settle(sim);
 * assert.equal(sim.status("n1"), "up");
 * ```
 */
export function settle(sim: Simulation, ms: number = SETTLE_MS): void {
  const repairs: Fault[] = [];
  const at = sim.now;
  const cut = sim.nodes.some((a) => sim.nodes.some((b) => a !== b && sim.isBlocked(a, b)));
  if (cut) repairs.push({ at, action: { type: "heal" } });
  for (const node of sim.nodes) {
    const status = sim.status(node);
    if (status === "crashed") repairs.push({ at, action: { type: "restart", node } });
    if (status === "paused") repairs.push({ at, action: { type: "resume", node } });
  }
  if (repairs.length > 0) sim.schedule(repairs);
  sim.run({ until: at + ms });
}

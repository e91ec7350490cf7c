/**
 * What the broadcast tests share: the fault mix within the protocols'
 * failure model, and the search for a seed on which a weaker protocol breaks
 * an order it does not promise.
 *
 * @module
 */

import assert from "node:assert/strict";
import { checkBroadcast, PROMISES } from "../protocols/broadcast/check.ts";
import type { BroadcastProtocol } from "../protocols/broadcast/layer.ts";
import type { NetworkOptions } from "../sim/network.ts";
import { runScenario, type Scenario } from "../sim/scenario.ts";
import type { TraceEvent } from "../sim/trace.ts";

/**
 * Faults within reliable broadcast's failure model (see `reliable.ts`),
 * which FIFO, causal and both total order protocols share: loss,
 * duplication, reordering, and crashes, partitions and pauses that all end.
 *
 * @example
 * ```ts
 * import { FAULTY } from "./_broadcast_runs.ts";
 * import { runScenario } from "../sim/scenario.ts";
 * import { broadcastFifo } from "../protocols/broadcast/scenario.ts";
 * runScenario(broadcastFifo, { seed: 1, ...FAULTY }).ok; // true
 * ```
 */
export const FAULTY: { network: NetworkOptions; faults: string } = {
  network: { loss: 0.1, duplicate: 0.05, latency: { kind: "uniform", min: 1, max: 15 } },
  faults: "random:crash=4,partition=2,pause=2,duration=80",
};

/**
 * Runs `scenario` with `protocol` and no faults on seeds 1 to `seeds` until
 * `check` (an order `protocol` does not promise) finds a violation: the seed
 * and the first violation's message, or `undefined`. Every run must still
 * keep all that `protocol` does promise.
 *
 * @example
 * ```ts
 * import { findBreakingSeed } from "./_broadcast_runs.ts";
 * import { checkFifo } from "../protocols/broadcast/check.ts";
 * import { broadcastFifo } from "../protocols/broadcast/scenario.ts";
 * findBreakingSeed(broadcastFifo, "reliable", checkFifo)?.seed;
 * ```
 */
export function findBreakingSeed(
  scenario: Scenario,
  protocol: BroadcastProtocol,
  check: (events: readonly TraceEvent[]) => readonly { message: string }[],
  seeds = 40,
): { seed: number; message: string } | undefined {
  for (let seed = 1; seed <= seeds; seed++) {
    const r = runScenario(scenario, { seed, faults: "", flags: { protocol } });
    const events = r.sim.trace.events;
    assert.deepEqual(
      checkBroadcast(events, PROMISES[protocol], [...r.sim.nodes]),
      [],
      `seed ${seed}`,
    );
    const violations = check(events);
    if (violations.length > 0) return { seed, message: violations[0].message };
  }
  return undefined;
}

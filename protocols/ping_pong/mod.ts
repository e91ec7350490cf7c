/**
 * The smallest protocol: numbered pings with retransmission, whose progress
 * survives crashes because it is kept in storage.
 *
 * @example
 * ```ts
 * import { pingPong } from "./mod.ts";
 * import { runScenario } from "../../sim/scenario.ts";
 * import assert from "node:assert/strict";
 * const run = runScenario(pingPong, { seed: 3, faults: "@20 crash n2; @80 restart n2" });
 * assert.ok(run.ok);
 * assert.equal(run.sim.storage("n1").get("done"), 10); // every round answered
 * ```
 *
 * @module
 */

export { Pinger, type PingPongMsg, Ponger } from "./ping_pong.ts";
export { pingPong, type PingPongFlags } from "./scenario.ts";

/**
 * dsim: a deterministic actor framework for learning, building and testing
 * distributed protocols. Actors (protocol participants) run on a virtual-time
 * scheduler that decides, from one seed, every delay, loss, duplicate,
 * reordering, partition, crash, restart and clock skew.
 *
 * @example
 * ```ts
 * import { type Actor, type Context, Simulation } from "./mod.ts";
 *
 * type Msg = { type: "ping" } | { type: "pong" };
 * const ponger = (): Actor<Msg> => ({
 *   onMessage(ctx: Context<Msg>, msg: Msg, from: string) {
 *     if (msg.type === "ping") ctx.send(from, { type: "pong" });
 *   },
 * });
 * const sim = new Simulation({ seed: 7, network: { loss: 0.1 } });
 * sim.spawn("a", () => ({ onMessage() {} }));
 * sim.spawn("b", ponger);
 * sim.send("a", "b", { type: "ping" });
 * sim.run().ok; // true
 * ```
 *
 * @module
 */

export * from "./actors/mod.ts";
export * from "./sim/mod.ts";
export { scenarios } from "./protocols/registry.ts";

/**
 * dsim: a deterministic actor framework for learning, building and testing
 * distributed protocols. Actors (protocol participants) run on a virtual-time
 * scheduler that decides, from one seed, every delay, loss, duplicate,
 * reordering, partition, crash, restart and clock skew.
 *
 * This module holds what a user's own protocol needs: the actor contract,
 * the simulation, scenarios, and the testing helpers. The rest has an entry
 * point of its own: `./sim` (the simulator's models and traces), `./check`
 * (linearizability), `./render` (diagrams), `./explore` (sweeps, shrinking,
 * replay), `./cli` (the command line for your own scenarios) and one per
 * protocol (`./protocols/raft`, ...).
 *
 * @example
 * ```ts
 * import { type Actor, type Context, defineScenario, flag, runScenario } from "./mod.ts";
 * import assert from "node:assert/strict";
 *
 * type Msg = { type: "ping"; n: number } | { type: "pong"; n: number };
 * class Pinger implements Actor<Msg> {
 *   answered = 0;
 *   constructor(readonly rounds: number) {}
 *   onStart(ctx: Context<Msg>) {
 *     ctx.send("b", { type: "ping", n: 1 });
 *   }
 *   onMessage(ctx: Context<Msg>, msg: Msg) {
 *     if (msg.type !== "pong") return;
 *     this.answered = msg.n;
 *     if (msg.n < this.rounds) ctx.send("b", { type: "ping", n: msg.n + 1 });
 *   }
 * }
 * const ponger: Actor<Msg> = {
 *   onMessage(ctx, msg, from) {
 *     if (msg.type === "ping") ctx.send(from, { type: "pong", n: msg.n });
 *   },
 * };
 * const pingPong = defineScenario({
 *   name: "my-ping-pong",
 *   summary: "a pings b, b answers",
 *   defaults: { nodes: 2, minNodes: 2, maxNodes: 2, until: 1000 },
 *   flags: { rounds: flag.int("pings to answer", 5, { min: 1 }) },
 *   setup(sim, params) {
 *     sim.spawn("a", () => new Pinger(params.flags.rounds));
 *     sim.spawn("b", () => ponger);
 *     return {};
 *   },
 * });
 * const run = runScenario(pingPong, { seed: 7 });
 * assert.equal(run.ok, true);
 * assert.equal(run.sim.actor<Pinger>("a")!.answered, 5);
 * ```
 *
 * @module
 */

export * from "./actors/mod.ts";
export {
  ConfigError,
  defineScenario,
  flag,
  type FlagSpec,
  type FlagSpecs,
  type FlagValue,
  type FlagValues,
  type Invariant,
  type InvariantResult,
  type NetworkOptions,
  nodeIds,
  type NodeStatus,
  type RunGiven,
  type RunResult,
  runScenario,
  type RunSpec,
  type Scenario,
  type ScenarioParams,
  ScenarioRegistry,
  type ScenarioResult,
  type ScenarioSetup,
  Simulation,
  type SimulationOptions,
  type SpawnOptions,
  type StopReason,
  type TraceEvent,
  type TraceMode,
  type Violation,
} from "./sim/mod.ts";
export {
  assertSeeds,
  checkSeeds,
  seedList,
  type Seeds,
  type SeedsOptions,
  type SeedsOutcome,
} from "./sim/testing.ts";

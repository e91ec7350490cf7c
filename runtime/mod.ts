/**
 * The real runtime: the same actors that run in the simulator, as processes
 * on a real network.
 *
 * | file | idea |
 * | --- | --- |
 * | `host.ts` | {@linkcode ActorHost}: one actor on the real clock; storage committed before sends leave |
 * | `disk_storage.ts` | {@linkcode DiskStorage}: `ctx.storage` as an fsynced append-only file |
 * | `transport.ts` | {@linkcode TcpTransport}: JSON lines over TCP, reconnection with backoff, blocked links |
 * | `factory.ts` | `module#export`: how a process finds its actor ({@linkcode NodeFactory}) |
 * | `node.ts` | {@linkcode startNode}: a node process (`deno task node`) |
 * | `maelstrom_protocol.ts`, `maelstrom_node.ts` | any actor as a Maelstrom node (`deno task maelstrom`) |
 * | `processes.ts`, `fault_injector.ts`, `cluster.ts` | {@linkcode runCluster}: a local cluster, clients, faults, checks (`deno task cluster`) |
 * | `cli.ts`, `main.ts` | the command line |
 *
 * Nothing here imports the simulator's scheduler: the runtime stands beside
 * `sim/`, on the actor contract, and borrows only the simulator's data
 * (histories, fault schedules, seeded streams) and checkers.
 *
 * @example
 * ```ts
 * import { ActorHost } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const sent: unknown[] = [];
 * const host = new ActorHost<{ type: string }, string>({
 *   id: "n1",
 *   actor: () => ({ onStart: (ctx) => ctx.send("n2", { type: "hello" }), onMessage() {} }),
 *   send: (to, msg) => sent.push({ to, msg }),
 *   seed: 1,
 * });
 * host.start();
 * assert.deepEqual(sent, [{ to: "n2", msg: { type: "hello" } }]);
 * host.stop();
 * ```
 *
 * @module
 */

export type { Actor, Context, OpId, OpStatus } from "../actors/actor.ts";
export type { NodeId } from "../actors/node_id.ts";
export type { Storage } from "../actors/storage.ts";
export { History, type Operation } from "../sim/history.ts";
export type { Violation } from "../sim/simulation.ts";
export { runRuntimeCli, type RuntimeCliIo } from "./cli.ts";
export {
  type ClusterClient,
  type ClusterOptions,
  type ClusterResult,
  type ClusterScenario,
  type ClusterTiming,
  defineClusterScenario,
  runCluster,
} from "./cluster.ts";
export { DiskStorage, type DurableStorage, STORAGE_FILE } from "./disk_storage.ts";
export { loadFactory, type NodeFactory, parseActorSpec } from "./factory.ts";
export { ActorHost, epochClock, type HostOptions } from "./host.ts";
export { type MaelstromOptions, runMaelstromNode } from "./maelstrom_node.ts";
export {
  type Body,
  type Envelope,
  errorBody,
  ErrorCode,
  type InitBody,
  isDefinite,
  parseEnvelope,
} from "./maelstrom_protocol.ts";
export { ACTOR_FAILED, clusterIds, type NodeOptions, type RunningNode, startNode } from "./node.ts";
export { NODE_MAIN, NodeProcess, type ProcessExit } from "./processes.ts";
export {
  type Address,
  formatAddress,
  freeLoopbackAddresses,
  parseAddress,
  TcpTransport,
  type TransportOptions,
  type TransportStats,
} from "./transport.ts";

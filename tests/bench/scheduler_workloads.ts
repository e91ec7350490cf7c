/**
 * The three workloads of the scheduler benchmark, shared by
 * `scheduler_bench.ts` (`deno bench`) and `scheduler_ratio.ts` (the check
 * that prints events per second and the ratios).
 *
 * Two bare event loops are the baselines, each a priority queue in a loop
 * that pops one entry and pushes one with a random delay:
 *
 * - {@linkcode BareLoop}: the simulator's own {@linkcode EventHeap} of typed
 *   arrays, and the same counter-based draw the simulator uses for uniform
 *   latency. The strict baseline: anything the simulator's queue or random
 *   numbers gain, it gains too, so the ratio to it is the price of actors and
 *   the network model alone: mailboxes, contexts, handlers, node records,
 *   links, statistics, the plain-data check.
 * - {@linkcode QueueBareLoop}: the bare loop the issue "Speed and memory"
 *   measured its figures against: the simulator's queue of that time
 *   ({@linkcode EventQueue}, an object per entry) and `Random.uniform`.
 *
 * Both draw their delays, because any discrete-event loop with random delays
 * pays for its random numbers.
 *
 * The actors here are as small as a workload allows (no storage writes, no
 * timers, no logs), so the ratio measures the scheduler, not the protocol.
 *
 * @module
 */

import type { Actor, Context, NodeId } from "../../actors/mod.ts";
import { draw, Random, streamKey } from "../../sim/choices.ts";
import { EventHeap } from "../../sim/event_heap.ts";
import type { Latency } from "../../sim/network.ts";
import { Simulation } from "../../sim/simulation.ts";
import type { TraceMode } from "../../sim/trace.ts";
import { EventQueue, type Timed } from "./event_queue.ts";

/**
 * Events each workload handles per iteration.
 *
 * @example
 * ```ts
 * import { BENCH_EVENTS } from "./scheduler_workloads.ts";
 * BENCH_EVENTS; // 100000
 * ```
 */
export const BENCH_EVENTS = 100_000;

/**
 * The uniform latency of every workload (the simulator's default link).
 *
 * @example
 * ```ts
 * import { BENCH_LATENCY } from "./scheduler_workloads.ts";
 * BENCH_LATENCY.kind; // "uniform"
 * ```
 */
export const BENCH_LATENCY: Extract<Latency, { kind: "uniform" }> = {
  kind: "uniform",
  min: 1,
  max: 10,
};

/**
 * Nodes in the gossip workload.
 *
 * @example
 * ```ts
 * import { GOSSIP_NODES } from "./scheduler_workloads.ts";
 * GOSSIP_NODES; // 100
 * ```
 */
export const GOSSIP_NODES = 100;

/**
 * A message that bounces for ever; `hops` makes each one a fresh object, as a
 * real protocol's messages are.
 *
 * @example
 * ```ts
 * import type { BounceMsg } from "./scheduler_workloads.ts";
 * const m: BounceMsg = { type: "bounce", hops: 0 };
 * ```
 */
export type BounceMsg = { type: "bounce"; hops: number };

/** Answers every message to its sender; the first node serves first. */
class PingPongNode implements Actor<BounceMsg> {
  constructor(readonly peer: NodeId | null) {}

  onStart(ctx: Context<BounceMsg>): void {
    if (this.peer !== null) ctx.send(this.peer, { type: "bounce", hops: 0 });
  }

  onMessage(ctx: Context<BounceMsg>, msg: BounceMsg, from: NodeId): void {
    ctx.send(from, { type: "bounce", hops: msg.hops + 1 });
  }
}

/** Starts one rumour, and forwards every rumour it hears to one random peer. */
class GossipNode implements Actor<BounceMsg> {
  constructor(readonly peers: readonly NodeId[]) {}

  onStart(ctx: Context<BounceMsg>): void {
    ctx.send(this.#randomPeer(ctx), { type: "bounce", hops: 0 });
  }

  onMessage(ctx: Context<BounceMsg>, msg: BounceMsg): void {
    ctx.send(this.#randomPeer(ctx), { type: "bounce", hops: msg.hops + 1 });
  }

  #randomPeer(ctx: Context<BounceMsg>): NodeId {
    return this.peers[Math.floor(ctx.random() * this.peers.length)];
  }
}

/**
 * Two nodes bouncing one message for ever, tracing off, uniform latency: one
 * message in flight at any time.
 *
 * @example
 * ```ts
 * import { pingPongSim } from "./scheduler_workloads.ts";
 * pingPongSim(1).run({ maxEvents: 100 }).events; // 100
 * ```
 */
export function pingPongSim(seed: number): Simulation {
  const sim = new Simulation({ seed, trace: "off", network: { latency: BENCH_LATENCY } });
  sim.spawn("a", () => new PingPongNode("b"));
  sim.spawn("b", () => new PingPongNode(null));
  return sim;
}

/**
 * `nodes` nodes, each starting a rumour that every receiver forwards to a
 * random peer (chosen with `ctx.random()`), tracing off unless `trace` says
 * otherwise, uniform latency: `nodes` messages in flight at any time.
 *
 * @example
 * ```ts
 * import { gossipSim } from "./scheduler_workloads.ts";
 * gossipSim(1, 10).run({ maxEvents: 100 }).events; // 100
 * ```
 */
export function gossipSim(
  seed: number,
  nodes: number = GOSSIP_NODES,
  trace: TraceMode = "off",
): Simulation {
  const sim = new Simulation({ seed, trace, network: { latency: BENCH_LATENCY } });
  const ids = Array.from({ length: nodes }, (_, i) => `n${i}`);
  for (const id of ids) {
    const peers = ids.filter((p) => p !== id);
    sim.spawn(id, () => new GossipNode(peers));
  }
  return sim;
}

/**
 * Runs `sim` for exactly `events` more events (the workloads never go quiet)
 * and returns how many it handled in all.
 *
 * @example
 * ```ts
 * import { pingPongSim, runEvents } from "./scheduler_workloads.ts";
 * runEvents(pingPongSim(1), 1000); // 1000
 * ```
 */
export function runEvents(sim: Simulation, events: number): number {
  const result = sim.run({ maxEvents: sim.stats.events + events });
  if (!result.ok) throw new Error(`workload failed: ${sim.failureReport()}`);
  return sim.stats.events;
}

/**
 * A prepared bare event loop: a heap with `inFlight` entries, ready to run.
 *
 * @example
 * ```ts
 * import { BareLoop } from "./scheduler_workloads.ts";
 * new BareLoop(1, 100).run(1000); // 1000
 * ```
 */
export class BareLoop {
  readonly #heap = new EventHeap();
  readonly #key: number;
  #draws = 0;
  #seq = 0;
  #nowUs = 0;

  constructor(seed: number, inFlight: number) {
    this.#key = streamKey(seed, "network");
    for (let i = 0; i < inFlight; i++) this.#schedule();
  }

  /** Global virtual time reached, ms (returned so the loop cannot be optimised away). */
  get now(): number {
    return this.#nowUs / 1000;
  }

  /** Pops and re-pushes `events` entries; returns how many it processed. */
  run(events: number): number {
    const heap = this.#heap;
    let processed = 0;
    while (processed < events) {
      this.#nowUs = heap.peekTime();
      heap.pop();
      processed++;
      this.#schedule();
    }
    return processed;
  }

  /** The simulator's own work per message, and nothing else: one draw, one rounding, one push. */
  #schedule(): void {
    const u = draw(this.#key, this.#draws++) / 4294967296;
    const ms = BENCH_LATENCY.min + u * (BENCH_LATENCY.max - BENCH_LATENCY.min);
    this.#heap.push(this.#nowUs + Math.round(ms * 1000), this.#seq++, 0);
  }
}

/**
 * The bare loop the figures were measured against: a queue of
 * `{ time, seq }` objects ({@linkcode EventQueue}) and `Random.uniform`
 * delays in milliseconds.
 *
 * @example
 * ```ts
 * import { QueueBareLoop } from "./scheduler_workloads.ts";
 * import assert from "node:assert/strict";
 * assert.equal(new QueueBareLoop(1, 100).run(1000), 1000);
 * ```
 */
export class QueueBareLoop {
  readonly #queue = new EventQueue<Timed>();
  readonly #random: Random;
  #now = 0;

  constructor(seed: number, inFlight: number) {
    this.#random = Random.stream(seed, "network");
    for (let i = 0; i < inFlight; i++) this.#schedule();
  }

  /** Global virtual time reached, ms (returned so the loop cannot be optimised away). */
  get now(): number {
    return this.#now;
  }

  /** Pops and re-pushes `events` entries; returns how many it processed. */
  run(events: number): number {
    const queue = this.#queue;
    let processed = 0;
    while (processed < events) {
      const event = queue.pop()!;
      this.#now = event.time;
      processed++;
      this.#schedule();
    }
    return processed;
  }

  #schedule(): void {
    const delay = this.#random.uniform(BENCH_LATENCY.min, BENCH_LATENCY.max);
    this.#queue.push({ time: this.#now + delay, seq: 0 });
  }
}

/** An actor that does nothing: the cheapest thing a node can be. */
class IdleNode implements Actor<never> {
  onMessage(): void {}
}

/**
 * Heap bytes per idle node: spawns `count` do-nothing actors (tracing off),
 * runs until quiet so every `onStart` event has been handled, and divides the
 * growth of `Deno.memoryUsage().heapUsed` by `count`. Forces a garbage
 * collection before each reading when `globalThis.gc` exists (run with
 * `--v8-flags=--expose-gc`); without it the number is noisier.
 *
 * @example
 * ```ts
 * import { idleActorBytes } from "./scheduler_workloads.ts";
 * idleActorBytes(1000).bytesPerActor > 0; // true
 * ```
 */
export function idleActorBytes(count: number): { bytesPerActor: number; gcForced: boolean } {
  const gc = (globalThis as { gc?: () => void }).gc;
  const collect = () => {
    if (gc !== undefined) { for (let i = 0; i < 3; i++) gc(); }
  };
  // Node ids are part of each node's cost, so they are made after the first reading.
  collect();
  const before = Deno.memoryUsage().heapUsed;
  const sim = new Simulation({ seed: 1, trace: "off" });
  for (let i = 0; i < count; i++) sim.spawn(`n${i}`, () => new IdleNode());
  const result = sim.run();
  if (result.stop !== "quiet" || sim.stats.events !== count) {
    throw new Error(`idle run: expected ${count} start events and quiet, got ${result.events}`);
  }
  collect();
  const after = Deno.memoryUsage().heapUsed;
  // Keep the simulation alive until after the reading.
  if (sim.nodes.length !== count) throw new Error("idle run lost nodes");
  return { bytesPerActor: (after - before) / count, gcForced: gc !== undefined };
}

/**
 * How close any actor simulator can come to the bare loop on 2-node
 * ping-pong, and what checking and copying each message as plain data costs
 * on its own. It runs, alternating in one process:
 *
 * - the bare loop with one entry in flight ({@linkcode QueueBareLoop},
 *   the baseline of `deno task bench:ratio`);
 * - a skeleton simulator: the simulator's typed-array heap, two actors whose
 *   `onMessage` answers the sender through a context, a destination looked
 *   up by id, one counter-based draw and a uniform latency per message, and
 *   nothing else (no faults, links, mailboxes, statistics, limits or checks);
 * - the same skeleton with the project's {@linkcode plainCopy} at every send
 *   (the check and copy that `Simulation` makes of every message);
 * - the simulator itself on the same workload ({@linkcode pingPongSim}).
 *
 * ```sh
 * deno run tests/bench/scheduler_floor.ts            # 25 rounds of 200,000 events
 * deno run tests/bench/scheduler_floor.ts --reps 9
 * ```
 *
 * It prints ns per event (best and median) and each one's ratio to the bare
 * loop (best over best). A skeleton that copies is the most any simulator
 * with the plain-data contract can reach.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { plainCopy } from "../../actors/plain_data.ts";
import { EventHeap } from "../../sim/event_heap.ts";
import { draw, streamKey } from "../../sim/choices.ts";
import { BENCH_LATENCY, pingPongSim, QueueBareLoop, runEvents } from "./scheduler_workloads.ts";

/** Events per timed run. */
const EVENTS = 200_000;

/** The uniform latency as whole microseconds from a 32-bit draw, as the simulator's links compute it. */
const MIN_US = BENCH_LATENCY.min * 1000;
const US_PER_DRAW = (BENCH_LATENCY.max - BENCH_LATENCY.min) * 1000 / 4294967296;

type Msg = { type: "bounce"; hops: number };

/** What the skeleton's actors see: a send and nothing else. */
interface SkeletonContext {
  send(to: string, msg: Msg): void;
}

/** A node of the skeleton: an id, an index and an actor that answers its sender. */
class SkeletonNode {
  readonly ctx: SkeletonContext;
  sent = 0;
  constructor(readonly id: string, readonly index: number, sim: Skeleton) {
    this.ctx = { send: (to, msg) => sim.send(this, to, msg) };
  }
  onMessage(msg: Msg, from: string): void {
    this.ctx.send(from, { type: "bounce", hops: msg.hops + 1 });
  }
}

/** The least an actor simulator does per message; `copy` adds the plain-data copy. */
class Skeleton {
  readonly #heap = new EventHeap();
  readonly #nodes: SkeletonNode[] = [];
  readonly #byId = new Map<string, SkeletonNode>();
  readonly #key: number;
  #to = new Int32Array(64);
  #from = new Int32Array(64);
  readonly #payload: (Msg | undefined)[] = [];
  readonly #free: number[] = [];
  #slots = 0;
  #seq = 0;
  #nowUs = 0;

  constructor(seed: number, readonly copy: boolean) {
    this.#key = streamKey(seed, "network");
    for (const id of ["a", "b"]) {
      const node = new SkeletonNode(id, this.#nodes.length, this);
      this.#nodes.push(node);
      this.#byId.set(id, node);
    }
    this.send(this.#nodes[0], "b", { type: "bounce", hops: 0 });
  }

  send(from: SkeletonNode, to: string, msg: Msg): void {
    const target = this.#byId.get(to)!;
    const sent = this.copy ? plainCopy(msg) : msg;
    const latencyUs = MIN_US + Math.floor((draw(this.#key, from.sent++) >>> 0) * US_PER_DRAW);
    const slot = this.#free.length > 0 ? this.#free.pop()! : this.#slots++;
    if (slot === this.#to.length) {
      const to = new Int32Array(slot * 2), fromIdx = new Int32Array(slot * 2);
      to.set(this.#to);
      fromIdx.set(this.#from);
      this.#to = to;
      this.#from = fromIdx;
    }
    this.#to[slot] = target.index;
    this.#from[slot] = from.index;
    this.#payload[slot] = sent;
    this.#heap.push(this.#nowUs + latencyUs, this.#seq++, slot);
  }

  /** Delivers `events` messages; returns how many. */
  run(events: number): number {
    const heap = this.#heap;
    let done = 0;
    while (done < events) {
      this.#nowUs = heap.peekTime();
      const slot = heap.pop();
      const msg = this.#payload[slot]!;
      this.#payload[slot] = undefined;
      this.#free.push(slot);
      this.#nodes[this.#to[slot]].onMessage(msg, this.#nodes[this.#from[slot]].id);
      done++;
    }
    return done;
  }
}

type Contender = "bare loop" | "skeleton" | "skeleton + plainCopy" | "Simulation";

/** Times one run of `who` over `EVENTS` events, in ms. */
function timeOne(who: Contender, seed: number): number {
  let start: number, done: number;
  switch (who) {
    case "bare loop": {
      const loop = new QueueBareLoop(seed, 1);
      start = performance.now();
      done = loop.run(EVENTS);
      break;
    }
    case "skeleton":
    case "skeleton + plainCopy": {
      const sim = new Skeleton(seed, who === "skeleton + plainCopy");
      start = performance.now();
      done = sim.run(EVENTS);
      break;
    }
    case "Simulation": {
      const sim = pingPongSim(seed);
      start = performance.now();
      done = runEvents(sim, EVENTS);
      break;
    }
    default: {
      const never: never = who;
      throw new Error(`unknown contender ${never}`);
    }
  }
  const ms = performance.now() - start;
  if (done !== EVENTS) throw new Error(`${who} did ${done} events, not ${EVENTS}`);
  return ms;
}

function main(): number {
  const { values } = parseArgs({ args: Deno.args, options: { reps: { type: "string" } } });
  const reps = Number(values.reps ?? 25);
  if (!Number.isInteger(reps) || reps < 3) {
    console.error(`--reps: must be a whole number >= 3, got ${values.reps}`);
    return 2;
  }
  const contenders: Contender[] = ["bare loop", "skeleton", "skeleton + plainCopy", "Simulation"];
  const ns = new Map<Contender, number[]>(contenders.map((c) => [c, []]));
  // The first three rounds warm the JIT; every round takes turns, so load lands on all alike.
  for (let rep = 0; rep < reps + 3; rep++) {
    for (const who of contenders) {
      const ms = timeOne(who, rep + 1);
      if (rep >= 3) ns.get(who)!.push((ms * 1e6) / EVENTS);
    }
  }
  const best = (c: Contender) => Math.min(...ns.get(c)!);
  const median = (c: Contender) => [...ns.get(c)!].sort((a, b) => a - b)[ns.get(c)!.length >> 1];
  console.log(
    `2-node ping-pong, ${EVENTS.toLocaleString("en-US")} events, best of ${reps} (median)`,
  );
  for (const c of contenders) {
    console.log(
      `  ${c.padEnd(22)} ${best(c).toFixed(1).padStart(6)} ns/event (${
        median(c).toFixed(1)
      })  ratio to the bare loop ${(best("bare loop") / best(c)).toFixed(2)}`,
    );
  }
  return 0;
}

if (import.meta.main) Deno.exit(main());

/**
 * A node that does nothing but produce events for its clocks to stamp: at
 * random moments it either does something local or sends a message to a
 * random peer, and it receives what others send. It is the workload of the
 * `lamport` and `vector-clock` scenarios and of the clock property tests.
 *
 * @module
 */

import type { Actor, Context, NodeId } from "../../actors/mod.ts";
import { EventClocks, type Stamp } from "./event_clocks.ts";

/**
 * The one message: a numbered note carrying the sender's stamp.
 *
 * @example
 * ```ts
 * import type { ClockMsg } from "./clock_node.ts";
 * const m: ClockMsg = { type: "note", n: 1, stamp: { lamport: 2, vc: { n1: 2 } } };
 * ```
 */
export type ClockMsg = { type: "note"; n: number; stamp: Stamp };

/**
 * What a {@linkcode ClockNode} does.
 *
 * @example
 * ```ts
 * import type { ClockNodeConfig } from "./clock_node.ts";
 * const c: ClockNodeConfig = { peers: ["n2", "n3"], steps: 6, stepMs: 10, sendChance: 0.6 };
 * ```
 */
export interface ClockNodeConfig {
  /** The nodes it may send to. */
  peers: readonly NodeId[];
  /** Local events and sends it makes in all (receives come on top). */
  steps: number;
  /** Mean local time between its steps, ms. */
  stepMs: number;
  /** Probability that a step is a send rather than a local event. */
  sendChance: number;
  /** Keep the clocks across crashes (default true); see {@linkcode EventClocks}. */
  durable?: boolean;
}

/**
 * A node whose every event is stamped by {@linkcode EventClocks}.
 *
 * @example
 * ```ts
 * import { Simulation } from "../../sim/mod.ts";
 * import { ClockNode } from "./clock_node.ts";
 * const sim = new Simulation({ seed: 1 });
 * for (const id of ["n1", "n2"]) {
 *   sim.spawn(id, () => new ClockNode({ peers: ["n1", "n2"].filter((p) => p !== id), steps: 3, stepMs: 5, sendChance: 1 }));
 * }
 * sim.run().ok; // true
 * ```
 */
export class ClockNode implements Actor<ClockMsg> {
  readonly clocks: EventClocks;
  /** Steps done so far (durable, so a restart does not repeat them). */
  done = 0;

  constructor(readonly config: ClockNodeConfig) {
    this.clocks = new EventClocks({ durable: config.durable ?? true });
  }

  onStart(ctx: Context<ClockMsg>): void {
    this.clocks.onStart(ctx);
    this.done = ctx.storage.get<number>("steps-done") ?? 0;
    this.#next(ctx);
  }

  onMessage(ctx: Context<ClockMsg>, msg: ClockMsg, from: NodeId): void {
    switch (msg.type) {
      case "note":
        this.clocks.receive(ctx, msg.stamp, from, `note ${msg.n}`);
        return;
      default: {
        const never: never = msg.type;
        throw new Error(`unexpected message ${JSON.stringify(never)}`);
      }
    }
  }

  onTimer(ctx: Context<ClockMsg>, name: string): void {
    if (name !== "step") return;
    const peers = this.config.peers;
    this.done++;
    ctx.storage.set("steps-done", this.done);
    if (peers.length > 0 && ctx.random() < this.config.sendChance) {
      const to = peers[Math.floor(ctx.random() * peers.length)];
      const n = this.done;
      ctx.send(to, { type: "note", n, stamp: this.clocks.send(ctx, to, `note ${n}`) });
    } else {
      this.clocks.local(ctx);
    }
    this.#next(ctx);
  }

  #next(ctx: Context<ClockMsg>): void {
    if (this.done >= this.config.steps) return;
    ctx.setTimer("step", this.config.stepMs * (0.5 + ctx.random()));
  }
}

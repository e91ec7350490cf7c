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
 * import { type ClockMsg, ClockNode } from "./clock_node.ts";
 * import { TestContext } from "../../actors/mod.ts";
 * import assert from "node:assert/strict";
 * const m: ClockMsg = { type: "note", n: 1, stamp: { lamport: 2, vc: { n1: 2 } } };
 * const node = new ClockNode({ peers: ["n1"], steps: 1, stepMs: 10, sendChance: 1 });
 * node.onMessage(new TestContext<ClockMsg>("n2"), m, "n1");
 * assert.deepEqual(node.clocks.stamp(), { lamport: 3, vc: { n1: 2, n2: 1 } });
 * ```
 */
export type ClockMsg = { type: "note"; n: number; stamp: Stamp };

/**
 * What a {@linkcode ClockNode} does.
 *
 * @example
 * ```ts
 * import { ClockNode, type ClockNodeConfig } from "./clock_node.ts";
 * import assert from "node:assert/strict";
 * const c: ClockNodeConfig = { peers: ["n2", "n3"], steps: 6, stepMs: 10, sendChance: 0.6 };
 * assert.equal(new ClockNode(c).clocks.durable, true); // the default
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
 * import assert from "node:assert/strict";
 * const sim = new Simulation({ seed: 1 });
 * sim.spawn("n1", () => new ClockNode({ peers: ["n2"], steps: 3, stepMs: 5, sendChance: 1 }));
 * sim.spawn("n2", () => new ClockNode({ peers: ["n1"], steps: 3, stepMs: 5, sendChance: 1 }));
 * assert.ok(sim.run({ until: 1000 }).ok);
 * assert.equal(sim.actor<ClockNode>("n1")!.done, 3);
 * // Three sends of its own and three receives from n2: six events on n1's clock.
 * assert.ok(sim.actor<ClockNode>("n1")!.clocks.lamport.time >= 6);
 * ```
 */
export class ClockNode implements Actor<ClockMsg> {
  /** The node's clocks, which stamp each of its events. */
  readonly clocks: EventClocks;
  /** Steps done so far (durable, so a restart does not repeat them). */
  done = 0;

  /**
   * A node that makes `config.steps` steps, each a send or a local event.
   *
   * @param config its peers, steps and pace
   */
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

  /** Its clocks and how many of its steps are done: its whole state. */
  inspect(): { done: number; clocks: Stamp } {
    return { done: this.done, clocks: this.clocks.stamp() };
  }

  #next(ctx: Context<ClockMsg>): void {
    if (this.done >= this.config.steps) return;
    ctx.setTimer("step", this.config.stepMs * (0.5 + ctx.random()));
  }
}

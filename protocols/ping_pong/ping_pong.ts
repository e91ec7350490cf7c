/**
 * Ping-pong: the smallest protocol that still needs the simulator. A pinger
 * sends numbered pings and waits for the matching pong, retransmitting on a
 * timeout because the network may lose either message. Its progress is kept
 * in storage, so a crash and restart pick up where it left off.
 *
 * @module
 */

import type { Actor, Context, NodeId } from "../../actors/mod.ts";

/**
 * Messages of the ping-pong protocol.
 *
 * @example
 * ```ts
 * import { type PingPongMsg, Ponger } from "./ping_pong.ts";
 * import { TestContext } from "../../actors/mod.ts";
 * import assert from "node:assert/strict";
 * const m: PingPongMsg = { type: "ping", n: 1 };
 * const ctx = new TestContext<PingPongMsg>("n2");
 * ctx.deliver(new Ponger(), m, "n1");
 * assert.deepEqual(ctx.takeSent(), [{ to: "n1", msg: { type: "pong", n: 1 } }]);
 * ```
 */
export type PingPongMsg = { type: "ping"; n: number } | { type: "pong"; n: number };

/**
 * Sends ping 1..rounds to `peer`, one at a time, retrying after `retryMs`.
 *
 * @example
 * ```ts
 * import { Pinger, type PingPongMsg } from "./ping_pong.ts";
 * import { TestContext } from "../../actors/mod.ts";
 * import assert from "node:assert/strict";
 * const p = new Pinger("n2", 3, 50);
 * const ctx = new TestContext<PingPongMsg>("n1");
 * p.onStart(ctx);
 * assert.deepEqual(ctx.takeSent(), [{ to: "n2", msg: { type: "ping", n: 1 } }]);
 * assert.deepEqual(ctx.timers(), [{ timer: "retry", at: 50 }]);
 * ctx.deliver(p, { type: "pong", n: 1 }, "n2"); // round 1 answered: ping 2 goes out
 * assert.equal(p.done, 1);
 * assert.equal(ctx.storage.get("done"), 1);
 * assert.deepEqual(ctx.takeSent(), [{ to: "n2", msg: { type: "ping", n: 2 } }]);
 * ```
 */
export class Pinger implements Actor<PingPongMsg> {
  /** Rounds answered so far (durable). */
  done = 0;

  /**
   * A pinger of `peer` for `rounds` rounds.
   *
   * @param peer the node to ping
   * @param rounds how many pings must be answered
   * @param retryMs how long to wait for a pong before sending the ping again
   */
  constructor(readonly peer: NodeId, readonly rounds: number, readonly retryMs: number) {}

  onStart(ctx: Context<PingPongMsg>): void {
    this.done = ctx.storage.get<number>("done") ?? 0;
    this.#sendNext(ctx);
  }

  onMessage(ctx: Context<PingPongMsg>, msg: PingPongMsg): void {
    switch (msg.type) {
      case "pong":
        // A duplicate or late pong for an earlier round says nothing new.
        if (msg.n !== this.done + 1) return;
        this.done = msg.n;
        ctx.storage.set("done", this.done);
        ctx.log(`round ${msg.n} done`);
        this.#sendNext(ctx);
        return;
      case "ping":
        return;
      default: {
        const never: never = msg;
        throw new Error(`unexpected message ${JSON.stringify(never)}`);
      }
    }
  }

  onTimer(ctx: Context<PingPongMsg>, name: string): void {
    if (name === "retry") this.#sendNext(ctx);
  }

  /** Its state as plain data (for the studio and `sim check`). */
  inspect(): { done: number } {
    return { done: this.done };
  }

  #sendNext(ctx: Context<PingPongMsg>): void {
    if (this.done >= this.rounds) {
      ctx.cancelTimer("retry");
      return;
    }
    ctx.send(this.peer, { type: "ping", n: this.done + 1 });
    ctx.setTimer("retry", this.retryMs);
  }
}

/**
 * Answers every ping with the pong of the same number.
 *
 * @example
 * ```ts
 * import { Ponger } from "./ping_pong.ts";
 * import assert from "node:assert/strict";
 * assert.equal(new Ponger().answered, 0);
 * ```
 */
export class Ponger implements Actor<PingPongMsg> {
  /** Pings answered by this instance (volatile). */
  answered = 0;

  onMessage(ctx: Context<PingPongMsg>, msg: PingPongMsg, from: NodeId): void {
    if (msg.type !== "ping") return;
    this.answered++;
    ctx.send(from, { type: "pong", n: msg.n });
  }

  /** Its state as plain data (for the studio and `sim check`). */
  inspect(): { answered: number } {
    return { answered: this.answered };
  }
}

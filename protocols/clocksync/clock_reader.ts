/**
 * The application side of a synchronised clock: an actor that reads
 * `ctx.now()` every few milliseconds, as a program timestamping its events
 * would, and remembers what it read. In the `clock-sync` scenario it runs
 * inside a {@linkcode SyncedActor}, so its readings are the disciplined
 * clock's, and the monotonic check has readings to watch.
 *
 * @module
 */

import type { Actor, Context, NodeId } from "../../actors/mod.ts";

/**
 * The reader's one timer.
 *
 * @example
 * ```ts
 * import type { ReaderTimer } from "./clock_reader.ts";
 * import assert from "node:assert/strict";
 * const t: ReaderTimer = { type: "read" };
 * assert.equal(t.type, "read");
 * ```
 */
export type ReaderTimer = { type: "read" };

/**
 * Reads its clock every `everyMs` ms (see the module documentation). It
 * takes no messages.
 *
 * @example
 * ```ts
 * import { ClockReader } from "./clock_reader.ts";
 * import { TestContext } from "../../actors/test_context.ts";
 * import assert from "node:assert/strict";
 * const reader = new ClockReader(10);
 * const ctx = new TestContext<never, { type: "read" }>("n1", { now: 5 });
 * reader.onStart(ctx);
 * ctx.advance(10);
 * ctx.fireDue(reader);
 * assert.equal(reader.reads, 1);
 * assert.equal(reader.last, ctx.now());
 * ```
 */
export class ClockReader implements Actor<never, ReaderTimer> {
  /** Readings taken by this instance. */
  reads = 0;
  /** The last reading, or `null`. */
  last: number | null = null;

  /** A reader that reads every `everyMs` ms. */
  constructor(readonly everyMs: number) {
    if (!(everyMs > 0)) throw new RangeError(`ClockReader everyMs must be > 0, got ${everyMs}`);
  }

  /** Starts reading. */
  onStart(ctx: Context<never, ReaderTimer>): void {
    ctx.setTimer({ type: "read" }, this.everyMs * ctx.random());
  }

  /** Takes no messages: throws. */
  onMessage(_ctx: Context<never, ReaderTimer>, msg: never, from: NodeId): void {
    throw new Error(`a clock reader takes no messages, got ${JSON.stringify(msg)} from ${from}`);
  }

  /** Reads the clock, and sets the next read. */
  onTimer(ctx: Context<never, ReaderTimer>, timer: ReaderTimer): void {
    if (timer.type !== "read") return;
    this.last = ctx.now();
    this.reads++;
    ctx.setTimer({ type: "read" }, this.everyMs);
  }

  /** How many readings, and the last. */
  inspect(): unknown {
    return { reads: this.reads, last: this.last };
  }
}

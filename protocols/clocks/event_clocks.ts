/**
 * Stamping a node's events with a Lamport clock and a vector clock, in a form
 * the simulator can check against the true happens-before order.
 *
 * The convention, which {@linkcode ./check.ts} relies on:
 *
 * - every event the clocks count (local, send, receive) is recorded as a
 *   trace log note named {@linkcode CLOCK_NOTE} whose data is a
 *   {@linkcode ClockNote}: the kind of event and the stamp it got;
 * - the note of a send is written just before the `ctx.send` it stamps, and
 *   the message carries the same stamp; the note of a receive is written
 *   while handling the delivery, after merging the message's stamp.
 *
 * So each note sits on its node's line in the trace exactly where the event
 * happened, and the simulator's own happens-before over trace events (program
 * order plus send → delivery, see sim/causality.ts) relates the notes the same
 * way the protocol's events are related.
 *
 * The clocks are kept in durable storage by default. A clock that restarts at
 * zero after a crash breaks both clocks' guarantees: an event after the
 * restart gets a smaller stamp than one before it on the same node.
 *
 * @module
 */

import type { Context, NodeId } from "../../actors/mod.ts";
import { LamportClock } from "./lamport_clock.ts";
import { VectorClock, type VectorTimestamp } from "./vector_clock.ts";

/**
 * The stamp an event gets and a message carries: both clocks after the event.
 *
 * @example
 * ```ts
 * import { EventClocks, type Stamp } from "./event_clocks.ts";
 * import { TestContext } from "../../actors/mod.ts";
 * import assert from "node:assert/strict";
 * const s: Stamp = new EventClocks().local(new TestContext("n1"));
 * assert.deepEqual(s, { lamport: 1, vc: { n1: 1 } });
 * ```
 */
export interface Stamp {
  /** The Lamport clock. */
  lamport: number;
  /** The vector clock, as plain data. */
  vc: VectorTimestamp;
}

/** The kinds of event a clock counts. */
export type ClockEventKind = "local" | "send" | "receive";

/** The name of the trace log note each stamped event writes. */
export const CLOCK_NOTE = "clock";

/**
 * The data of a {@linkcode CLOCK_NOTE} log note.
 *
 * @example
 * ```ts
 * import { CLOCK_NOTE, type ClockNote, EventClocks } from "./event_clocks.ts";
 * import { TestContext } from "../../actors/mod.ts";
 * import assert from "node:assert/strict";
 * const ctx = new TestContext("n1");
 * new EventClocks().send(ctx, "n2");
 * const n: ClockNote = { event: "send", lamport: 1, vc: { n1: 1 }, peer: "n2" };
 * assert.deepEqual(ctx.logs, [{ note: CLOCK_NOTE, data: n }]);
 * ```
 */
export interface ClockNote extends Stamp {
  /** What kind of event it stamps. */
  event: ClockEventKind;
  /** The receiver of a send, the sender of a receive. */
  peer?: NodeId;
  /** What the event was, for people. */
  label?: string;
}

/**
 * Options of {@linkcode EventClocks}.
 *
 * @example
 * ```ts
 * import { EventClocks, type EventClocksOptions } from "./event_clocks.ts";
 * import { TestContext } from "../../actors/mod.ts";
 * import assert from "node:assert/strict";
 * const volatile: EventClocksOptions = { durable: false };
 * const ctx = new TestContext("n1");
 * new EventClocks(volatile).local(ctx);
 * assert.deepEqual(ctx.storage.keys(), []); // nothing kept: a crash forgets the clocks
 * ```
 */
export interface EventClocksOptions {
  /** Keep the clocks in storage so they survive a crash (default true). */
  durable?: boolean;
  /** Storage key (default `clocks`). */
  storageKey?: string;
}

/**
 * A node's Lamport and vector clocks, and the three ways an event advances
 * them. Compose it into any actor: call {@linkcode EventClocks.onStart} from
 * the actor's `onStart`, {@linkcode EventClocks.send} just before each
 * `ctx.send` (and put the stamp in the message), {@linkcode EventClocks.receive}
 * on each message, and {@linkcode EventClocks.local} for anything else worth
 * counting.
 *
 * @example
 * ```ts
 * import { type Actor, type Context, type NodeId, TestContext } from "../../actors/mod.ts";
 * import { EventClocks, type Stamp } from "./event_clocks.ts";
 * import assert from "node:assert/strict";
 *
 * type Msg = { type: "hello"; stamp: Stamp };
 * class Greeter implements Actor<Msg> {
 *   clocks = new EventClocks();
 *   onStart(ctx: Context<Msg>) {
 *     this.clocks.onStart(ctx);
 *     if (ctx.self === "a") ctx.send("b", { type: "hello", stamp: this.clocks.send(ctx, "b") });
 *   }
 *   onMessage(ctx: Context<Msg>, msg: Msg, from: NodeId) {
 *     this.clocks.receive(ctx, msg.stamp, from);
 *   }
 * }
 * const a = new Greeter(), b = new Greeter();
 * const ctxA = new TestContext<Msg>("a"), ctxB = new TestContext<Msg>("b");
 * a.onStart(ctxA);
 * b.onStart(ctxB);
 * const [hello] = ctxA.takeSent();
 * b.onMessage(ctxB, hello.msg, "a");
 * assert.deepEqual(b.clocks.stamp(), { lamport: 2, vc: { a: 1, b: 1 } });
 * ```
 */
export class EventClocks {
  /** The Lamport clock after the last event. */
  lamport: LamportClock = new LamportClock();
  /** The vector clock after the last event. */
  vector: VectorClock = new VectorClock();
  /** Whether the clocks are kept in storage across crashes. */
  readonly durable: boolean;
  /** The storage key they are kept under. */
  readonly storageKey: string;

  /**
   * Clocks at 0, kept in storage unless `options.durable` is false.
   *
   * @param options durability and storage key
   */
  constructor(options: EventClocksOptions = {}) {
    this.durable = options.durable ?? true;
    this.storageKey = options.storageKey ?? "clocks";
  }

  /** Reads the clocks back from storage (a restart continues where the crash left them). */
  onStart(ctx: Context<unknown>): void {
    if (!this.durable) return;
    const saved = ctx.storage.get<Stamp>(this.storageKey);
    if (saved !== undefined) {
      this.lamport = new LamportClock(saved.lamport);
      this.vector = new VectorClock(saved.vc);
    }
  }

  /** A local event: tick both clocks. */
  local(ctx: Context<unknown>, label?: string): Stamp {
    return this.#event(ctx, "local", this.lamport.tick(), this.vector.tick(ctx.self), {
      label,
    });
  }

  /** A send to `to`: tick both clocks; the returned stamp goes into the message. */
  send(ctx: Context<unknown>, to: NodeId, label?: string): Stamp {
    return this.#event(ctx, "send", this.lamport.tick(), this.vector.tick(ctx.self), {
      peer: to,
      label,
    });
  }

  /** A receive from `from` of a message carrying `stamp`: merge, then tick. */
  receive(ctx: Context<unknown>, stamp: Stamp, from: NodeId, label?: string): Stamp {
    // The interesting receives: the sender's clock was ahead, so the max matters.
    ctx.sometimes("received a clock ahead of ours", stamp.lamport > this.lamport.time);
    return this.#event(
      ctx,
      "receive",
      this.lamport.receive(stamp.lamport),
      this.vector.receive(ctx.self, stamp.vc),
      { peer: from, label },
    );
  }

  /** The clocks now, as plain data. */
  stamp(): Stamp {
    return { lamport: this.lamport.time, vc: this.vector.toJSON() };
  }

  #event(
    ctx: Context<unknown>,
    event: ClockEventKind,
    lamport: LamportClock,
    vector: VectorClock,
    extra: { peer?: NodeId; label?: string },
  ): Stamp {
    this.lamport = lamport;
    this.vector = vector;
    const stamp = this.stamp();
    if (this.durable) ctx.storage.set(this.storageKey, stamp);
    const note: ClockNote = { event, ...stamp };
    if (extra.peer !== undefined) note.peer = extra.peer;
    if (extra.label !== undefined) note.label = extra.label;
    ctx.log(CLOCK_NOTE, note);
    return stamp;
  }
}

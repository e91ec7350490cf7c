/**
 * Lamport clocks (Lamport, "Time, clocks, and the ordering of events in a
 * distributed system", 1978; lecture 4.1 of Kleppmann's course).
 *
 * ```text
 * on every local event and send:  t := t + 1
 * send m:                         attach t to m
 * on receiving (t', m):           t := max(t, t') + 1
 * ```
 *
 * If a → b then L(a) < L(b). The converse does not hold: L(a) < L(b) says
 * nothing about whether a → b or a ∥ b. Ordering events by (L, node id) gives
 * a total order that is consistent with causality.
 *
 * @module
 */

import type { NodeId } from "../../actors/mod.ts";

/**
 * A Lamport clock as an immutable value: every operation returns a new clock.
 *
 * @example
 * ```ts
 * import { LamportClock } from "./lamport_clock.ts";
 * import assert from "node:assert/strict";
 * let clock = new LamportClock();
 * clock = clock.tick(); // a local event: 1
 * clock = clock.receive(5); // a message stamped 5 arrives: max(1, 5) + 1 = 6
 * assert.equal(clock.time, 6);
 * ```
 */
export class LamportClock {
  /** The counter. */
  readonly time: number;

  /**
   * A clock reading `time`; throws a {@linkcode RangeError} unless it is a
   * whole number >= 0.
   *
   * @param time the counter (default 0)
   */
  constructor(time = 0) {
    if (!Number.isSafeInteger(time) || time < 0) {
      throw new RangeError(`Lamport time must be a whole number >= 0, got ${time}`);
    }
    this.time = time;
  }

  /** The clock after a local event or a send: t + 1. */
  tick(): LamportClock {
    return new LamportClock(this.time + 1);
  }

  /** The larger of the two clocks, without counting an event. */
  merge(other: LamportClock | number): LamportClock {
    const t = typeof other === "number" ? other : other.time;
    return t > this.time ? new LamportClock(t) : this;
  }

  /** The clock after receiving a message stamped `stamp`: max(t, stamp) + 1. */
  receive(stamp: LamportClock | number): LamportClock {
    return this.merge(stamp).tick();
  }

  /** Negative, zero or positive as this clock is below, equal to or above `other`. */
  compare(other: LamportClock | number): number {
    return this.time - (typeof other === "number" ? other : other.time);
  }

  /** Messages carry the plain number. */
  toJSON(): number {
    return this.time;
  }

  /** The counter in decimal. */
  toString(): string {
    return String(this.time);
  }
}

/**
 * A Lamport timestamp with the node that made it: the unit of the total order.
 *
 * @example
 * ```ts
 * import { compareLamport, type LamportStamp } from "./lamport_clock.ts";
 * import assert from "node:assert/strict";
 * const s: LamportStamp = { time: 4, node: "n2" };
 * assert.ok(compareLamport(s, { time: 4, node: "n3" }) < 0); // same time: the node id decides
 * ```
 */
export interface LamportStamp {
  /** The Lamport time. */
  time: number;
  /** The node whose event it stamps. */
  node: NodeId;
}

/**
 * The total order of Lamport timestamps: by time, then by node id (plain
 * string order, so `"n10" < "n2"`; any fixed order of ids would do). Two
 * events of one node never share a time, so distinct events never tie.
 * Usable as an `Array.prototype.sort` comparator.
 *
 * @example
 * ```ts
 * import { compareLamport } from "./lamport_clock.ts";
 * import assert from "node:assert/strict";
 * const events = [{ time: 2, node: "b" }, { time: 2, node: "a" }, { time: 1, node: "c" }];
 * assert.equal(events.sort(compareLamport).map((e) => e.node).join(""), "cab");
 * ```
 */
export function compareLamport(a: LamportStamp, b: LamportStamp): number {
  if (a.time !== b.time) return a.time - b.time;
  return a.node < b.node ? -1 : a.node > b.node ? 1 : 0;
}

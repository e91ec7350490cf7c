/**
 * Which pending events may happen next: the timing rule.
 *
 * - `strict` (the default): an event may go next only if some choice of
 *   latencies within the links' bounds, with every timer firing when it
 *   was set to, makes it go first: its earliest time is not after any other
 *   pending event's latest time. A 300 ms election timeout cannot fire
 *   before a heartbeat sent 1 ms ago over a 1..10 ms link arrives.
 * - `any`: timers may fire at any moment and messages arrive in any order,
 *   whatever their times (the model of Stateright and DSLabs, which keep no
 *   time at all; DSLabs only keeps one node's timers in the order their
 *   durations force). A scenario's scheduled faults and scripted steps keep
 *   their times.
 *
 * Under both, an event that happens goes at the earliest time it can
 * (never before now): the run the checker reports is a real timed run,
 * every latency inside its link's bounds (under `strict`). A link that
 * keeps order (`fifo`) lets only its oldest message arrive, a node starts
 * before anything happens to it, and nothing happens after the run's
 * `until`.
 *
 * @module
 */

import type { NodeId } from "../../actors/mod.ts";
import type { PendingEvent } from "../simulation.ts";

/**
 * How time constrains the order of events.
 *
 * @example
 * ```ts
 * import type { Timing } from "./timing.ts";
 * import assert from "node:assert/strict";
 * const t: Timing = "strict";
 * assert.equal(t, "strict");
 * ```
 */
export type Timing = "strict" | "any";

/** The timings, for the command line's help and checks. */
export const TIMINGS: readonly Timing[] = ["strict", "any"];

/**
 * The places (in `pending`) of the events that may happen next at virtual
 * time `nowMs`, none after `untilMs`. `fifo(from, to)` says whether a link
 * keeps order.
 *
 * @example
 * ```ts
 * import { enabledEvents } from "./timing.ts";
 * import type { PendingEvent } from "../simulation.ts";
 * import assert from "node:assert/strict";
 * const pending: PendingEvent[] = [
 *   { kind: "deliver", node: "n2", from: "n1", msg: { type: "heartbeat" }, earliestMs: 1, latestMs: 10 },
 *   { kind: "timer", node: "n2", timer: "election", earliestMs: 300, latestMs: 300 },
 * ];
 * const fifo = () => false;
 * assert.deepEqual(enabledEvents(pending, "strict", 0, 1000, fifo), [0]);
 * assert.deepEqual(enabledEvents(pending, "any", 0, 1000, fifo), [0, 1]);
 * assert.deepEqual(enabledEvents(pending, "any", 0, 100, fifo), [0]); // the timer is past until
 * ```
 */
export function enabledEvents(
  pending: readonly PendingEvent[],
  timing: Timing,
  nowMs: number,
  untilMs: number,
  fifo: (from: NodeId, to: NodeId) => boolean,
): number[] {
  // Under `any`, messages and timers are free: any moment, as late as need be.
  const free = (e: PendingEvent) =>
    timing === "any" && (e.kind === "deliver" || e.kind === "timer");
  // The least and second least latest times: an event is held back by the
  // others' latest times, not its own.
  let least = Infinity, second = Infinity, leastAt = -1;
  for (let i = 0; i < pending.length; i++) {
    const t = free(pending[i]) ? Infinity : pending[i].latestMs;
    if (t < least) {
      second = least;
      least = t;
      leastAt = i;
    } else if (t < second) second = t;
  }
  // A node starts before anything happens to it (it has no state to handle it with).
  const starting = new Set<NodeId>();
  for (const e of pending) if (e.kind === "start") starting.add(e.node!);
  const out: number[] = [];
  const oldest = new Set<string>();
  for (let i = 0; i < pending.length; i++) {
    const e = pending[i];
    if (e.kind === "deliver" && fifo(e.from!, e.node!)) {
      // Listed oldest first: only the first of each ordered link may arrive.
      const link = `${e.from}>${e.node}`;
      if (oldest.has(link)) continue;
      oldest.add(link);
    }
    if (e.kind !== "start" && e.node !== undefined && starting.has(e.node)) continue;
    if (Math.max(nowMs, e.earliestMs) > untilMs) continue;
    if (!free(e) && e.earliestMs > (i === leastAt ? second : least)) continue;
    out.push(i);
  }
  return out;
}

/**
 * Liveness with a deadline: "within 2 s of virtual time, some node is
 * leader", "every rumour reaches every node by 1500 ms". Safety says
 * nothing bad happens and is checked after every event; liveness says
 * something good eventually happens, which no finite run can refute
 * without a bound, so each check carries one.
 *
 * The predicate is checked after every event until it first holds. A
 * scheduled step at the deadline makes sure the check runs then even on a
 * quiet network; if the predicate has not held by that moment the run
 * stops with a violation named `eventually:<name>`. A run that ends before
 * the deadline says nothing either way, so shortening a run can never make
 * such a check fail (which keeps shrinking honest).
 *
 * @module
 */

import { ConfigError } from "../errors.ts";
import type { Simulation } from "../simulation.ts";

/**
 * What {@linkcode eventually} gives back: whether and when its predicate held.
 *
 * @example
 * ```ts
 * import { type Eventually, eventually } from "./liveness.ts";
 * import { Simulation } from "../simulation.ts";
 * import assert from "node:assert/strict";
 * const report = (e: Eventually) => e.heldAt === undefined ? "not yet" : `held at ${e.heldAt} ms`;
 * const sim = new Simulation({ seed: 1 });
 * const late: Eventually = eventually(sim, "late", (s) => s.now >= 500, 100);
 * assert.equal(late.deadline, 100);
 * // Nothing makes time reach 500 ms by the deadline: the run stops there.
 * assert.deepEqual(sim.run().violations.map((v) => [v.check, v.atMs]), [["eventually:late", 100]]);
 * assert.equal(report(late), "not yet");
 * ```
 */
export interface Eventually {
  /** The violation's check name, `eventually:<name>`. */
  readonly check: string;
  /** Global virtual time by which the predicate must hold. */
  readonly deadline: number;
  /** When the predicate first held, in global virtual ms (undefined: not yet). */
  readonly heldAt: number | undefined;
}

/**
 * Requires `predicate` to hold at some point within `withinMs` of virtual
 * time from now (inclusive); otherwise the run stops with the violation
 * `eventually:<name>` at the deadline. Register it in a scenario's setup or
 * a test, as you would an invariant.
 *
 * @example
 * ```ts
 * import { eventually } from "./liveness.ts";
 * import { Simulation } from "../simulation.ts";
 * import assert from "node:assert/strict";
 * const sim = new Simulation({ seed: 1 });
 * sim.spawn("n1", () => ({ onStart: (ctx) => ctx.setTimer("wake", 50), onMessage() {} }));
 * const woke = eventually(sim, "woke", (s) => s.now >= 50, 100);
 * assert.ok(sim.run().ok);
 * assert.equal(woke.heldAt, 50); // the timer's event, at 50 ms of virtual time
 * ```
 */
export function eventually(
  sim: Simulation,
  name: string,
  predicate: (sim: Simulation) => boolean,
  withinMs: number,
): Eventually {
  if (!(Number.isFinite(withinMs) && withinMs >= 0)) {
    throw new ConfigError(`eventually ${name}`, `withinMs must be a number >= 0, got ${withinMs}`);
  }
  const check = `eventually:${name}`;
  const deadline = sim.now + withinMs;
  let heldAt: number | undefined;
  // An event at the deadline, so the invariant below runs then even if nothing else happens.
  let due = false;
  sim.at(deadline, () => {
    due = true;
  });
  sim.invariant(check, (s) => {
    if (heldAt !== undefined) return;
    if (predicate(s)) {
      heldAt = s.now;
      return;
    }
    if (due) return `${name} did not hold within ${withinMs} ms (by ${deadline} ms)`;
  });
  return {
    check,
    deadline,
    get heldAt() {
      return heldAt;
    },
  };
}

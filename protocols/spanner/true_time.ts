/**
 * TrueTime (lecture 8.2; Corbett et al., "Spanner", OSDI 2012, section 3):
 * a clock reading is not a point but an interval `[earliest, latest]` that
 * is guaranteed to contain the true physical time. Spanner keeps the
 * interval small (a few milliseconds) with GPS receivers and atomic clocks
 * in every datacentre; what matters is that its width is known.
 *
 * Here the guarantee comes from the simulator: every node's clock is off by
 * at most `epsilonMs` from global time for the whole run (the scenario
 * draws skews and drifts within that bound), so `local ± epsilonMs`
 * contains the truth.
 *
 * ```text
 * TT.now()    = [local - ε, local + ε]
 * TT.after(t) = t < TT.now().earliest      t has certainly passed
 * TT.before(t) = t > TT.now().latest       t has certainly not arrived
 * ```
 *
 * @module
 */

/**
 * A TrueTime reading: the true time is in `[earliest, latest]`.
 *
 * @example
 * ```ts
 * import type { TTInterval } from "./true_time.ts";
 * import assert from "node:assert/strict";
 * const now: TTInterval = { earliest: 95, latest: 105 };
 * assert.equal(now.latest - now.earliest, 10);
 * ```
 */
export interface TTInterval {
  /** The true time is no earlier than this. */
  earliest: number;
  /** The true time is no later than this. */
  latest: number;
}

/**
 * TrueTime over a clock known to be within `epsilonMs` of the truth.
 *
 * @example
 * ```ts
 * import { TrueTime } from "./true_time.ts";
 * import assert from "node:assert/strict";
 * const tt = new TrueTime(5);
 * assert.deepEqual(tt.now(100), { earliest: 95, latest: 105 });
 * assert.equal(tt.after(100, 94), true);
 * assert.equal(tt.after(100, 96), false); // 96 may not have come yet
 * assert.equal(tt.before(100, 106), true);
 * ```
 */
export class TrueTime {
  /** The bound on the clock's error, ms: half the interval's width. */
  readonly epsilonMs: number;

  /** TrueTime for a clock within `epsilonMs` of the truth. */
  constructor(epsilonMs: number) {
    if (!(Number.isFinite(epsilonMs) && epsilonMs >= 0)) {
      throw new RangeError(`TrueTime epsilonMs must be a finite number >= 0, got ${epsilonMs}`);
    }
    this.epsilonMs = epsilonMs;
  }

  /** The interval around the local clock reading `local`. */
  now(local: number): TTInterval {
    return { earliest: local - this.epsilonMs, latest: local + this.epsilonMs };
  }

  /** Whether `t` has certainly passed, at local reading `local`. */
  after(local: number, t: number): boolean {
    return t < this.now(local).earliest;
  }

  /** Whether `t` has certainly not yet arrived, at local reading `local`. */
  before(local: number, t: number): boolean {
    return t > this.now(local).latest;
  }

  /**
   * Local milliseconds to wait from reading `local` until `after(t)` holds
   * (0 if it already does): the length of a commit wait.
   */
  waitUntilAfter(local: number, t: number): number {
    return Math.max(0, t + this.epsilonMs - local);
  }
}
